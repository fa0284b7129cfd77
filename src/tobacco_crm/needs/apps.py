from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "tobacco_crm.needs"
    verbose_name = _("诉求投诉")

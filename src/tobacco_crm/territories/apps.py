from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "tobacco_crm.territories"
    verbose_name = _("片区划分")

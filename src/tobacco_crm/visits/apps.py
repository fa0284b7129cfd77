from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "tobacco_crm.visits"
    verbose_name = _("拜访计划")

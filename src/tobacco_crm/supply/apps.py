from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "tobacco_crm.supply"
    verbose_name = _("货源投放")

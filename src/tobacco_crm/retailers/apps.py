from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetailersConfig(AppConfig):
    name = "tobacco_crm.retailers"
    verbose_name = _("零售户")

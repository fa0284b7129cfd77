from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "tobacco_crm.care"
    verbose_name = _("客户服务")

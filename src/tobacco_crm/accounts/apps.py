from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tobacco_crm.accounts"
    verbose_name = _("用户与片区")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "tobacco_crm.grading"
    verbose_name = _("分类分级")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "tobacco_crm.products"
    verbose_name = _("卷烟规格")

"""Users, their roles, and the territories (片区/访销线) retailers are divided into."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    ARCHIVE_EDITOR_ROLES,
    ARCHIVE_IMPORTER_ROLES,
    COMPANY_WIDE_ROLES,
    DEDUCTION_ROLES,
    FULL_LICENSE_ROLES,
    FULL_PHONE_ROLES,
    GRADING_MANAGER_ROLES,
    INDICATOR_ROLES,
    ORDER_ENTRY_ROLES,
    SUPPLY_MANAGER_ROLES,
    Role,
)


class User(AbstractUser):
    """A person who signs in: customer manager, inspector, marketing manager, order taker or
    administrator. Superusers act as administrators whatever their role field says."""

    role = models.CharField(
        _("角色"), max_length=32, choices=Role.choices, default=Role.CUSTOMER_MANAGER
    )
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def effective_role(self) -> str:
        return Role.ADMIN if self.is_superuser else self.role

    @property
    def sees_whole_company(self) -> bool:
        return self.effective_role in COMPANY_WIDE_ROLES

    @property
    def can_edit_archive(self) -> bool:
        return self.effective_role in ARCHIVE_EDITOR_ROLES

    @property
    def can_import_archive(self) -> bool:
        return self.effective_role in ARCHIVE_IMPORTER_ROLES

    @property
    def sees_full_phone(self) -> bool:
        return self.effective_role in FULL_PHONE_ROLES

    @property
    def sees_full_license(self) -> bool:
        return self.effective_role in FULL_LICENSE_ROLES

    @property
    def manages_grading(self) -> bool:
        return self.effective_role in GRADING_MANAGER_ROLES

    @property
    def records_deductions(self) -> bool:
        return self.effective_role in DEDUCTION_ROLES

    @property
    def enters_indicators(self) -> bool:
        return self.effective_role in INDICATOR_ROLES

    @property
    def manages_supply(self) -> bool:
        return self.effective_role in SUPPLY_MANAGER_ROLES

    @property
    def enters_orders(self) -> bool:
        return self.effective_role in ORDER_ENTRY_ROLES


class Company(models.Model):
    """The tobacco commercial company (烟草商业企业) whose retailers the system keeps."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    # Centre of the company's area, used by maps and demo data.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True)

    class Meta:
        verbose_name = _("公司")
        verbose_name_plural = _("公司")

    def __str__(self) -> str:
        return self.name


class TerritoryQuerySet(models.QuerySet["Territory"]):
    def visible_to(self, user: User) -> TerritoryQuerySet:
        """Territories the user may see: all for company-wide roles, else the ones he owns
        (customer manager) or is assigned to (inspector)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_company:
            return self.all()
        if user.effective_role == Role.INSPECTOR:
            return self.filter(inspectors=user)
        return self.filter(customer_manager=user)


class Territory(models.Model):
    """A territory / sales line (片区/访销线), owned by one customer manager; inspectors are
    assigned to territories for compliance work."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="territories", verbose_name=_("公司")
    )
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    customer_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_territories",
        verbose_name=_("客户经理"),
        limit_choices_to={"role": Role.CUSTOMER_MANAGER},
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="inspected_territories",
        verbose_name=_("市管员"),
        limit_choices_to={"role": Role.INSPECTOR},
    )
    history = HistoricalRecords(m2m_fields=[inspectors])

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

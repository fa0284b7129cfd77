"""Roles of the people who use tobacco-crm, and what each role may do and see."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER_MANAGER = "customer_manager", _("客户经理")
    INSPECTOR = "inspector", _("市管员")
    MARKETING_MANAGER = "marketing_manager", _("营销经理")
    ORDER_TAKER = "order_taker", _("电访员")
    ADMIN = "admin", _("管理员")


# Roles that see every retailer of the company.
COMPANY_WIDE_ROLES = frozenset({Role.MARKETING_MANAGER, Role.ORDER_TAKER, Role.ADMIN})
# Roles that may edit the retailer archive (within what they can see).
ARCHIVE_EDITOR_ROLES = frozenset({Role.CUSTOMER_MANAGER, Role.MARKETING_MANAGER, Role.ADMIN})
# Roles that may import retailers from Excel (company-wide work).
ARCHIVE_IMPORTER_ROLES = frozenset({Role.MARKETING_MANAGER, Role.ADMIN})
# Roles that need the full phone number (they call retailers) ...
FULL_PHONE_ROLES = frozenset({Role.CUSTOMER_MANAGER, Role.ORDER_TAKER, Role.ADMIN})
# ... and the full license number (they inspect or maintain licenses).
FULL_LICENSE_ROLES = frozenset({Role.CUSTOMER_MANAGER, Role.INSPECTOR, Role.ADMIN})
# Roles that set grading policy, run and publish gradings and review appeals.
GRADING_MANAGER_ROLES = frozenset({Role.MARKETING_MANAGER, Role.ADMIN})
# Roles that record compliance deductions (within the retailers they see).
DEDUCTION_ROLES = frozenset({Role.INSPECTOR, Role.ADMIN})
# Roles that enter manual business indicators and raise appeals for their retailers.
INDICATOR_ROLES = frozenset({Role.CUSTOMER_MANAGER, Role.ADMIN})
# Roles that build, simulate and publish supply plans.
SUPPLY_MANAGER_ROLES = frozenset({Role.MARKETING_MANAGER, Role.ADMIN})
# Roles that enter weekly orders and reported demand for retailers they see.
ORDER_ENTRY_ROLES = frozenset({Role.CUSTOMER_MANAGER, Role.ORDER_TAKER, Role.ADMIN})

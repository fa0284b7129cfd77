"""Choices of follow-up (效果跟踪): needs, complaints and market intelligence, and which roles
may do what with them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tobacco_crm.accounts.choices import Role


class NeedKind(models.TextChoices):
    NEED = "need", _("诉求")
    COMPLAINT = "complaint", _("投诉")
    MARKET_INTEL = "market_intel", _("市场信息")


class NeedCategory(models.TextChoices):
    """What the item is about. The first group is for needs and complaints, the second for
    market intelligence (a database constraint keeps them apart)."""

    SUPPLY = "supply", _("货源")
    PRICE = "price", _("价格")
    DELIVERY = "delivery", _("配送")
    SETTLEMENT = "settlement", _("结算")
    SERVICE = "service", _("服务")
    OTHER = "other", _("其他")
    COUNTERFEIT = "counterfeit", _("疑似假烟")
    SMUGGLED = "smuggled", _("疑似走私烟")
    PRICE_VIOLATION = "price_violation", _("价格违规")
    UNLICENSED = "unlicensed", _("无证经营")


INTEL_CATEGORIES = (
    NeedCategory.COUNTERFEIT,
    NeedCategory.SMUGGLED,
    NeedCategory.PRICE_VIOLATION,
    NeedCategory.UNLICENSED,
)


class NeedChannel(models.TextChoices):
    VISIT = "visit", _("拜访")
    PHONE = "phone", _("电话")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    """open → assigned → resolved → fed_back for needs and complaints; open → assigned →
    closed (forwarded to the monopoly administration) for market intelligence."""

    OPEN = "open", _("待分派")
    ASSIGNED = "assigned", _("处理中")
    RESOLVED = "resolved", _("已解决待反馈")
    FED_BACK = "fed_back", _("已反馈")
    CLOSED = "closed", _("已移交专卖")


# Statuses still waiting for someone (the queue and the overdue alerts).
ACTIVE_STATUSES = (NeedStatus.OPEN, NeedStatus.ASSIGNED, NeedStatus.RESOLVED)

# Days from raising to the due date when none is given.
DUE_DAYS = {NeedKind.NEED: 7, NeedKind.COMPLAINT: 3, NeedKind.MARKET_INTEL: 2}

# Roles that raise items: customer managers (for their retailers, in a visit or by phone),
# order takers (by phone) and administrators.
NEED_RAISER_ROLES = frozenset({Role.CUSTOMER_MANAGER, Role.ORDER_TAKER, Role.ADMIN})
# Roles that may assign any item they see, to anyone who may own it.
NEED_DISPATCHER_ROLES = frozenset({Role.MARKETING_MANAGER, Role.ADMIN})
# Roles that may answer the retailer once an item is resolved (besides its owner).
NEED_FEEDBACK_ROLES = frozenset({Role.CUSTOMER_MANAGER, Role.ORDER_TAKER})

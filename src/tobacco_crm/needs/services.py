"""Every write of follow-up: keyword-only, atomic, permission-checked, with history.

Who may do what (roles in `choices`):
- raise: a customer manager for the retailers of his territories (in a visit or by phone), an
  order taker by phone, an administrator;
- assign: a dispatcher (marketing manager, administrator) anything he sees; a customer manager
  the needs and complaints of his retailers; an inspector the market intelligence of his
  territories. The owner must be able to act on it: market intelligence goes to an inspector
  of the retailer's territory, a need or complaint to the retailer's customer manager or a
  dispatcher;
- resolve: the owner or a dispatcher; market intelligence is then closed (forwarded to the
  monopoly administration), a need or complaint waits for the answer to the retailer;
- feed back: only after resolving, by the owner, a dispatcher, or the customer manager or order
  taker who talks to the retailer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.history import stamp_history
from tobacco_crm.retailers.models import Retailer

from .choices import (
    DUE_DAYS,
    NEED_DISPATCHER_ROLES,
    NEED_FEEDBACK_ROLES,
    NEED_RAISER_ROLES,
    NeedChannel,
    NeedKind,
    NeedStatus,
)
from .models import Need

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


def _sees(user: User, retailer_id: int) -> bool:
    return Retailer.objects.visible_to(user).filter(pk=retailer_id).exists()


def _locked(need: Need) -> Need:
    return Need.objects.select_for_update().select_related("retailer__territory").get(pk=need.pk)


# Permission checks, shared with the views (which show only the actions allowed) -----------


def can_raise(user: User, retailer: Retailer) -> bool:
    return user.effective_role in NEED_RAISER_ROLES and _sees(user, retailer.pk)


def can_assign(user: User, need: Need) -> bool:
    if need.status not in (NeedStatus.OPEN, NeedStatus.ASSIGNED):
        return False
    role = user.effective_role
    if role in NEED_DISPATCHER_ROLES:
        allowed = True
    elif need.kind == NeedKind.MARKET_INTEL:
        allowed = role == Role.INSPECTOR
    else:
        allowed = role == Role.CUSTOMER_MANAGER
    return allowed and _sees(user, need.retailer_id)


def can_resolve(user: User, need: Need) -> bool:
    if need.status != NeedStatus.ASSIGNED:
        return False
    allowed = need.owner_id == user.pk or user.effective_role in NEED_DISPATCHER_ROLES
    return allowed and _sees(user, need.retailer_id)


def can_feed_back(user: User, need: Need) -> bool:
    if need.status != NeedStatus.RESOLVED:
        return False
    allowed = (
        need.owner_id == user.pk
        or user.effective_role in NEED_DISPATCHER_ROLES
        or user.effective_role in NEED_FEEDBACK_ROLES
    )
    return allowed and _sees(user, need.retailer_id)


def owner_candidates(need: Need) -> QuerySet[User]:
    """Who may own the item: an inspector of the retailer's territory for market
    intelligence; the retailer's customer manager or a dispatcher otherwise."""
    users = get_user_model().objects.filter(is_active=True)
    territory = need.retailer.territory
    if need.kind == NeedKind.MARKET_INTEL:
        return users.filter(role=Role.INSPECTOR, inspected_territories=territory).order_by("pk")
    mine = Q(pk=territory.customer_manager_id) if territory.customer_manager_id else Q(pk=None)
    return users.filter(mine | Q(role__in=NEED_DISPATCHER_ROLES) | Q(is_superuser=True)).order_by(
        "pk"
    )


# Writes --------------------------------------------------------------------------------------


@transaction.atomic
def need_raise(
    *,
    retailer: Retailer,
    kind: str,
    category: str,
    description: str,
    channel: str,
    actor: User,
    due_date: dt.date | None = None,
) -> Need:
    """Record a need, complaint or market intelligence for a retailer the actor sees. It
    starts open: in the queue of the retailer's customer manager, or for market intelligence
    of the inspectors of the retailer's territory."""
    if not can_raise(actor, retailer):
        raise PermissionDenied(_("您不能为这个零售户登记诉求。"))
    if actor.effective_role == Role.ORDER_TAKER and channel != NeedChannel.PHONE:
        raise ValidationError({"channel": _("电访员只能登记电话渠道的诉求。")})
    if not description.strip():
        raise ValidationError({"description": _("请填写内容。")})
    today = timezone.localdate()
    if due_date is None:
        due_date = today + dt.timedelta(days=DUE_DAYS[NeedKind(kind)])
    elif due_date < today:
        raise ValidationError({"due_date": _("办结期限不能早于今天。")})
    need = Need(
        retailer=retailer,
        kind=kind,
        category=category,
        description=description.strip(),
        channel=channel,
        raised_by=actor,
        due_date=due_date,
    )
    need.full_clean()
    stamp_history(need, actor=actor, reason="登记")
    need.save()
    return need


@transaction.atomic
def need_assign(*, need: Need, owner: User, actor: User, due_date: dt.date | None = None) -> Need:
    """Give the item to an owner (again, while it is not resolved), optionally with a new due
    date."""
    need = _locked(need)
    if not can_assign(actor, need):
        if need.status not in (NeedStatus.OPEN, NeedStatus.ASSIGNED):
            raise ValidationError({"status": _("已办结的事项不能再分派。")})
        raise PermissionDenied(_("您不能分派这个事项。"))
    if not owner_candidates(need).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("此人不能负责这个事项。")})
    need.owner = owner
    need.status = NeedStatus.ASSIGNED
    if due_date is not None:
        need.due_date = due_date
    need.full_clean()
    stamp_history(need, actor=actor, reason=f"分派给 {owner}")
    need.save()
    return need


@transaction.atomic
def need_resolve(*, need: Need, resolution: str, actor: User) -> Need:
    """The owner records how the item was dealt with. Market intelligence is closed
    (forwarded to the monopoly administration); a need or complaint waits for feedback."""
    need = _locked(need)
    if not can_resolve(actor, need):
        if need.status != NeedStatus.ASSIGNED:
            raise ValidationError({"status": _("只能办结处理中的事项。")})
        raise PermissionDenied(_("只有负责人可以办结这个事项。"))
    if not resolution.strip():
        raise ValidationError({"resolution": _("请填写处理结果。")})
    need.resolution = resolution.strip()
    need.resolved_at = timezone.now()
    is_intel = need.kind == NeedKind.MARKET_INTEL
    need.status = NeedStatus.CLOSED if is_intel else NeedStatus.RESOLVED
    stamp_history(need, actor=actor, reason="移交专卖" if is_intel else "办结")
    need.save()
    return need


@transaction.atomic
def need_feed_back(*, need: Need, feedback: str, actor: User) -> Need:
    """Record the answer given to the retailer; only after the item is resolved."""
    need = _locked(need)
    if need.status != NeedStatus.RESOLVED:
        raise ValidationError({"status": _("只能在办结后反馈零售户。")})
    if not can_feed_back(actor, need):
        raise PermissionDenied(_("您不能反馈这个事项。"))
    if not feedback.strip():
        raise ValidationError({"feedback": _("请填写反馈内容。")})
    need.feedback = feedback.strip()
    need.fed_back_at = timezone.now()
    need.status = NeedStatus.FED_BACK
    stamp_history(need, actor=actor, reason="反馈零售户")
    need.save()
    return need

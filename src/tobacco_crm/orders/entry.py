"""Weekly order entry (订单采集) within the published limits.

`order_submit` checks each line and keeps the acceptable ones: a line over the retailer's
limit (限量) for the week, for a stopped product (停供), from a retailer whose supply is
stopped (停货), or for a scarce product before the week's plan is published, is refused with
its reason; the rest of the order is kept.

Concurrency: the retailer's row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs
every write transaction IMMEDIATE, one at a time) before what it already ordered this week is
summed, so two people entering orders for the same retailer at once can never together
exceed a limit. Idempotency: a submission carries a client token; re-submitting the same
token returns the order already made (a unique constraint backs this up).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from tobacco_crm.core.history import stamp_history
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.choices import RetailerStatus
from tobacco_crm.retailers.models import Retailer

from .choices import OrderStatus
from .models import Order, OrderLine
from .services import monthly_sales_refresh_retailer

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

COUNTED = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED)


@dataclass(frozen=True)
class RefusedLine:
    product: Product
    cartons: int
    reason: str


@dataclass
class OrderOutcome:
    order: Order | None
    accepted: list[OrderLine] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)
    duplicate: bool = False


def week_limits(*, retailer: Retailer, day: dt.date) -> dict[int, tuple[int, int]] | None:
    """The retailer's limits in the published plan of the week holding `day`: product id →
    (limit, reason code); products of the plan without a row have limit 0. None when the
    week has no published plan."""
    from tobacco_crm.supply.choices import PlanStatus
    from tobacco_crm.supply.models import RetailerLimit, SupplyPlan
    from tobacco_crm.supply.services import week_of

    code, _monday, _sunday = week_of(day)
    plan = SupplyPlan.objects.filter(period__code=code, status=PlanStatus.PUBLISHED).first()
    if plan is None:
        return None
    limits = {pid: (0, 13) for pid in plan.lines.values_list("product_id", flat=True)}
    for pid, limit, reason in RetailerLimit.objects.filter(
        plan=plan, retailer=retailer
    ).values_list("product_id", "limit", "reason"):
        limits[pid] = (limit, reason)
    return limits


def _supply_stopped(retailer: Retailer) -> bool:
    from tobacco_crm.grading.selectors import run_in_force

    run = run_in_force()
    return bool(
        run is not None and run.grades.filter(retailer=retailer, supply_stopped=True).exists()
    )


@transaction.atomic
def order_submit(
    *,
    retailer: Retailer,
    day: dt.date,
    lines: list[tuple[Product, int]],
    actor: User,
    client_token: str = "",
) -> OrderOutcome:
    """Enter a retailer's order for the week of `day`; see the module docstring."""
    from tobacco_crm.supply.services import supply_period_for

    if not actor.enters_orders:
        raise PermissionDenied(_("您的角色不能录入订单。"))
    # of=("self",): lock the retailer row only, not the territory row the scope joins (that
    # would serialise every order entry of the territory).
    locked = (
        Retailer.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk=retailer.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("您不能为这个零售户录入订单。"))
    if client_token:
        existing = Order.objects.filter(retailer=locked, client_token=client_token).first()
        if existing is not None:
            return OrderOutcome(order=existing, accepted=list(existing.lines.all()), duplicate=True)
    seen: set[int] = set()
    for product, _cartons in lines:
        if product.pk in seen:
            raise ValidationError({"lines": _("同一规格在订单中只能出现一次：%s") % product})
        seen.add(product.pk)
    period = supply_period_for(day=day)
    limits = week_limits(retailer=locked, day=day)
    stopped = _supply_stopped(locked)
    ordered = dict(
        OrderLine.objects.filter(
            retailer=locked,
            order_date__gte=period.start_date,
            order_date__lte=period.end_date,
            order__status__in=COUNTED,
        )
        .values("product_id")
        .annotate(c=Sum("cartons"))
        .values_list("product_id", "c")
    )
    outcome = OrderOutcome(order=None)
    accepted: list[tuple[Product, int]] = []
    closed = _closed_reason(locked)
    for product, cartons in lines:
        reason = closed or _refusal(product, cartons, stopped, limits, ordered.get(product.pk, 0))
        if reason:
            outcome.refused.append(RefusedLine(product, cartons, reason))
        else:
            accepted.append((product, cartons))
    if not accepted:
        return outcome
    order = Order(
        retailer=locked, order_date=day, status=OrderStatus.SUBMITTED, supply_period=period,
        client_token=client_token, entered_by=actor,
    )  # fmt: skip
    stamp_history(order, actor=actor, reason="订单采集")
    order.save()
    for product, cartons in accepted:
        outcome.accepted.append(
            OrderLine(
                order=order,
                product=product,
                retailer=locked,
                order_date=day,
                cartons=cartons,
                amount=product.wholesale_price * cartons,
            )
        )  # fmt: skip
    OrderLine.objects.bulk_create(outcome.accepted)
    order.total_cartons = sum(line.cartons for line in outcome.accepted)
    order.total_amount = sum((line.amount for line in outcome.accepted), Decimal(0))
    stamp_history(order, actor=actor, reason="订单采集")
    order.save(update_fields=["total_cartons", "total_amount"])
    monthly_sales_refresh_retailer(retailer_id=locked.pk, day=day)
    outcome.order = order
    return outcome


def _closed_reason(retailer: Retailer) -> str:
    """A retailer that is not trading (停业, 歇业, 注销) orders nothing ("" when it trades)."""
    if retailer.status == RetailerStatus.NORMAL:
        return ""
    return _("零售户经营状态为“%(status)s”，不能订货。") % {"status": retailer.get_status_display()}


def _refusal(
    product: Product,
    cartons: int,
    stopped: bool,
    limits: dict[int, tuple[int, int]] | None,
    already: int,
) -> str:
    """Why a line is refused ("" when it is accepted)."""
    if cartons <= 0:
        return _("订购量必须是正整数条。")
    if product.status == ProductStatus.STOPPED:
        return _("该规格已停供。")
    if stopped:
        return _("该零售户已停货，待专卖部门处理后恢复供货。")
    if limits is not None and product.pk in limits:
        limit, reason = limits[product.pk]
        if already + cartons > limit:
            return _(
                "超过限量：本周限量 %(limit)s 条（%(reason)s），已订 %(already)s 条，"
                "最多还可订 %(left)s 条。"
            ) % {
                "limit": limit,
                "reason": _reason_label(reason),
                "already": already,
                "left": max(limit - already, 0),
            }
        return ""
    if product.status == ProductStatus.SCARCE:
        if limits is not None:
            return _("紧俏规格：本周投放方案未投放该规格，暂不能订购。")
        return _("紧俏规格：本周投放方案尚未发布，暂不能订购。")
    return ""


def _reason_label(code: int) -> str:
    from tobacco_crm.supply.choices import AllocationReason

    try:
        return str(AllocationReason(code).label)
    except ValueError:
        return str(code)

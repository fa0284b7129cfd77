"""Every write of scarce-supply allocation: keyword-only, atomic, audited.

A simulation is fetch → allocate → store for every line of the plan, in one transaction, and
replaces the plan's previous simulated limits. Publishing is all-or-nothing: the plan and its
limits are locked and the period's previously published plan is superseded (its limits stay
as they were, for the record); if anything fails, the previous published limits stay in force.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tobacco_crm.core.history import stamp_history
from tobacco_crm.engines.allocation import allocate
from tobacco_crm.grading.selectors import run_in_force
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

from . import adapters
from .choices import PlanStatus
from .models import DemandReport, RetailerLimit, SupplyPeriod, SupplyPlan, SupplyPlanLine

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def week_of(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """ISO week code (e.g. 2026-W48) and its Monday and Sunday."""
    year, week, weekday = day.isocalendar()
    monday = day - dt.timedelta(days=weekday - 1)
    return f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6)


def supply_period_for(*, day: dt.date) -> SupplyPeriod:
    """The weekly supply period holding `day`, created when missing. Two first orders of a
    week may create it at the same time: the loser of that race (a unique-code violation,
    inside its own savepoint) takes the winner's period."""
    code, monday, sunday = week_of(day)
    period = SupplyPeriod.objects.filter(code=code).first()
    if period is not None:
        return period
    try:
        with transaction.atomic():
            sequence = (SupplyPeriod.objects.aggregate(s=Max("sequence"))["s"] or 0) + 1
            return SupplyPeriod.objects.create(
                code=code, start_date=monday, end_date=sunday, sequence=sequence
            )
    except IntegrityError:
        return SupplyPeriod.objects.get(code=code)


@transaction.atomic
def supply_plan_create(*, period: SupplyPeriod, name: str, actor: User) -> SupplyPlan:
    _require(actor.manages_supply, _("您的角色不能制定投放方案。"))
    plan = SupplyPlan(period=period, name=name, created_by=actor, grading_run=run_in_force())
    plan.full_clean()
    stamp_history(plan, actor=actor, reason="创建投放方案")
    plan.save()
    return plan


def _editable(plan: SupplyPlan) -> SupplyPlan:
    locked = SupplyPlan.objects.select_for_update().get(pk=plan.pk)
    if not locked.editable:
        raise ValidationError({"plan": _("方案已发布，不能再修改。")})
    return locked


@transaction.atomic
def supply_plan_line_set(
    *,
    plan: SupplyPlan,
    product: Product,
    available: int,
    basis: str,
    actor: User,
    rule: dict[str, Any] | None = None,
    eligibility: dict[str, list[str]] | None = None,
) -> SupplyPlanLine:
    """Add or change one product's line; the rule is validated by the engine and any error
    names the rule field. Changing a simulated plan sends it back to draft."""
    _require(actor.manages_supply, _("您的角色不能制定投放方案。"))
    plan = _editable(plan)
    line = SupplyPlanLine.objects.filter(plan=plan, product=product).first() or SupplyPlanLine(
        plan=plan, product=product
    )
    line.available = available
    line.basis = basis
    line.rule = {k: v for k, v in (rule or {}).items() if k not in {"product", "available"}}
    filters = eligibility or {}
    unknown = set(filters) - set(adapters.ELIGIBILITY_FIELDS)
    if unknown:
        raise ValidationError({"eligibility": _("未知的投放条件：%s") % ", ".join(sorted(unknown))})
    for key, values in filters.items():  # a bare string would become a list of letters
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise ValidationError({"eligibility": _("投放条件 %s 应为编码列表。") % key})
    line.eligibility = {k: list(v) for k, v in filters.items() if v}
    line.full_clean()
    try:
        adapters.line_rule(line)
    except (ValueError, TypeError) as error:
        raise ValidationError({"rule": str(error)}) from error
    line.save()
    _back_to_draft(plan, actor)
    return line


@transaction.atomic
def supply_plan_line_delete(*, line: SupplyPlanLine, actor: User) -> None:
    _require(actor.manages_supply, _("您的角色不能制定投放方案。"))
    plan = _editable(line.plan)
    line.delete()
    _back_to_draft(plan, actor)


def _back_to_draft(plan: SupplyPlan, actor: User) -> None:
    if plan.status == PlanStatus.SIMULATED:
        RetailerLimit.objects.filter(plan=plan).delete()
        plan.status = PlanStatus.DRAFT
        plan.summary = {}
        stamp_history(plan, actor=actor, reason="方案修改，需重新模拟")
        plan.save(update_fields=["status", "summary"])


@transaction.atomic
def supply_plan_simulate(*, plan: SupplyPlan, actor: User) -> SupplyPlan:
    """Compute every line's limits and store them (not yet visible to retailers), with the
    per-tier and per-line summaries the simulation page shows."""
    _require(actor.manages_supply, _("您的角色不能模拟投放方案。"))
    plan = _editable(plan)
    lines = list(plan.lines.select_related("product", "plan__period"))
    if not lines:
        raise ValidationError({"plan": _("方案中还没有投放品规。")})
    RetailerLimit.objects.filter(plan=plan).delete()
    base = adapters.load_base(run=plan.grading_run)
    totals = {"available": 0, "allocated": 0, "undistributed": 0, "limits": 0}
    for line in lines:
        inputs = adapters.line_inputs(base=base, line=line)
        try:
            rule = adapters.line_rule(line)
            # The engine also refuses a rule its inputs can't serve (e.g. a float cap
            # without agreed totals): a 400 naming the product, not a crash.
            result = allocate(inputs, rule)
        except ValueError as error:
            raise ValidationError({"rule": f"{line.product}: {error}"}) from error
        totals["limits"] += adapters.store_limits(
            plan=plan, line=line, inputs=inputs, result=result
        )
        line.summary = result.summary()
        line.save(update_fields=["summary"])
        totals["available"] += result.available
        totals["allocated"] += result.total
        totals["undistributed"] += result.undistributed
    plan.summary = {**totals, "graded_retailers": int(base.graded.sum())}
    plan.status = PlanStatus.SIMULATED
    plan.simulated_at = timezone.now()
    stamp_history(plan, actor=actor, reason="模拟")
    plan.save(update_fields=["summary", "status", "simulated_at"])
    return plan


@transaction.atomic
def supply_plan_publish(*, plan: SupplyPlan, actor: User) -> SupplyPlan:
    """Publish a simulated plan: its limits become the period's limits in force (公开透明)."""
    _require(actor.manages_supply, _("您的角色不能发布投放方案。"))
    plan = SupplyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.SIMULATED:
        raise ValidationError({"status": _("只有模拟过且未修改的方案可以发布。")})
    for old in SupplyPlan.objects.select_for_update().filter(
        period=plan.period, status=PlanStatus.PUBLISHED
    ):
        old.status = PlanStatus.SUPERSEDED
        stamp_history(old, actor=actor, reason=f"被方案 #{plan.pk} 替代")
        old.save(update_fields=["status"])
    plan.status = PlanStatus.PUBLISHED
    plan.published_by = actor
    plan.published_at = timezone.now()
    stamp_history(plan, actor=actor, reason="发布")
    plan.save(update_fields=["status", "published_by", "published_at"])
    return plan


@transaction.atomic
def demand_report_set(
    *, period: SupplyPeriod, retailer: Retailer, product: Product, cartons: int, actor: User
) -> DemandReport:
    """Record (or change) a retailer's reported demand for a product in a period."""
    _require(actor.enters_orders, _("您的角色不能提报需求。"))
    if not Retailer.objects.visible_to(actor).filter(pk=retailer.pk).exists():
        raise PermissionDenied(_("您不能为这个零售户提报需求。"))
    report = DemandReport.objects.filter(period=period, retailer=retailer, product=product).first()
    report = report or DemandReport(period=period, retailer=retailer, product=product)
    report.cartons = cartons
    report.reported_by = actor
    report.full_clean()
    stamp_history(report, actor=actor, reason="需求提报")
    report.save()
    return report

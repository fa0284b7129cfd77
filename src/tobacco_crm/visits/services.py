"""Writes of visit planning: the service standard's versions, the weekly draft, confirming,
and moving, adding and dropping visits (each re-optimizes the days it touches).

The draft is fetch → compute → store: set-based reads of the manager's retailers, segments
(grading run in force), last planned visits, open needs, monthly sales, last week's plan;
then `adapters.split_by_sweep` and `adapters.route_day` (the routing engine) per day; then one
bulk write. Stops a day cannot fit (`no_time_left`) move to the next day; what the week
cannot hold is kept in `VisitPlan.left_out` with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from tobacco_crm.accounts.choices import Role
from tobacco_crm.accounts.models import Company
from tobacco_crm.grading.models import RetailerGrade
from tobacco_crm.grading.selectors import run_in_force
from tobacco_crm.needs.choices import ACTIVE_STATUSES
from tobacco_crm.needs.models import Need
from tobacco_crm.orders.choices import OrderStatus
from tobacco_crm.orders.models import OrderLine, RetailerMonthlySales
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.choices import RetailerStatus
from tobacco_crm.retailers.models import Retailer

from . import adapters
from .adapters import Stop
from .choices import (
    KEY_TARGET_KINDS,
    LeftOutReason,
    PlanStatus,
    PriceTags,
    PurposeKind,
    VisitOutcome,
)
from .models import PlannedVisit, ServiceStandard, VisitPlan, VisitRecord
from .selectors import standard_current, week_start_of

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

STANDARD_EDITOR_ROLES = frozenset({Role.MARKETING_MANAGER, Role.ADMIN})
# Reasons decided before the solver runs: another day will not help.
DAY_INDEPENDENT = frozenset(
    {
        LeftOutReason.WINDOW_TOO_SHORT,
        LeftOutReason.CLOSED_BEFORE_REACHABLE,
        LeftOutReason.CANNOT_RETURN,
    }
)
NEVER_VISITED_WEEKS = 99
# Brands to push: cultivated (重点培育) or new products the retailer has not ordered lately.
PUSH_STATUSES = (ProductStatus.CULTIVATED, ProductStatus.NEW)
PUSH_LOOKBACK_WEEKS = 8
NAMED_AT_MOST = 3
BAD_PRICE_TAGS = frozenset({PriceTags.MISSING, PriceTags.TAMPERED})


# --- service standard -------------------------------------------------------------------


def service_standard_save(*, actor: User, **fields: Any) -> ServiceStandard:
    """Save the next version of the service standard (the marketing manager's policy)."""
    if actor.effective_role not in STANDARD_EDITOR_ROLES:
        raise PermissionDenied(_("只有营销经理可以修改服务标准。"))
    with transaction.atomic():
        last = ServiceStandard.objects.select_for_update().order_by("-version").first()
        standard = ServiceStandard(
            version=(last.version + 1) if last else 1, created_by=actor, **fields
        )
        standard.full_clean()
        standard.save()
    return standard


# --- permissions ------------------------------------------------------------------------


def _check_planner(*, manager: User, actor: User) -> None:
    if actor.pk != manager.pk and actor.effective_role not in STANDARD_EDITOR_ROLES:
        raise PermissionDenied(_("只能编排自己的拜访计划。"))


def _check_editable(plan: VisitPlan, actor: User) -> None:
    _check_planner(manager=plan.manager, actor=actor)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("计划已确认，不能再修改。"))


# --- fetch ------------------------------------------------------------------------------


def depot_of(manager: User, points: list[tuple[float, float]]) -> tuple[float, float]:
    """The company office; the points' centroid when the company has no coordinates."""
    company = (
        Company.objects.filter(territories__customer_manager=manager, latitude__isnull=False)
        .exclude(longitude__isnull=True)
        .first()
    )
    if company is not None and company.latitude is not None and company.longitude is not None:
        return float(company.latitude), float(company.longitude)
    if not points:
        return 0.0, 0.0
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def _birthday_in_week(birthday: dt.date | None, week: list[dt.date]) -> dt.date | None:
    if birthday is None:
        return None
    for day in week:
        if (day.month, day.day) == (birthday.month, birthday.day):
            return day
    return None


def _named(names: list[str]) -> str:
    """Up to `NAMED_AT_MOST` names joined, with how many more."""
    text = "、".join(names[:NAMED_AT_MOST])
    if len(names) > NAMED_AT_MOST:
        text += _(" 等 %(n)s 个") % {"n": len(names)}
    return text


def _checklist_purposes(ids: list[int], *, week_start: dt.date) -> dict[int, list[dict[str, Any]]]:
    """Retailer id → the purposes drawn from its latest visit record (price-tag or display
    check due, out-of-stock warning) and its recent orders (brands to push). Three queries
    whatever the number of retailers."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return out
    latest = (
        VisitRecord.objects.filter(retailer=OuterRef("retailer"), outcome=VisitOutcome.VISITED)
        .order_by("-checked_in_at", "-id")
        .values("pk")[:1]
    )
    records = VisitRecord.objects.filter(
        retailer_id__in=ids, outcome=VisitOutcome.VISITED, pk=Subquery(latest)
    ).values_list("retailer_id", "price_tags", "brands_displayed", "stock")
    for retailer_id, price_tags, brands_displayed, stock in records:
        checks: list[str] = []
        if price_tags in BAD_PRICE_TAGS:
            checks.append(str(PriceTags(price_tags).label))
        if not brands_displayed:
            checks.append(_("培育品牌未上柜陈列"))
        if checks:
            out[retailer_id].append(
                {
                    "kind": PurposeKind.DISPLAY_CHECK.value,
                    "price_tags": price_tags,
                    "brands_displayed": brands_displayed,
                    "label": _("复查价签与陈列：%(checks)s") % {"checks": "；".join(checks)},
                }
            )
        short = [
            (str(row.get("brand", "")), int(row.get("stockout_days") or 0))
            for row in (stock or [])
            if isinstance(row, dict) and int(row.get("stockout_days") or 0) > 0
        ]
        if short:
            short.sort(key=lambda x: (-x[1], x[0]))
            out[retailer_id].append(
                {
                    "kind": PurposeKind.OUT_OF_STOCK.value,
                    "brands": [b for b, _days in short],
                    "label": _("断货预警：%(brands)s")
                    % {
                        "brands": _named(
                            [_("%(b)s（断货 %(d)s 天）") % {"b": b, "d": d} for b, d in short]
                        )
                    },
                }
            )
    products = list(
        Product.objects.filter(status__in=PUSH_STATUSES)
        .order_by("status", "code")  # "cultivated" (重点培育) sorts before "new" (新品)
        .values_list("pk", "brand", "name")
    )
    if products:
        since = week_start - dt.timedelta(weeks=PUSH_LOOKBACK_WEEKS)
        ordered = set(
            OrderLine.objects.filter(
                retailer_id__in=ids,
                product_id__in=[p[0] for p in products],
                order_date__gte=since,
            )
            .exclude(order__status=OrderStatus.CANCELLED)
            .values_list("retailer_id", "product_id")
            .distinct()
        )
        for retailer_id in ids:
            todo = [p for p in products if (retailer_id, p[0]) not in ordered]
            if todo:
                out[retailer_id].append(
                    {
                        "kind": PurposeKind.PUSH_BRANDS.value,
                        "products": [p[0] for p in todo],
                        "label": _("推荐品牌：%(names)s")
                        % {"names": _named([f"{brand}({name})" for _pk, brand, name in todo])},
                    }
                )
    return out


def _purposes(
    retailers: list[Retailer], *, manager: User, week_start: dt.date, standard: ServiceStandard
) -> dict[int, tuple[int, list[dict[str, Any]]]]:
    """Retailer id → (priority, purposes) for the retailers the week owes a visit: due by
    their segment's interval, or key targets. Lower priority is planned first."""
    ids = [r.pk for r in retailers]
    run = run_in_force()
    segments: dict[int, str] = {}
    if run is not None:
        segments = dict(
            RetailerGrade.objects.filter(run=run, retailer_id__in=ids).values_list(
                "retailer_id", "segment"
            )
        )
    last_visit = dict(
        PlannedVisit.objects.filter(retailer_id__in=ids, day__lt=week_start)
        .values("retailer_id")
        .annotate(last=Max("day"))
        .values_list("retailer_id", "last")
    )
    needs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for need_id, retailer_id, description in (
        Need.objects.filter(retailer_id__in=ids, status__in=ACTIVE_STATUSES)
        .order_by("due_date", "pk")
        .values_list("pk", "retailer_id", "description")
    ):
        needs[retailer_id].append(
            {"kind": PurposeKind.OPEN_NEED.value, "need": need_id, "label": description[:60]}
        )
    last_month, month_before = _month_start(week_start, 1), _month_start(week_start, 2)
    sales: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for retailer_id, month, cartons in RetailerMonthlySales.objects.filter(
        retailer_id__in=ids, month__in=[last_month, month_before]
    ).values_list("retailer_id", "month", "cartons"):
        sales[retailer_id][month] = cartons
    missed = set(
        PlannedVisit.objects.filter(
            plan__manager=manager,
            plan__week_start=week_start - dt.timedelta(days=7),
            visited_at__isnull=True,
            retailer_id__in=ids,
        ).values_list("retailer_id", flat=True)
    )
    week = [week_start + dt.timedelta(days=d) for d in range(7)]
    checklist = _checklist_purposes(ids, week_start=week_start)

    owed: dict[int, tuple[int, list[dict[str, Any]]]] = {}
    for r in retailers:
        purposes: list[dict[str, Any]] = list(needs.get(r.pk, []))
        before, last = sales[r.pk].get(month_before), sales[r.pk].get(last_month)
        if before and last is not None:
            change = (last - before) / before * 100
            if abs(change) >= standard.sales_move_pct:
                purposes.append(
                    {
                        "kind": PurposeKind.SALES_MOVED.value,
                        "change_pct": round(change, 1),
                        "label": _("上月订购 %(last)s 条，前一月 %(before)s 条（%(change)+.0f%%）")
                        % {"last": last, "before": before, "change": change},
                    }
                )
        if r.pk in missed:
            purposes.append({"kind": PurposeKind.MISSED.value, "label": _("上周计划未拜访")})
        key = any(p["kind"] in KEY_TARGET_KINDS for p in purposes)
        interval = standard.interval_for(segments.get(r.pk))
        last_day = last_visit.get(r.pk)
        weeks_since = (
            NEVER_VISITED_WEEKS
            if last_day is None
            else (week_start - week_start_of(last_day)).days // 7
        )
        due = weeks_since >= interval
        if not (due or key):
            continue
        if due:
            purposes.insert(
                0,
                {
                    "kind": PurposeKind.DUE.value,
                    "segment": segments.get(r.pk, ""),
                    "interval_weeks": interval,
                    "label": _("每 %(n)s 周拜访一次") % {"n": interval},
                },
            )
        birthday = _birthday_in_week(r.birthday, week)
        if birthday is not None:
            purposes.append(
                {
                    "kind": PurposeKind.BIRTHDAY.value,
                    "date": birthday.isoformat(),
                    "label": _("户主 %(d)s 生日") % {"d": birthday.strftime("%m-%d")},
                }
            )
        purposes.extend(checklist.get(r.pk, []))
        overdue = min(weeks_since - interval, 998)
        owed[r.pk] = (0 if key else 1000 - max(overdue, 0), purposes)
    return owed


def _stop(retailer: Retailer, standard: ServiceStandard, priority: int = 0,
          purposes: list[dict[str, Any]] | None = None) -> Stop | None:  # fmt: skip
    if retailer.latitude is None or retailer.longitude is None:
        return None
    opens, closes = adapters.window(retailer.opens_at, retailer.closes_at)
    return Stop(
        retailer_id=retailer.pk,
        lat=float(retailer.latitude),
        lon=float(retailer.longitude),
        opens=opens,
        closes=closes,
        service_min=standard.minutes_for(retailer.business_format),
        priority=priority,
        purposes=purposes or [],
    )


def _route(depot: tuple[float, float], stops: list[Stop], standard: ServiceStandard,
           time_limit_s: float) -> adapters.RoutedDay:  # fmt: skip
    return adapters.route_day(
        depot,
        stops,
        speed_kmh=float(standard.speed_kmh),
        day_start=adapters.minutes(standard.day_start, 510),
        day_minutes=standard.day_minutes,
        time_limit_s=time_limit_s,
    )


# --- the weekly draft -------------------------------------------------------------------


def visit_plan_draft(
    *, manager: User, week_start: dt.date, actor: User, time_limit_s: float = 1.0
) -> VisitPlan:
    """Draft (or re-draft) the manager's plan of the ISO week of `week_start`."""
    _check_planner(manager=manager, actor=actor)
    week_start = week_start_of(week_start)
    standard = standard_current()
    retailers = list(
        Retailer.objects.filter(
            territory__customer_manager=manager, status=RetailerStatus.NORMAL
        ).order_by("pk")
    )
    owed = _purposes(retailers, manager=manager, week_start=week_start, standard=standard)
    by_id = {r.pk: r for r in retailers}
    left_out: list[dict[str, Any]] = []
    stops: list[Stop] = []
    for retailer_id, (priority, purposes) in owed.items():
        stop = _stop(by_id[retailer_id], standard, priority, purposes)
        if stop is None:
            left_out.append({"retailer": retailer_id, "reason": LeftOutReason.NO_COORDINATES})
        else:
            stops.append(stop)
    stops.sort(key=lambda s: (s.priority, s.retailer_id))
    days = [week_start + dt.timedelta(days=d) for d in sorted(set(standard.working_days))]
    capacity = len(days) * standard.day_visits
    for stop in stops[capacity:]:
        left_out.append({"retailer": stop.retailer_id, "reason": LeftOutReason.OVER_CAPACITY})
    stops = stops[:capacity]
    depot = depot_of(manager, [(s.lat, s.lon) for s in stops])
    groups = adapters.split_by_sweep(depot, stops, len(days), standard.day_visits)

    rows: list[PlannedVisit] = []
    carry: list[Stop] = []
    for day, group in zip(days, groups, strict=True):
        todo = sorted(carry + group, key=lambda s: (s.priority, s.retailer_id))
        carry = todo[standard.day_visits :]
        routed = _route(depot, todo[: standard.day_visits], standard, time_limit_s)
        for position, (stop, arrival, start) in enumerate(routed.visits, start=1):
            rows.append(
                PlannedVisit(
                    retailer_id=stop.retailer_id,
                    day=day,
                    position=position,
                    planned_arrival=adapters.as_time(arrival),
                    planned_start=adapters.as_time(start),
                    service_minutes=stop.service_min,
                    purposes=stop.purposes,
                )
            )
        for stop, reason in routed.unfit:
            if reason in DAY_INDEPENDENT:
                left_out.append({"retailer": stop.retailer_id, "reason": reason})
            else:
                carry.append(stop)
    for stop in carry:
        left_out.append({"retailer": stop.retailer_id, "reason": LeftOutReason.NO_TIME_LEFT})

    with transaction.atomic():
        plan, _created = VisitPlan.objects.select_for_update().get_or_create(
            manager=manager, week_start=week_start
        )
        if plan.status != PlanStatus.DRAFT:
            raise ValidationError(_("计划已确认，不能重新编排。"))
        plan.standard = standard if standard.pk else None
        plan.left_out = sorted(left_out, key=lambda x: x["retailer"])
        plan.save()
        plan.visits.all().delete()
        for row in rows:
            row.plan = plan
        PlannedVisit.objects.bulk_create(rows)
    return plan


def visit_plan_confirm(*, plan: VisitPlan, actor: User) -> VisitPlan:
    with transaction.atomic():
        plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
        _check_editable(plan, actor)
        plan.status = PlanStatus.CONFIRMED
        plan.save(update_fields=["status", "updated_at"])
    return plan


# --- editing a plan ---------------------------------------------------------------------


def _standard_of(plan: VisitPlan) -> ServiceStandard:
    return plan.standard or standard_current()


def _check_day(plan: VisitPlan, day: dt.date) -> None:
    standard = _standard_of(plan)
    if not (plan.week_start <= day <= plan.week_end) or day.weekday() not in set(
        standard.working_days
    ):
        raise ValidationError(_("拜访日期必须是本周的工作日。"))


def plan_day_reoptimize(*, plan: VisitPlan, day: dt.date, time_limit_s: float = 1.0) -> None:
    """Route the day's visits again; visits the day cannot fit stay, last, with no times and
    their reason."""
    standard = _standard_of(plan)
    visits = list(plan.visits.filter(day=day).select_related("retailer").order_by("position"))
    stops: dict[int, Stop] = {}
    no_coords: list[PlannedVisit] = []
    for visit in visits:
        stop = _stop(visit.retailer, standard)
        if stop is None:
            no_coords.append(visit)
        else:
            stops[visit.pk] = stop
    by_retailer = {v.retailer_id: v for v in visits}
    depot = depot_of(plan.manager, [(s.lat, s.lon) for s in stops.values()])
    routed = _route(depot, list(stops.values()), standard, time_limit_s)
    position = 0
    for stop, arrival, start in routed.visits:
        position += 1
        v = by_retailer[stop.retailer_id]
        v.position, v.unfit_reason = position, ""
        v.planned_arrival, v.planned_start = adapters.as_time(arrival), adapters.as_time(start)
        v.service_minutes = stop.service_min
    unfit = [(by_retailer[s.retailer_id], str(r)) for s, r in routed.unfit]
    unfit += [(v, LeftOutReason.NO_COORDINATES.value) for v in no_coords]
    for v, reason in unfit:
        position += 1
        v.position, v.unfit_reason = position, reason
        v.planned_arrival = v.planned_start = None
    PlannedVisit.objects.bulk_update(
        visits,
        ["position", "unfit_reason", "planned_arrival", "planned_start", "service_minutes"],
    )


def planned_visit_move(*, visit: PlannedVisit, day: dt.date, actor: User) -> PlannedVisit:
    """Move a visit to another day of the week; both days re-optimize."""
    with transaction.atomic():
        plan = VisitPlan.objects.select_for_update().get(pk=visit.plan_id)
        _check_editable(plan, actor)
        _check_day(plan, day)
        visit = PlannedVisit.objects.get(pk=visit.pk, plan=plan)
        old_day = visit.day
        visit.day, visit.position = day, 999
        visit.save(update_fields=["day", "position"])
        plan_day_reoptimize(plan=plan, day=day)
        if old_day != day:
            plan_day_reoptimize(plan=plan, day=old_day)
        visit.refresh_from_db()
    return visit


def planned_visit_add(
    *, plan: VisitPlan, retailer: Retailer, day: dt.date, actor: User, note: str = ""
) -> PlannedVisit:
    """Add a visit to one of the manager's retailers, with an optional purpose note; the day
    re-optimizes."""
    with transaction.atomic():
        plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
        _check_editable(plan, actor)
        _check_day(plan, day)
        if not Retailer.objects.visible_to(plan.manager).filter(pk=retailer.pk).exists():
            raise PermissionDenied(_("该零售户不在本客户经理的片区。"))
        if plan.visits.filter(retailer=retailer).exists():
            raise ValidationError(_("该零售户已在本周计划中。"))
        visit = PlannedVisit.objects.create(
            plan=plan,
            retailer=retailer,
            day=day,
            position=999,
            purposes=[
                {"kind": PurposeKind.MANUAL.value, "label": note.strip()[:120] or _("手工添加")}
            ],
        )
        plan.left_out = [x for x in plan.left_out if x.get("retailer") != retailer.pk]
        plan.save(update_fields=["left_out", "updated_at"])
        plan_day_reoptimize(plan=plan, day=day)
        visit.refresh_from_db()
    return visit


def planned_visit_drop(*, visit: PlannedVisit, actor: User) -> None:
    """Drop a visit from the plan; its day re-optimizes."""
    with transaction.atomic():
        plan = VisitPlan.objects.select_for_update().get(pk=visit.plan_id)
        _check_editable(plan, actor)
        day = visit.day
        PlannedVisit.objects.filter(pk=visit.pk, plan=plan).delete()
        plan_day_reoptimize(plan=plan, day=day)

"""Order screens, made for a phone: a retailer's limits this week (an htmx fragment of the
retailer page, or a page), the weekly order within the limits (订单采集), reported demand
(需求提报), and the recent orders of the user's retailers.

Views validate input and configure. Reads start from `Retailer.objects.visible_to(user)` (a
retailer outside the user's scope answers 404); the order is written by
`entry.order_submit`, demand by `supply.services.demand_report_set`. Entering orders and
demand needs the `enters_orders` capability (else 403); any signed-in user who sees the
retailer may read its limits.

Idempotency: each render of the order form carries a fresh client token (uuid4); a double
click, a retry or a reload of the outcome page posts the same token again, and
`order_submit` answers with the order already made ("该订单已提交").
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tobacco_crm.core.http import add_service_errors, is_htmx
from tobacco_crm.core.pagination import CappedCountPaginator
from tobacco_crm.core.requests import request_user
from tobacco_crm.grading.selectors import grade_current
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer
from tobacco_crm.retailers.selectors import retailer_get
from tobacco_crm.supply.choices import AllocationReason, PlanStatus
from tobacco_crm.supply.models import DemandReport, SupplyPeriod, SupplyPlan, SupplyPlanLine
from tobacco_crm.supply.services import demand_report_set, supply_period_for, week_of

from .entry import COUNTED, order_submit
from .forms import DemandForm, OrderEntryForm
from .models import Order, OrderLine

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

PAGE_SIZE = 25
ENTRY_ROWS = 5  # free rows of the order form; "more rows" adds MORE_ROWS, up to MAX_ROWS
MORE_ROWS = 5
MAX_ROWS = 40
# What a plan product without a limit row means (as in entry.week_limits): not eligible.
NO_LIMIT_REASON = AllocationReason.INELIGIBLE


# Reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitRow:
    """One product of the week's published plan, for one retailer."""

    product: Product
    tier: int | None
    limit: int
    reason: int
    ordered: int

    @property
    def left(self) -> int:
        return max(self.limit - self.ordered, 0)

    @property
    def reason_label(self) -> str:
        try:
            return str(AllocationReason(self.reason).label)
        except ValueError:
            return str(self.reason)


@dataclass
class WeekPosition:
    """A retailer's week: its limits in the published plan (None: not published yet), what it
    ordered (product id → cartons, orders submitted or confirmed) and whether its supply is
    stopped by the grade in force."""

    code: str
    monday: dt.date
    sunday: dt.date
    plan: SupplyPlan | None
    rows: list[LimitRow] = field(default_factory=list)
    ordered: dict[int, int] = field(default_factory=dict)
    supply_stopped: bool = False

    @property
    def tier(self) -> int | None:
        return next((row.tier for row in self.rows if row.tier is not None), None)

    @property
    def tier_table_url(self) -> str | None:
        """The plan's public per-tier table (the supply screens), when it is mounted."""
        if self.plan is None:
            return None
        try:
            return reverse("supply-tier-table", args=[self.plan.pk])
        except NoReverseMatch:
            return None


def published_plan(code: str) -> SupplyPlan | None:
    """The published plan of the week `code` (at most one: a named constraint)."""
    return (
        SupplyPlan.objects.filter(period__code=code, status=PlanStatus.PUBLISHED)
        .select_related("period")
        .first()
    )


def ordered_between(retailer: Retailer, first: dt.date, last: dt.date) -> dict[int, int]:
    """Cartons per product the retailer ordered from `first` to `last` (the same sum
    `order_submit` checks the limits against)."""
    rows = (
        OrderLine.objects.filter(
            retailer=retailer,
            order_date__gte=first,
            order_date__lte=last,
            order__status__in=COUNTED,
        )
        .values("product_id")
        .annotate(c=Sum("cartons"))
        .values_list("product_id", "c")
    )
    return {product_id: cartons or 0 for product_id, cartons in rows}


def week_position(*, user: User, retailer: Retailer, day: dt.date) -> WeekPosition:
    """The retailer's limits and orders in the week holding `day` (a read: creates nothing)."""
    code, monday, sunday = week_of(day)
    grade = grade_current(user=user, retailer_id=retailer.pk)
    position = WeekPosition(
        code=code,
        monday=monday,
        sunday=sunday,
        plan=published_plan(code),
        ordered=ordered_between(retailer, monday, sunday),
        supply_stopped=bool(grade is not None and grade.supply_stopped),
    )
    if position.plan is None:
        return position
    limits = {
        product_id: (tier, limit, reason)
        for product_id, tier, limit, reason in position.plan.limits.filter(
            retailer=retailer
        ).values_list("product_id", "tier", "limit", "reason")
    }
    for line in position.plan.lines.select_related("product").order_by("product__code"):
        tier, limit, reason = limits.get(line.product_id, (None, 0, NO_LIMIT_REASON))
        position.rows.append(
            LimitRow(
                product=line.product,
                tier=tier,
                limit=limit,
                reason=reason,
                ordered=position.ordered.get(line.product_id, 0),
            )
        )
    return position


def orders_visible_to(user: User) -> QuerySet[Order]:
    """Orders of the retailers the user sees, newest first, with their lines' products."""
    return (
        Order.objects.filter(retailer__in=Retailer.objects.visible_to(user))
        .select_related("retailer", "entered_by")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id"))
        )
        .order_by("-order_date", "-id")
    )


# Shared pieces -------------------------------------------------------------------------------


class _EntersOrdersMixin(LoginRequiredMixin):
    """403 for a signed-in user whose role does not enter orders."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request_user(request).enters_orders:
            raise PermissionDenied(gettext_lazy("您的角色不能录入订单。"))
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


# Limits --------------------------------------------------------------------------------------


class RetailerLimitsView(LoginRequiredMixin, View):
    """This week's published limits of a retailer with what it ordered and what is left, each
    with its reason: a fragment for htmx (the retailer page loads it), a page otherwise."""

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        user = request_user(request)
        retailer = retailer_get(user=user, pk=retailer_id)
        context = {
            "retailer": retailer,
            "position": week_position(user=user, retailer=retailer, day=timezone.localdate()),
            "can_enter": user.enters_orders,
        }
        template = (
            "orders/_retailer_limits.html" if is_htmx(request) else "orders/retailer_limits.html"
        )
        return render(request, template, context)


# Order entry ---------------------------------------------------------------------------------


class OrderEntryView(_EntersOrdersMixin, View):
    """The weekly order of one retailer: limited products first, each with its limit and what
    is left, then free rows for the other products. The outcome page shows the accepted lines
    and every refused line with its reason."""

    template_name = "orders/order_entry.html"

    def _setup(self, request: HttpRequest, retailer_id: int) -> dict[str, Any]:
        user = request_user(request)
        retailer = retailer_get(user=user, pk=retailer_id)
        position = week_position(user=user, retailer=retailer, day=timezone.localdate())
        products = {p.pk: p for p in Product.objects.order_by("price_class", "code")}
        in_plan = {row.product.pk for row in position.rows}
        scarce, stopped = ProductStatus.SCARCE, ProductStatus.STOPPED
        return {
            "retailer": retailer,
            "position": position,
            "products": products,
            "limited": [row for row in position.rows if row.product.status != stopped],
            "stopped_in_plan": [row for row in position.rows if row.product.status == stopped],
            # Scarce products the week's plan does not give (or no plan is published yet).
            "scarce_unavailable": [
                p for p in products.values() if p.status == scarce and p.pk not in in_plan
            ],
            "others": [
                p
                for p in products.values()
                if p.status not in (scarce, stopped) and p.pk not in in_plan
            ],
        }

    def _form(
        self, setup: dict[str, Any], rows: int, data: Any = None, initial: Any = None
    ) -> OrderEntryForm:
        return OrderEntryForm(
            data,
            initial=initial or {"client_token": uuid.uuid4()},
            limited=[row.product for row in setup["limited"]],
            others=setup["others"],
            products=setup["products"],
            rows=rows,
        )

    def _render(
        self, request: HttpRequest, setup: dict[str, Any], form: OrderEntryForm, rows: int
    ) -> HttpResponse:
        limited = [(row, form.limited_field(row.product.pk)) for row in setup["limited"]]
        context = {
            **setup,
            "form": form,
            "limited_fields": limited,
            "rows": rows,
            "can_add_rows": rows < MAX_ROWS,
        }
        return render(request, self.template_name, context)

    @staticmethod
    def _rows(params: Any) -> int:
        value = str(params.get("rows", ""))
        rows = int(value) if value.isdigit() else ENTRY_ROWS
        return min(max(rows, 1), MAX_ROWS)

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        setup = self._setup(request, retailer_id)
        rows = ENTRY_ROWS
        return self._render(request, setup, self._form(setup, rows), rows)

    def post(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        setup = self._setup(request, retailer_id)
        rows = self._rows(request.POST)
        if "more" in request.POST:  # more free rows: show the form again as it was filled
            rows = min(rows + MORE_ROWS, MAX_ROWS)
            form = self._form(setup, rows, initial=request.POST.dict())
            return self._render(request, setup, form, rows)
        form = self._form(setup, rows, data=request.POST)
        if form.is_valid():
            user = request_user(request)
            try:
                outcome = order_submit(
                    retailer=setup["retailer"],
                    day=timezone.localdate(),
                    lines=form.lines,
                    actor=user,
                    client_token=str(form.cleaned_data["client_token"]),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                context = {
                    "retailer": setup["retailer"],
                    "outcome": outcome,
                    "position": week_position(
                        user=user, retailer=setup["retailer"], day=timezone.localdate()
                    ),
                }
                return render(request, "orders/order_outcome.html", context)
        return self._render(request, setup, form, rows)


# Reported demand -----------------------------------------------------------------------------


class DemandReportView(_EntersOrdersMixin, View):
    """The retailer's reported demand (需求提报) for this week's period, per product: the
    scarce products, the products of the week's plans and those already reported."""

    template_name = "orders/demand_form.html"

    def _setup(self, request: HttpRequest, retailer_id: int) -> dict[str, Any]:
        retailer = retailer_get(user=request_user(request), pk=retailer_id)
        code, monday, sunday = week_of(timezone.localdate())
        period = SupplyPeriod.objects.filter(code=code).first()
        reported: dict[int, int] = {}
        if period is not None:
            reported = dict(
                DemandReport.objects.filter(period=period, retailer=retailer).values_list(
                    "product_id", "cartons"
                )
            )
        planned = SupplyPlanLine.objects.filter(plan__period__code=code).values("product_id")
        products = list(
            Product.objects.filter(
                Q(status=ProductStatus.SCARCE) | Q(pk__in=planned) | Q(pk__in=list(reported))
            )
            .exclude(status=ProductStatus.STOPPED)
            .order_by("price_class", "code")
        )
        return {
            "retailer": retailer,
            "code": code,
            "monday": monday,
            "sunday": sunday,
            "products": products,
            "reported": reported,
            "plan": published_plan(code),
        }

    def _form(self, setup: dict[str, Any], data: Any = None) -> DemandForm:
        return DemandForm(data, products=setup["products"], values=setup["reported"])

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        setup = self._setup(request, retailer_id)
        return render(request, self.template_name, {**setup, "form": self._form(setup)})

    def post(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        setup = self._setup(request, retailer_id)
        form = self._form(setup, request.POST)
        if form.is_valid():
            changed = form.changed()
            try:
                with transaction.atomic():  # all the products or none
                    if changed:
                        period = supply_period_for(day=timezone.localdate())
                    for product, cartons in changed:
                        demand_report_set(
                            period=period,
                            retailer=setup["retailer"],
                            product=product,
                            cartons=cartons,
                            actor=request_user(request),
                        )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存 %(n)s 个规格的需求。") % {"n": len(changed)})
                return redirect("orders-demand", retailer_id=setup["retailer"].pk)
        return render(request, self.template_name, {**setup, "form": form})


# Recent orders -------------------------------------------------------------------------------


class OrderListView(_EntersOrdersMixin, View):
    """Recent orders of the user's retailers (or of one of them: ?retailer=<id>), newest
    first, 25 a page; the query count does not grow with the rows."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        orders = orders_visible_to(user)
        retailer = None
        wanted = request.GET.get("retailer", "")
        if wanted:
            retailer = retailer_get(user=user, pk=wanted if wanted.isdigit() else 0)
            orders = orders.filter(retailer=retailer)
        page = CappedCountPaginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "orders/order_list.html",
            {"page": page, "orders": page.object_list, "retailer": retailer},
        )

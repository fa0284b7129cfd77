"""The grading API: grades and their explanations, runs, deductions and appeals, scoped to
what the caller may see (ADR 0002: outside the scope answers 404, a value outside it in a
filter or a body answers 400 naming the field). Writes go through `services`; a role that may
not write answers 403.

Which policy a deduction is recorded against: the one the field screens use
(`selectors.policy_for_period`: the policy of the period's latest run, else the latest saved
version).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from tobacco_crm.accounts.models import Territory, User
from tobacco_crm.core.api import UserMixin, request_user, service_errors
from tobacco_crm.retailers.models import Retailer

from .. import selectors, services
from ..choices import ComplianceClass, RunStatus, Segment
from ..models import Appeal, Deduction, GradingPeriod, GradingRun, RetailerGrade
from ..selectors import policy_for_period
from .serializers import (
    AppealSerializer,
    DeductionSerializer,
    GradingRunSerializer,
    RetailerGradeSerializer,
)


def runs_visible_to(user: User) -> QuerySet[GradingRun]:
    """Every run for those who manage grading; the published runs in force for the others."""
    runs = GradingRun.objects.all()
    return runs if user.manages_grading else runs.filter(status=RunStatus.PUBLISHED)


def _runs(request: Request | None) -> QuerySet[GradingRun]:
    return runs_visible_to(request_user(request)) if request else GradingRun.objects.none()


def _territories(request: Request | None) -> QuerySet[Territory]:
    if request is None:
        return Territory.objects.none()
    return Territory.objects.visible_to(request_user(request))


def _retailers(request: Request | None) -> QuerySet[Retailer]:
    if request is None:
        return Retailer.objects.none()
    return Retailer.objects.visible_to(request_user(request))


class RoleMayWrite(permissions.BasePermission):
    """A write needs the role the view names for its action (`write_roles`: action →
    property of `User`). Creation is checked on the request (403 before any validation);
    actions on an object after it is found, so an object out of scope answers 404 first."""

    def _allowed(self, request: Request, view: Any) -> bool:
        flag = getattr(view, "write_roles", {}).get(getattr(view, "action", None))
        return flag is None or bool(getattr(request_user(request), flag))

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action != "create":
            return True
        return self._allowed(request, view)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or self._allowed(request, view)


# Grades ---------------------------------------------------------------------------------


class RetailerGradeFilterSet(django_filters.FilterSet):
    """Without `run`, the grades in force (the latest published run)."""

    run = django_filters.ModelChoiceFilter(queryset=_runs, label=gettext_lazy("评定批次"))
    retailer = django_filters.ModelChoiceFilter(queryset=_retailers, label=gettext_lazy("零售户"))
    territory = django_filters.ModelChoiceFilter(
        field_name="retailer__territory", queryset=_territories, label=gettext_lazy("片区")
    )
    compliance_class = django_filters.ChoiceFilter(
        choices=ComplianceClass.choices, label=gettext_lazy("守法类别")
    )
    tier = django_filters.NumberFilter(label=gettext_lazy("档位"))
    segment = django_filters.ChoiceFilter(choices=Segment.choices, label=gettext_lazy("客户分群"))

    class Meta:
        model = RetailerGrade
        fields = ["run", "retailer", "territory", "compliance_class", "tier", "segment"]

    def filter_queryset(self, queryset: QuerySet[RetailerGrade]) -> QuerySet[RetailerGrade]:
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("run") is None:
            in_force = selectors.run_in_force()
            queryset = queryset.filter(run=in_force) if in_force else queryset.none()
        return queryset


class RetailerGradeViewSet(UserMixin, viewsets.ReadOnlyModelViewSet):
    """Grades of the retailers the caller may see, best rank first: by default those in force
    (the latest published run), or of one run (`?run=`; dry runs only for those who manage
    grading)."""

    queryset = RetailerGrade.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = RetailerGradeSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = RetailerGradeFilterSet
    ordering_fields = ["rank", "tier", "final_score", "compliance_points"]

    def get_queryset(self) -> QuerySet[RetailerGrade]:
        grades = selectors.grades_visible_to(self.user).filter(run__in=runs_visible_to(self.user))
        return (
            selectors.grade_with_adjustment(grades)
            .select_related("run__period", "retailer__territory")
            .order_by("run_id", "rank")
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # The filters (and the "in force" default) select a list; a grade is found by id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def explanation(self, request: Request, pk: str | None = None) -> Response:
        """The grade's explanation: each indicator's value, points, weight and rank; each
        deduction with its date and reason; the caps on the tier; the score reaching the next
        tier and the indicators that would get there."""
        grade = self.get_object()
        if not grade.row:
            raise Http404(_("这个等级没有可用的解释。"))
        return Response(selectors.grade_explanation(grade))


# Runs -----------------------------------------------------------------------------------


class GradingRunViewSet(UserMixin, viewsets.ReadOnlyModelViewSet):
    """Grading runs with their distribution, newest first: all of them for those who manage
    grading, the published ones for everybody else."""

    queryset = GradingRun.objects.none()
    serializer_class = GradingRunSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["period", "status"]

    def get_queryset(self) -> QuerySet[GradingRun]:
        return (
            runs_visible_to(self.user)
            .select_related("period", "policy", "created_by")
            .order_by("-created_at", "-pk")
        )


# Deductions -----------------------------------------------------------------------------


class DeductionFilterSet(django_filters.FilterSet):
    retailer = django_filters.ModelChoiceFilter(queryset=_retailers, label=gettext_lazy("零售户"))
    period = django_filters.ModelChoiceFilter(
        queryset=GradingPeriod.objects.all(), label=gettext_lazy("评定周期")
    )
    item_code = django_filters.CharFilter(label=gettext_lazy("扣分项目"))

    class Meta:
        model = Deduction
        fields = ["retailer", "period", "item_code"]


class DeductionCorrectionSerializer(serializers.Serializer):
    """A correction: the new points (0 cancels), why, and whether a stop-supply violation has
    been dealt with."""

    points = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100)
    reason = serializers.CharField(max_length=255)
    cleared = serializers.BooleanField(default=False)


class DeductionViewSet(
    UserMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Deductions of the retailers the caller may see, newest first. Inspectors record them
    (POST) and correct them (a new record, `correct/`); nothing is edited or deleted."""

    queryset = Deduction.objects.none()
    serializer_class = DeductionSerializer
    permission_classes = [permissions.IsAuthenticated, RoleMayWrite]
    write_roles = {"create": "records_deductions", "correct": "records_deductions"}
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeductionFilterSet

    def get_queryset(self) -> QuerySet[Deduction]:
        later = Deduction.objects.filter(corrects=OuterRef("pk"))
        return (
            Deduction.objects.filter(retailer__in=Retailer.objects.visible_to(self.user))
            .select_related("retailer", "period", "inspector")
            .annotate(corrected=Exists(later))
            .order_by("-occurred_on", "-pk")
        )

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        period: GradingPeriod = data["period"]
        policy = policy_for_period(period)
        if policy is None:
            raise exceptions.ValidationError({"period": [_("还没有分级政策，不能录入扣分。")]})
        with service_errors():
            deduction = services.deduction_record(
                retailer=data["retailer"], period=period, policy=policy,
                item_code=data["item_code"], points=data.get("points"), reason=data["reason"],
                occurred_on=data["occurred_on"], note=data.get("note", ""),
                explained=data.get("explained", False), actor=self.user,
            )  # fmt: skip
        deduction.corrected = False  # type: ignore[attr-defined]  # as the queryset annotates
        serializer.instance = deduction

    @extend_schema(request=DeductionCorrectionSerializer, responses={201: DeductionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        """Correct a deduction with a new record that replaces it from the next run on
        (allowed in a locked period too; points 0 cancels it)."""
        original = self.get_object()
        body = DeductionCorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            correction = services.deduction_correct(
                deduction=original, actor=self.user, **body.validated_data
            )
        correction.corrected = False  # type: ignore[attr-defined]
        data = DeductionSerializer(correction, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


# Appeals --------------------------------------------------------------------------------


class AppealReviewSerializer(serializers.Serializer):
    """The marketing manager's decision; accepting sets `new_tier` (default: the tier the
    appeal asked for)."""

    accept = serializers.BooleanField()
    note = serializers.CharField()
    new_tier = serializers.IntegerField(required=False, allow_null=True, default=None)


class AppealViewSet(
    UserMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Appeals (复核) about the grades of the retailers the caller may see, newest first.
    A customer manager raises one (POST) for a published grade of his retailer; the
    marketing manager decides it (`review/`)."""

    queryset = Appeal.objects.none()
    serializer_class = AppealSerializer
    permission_classes = [permissions.IsAuthenticated, RoleMayWrite]
    write_roles = {"create": "enters_indicators", "review": "manages_grading"}
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status", "grade"]

    def get_queryset(self) -> QuerySet[Appeal]:
        return (
            Appeal.objects.filter(grade__retailer__in=Retailer.objects.visible_to(self.user))
            .select_related("grade__retailer", "raised_by", "adjustment")
            .order_by("-raised_at", "-pk")
        )

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.appeal_raise(
                grade=data["grade"], reason=data["reason"],
                requested_tier=data.get("requested_tier"), actor=self.user,
            )  # fmt: skip

    @extend_schema(request=AppealReviewSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Accept (with the new tier: an audited adjustment) or reject an open appeal."""
        appeal = self.get_object()
        body = AppealReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.appeal_review(appeal=appeal, actor=self.user, **body.validated_data)
        appeal = self.get_queryset().get(pk=appeal.pk)
        return Response(AppealSerializer(appeal, context=self.get_serializer_context()).data)

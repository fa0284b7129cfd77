"""Appeals (复核): the list, open ones first, and the review of one with its grade's
explanation for context."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tobacco_crm.core.http import add_service_errors
from tobacco_crm.core.requests import request_user
from tobacco_crm.engines.grading import explain_text_zh

from ..choices import AppealStatus
from ..forms_manage import AppealReviewForm
from ..models import Appeal
from ..selectors import grade_explanation
from ..services import appeal_review
from . import reads
from .base import GradingManagerView

SERVICE_FIELDS = {"new_tier": "new_tier", "review_note": "note"}


def _explanation(appeal: Appeal) -> tuple[dict[str, Any] | None, str]:
    """The grade's explanation and its printable text (None when the grade has no stored
    explanation data, as a grade made by hand)."""
    if not appeal.grade.row:
        return None, ""
    explanation = grade_explanation(appeal.grade)
    return explanation, explain_text_zh(explanation, title=str(appeal.grade.run.period))


class AppealListView(GradingManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        appeals = reads.appeals_with_adjusted_tier(reads.appeal_list(user=request_user(request)))
        return render(request, "grading/manage/appeal_list.html", {"appeals": appeals})


class AppealReviewView(GradingManagerView):
    template_name = "grading/manage/appeal_review.html"

    def _render(self, request: HttpRequest, appeal: Appeal, form: AppealReviewForm) -> HttpResponse:
        explanation, text = _explanation(appeal)
        return render(
            request,
            self.template_name,
            {
                "appeal": appeal,
                "grade": appeal.grade,
                "is_open": appeal.status == AppealStatus.OPEN,
                "form": form,
                "explanation": explanation,
                "explanation_text": text,
                "adjustments": appeal.grade.adjustments.select_related("made_by"),
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = reads.appeal_get(user=request_user(request), pk=pk)
        return self._render(request, appeal, AppealReviewForm(requested_tier=appeal.requested_tier))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = reads.appeal_get(user=request_user(request), pk=pk)
        form = AppealReviewForm(request.POST, requested_tier=appeal.requested_tier)
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            try:
                appeal_review(
                    appeal=appeal,
                    accept=accept,
                    note=form.cleaned_data["note"],
                    actor=request_user(request),
                    new_tier=form.cleaned_data["new_tier"] if accept else None,
                )
            except ValidationError as error:
                add_service_errors(form, error, SERVICE_FIELDS)
            else:
                messages.success(
                    request,
                    _("已采纳复核申请，档位已调整。") if accept else _("已驳回复核申请。"),
                )
                return redirect("grading-appeal-list")
        return self._render(request, appeal, form)

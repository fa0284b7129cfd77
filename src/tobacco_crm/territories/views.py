"""The marketing manager's territory re-division screens: the current territories, a
proposal's preview, applying it. Every screen requires `manages_grading` (else 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from tobacco_crm.core.requests import request_user

from . import adapters, selectors
from .forms import ProposeForm
from .models import RedivisionProposal
from .services import redivision_apply, redivision_propose


class TerritoryManagerView(LoginRequiredMixin, View):
    """Signed-in users without `manages_grading` get 403 (anonymous: the login page)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request_user(request).manages_grading:
            raise PermissionDenied(_("只有营销经理可以调整片区划分。"))
        return super().dispatch(request, *args, **kwargs)


class HomeView(TerritoryManagerView):
    template_name = "territories/home.html"

    def _render(self, request: HttpRequest, form: ProposeForm | None = None) -> HttpResponse:
        company = selectors.default_company()
        context: dict[str, Any] = {"company": company}
        if company is not None:
            overview = selectors.territory_overview(company)
            context.update(
                overview=overview,
                form=form or ProposeForm(max_k=max(1, len(overview["rows"]))),
                proposals=selectors.recent_proposals(company),
            )
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        company = selectors.default_company()
        if company is None:
            return redirect("territories-home")
        max_k = max(1, len(adapters.company_territories(company)))
        form = ProposeForm(request.POST, max_k=max_k)
        if form.is_valid():
            try:
                proposal = redivision_propose(
                    company=company,
                    actor=request_user(request),
                    k=form.cleaned_data["k"],
                    seed=form.cleaned_data["seed"],
                    tolerance=form.cleaned_data["tolerance_pct"] / 100,
                    minutes_per_visit=form.cleaned_data["minutes_per_visit"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return redirect("territories-proposal", proposal.pk)
        return self._render(request, form)


class ProposalView(TerritoryManagerView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = get_object_or_404(
            RedivisionProposal.objects.select_related("created_by", "applied_by", "company"),
            pk=pk,
        )
        return render(request, "territories/proposal.html", selectors.proposal_preview(proposal))


class ApplyView(TerritoryManagerView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = get_object_or_404(RedivisionProposal, pk=pk)
        try:
            moved = redivision_apply(proposal=proposal, actor=request_user(request))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("已应用片区划分方案，调整了 %(n)d 个零售户。") % {"n": moved}
            )
        return redirect("territories-proposal", proposal.pk)

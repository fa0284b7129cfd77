"""Follow-up screens, used on a phone: the user's queue, raising an item for a retailer, an
item with its actions and history, and the htmx fragment of a retailer's items for the
retailer page. Reads are scoped (404 outside the scope); writes go through `services`; a
PermissionDenied answers 403 and a ValidationError becomes form errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.history import changes_of
from tobacco_crm.core.http import add_service_errors
from tobacco_crm.core.requests import request_user
from tobacco_crm.retailers.selectors import retailer_get

from . import selectors, services
from .choices import NeedChannel
from .forms import AssignForm, FeedBackForm, NeedForm, ResolveForm
from .models import Need

QUEUE_LIMIT = 100
RETAILER_LIMIT = 20


class NeedListView(LoginRequiredMixin, View):
    """The user's queue: earliest due first, so the overdue items lead."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        needs = list(selectors.need_queue(user=user)[: QUEUE_LIMIT + 1])
        today = timezone.localdate()
        context = {
            "needs": needs[:QUEUE_LIMIT],
            "more": len(needs) > QUEUE_LIMIT,
            "today": today,
            "overdue": sum(1 for n in needs[:QUEUE_LIMIT] if n.is_overdue(today)),
        }
        return render(request, "needs/need_list.html", context)


class NeedCreateView(LoginRequiredMixin, View):
    template_name = "needs/need_form.html"

    def _retailer(self, request: HttpRequest, retailer_id: int) -> Any:
        user = request_user(request)
        retailer = retailer_get(user=user, pk=retailer_id)
        if not services.can_raise(user, retailer):
            raise PermissionDenied(_("您不能为这个零售户登记诉求。"))
        return retailer

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        retailer = self._retailer(request, retailer_id)
        user = request_user(request)
        channel = (
            NeedChannel.PHONE if user.effective_role == Role.ORDER_TAKER else NeedChannel.VISIT
        )
        form = NeedForm(initial={"channel": channel, "kind": request.GET.get("kind", "need")})
        return render(request, self.template_name, {"retailer": retailer, "form": form})

    def post(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        retailer = self._retailer(request, retailer_id)
        form = NeedForm(request.POST)
        if form.is_valid():
            try:
                need = services.need_raise(
                    retailer=retailer,
                    kind=form.cleaned_data["kind"],
                    category=form.cleaned_data["category"],
                    description=form.cleaned_data["description"],
                    channel=form.cleaned_data["channel"],
                    due_date=form.cleaned_data["due_date"],
                    actor=request_user(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已登记。"))
                return redirect(need.get_absolute_url())
        return render(request, self.template_name, {"retailer": retailer, "form": form})


class NeedDetailView(LoginRequiredMixin, View):
    """An item, the actions the user may take on it, and its history. The actions post to
    the same URL with `action` = assign / resolve / feed_back."""

    template_name = "needs/need_detail.html"

    def _render(self, request: HttpRequest, need: Need, **forms: Form) -> HttpResponse:
        user = request_user(request)
        context: dict[str, Any] = {
            "need": need,
            "retailer": need.retailer,
            "overdue": need.is_overdue(),
            "history": changes_of(need),
        }
        if services.can_assign(user, need):
            context["assign_form"] = forms.get("assign") or AssignForm(
                candidates=services.owner_candidates(need),
                initial={"owner": need.owner_id or user.pk},
            )
        if services.can_resolve(user, need):
            context["resolve_form"] = forms.get("resolve") or ResolveForm()
        if services.can_feed_back(user, need):
            context["feed_back_form"] = forms.get("feed_back") or FeedBackForm()
        status = 400 if forms else 200
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, selectors.need_get(user=request_user(request), pk=pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        need = selectors.need_get(user=user, pk=pk)
        action = request.POST.get("action", "")
        form: Form
        if action == "assign":
            form = AssignForm(request.POST, candidates=services.owner_candidates(need))
        elif action == "resolve":
            form = ResolveForm(request.POST)
        elif action == "feed_back":
            form = FeedBackForm(request.POST)
        else:
            return HttpResponse(_("未知操作。"), status=400)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "assign":
                    services.need_assign(
                        need=need, owner=data["owner"], due_date=data["due_date"], actor=user
                    )
                elif action == "resolve":
                    services.need_resolve(need=need, resolution=data["resolution"], actor=user)
                else:
                    services.need_feed_back(need=need, feedback=data["feedback"], actor=user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect(need.get_absolute_url())
        need.refresh_from_db()
        return self._render(request, need, **{action: form})


class RetailerNeedsView(LoginRequiredMixin, View):
    """A retailer's items: an htmx fragment of the retailer page (a page otherwise)."""

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        user = request_user(request)
        retailer = retailer_get(user=user, pk=retailer_id)
        needs = selectors.needs_of_retailer(user=user, retailer=retailer)[:RETAILER_LIMIT]
        context = {
            "retailer": retailer,
            "needs": needs,
            "today": timezone.localdate(),
            "can_raise": services.can_raise(user, retailer),
        }
        template = (
            "needs/_retailer_needs.html"
            if getattr(request, "htmx", False)
            else "needs/retailer_needs.html"
        )
        return render(request, template, context)

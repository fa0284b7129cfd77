"""What every management screen of grading shares: the permission gate and small helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from django.views import View

from tobacco_crm.core.excel import XLSX_CONTENT_TYPE
from tobacco_crm.core.requests import request_user


class GradingManagerView(LoginRequiredMixin, View):
    """A screen of the marketing manager: signed-in users without `manages_grading` get 403
    (anonymous users go to the login page first)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request_user(request).manages_grading:
            raise PermissionDenied(_("只有营销经理可以管理分级评定。"))
        return super().dispatch(request, *args, **kwargs)


def add_service_errors(form: Form, error: ValidationError, fields: dict[str, str]) -> None:
    """Show a service's ValidationError on the form: each error key is mapped through
    `fields` (service key → form field), unknown keys go to the form's non-field errors."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        field = fields.get(key, key)
        form.add_error(field if field in form.fields else None, messages)


def download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """An attachment response; `filename` may hold Chinese (RFC 5987 encoding)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    return download(content, filename, XLSX_CONTENT_TYPE)

"""Small pieces every app's views share: file downloads, htmx detection, and a service's
ValidationError shown on the form that fed it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpResponse

from .excel import XLSX_CONTENT_TYPE


def download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """An attachment response; `filename` may hold Chinese (RFC 5987 encoding)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    return download(content, filename, XLSX_CONTENT_TYPE)


def is_htmx(request: Any) -> bool:
    """Whether django-htmx saw an htmx request (the view then answers with a fragment)."""
    return bool(getattr(request, "htmx", False))


def add_service_errors(
    form: BaseForm, error: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: each error key, mapped through `fields`
    (service key → form field) when given, lands on that field; unknown keys and errors
    without a field go above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        field = (fields or {}).get(key, key)
        form.add_error(field if field in form.fields else None, messages)

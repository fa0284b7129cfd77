"""Shared pieces of the REST API: the signed-in user, service errors as HTTP errors, choice
labels and server-side masking in serializers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from tobacco_crm.accounts.models import User

if TYPE_CHECKING:
    Mask = Callable[[User, str], str]


def request_user(request: Request) -> User:
    """The signed-in user of an API request (every endpoint requires authentication)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    return user


class UserMixin(APIView):
    """Gives an API view `self.user`: the signed-in `User`, typed."""

    @property
    def user(self) -> User:
        return request_user(self.request)


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn the errors of a write service into API errors: Django's `ValidationError` into a
    400 naming the fields, `PermissionDenied` into a 403 with its message."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise exceptions.ValidationError(detail) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


def choice_label(field_name: str) -> serializers.CharField:
    """The read-only `<field>_display` companion of a choice field."""
    return serializers.CharField(source=f"get_{field_name}_display", read_only=True)


def masked(mask: Mask, request: Request | None, value: str) -> str:
    """`value` as the requesting user may see it; masked when there is no signed-in user."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        user = User(role="")  # nobody: a role without full access
    return mask(user, value)


class MaskedCharField(serializers.CharField):
    """A string shown in full or masked according to the requesting user's role
    (`tobacco_crm.core.masking`); the full value never leaves the server for other roles."""

    def __init__(self, *, mask: Mask, **kwargs: Any) -> None:
        self.mask = mask
        super().__init__(**kwargs)

    def masked_for(self, value: str) -> str:
        return masked(self.mask, self.context.get("request"), value)

    def to_representation(self, value: Any) -> str:
        return self.masked_for(str(super().to_representation(value)))

"""Writes of customer service: the default policy rows and sending a greeting.

Sending is for users who may edit the retailer's archive (`Retailer.objects.editable_by`):
the customer manager of its territory and the company-wide editors."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tobacco_crm.retailers.models import Retailer

from .backends import OutgoingMessage, get_backend
from .defaults import install_defaults
from .models import MessageTemplate, OutboxMessage, ServiceStandardItem

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


class _Blank(dict[str, Any]):
    """Unknown placeholders stay as they are written rather than failing the send."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def template_fill(*, text: str, retailer: Retailer, label: str = "") -> str:
    """The template text with {shop_name}, {owner_name} and {label} filled. Only plain
    names are replaced; anything else in braces is left as written."""
    values = _Blank(shop_name=retailer.shop_name, owner_name=retailer.owner_name, label=label)
    out: list[str] = []
    for literal, field, spec, conversion in string.Formatter().parse(text):
        out.append(literal)
        if field is None:
            continue
        if field.isidentifier() and not spec and not conversion:
            out.append(str(values[field]))
        else:
            suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            out.append("{" + field + suffix + "}")
    return "".join(out)


def can_send(user: User, retailer: Retailer) -> bool:
    return Retailer.objects.editable_by(user).filter(pk=retailer.pk).exists()


@transaction.atomic
def care_defaults() -> int:
    """Add the default service standard and templates that are missing; rerunnable."""
    return install_defaults(ServiceStandardItem, MessageTemplate)


@transaction.atomic
def greeting_send(
    *, retailer: Retailer, text: str, actor: User, template: MessageTemplate | None = None
) -> OutboxMessage:
    """Send a greeting to the retailer's phone through the configured backend."""
    if not can_send(actor, retailer):
        raise PermissionDenied(_("您不能给这个零售户发送短信。"))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写短信内容。")})
    if not retailer.phone:
        raise ValidationError({"text": _("该零售户没有联系电话。")})
    message = OutgoingMessage(
        retailer=retailer, phone=retailer.phone, text=text, actor=actor, template=template
    )
    return get_backend().send(message)

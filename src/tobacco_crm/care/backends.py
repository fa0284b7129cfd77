"""Message backends: where a greeting goes once the manager presses send.

`settings.CARE_MESSAGE_BACKEND` (a dotted path, default `OutboxBackend`) names a class
following `MessageBackend`. The default only queues the message in the outbox table the UI
shows; an SMS gateway backend can subclass it, call `super().send()` to keep the record, hand
the text to the gateway and set the status to sent or failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .choices import DEFAULT_BACKEND, MessageStatus
from .models import MessageTemplate, OutboxMessage

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User
    from tobacco_crm.retailers.models import Retailer


@dataclass(frozen=True)
class OutgoingMessage:
    retailer: Retailer
    phone: str
    text: str
    actor: User
    template: MessageTemplate | None = None


class MessageBackend(Protocol):
    def send(self, message: OutgoingMessage) -> OutboxMessage:
        """Deliver (or queue) the message and return its outbox record."""
        ...


class OutboxBackend:
    """The default: write a queued row to the outbox."""

    def send(self, message: OutgoingMessage) -> OutboxMessage:
        record = OutboxMessage(
            retailer=message.retailer,
            phone=message.phone,
            text=message.text,
            template=message.template,
            created_by=message.actor,
            status=MessageStatus.QUEUED,
        )
        record.full_clean()
        record.save()
        return record


def get_backend() -> MessageBackend:
    """An instance of the configured backend (read at each call, so tests can override)."""
    path = getattr(settings, "CARE_MESSAGE_BACKEND", None) or DEFAULT_BACKEND
    backend: MessageBackend = import_string(path)()
    return backend

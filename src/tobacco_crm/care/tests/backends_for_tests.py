"""A message backend for the pluggability test: records what it is given."""

from __future__ import annotations

from tobacco_crm.care.backends import OutboxBackend, OutgoingMessage
from tobacco_crm.care.choices import MessageStatus
from tobacco_crm.care.models import OutboxMessage

SENT: list[OutgoingMessage] = []


class RecordingBackend(OutboxBackend):
    """Like an SMS gateway: keeps the outbox record and marks it sent."""

    def send(self, message: OutgoingMessage) -> OutboxMessage:
        SENT.append(message)
        record = super().send(message)
        record.status = MessageStatus.SENT
        record.save(update_fields=["status"])
        return record

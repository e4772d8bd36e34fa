"""The delivery-event outbox: every queue outcome is recorded as a row in the same
transaction that changed the queue, so a webhook is never lost and never invented.

The webhook layer reads these rows; the queue never imports it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class QueueEvent(enum.StrEnum):
    """What happened to a queued message (the outgoing webhook event names)."""

    DELIVERED = "delivered"
    SUPPRESSED = "suppressed"
    DELAYED = "delayed"
    FAILED = "failed"
    RELAYED = "relayed"
    EXPANDED = "expanded"
    CANCELED = "canceled"
    UNRECOGNIZED = "unrecognized"
    COMPLAINED = "complained"
    """Extension: the recipient reported the message as spam (RFC 5965 feedback)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EventDetails:
    dsn: bool = False
    suppressing: bool = False
    smtp_code: int = 0
    smtp_enhanced_code: str = ""
    error: str = ""
    bounce_reason: str = ""
    """Extension: why a report says the message bounced, in the vocabulary of
    `postroom.dsn.Reason` (userunknown, mailboxfull, ...); "" for other events."""

    def to_json(self) -> dict[str, object]:
        fields: dict[str, object] = {
            "DSN": self.dsn,
            "Suppressing": self.suppressing,
            "SMTPCode": self.smtp_code,
            "SMTPEnhancedCode": self.smtp_enhanced_code,
            "Error": self.error,
        }
        if self.bounce_reason:
            fields["BounceReason"] = self.bounce_reason
        return fields

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
    """The next hop accepted the message for the recipient; or, with DSN true, a
    delivery report says the final destination did."""
    SUPPRESSED = "suppressed"
    """Not delivered: the recipient is on the account's suppression list."""
    DELAYED = "delayed"
    """A delivery attempt failed temporarily and will be retried; or, with DSN true, a
    delay report came back. Sent after every failed attempt."""
    FAILED = "failed"
    """Delivery failed for good: a permanent error, the last attempt failed, an
    administrator failed the message, or, with DSN true, a failure report (a bounce) came
    back after the message was accepted."""
    RELAYED = "relayed"
    """With DSN true: a report says the message was relayed to a system that sends no
    further reports."""
    EXPANDED = "expanded"
    """With DSN true: a report says the message was delivered to a list or alias and
    forwarded to its members."""
    CANCELED = "canceled"
    """An administrator dropped the message from the queue."""
    UNRECOGNIZED = "unrecognized"
    """Mail came back to the message's fromid address but is not a report Postroom can
    read (DSN false: not a report at all)."""
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

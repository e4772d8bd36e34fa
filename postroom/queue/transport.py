"""How a message leaves: the `Transport` seam and what a delivery attempt reports.

The queue decides what to send and what to do with the outcome; a transport only
talks to the next hop. localserve injects one that talks to its own SMTP listener,
tests inject their own, and direct MX delivery is one more implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One SMTP transaction: one sender, one or more recipients, one message."""

    mail_from: str
    """The MAIL FROM address (with the fromid), or "" for the null reverse-path."""
    recipients: Sequence[str]
    data: bytes
    """The full message with its per-delivery prefix (Received header)."""
    smtputf8: bool = False
    has_8bit: bool = False
    require_tls: bool | None = None
    envelope_id: str = ""
    """RFC 3461 §4.4 ENVID, sent when the server offers DSN: the BaseID of the rows in
    the transaction (the row's own ID when it has none), so a report that comes back
    without a fromid can still be matched (`queue.bounces`)."""
    account: str = ""
    """The sending account's name, for per-account routes."""
    sender_domain: str = ""
    """The MAIL FROM domain, for per-sender-domain routes."""
    recipient_domain: str = ""
    """The domain of every recipient (the queue groups transactions by it)."""
    transport: str = ""
    """The transport the message was set to (`postroom queue transport`); "" means the
    configured routes decide."""
    attempt: int = 1
    """Which attempt this is, counting from 1 (routes may apply from attempt N on)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecipientOutcome:
    """What the next hop said about one recipient."""

    success: bool
    permanent: bool = False
    """A failure that retrying cannot fix (a 5xx reply, or a permanent local error)."""
    code: int = 0
    """The SMTP reply code (250, 451, 550, …), 0 if the failure was not an SMTP reply."""
    secode: str = ""
    """Enhanced status without the class digit, e.g. `1.1` for 5.1.1 (RFC 3463)."""
    error: str = ""
    """The reply text or error description; "" on success."""
    remote_mta: str = ""


class Transport(Protocol):
    async def deliver(self, delivery: Delivery) -> list[RecipientOutcome]:
        """Try one transaction; return one outcome per recipient, in order. Never raises
        for a failure of the remote side: that is an outcome."""
        ...


def failure_for_all(
    recipients: Sequence[str], *, permanent: bool, code: int, secode: str, error: str
) -> list[RecipientOutcome]:
    outcome = RecipientOutcome(
        success=False, permanent=permanent, code=code, secode=secode, error=error
    )
    return [outcome for _ in recipients]

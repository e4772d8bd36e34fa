"""One recipient's outcome: from what a reader found (codes, texts) to a
`RecipientResult` with status, reason and hard/soft.

Shared by every reader (RFC 3464 reports, text bounces, SES notifications), so a
recipient is judged the same way whatever the report looked like. Finding the
evidence is the readers' job; the rules are `reasons`' and `status`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from postroom.dsn.reasons import (
    OWN_TEXTS,
    classify,
    in_client_stage,
    in_data_stage,
    is_hard,
    normalize_text,
)
from postroom.dsn.result import Reason, RecipientResult
from postroom.dsn.status import is_valid, pseudo_status, status_class


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """What a reader found about one recipient."""

    recipient: str
    original_recipient: str = ""
    action: str
    """RFC 3464 §2.3.3 action, lower-case."""
    reply_code: int = 0
    enhanced_code: str = ""
    """The chosen RFC 3463 code, "" when the report has none."""
    diagnostic: str = ""
    texts: tuple[str, ...] = field(default=())
    """Texts to read the reason from, most specific first: the first `OWN_TEXTS`
    are about this recipient alone, the rest about the whole report."""
    remote_mta: str = ""
    last_attempt: datetime | None = None
    default_reason: Reason | None = None
    """The reason when neither codes nor texts name one."""


def recipient_outcome(evidence: Evidence) -> RecipientResult:
    """The result for one recipient: reason, status (a pseudo code when the
    report has no enhanced code) and whether the address is bad for good."""
    normalized = [normalize_text(text) for text in evidence.texts]
    enhanced = evidence.enhanced_code if is_valid(evidence.enhanced_code) else ""
    reason = classify(
        enhanced_code=enhanced,
        reply_code=evidence.reply_code,
        texts=normalized,
        action=evidence.action,
        data_stage=any(in_data_stage(text) for text in normalized[:OWN_TEXTS]),
        client_stage=any(in_client_stage(text) for text in normalized[:OWN_TEXTS]),
        default=evidence.default_reason,
    )
    status = enhanced
    if not status and reason == Reason.DELIVERED:
        status = "2.0.0"  # RFC 3463 §3.1: success, nothing more known
    elif not status:
        own = " ".join(evidence.texts[:OWN_TEXTS])
        status = pseudo_status(
            reason, status_class(evidence.reply_code, evidence.action, own, reason)
        )
    return RecipientResult(
        recipient=evidence.recipient,
        original_recipient=evidence.original_recipient,
        action=evidence.action,
        status=status,
        reply_code=evidence.reply_code,
        enhanced_code=enhanced,
        diagnostic=evidence.diagnostic,
        remote_mta=evidence.remote_mta,
        last_attempt=evidence.last_attempt,
        reason=reason,
        hard=is_hard(reason, status),
    )


def statusless_result(recipient: str, reason: Reason, original: str = "") -> RecipientResult:
    """A feedback report's or auto-reply's recipient: no action, no status, never hard."""
    return RecipientResult(
        recipient=recipient,
        original_recipient=original,
        action="",
        status="",
        reason=reason,
        hard=False,
    )

"""Amazon SES event notifications: the JSON that SES mails (directly, or inside
an SNS notification) instead of a DSN for bounces, complaints and deliveries.

Owns finding the JSON in a message's text and reading its recipients. Not what
a diagnostic means (see `reasons`). The layout is SES's documented notification
contents: `notificationType` Bounce / Complaint / Delivery, with
`bounce.bouncedRecipients`, `complaint.complainedRecipients` and
`delivery.recipients`, and the sent message's `mail.commonHeaders`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from postroom.dsn.outcome import Evidence, recipient_outcome, statusless_result
from postroom.dsn.result import Bounce, BounceKind, Reason
from postroom.dsn.status import choose_status, find_enhanced, find_reply_code

# SES wraps long lines of the JSON by inserting "!" and a folded line break.
_WRAP = re.compile(r"!\r?\n ")
_MAX_JSON = 200_000


@dataclass(frozen=True, slots=True, kw_only=True)
class SesRecipient:
    address: str
    action: str = ""
    status: str = ""
    diagnostic: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SesNotification:
    kind: str
    """`bounce`, `complaint` or `delivery` (notificationType, lower-case)."""
    recipients: tuple[SesRecipient, ...]
    feedback_type: str = ""
    message_id: str = ""
    subject: str = ""


def find_notification(text: str) -> SesNotification | None:
    """The SES notification in `text`, or None when there is none."""
    if "notificationType" not in text and "eventType" not in text:
        return None
    start = text.find("{")
    if start < 0 or len(text) - start > _MAX_JSON:
        return None
    document = _decode(_WRAP.sub("", text[start:]))
    # An SNS notification carries the SES one as a JSON string in "Message".
    if isinstance(document, dict) and isinstance(document.get("Message"), str):
        document = _decode(document["Message"])
    if not isinstance(document, dict):
        return None
    kind = str(document.get("notificationType") or document.get("eventType") or "").lower()
    if kind == "bounce":
        recipients = _bounced(_dict(document.get("bounce")))
    elif kind == "complaint":
        complaint = _dict(document.get("complaint"))
        recipients = tuple(
            SesRecipient(address=_str(item.get("emailAddress")))
            for item in _dicts(complaint.get("complainedRecipients"))
        )
    elif kind == "delivery":
        delivery = _dict(document.get("delivery"))
        response = _str(delivery.get("smtpResponse"))
        recipients = tuple(
            SesRecipient(address=_str(address), action="delivered", diagnostic=response)
            for address in _list(delivery.get("recipients"))
        )
    else:
        return None
    if not recipients:
        return None
    mail = _dict(document.get("mail"))
    headers = _dict(mail.get("commonHeaders"))
    return SesNotification(
        kind=kind,
        recipients=recipients,
        feedback_type=_str(_dict(document.get("complaint")).get("complaintFeedbackType")),
        message_id=_str(headers.get("messageId")),
        subject=_str(headers.get("subject")),
    )


def read_ses_notification(text: str) -> Bounce | None:
    """An SES notification in `text` as a `Bounce`: complaints as feedback,
    bounces and deliveries as DSNs. None when `text` holds none."""
    notification = find_notification(text)
    if notification is None:
        return None
    if notification.kind == "complaint":
        return Bounce(
            kind=BounceKind.FEEDBACK,
            recipients=tuple(
                statusless_result(item.address, Reason.FEEDBACK) for item in notification.recipients
            ),
            returned_message_id=notification.message_id,
            returned_subject=notification.subject,
            feedback_type=notification.feedback_type or "abuse",
        )
    results = []
    for item in notification.recipients:
        reply_code = find_reply_code(item.diagnostic)
        enhanced = choose_status(item.status, find_enhanced(item.diagnostic), reply_code)
        evidence = Evidence(
            recipient=item.address,
            action=item.action,
            reply_code=reply_code,
            enhanced_code=enhanced,
            diagnostic=item.diagnostic,
            texts=(item.diagnostic,),
        )
        results.append(recipient_outcome(evidence))
    return Bounce(
        kind=BounceKind.DSN,
        recipients=tuple(results),
        returned_message_id=notification.message_id,
        returned_subject=notification.subject,
    )


def _bounced(bounce: dict[str, Any]) -> tuple[SesRecipient, ...]:
    return tuple(
        SesRecipient(
            address=_str(item.get("emailAddress")),
            action=_str(item.get("action")).lower() or "failed",
            status=_str(item.get("status")),
            diagnostic=_str(item.get("diagnosticCode")).partition(";")[2].strip()
            if ";" in _str(item.get("diagnosticCode"))[:10]
            else _str(item.get("diagnosticCode")),
        )
        for item in _dicts(bounce.get("bouncedRecipients"))
    )


def _decode(text: str) -> Any:
    try:
        return json.JSONDecoder(strict=False).raw_decode(text)[0]
    except (ValueError, RecursionError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in _list(value) if isinstance(item, dict)]


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""

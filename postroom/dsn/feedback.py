"""RFC 5965 ARF feedback reports (spam complaints) and RFC 3834 auto-replies.

Owns recognising both and reading who they are about. Neither is a delivery
failure: both give results with no status and are never hard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from postroom.dsn.fields import FieldBlock, address_value, parse_header_section

# RFC 3834 §5.1 Auto-Submitted values other than "no"; and the de-facto headers
# vacation programs set where they do not write Auto-Submitted.
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder")
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|auto:|out of (?:the )?office|"
    r"vacation|away from|r\u00e9ponse automatique|abwesenheit)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedbackReport:
    """The fields of a `message/feedback-report` part that say what it is about."""

    feedback_type: str
    """RFC 5965 §3.1 Feedback-Type, lower-case, e.g. `abuse`."""
    recipients: tuple[str, ...]
    """RFC 5965 §3.2 Original-Rcpt-To values, in order (possibly none)."""
    removal_recipient: str = ""
    """RFC 5965 §3.2 Removal-Recipient, for opt-out reports."""


def parse_feedback_report(text: str) -> FeedbackReport:
    """The fields of a feedback-report part (RFC 5965 §3), read leniently."""
    block = parse_header_section(text)
    recipients: list[str] = []
    for value in block.get_all("original-rcpt-to"):
        address = address_value(value)
        if address and address not in recipients:
            recipients.append(address)
    return FeedbackReport(
        feedback_type=block.get("feedback-type").split()[0].lower()
        if block.get("feedback-type")
        else "",
        recipients=tuple(recipients),
        removal_recipient=address_value(block.get("removal-recipient")),
    )


def is_auto_reply(header: FieldBlock, subject: str) -> bool:
    """RFC 3834 §5: an auto-reply says so with Auto-Submitted: auto-replied;
    vacation programs that do not, mark it with X- headers or the subject."""
    submitted = header.get("auto-submitted").lower()
    if submitted.startswith("auto-replied"):
        return True
    if any(header.has(name) for name in _AUTO_HEADERS):
        return True
    precedence = header.get("precedence").lower()
    if precedence == "auto_reply":
        return True
    return _AUTO_SUBJECT.match(subject) is not None

"""RFC 5965 ARF feedback reports (spam complaints), RFC 2369 mailto unsubscribe
requests, and RFC 3834 auto-replies.

Owns recognising them and reading who they are about. None is a delivery
failure: all give results with no status and are never hard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from postroom.dsn.fields import FieldBlock, address_value, parse_header_section
from postroom.dsn.message import MessageView
from postroom.dsn.outcome import statusless_result
from postroom.dsn.result import Bounce, BounceKind, Reason

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


def read_feedback(view: MessageView, returned: FieldBlock | None) -> Bounce | None:
    """An RFC 5965 report as a `Bounce`, None when `view` is not one.

    The complained-about recipient is Original-Rcpt-To (RFC 5965 §3.2), else
    Removal-Recipient, else the To of the returned message.
    """
    if not view.feedback_report and view.report_type != "feedback-report":
        return None
    report = parse_feedback_report(view.feedback_report)
    addresses = list(report.recipients) or [report.removal_recipient]
    if not any(addresses) and returned is not None:
        addresses = [address_value(returned.get("to"))]
    return Bounce(
        kind=BounceKind.FEEDBACK,
        recipients=tuple(
            statusless_result(address, Reason.FEEDBACK, original=address) for address in addresses
        ),
        # RFC 5965 §3.1 makes Feedback-Type required; "abuse" is its general case.
        feedback_type=report.feedback_type or "abuse",
    )


def read_auto_reply(view: MessageView) -> Bounce | None:
    """An RFC 3834 auto-reply as a `Bounce` about its sender, None if `view` is not one."""
    if not is_auto_reply(view.header, view.subject):
        return None
    sender = address_value(view.header.get("from"))
    return Bounce(
        kind=BounceKind.AUTOREPLY, recipients=(statusless_result(sender, Reason.VACATION),)
    )


def read_unsubscribe(view: MessageView) -> Bounce | None:
    """A mailto unsubscribe request as opt-out feedback about its sender, else None.

    RFC 2369 §3.2 List-Unsubscribe `mailto:` URLs are answered with a message whose
    subject is "unsubscribe" (the usual `?subject=` of such URLs); mail clients
    that send it for the user mark it (Apple Mail: X-Apple-Unsubscribe).
    """
    marked = view.header.get("x-apple-unsubscribe").lower() == "true"
    if not marked and view.subject.strip().lower() != "unsubscribe":
        return None
    sender = address_value(view.header.get("from"))
    return Bounce(
        kind=BounceKind.FEEDBACK,
        recipients=(statusless_result(sender, Reason.FEEDBACK),),
        # The ARF drafts' type for unsubscribe requests (not in RFC 5965's registry).
        feedback_type="opt-out",
    )

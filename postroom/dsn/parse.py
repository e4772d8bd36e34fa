"""`parse_bounce`: any received message in, a `Bounce` (or None) out.

Owns the order of the readings: an RFC 5965 feedback report, an RFC 3464 /
RFC 6533 delivery-status part, an RFC 3834 auto-reply, and last the text of a
non-standard bounce. Taking the message apart is `message`'s job; classifying
a failure is `reasons`' and `status`'s.
"""

from __future__ import annotations

import re

from postroom.dsn.errors import DSNParseError
from postroom.dsn.feedback import is_auto_reply, parse_feedback_report
from postroom.dsn.fields import (
    FieldBlock,
    address_value,
    date_value,
    parse_delivery_status,
    parse_header_section,
    typed_value,
)
from postroom.dsn.message import MessageView, header_text, read_message
from postroom.dsn.plaintext import (
    TextRecipient,
    clean_address,
    own_text,
    scan_recipients,
    server_words,
)
from postroom.dsn.reasons import classify, in_data_stage, is_hard, normalize_text
from postroom.dsn.result import Bounce, BounceKind, Reason, RecipientResult
from postroom.dsn.sesjson import find_notification
from postroom.dsn.status import (
    choose_status,
    find_enhanced,
    find_reply_code,
    is_temporary_text,
    is_valid,
    pseudo_status,
    status_class,
)

_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")
# RFC 3464 §2.3.3 actions, and the words some MTAs write instead.
_ACTIONS = {
    "failed": "failed",
    "failure": "failed",
    "bounced": "failed",
    "bounce": "failed",
    "error": "failed",
    "delayed": "delayed",
    "delay": "delayed",
    "delivered": "delivered",
    "relayed": "relayed",
    "expanded": "expanded",
}
# Senders and subjects of bounces that carry no report part.
_BOUNCE_SENDER = re.compile(
    r"mailer-daemon|post_?master|mail delivery|mail administrator|mdaemon|bounce", re.IGNORECASE
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|not delivered|delivery (?:status|failure|failed|notification|problem)|"
    r"failure notice|returned mail|returned to sender|could not be delivered|"
    r"mail (?:delivery )?(?:failed|failure|error)|bounce|rejected|non[ -]?remis|"
    r"warning|delayed|nondeliverable|delivery report|unzustellbar|problem|"
    r"エラー|未配達|不達",  # Japanese: error, undelivered
    re.IGNORECASE,
)
_BOUNCE_TEXT = re.compile(
    r"(?:could not|couldn't|cannot|can't|was not|wasn't) be delivered|undeliverable|"
    r"delivery (?:has )?failed|failed permanently|permanent (?:error|failure)|"
    r"unable to deliver|not delivered to",
    re.IGNORECASE,
)
# The explanation text a report's diagnostics are read against; longer text is
# the returned message or boilerplate, and costs time on hostile input.
_MAX_TEXT = 8000


def parse_bounce(data: bytes) -> Bounce | None:
    """Parse a received message as a bounce; None when it is not one.

    Reads standard DSNs (RFC 3464, RFC 6533 global), RFC 5965 ARF feedback
    reports, RFC 3834 auto-replies and the plain-text bounces of common MTAs.
    Never raises: input that cannot be read is "not a bounce".
    """
    try:
        return read_bounce(data)
    except Exception:
        # The contract is "garbage in, None out": a bounce arrives from anyone, and
        # a reading bug must cost one unrecognised report, never the receiving path.
        return None


def read_bounce(data: bytes) -> Bounce | None:
    """`parse_bounce` without its safety net: every reader below is written not to
    raise on any input, and the fuzz tests hold this function to that."""
    view = read_message(data)
    returned = view.returned or _inline_returned(view.text)
    exclude = _own_addresses(view.header)
    bounce = (
        _feedback(view, returned)
        or _delivery_status(view, exclude)
        or _ses_notification(view)
        or _text_bounce(view, returned, exclude)
        or _auto_reply(view)
    )
    if bounce is None:
        return None
    return Bounce(
        kind=bounce.kind,
        recipients=bounce.recipients,
        envelope_id=bounce.envelope_id,
        reporting_mta=bounce.reporting_mta,
        returned_message_id=bounce.returned_message_id
        or (returned.get("message-id").strip() if returned else ""),
        returned_subject=bounce.returned_subject
        or (header_text(returned.get("subject")) if returned else ""),
        feedback_type=bounce.feedback_type,
    )


def _own_addresses(header: FieldBlock) -> set[str]:
    """Addresses the bounce comes from or goes to: never a failed recipient."""
    found: set[str] = set()
    for name in ("from", "to", "return-path", "sender", "reply-to", "delivered-to"):
        for value in header.get_all(name):
            found.update(m.group(0).strip(".>").lower() for m in _ADDRESS.finditer(value))
    return found


def _inline_returned(text: str) -> FieldBlock | None:
    """The header of a returned message quoted in the text (no message/rfc822 part)."""
    start = len(own_text(text))
    if start >= len(text):
        return None
    block = parse_header_section(
        text[start:].split("\n", 1)[-1] if text[start] in "-=_*#" else text[start:]
    )
    return block if block.get("message-id") or block.get("subject") else None


def _feedback(view: MessageView, returned: FieldBlock | None) -> Bounce | None:
    if not view.feedback_report and view.report_type != "feedback-report":
        return None
    report = parse_feedback_report(view.feedback_report)
    addresses = list(report.recipients) or [report.removal_recipient]
    if not any(addresses) and returned is not None:
        addresses = [address_value(returned.get("to"))]
    recipients = tuple(
        RecipientResult(
            recipient=address,
            original_recipient=address,
            action="",
            status="",
            reason=Reason.FEEDBACK,
            hard=False,
        )
        for address in addresses
    )
    return Bounce(
        kind=BounceKind.FEEDBACK,
        recipients=recipients,
        feedback_type=report.feedback_type or "abuse",
    )


def _delivery_status(view: MessageView, exclude: set[str]) -> Bounce | None:
    text = own_text(view.text)[:_MAX_TEXT]
    blocks: list[FieldBlock] = []
    per_message = FieldBlock()
    for part in view.delivery_status:
        try:
            status = parse_delivery_status(part)
        except DSNParseError:
            continue
        blocks.extend(status.recipients)
        if not per_message.fields:
            per_message = status.per_message
    if not blocks:
        return None
    scanned = {r.address.lower(): r for r in scan_recipients(text, exclude)}
    recipients = tuple(_dsn_recipient(block, text, scanned) for block in blocks)
    return Bounce(
        kind=BounceKind.DSN,
        recipients=recipients,
        envelope_id=per_message.get("original-envelope-id"),
        reporting_mta=typed_value(per_message.get("reporting-mta"))[1],
    )


def _dsn_recipient(
    block: FieldBlock, text: str, scanned: dict[str, TextRecipient]
) -> RecipientResult:
    """One RFC 3464 §2.3 per-recipient group as a result."""
    recipient = (
        address_value(block.get("final-recipient"))
        or address_value(block.get("x-actual-recipient"))
        or address_value(block.get("original-recipient"))
    )
    field_status = block.get("status").split("(")[0].strip().split(" ")[0]
    diagnostic = typed_value(block.get("diagnostic-code"))[1]
    action = _ACTIONS.get(block.get("action").split(" ")[0].lower().strip(), "")
    from_text = scanned.get(recipient.lower())
    wider = from_text.diagnostic if from_text else ""
    reply_code = find_reply_code(diagnostic) or find_reply_code(wider)
    enhanced = choose_status(
        field_status, find_enhanced(diagnostic) or find_enhanced(wider), reply_code
    )
    if not action:
        action = {"2": "delivered", "4": "delayed"}.get(enhanced[:1], "failed")
    return _result(
        recipient=recipient,
        original=address_value(block.get("original-recipient")),
        action=action,
        reply_code=reply_code,
        enhanced=enhanced,
        diagnostic=diagnostic,
        texts=(diagnostic, wider, text),
        remote_mta=typed_value(block.get("remote-mta"))[1],
        block=block,
    )


def _result(
    *,
    recipient: str,
    original: str,
    action: str,
    reply_code: int,
    enhanced: str,
    diagnostic: str,
    texts: tuple[str, ...],
    remote_mta: str = "",
    block: FieldBlock | None = None,
    data_texts: int = 2,
    default: Reason | None = None,
) -> RecipientResult:
    normalized = [normalize_text(t) for t in texts if t]
    reason = classify(
        enhanced_code=enhanced,
        reply_code=reply_code,
        texts=normalized,
        action=action,
        data_stage=any(in_data_stage(t) for t in normalized[:data_texts]),
        default=default,
    )
    status = enhanced if is_valid(enhanced) else ""
    if not status:
        status = pseudo_status(
            reason, status_class(reply_code, action, " ".join(texts[:2]), reason)
        )
    if reason == Reason.DELIVERED and not status.startswith("2"):
        status = "2.0.0" if not enhanced else status
    return RecipientResult(
        recipient=recipient,
        original_recipient=original,
        action=action,
        status=status,
        reply_code=reply_code,
        enhanced_code=enhanced if is_valid(enhanced) else "",
        diagnostic=diagnostic,
        remote_mta=remote_mta,
        last_attempt=date_value(block.get("last-attempt-date")) if block else None,
        reason=reason,
        hard=is_hard(reason, status),
    )


def _ses_notification(view: MessageView) -> Bounce | None:
    notification = find_notification(view.text)
    if notification is None:
        return None
    if notification.kind == "complaint":
        recipients = tuple(
            RecipientResult(
                recipient=item.address, action="", status="", reason=Reason.FEEDBACK, hard=False
            )
            for item in notification.recipients
        )
        kind = BounceKind.FEEDBACK
    else:
        recipients = tuple(
            _result(
                recipient=item.address,
                original="",
                action=item.action,
                reply_code=find_reply_code(item.diagnostic),
                enhanced=choose_status(
                    item.status,
                    find_enhanced(item.diagnostic),
                    find_reply_code(item.diagnostic),
                ),
                diagnostic=item.diagnostic,
                texts=(item.diagnostic,),
            )
            for item in notification.recipients
        )
        kind = BounceKind.DSN
    message_id = notification.message_id
    return Bounce(
        kind=kind,
        recipients=recipients,
        returned_message_id=message_id,
        returned_subject=notification.subject,
        feedback_type=(notification.feedback_type or "abuse") if kind == "feedback" else "",
    )


def _auto_reply(view: MessageView) -> Bounce | None:
    if not is_auto_reply(view.header, view.subject):
        return None
    sender = address_value(view.header.get("from"))
    return Bounce(
        kind=BounceKind.AUTOREPLY,
        recipients=(
            RecipientResult(
                recipient=sender, action="", status="", reason=Reason.VACATION, hard=False
            ),
        ),
    )


def _looks_like_bounce(view: MessageView) -> bool:
    """Evidence that a message without a report part is a bounce: a report type,
    a robot sender, or bounce wording together with the null reverse-path that
    RFC 5321 §4.5.5 requires of notifications (or with a returned message)."""
    sender = view.header.get("from") + " " + view.header.get("return-path")
    if view.report_type == "delivery-status" or _BOUNCE_SENDER.search(sender):
        return True
    null_path = view.header.get("return-path").strip() in ("<>", "")
    if _BOUNCE_SUBJECT.search(view.subject):
        return null_path or view.returned is not None
    return null_path and _BOUNCE_TEXT.search(own_text(view.text)[:_MAX_TEXT]) is not None


def _text_bounce(
    view: MessageView, returned: FieldBlock | None, exclude: set[str]
) -> Bounce | None:
    if not _looks_like_bounce(view):
        return None
    text = own_text(view.text)[:_MAX_TEXT]
    found = scan_recipients(text, exclude)
    failed = _failed_recipients(view.header)
    if failed:
        # Exim and Gmail name the failed recipients in X-Failed-Recipients; the
        # text may name other addresses (the sender, a forwarding target).
        scanned = {item.address.lower(): item for item in found}
        found = [
            scanned.get(address.lower(), TextRecipient(address=address, diagnostic=""))
            for address in failed
        ]
    if not found and returned is not None:
        address = address_value(returned.get("to"))
        if address:
            found = [TextRecipient(address=clean_address(address), diagnostic=text)]
    if not found:
        found = [TextRecipient(address="", diagnostic=text)]
    recipients = tuple(_text_recipient(item, text, view.subject) for item in found)
    return Bounce(kind=BounceKind.BOUNCE, recipients=recipients)


def _failed_recipients(header: FieldBlock) -> list[str]:
    addresses: list[str] = []
    for value in header.get_all("x-failed-recipients"):
        for match in _ADDRESS.finditer(value):
            address = clean_address(match.group(0))
            if address.lower() not in (a.lower() for a in addresses):
                addresses.append(address)
    return addresses


# Mailing-list hosts whose bounces refuse a posting (not a member, no such
# group): the recipient is a list, and the refusal is of the sender.
_LIST_HOSTS = ("googlegroups.com",)


def _text_recipient(item: TextRecipient, text: str, subject: str) -> RecipientResult:
    reply_code = find_reply_code(item.diagnostic)
    enhanced = find_enhanced(item.diagnostic)
    if not enhanced and not reply_code:
        reply_code = find_reply_code(text)
        enhanced = find_enhanced(text)
    temporary = enhanced.startswith("4") or str(reply_code).startswith("4")
    action = "delayed" if temporary and is_temporary_text(text + " " + subject) else "failed"
    return _result(
        recipient=item.address,
        original="",
        action=action,
        reply_code=reply_code,
        enhanced=enhanced,
        diagnostic=item.diagnostic.strip(),
        texts=(server_words(item.diagnostic), item.diagnostic, text, subject),
        data_texts=2,
        default=Reason.REJECTED if item.address.lower().endswith(_LIST_HOSTS) else None,
    )

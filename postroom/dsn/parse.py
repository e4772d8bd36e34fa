"""`parse_bounce`: any received message in, a `Bounce` (or None) out.

Owns the order of the readings: an RFC 5965 feedback report, an RFC 3464 /
RFC 6533 delivery-status part, an Amazon SES notification, the prose of a
non-standard bounce, an RFC 2369 unsubscribe request, and last an RFC 3834
auto-reply. Taking the message apart
is `message`'s job; each reading is its own module's.
"""

from __future__ import annotations

import logging
import re

from postroom.dsn.feedback import read_auto_reply, read_feedback, read_unsubscribe
from postroom.dsn.fields import ADDRESS, FieldBlock, parse_header_section
from postroom.dsn.message import header_text, read_message
from postroom.dsn.plaintext import own_text
from postroom.dsn.report import read_delivery_status
from postroom.dsn.result import Bounce
from postroom.dsn.sesjson import read_ses_notification
from postroom.dsn.textbounce import read_text_bounce

# The explanation text that recipients are read from; longer text is the returned
# message or boilerplate, and costs time on hostile input.
_MAX_TEXT = 8000
_MAX_SCAN = 64 * 1024
# How much of a message is read. A report puts its explanation and its status part
# first and the returned message last (RFC 6522 §3), and the largest real bounce
# in tests/data/bounces is 73 KB in 1,469 lines. The stdlib parser spends a few
# microseconds on every line (more in a delivery-status part, where each blank line
# starts a new group), so a line limit bounds hostile input of one-byte lines.
MAX_BYTES = 256 * 1024
MAX_LINES = 2500
_LINE_END = re.compile(rb"\r\n|\r|\n")
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*([^\s]{1,200})", re.IGNORECASE | re.MULTILINE)

log = logging.getLogger(__name__)


def parse_bounce(data: bytes, message_id: str = "") -> Bounce | None:
    """Parse a received message as a bounce; None when it is not one.

    Reads standard DSNs (RFC 3464, RFC 6533 global), RFC 5965 ARF feedback
    reports, Amazon SES notifications, RFC 3834 auto-replies and the plain-text
    bounces of common MTAs. Never raises: input that cannot be read is "not a
    bounce", and a field that cannot be decoded is kept as it is. Each error
    passed over is logged as a warning naming `message_id` (the caller's ID for
    the message; the report's Message-ID when empty).
    """
    try:
        return read_bounce(data, message_id)
    except Exception:
        # The contract is "garbage in, None out": a bounce arrives from anyone, and
        # a reading bug must cost one unrecognised report, never the receiving path.
        log.warning("report %s: not read, a reader failed", _name(data, message_id), exc_info=True)
        return None


def _name(data: bytes, message_id: str) -> str:
    """`message_id`, else the Message-ID in the first 64 KB of `data`."""
    if message_id:
        return message_id
    match = _MESSAGE_ID.search(data[: 64 * 1024])
    return match.group(1).decode("ascii", "replace") if match else "(no Message-ID)"


def read_bounce(data: bytes, message_id: str = "") -> Bounce | None:
    """`parse_bounce` without its safety net: every reader below is written not to
    raise on any input, and the fuzz tests hold this function to that."""
    view = read_message(_head(data), message_id)
    # Where the returned message starts is looked for in the first _MAX_SCAN
    # characters only: the search costs time per character, and the own text is
    # cut to _MAX_TEXT anyway.
    scanned = view.text[:_MAX_SCAN]
    own = own_text(scanned)
    text = own[:_MAX_TEXT]
    returned = view.returned or _inline_returned(scanned, len(own))
    exclude = _own_addresses(view.header)
    bounce = (
        read_feedback(view, returned)
        or read_delivery_status(view.delivery_status, text, exclude, view.message_id)
        or read_ses_notification(view.text)
        or read_text_bounce(view, text, returned, exclude)
        or read_unsubscribe(view)
        or read_auto_reply(view)
    )
    if bounce is None or returned is None or bounce.returned_message_id:
        return bounce
    return Bounce(
        kind=bounce.kind,
        recipients=bounce.recipients,
        envelope_id=bounce.envelope_id,
        reporting_mta=bounce.reporting_mta,
        returned_message_id=returned.get("message-id").strip(),
        returned_subject=header_text(
            returned.get("subject"), field="returned Subject", message_id=view.message_id
        ),
        feedback_type=bounce.feedback_type,
    )


def _head(data: bytes) -> bytes:
    """The part of `data` that is read: at most MAX_BYTES octets and MAX_LINES lines."""
    data = data[:MAX_BYTES]
    if data.count(b"\n") < MAX_LINES and data.count(b"\r") < MAX_LINES:
        return data
    for number, match in enumerate(_LINE_END.finditer(data), start=1):
        if number == MAX_LINES:
            return data[: match.end()]
    return data


def _own_addresses(header: FieldBlock) -> set[str]:
    """Addresses the bounce comes from or goes to: never a failed recipient."""
    found: set[str] = set()
    for name in ("from", "to", "return-path", "sender", "reply-to", "delivered-to"):
        for value in header.get_all(name):
            found.update(m.group(0).strip(".>").lower() for m in ADDRESS.finditer(value))
    return found


def _inline_returned(text: str, start: int) -> FieldBlock | None:
    """The header of a returned message quoted in the text (no message/rfc822 part),
    which starts at `start` (the length of `text`'s own text)."""
    if start >= len(text):
        return None
    # Skip the separator line ("--- Below this line is a copy of the message.").
    rest = text[start:].split("\n", 1)[-1] if text[start] in "-=_*#" else text[start:]
    block = parse_header_section(rest)
    return block if block.get("message-id") or block.get("subject") else None

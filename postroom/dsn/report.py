"""Reading RFC 3464 delivery-status parts (and RFC 6533 global ones) into results.

Owns turning the per-message and per-recipient field groups into a `Bounce`:
which address, action, codes and texts belong to each recipient. Splitting the
part into groups is `fields`' job; judging a recipient is `outcome`'s.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection

from postroom.dsn.errors import DSNParseError
from postroom.dsn.fields import (
    FieldBlock,
    address_value,
    date_value,
    parse_delivery_status,
    typed_value,
)
from postroom.dsn.outcome import Evidence, recipient_outcome
from postroom.dsn.plaintext import TextRecipient, scan_recipients
from postroom.dsn.result import Bounce, BounceKind, RecipientResult
from postroom.dsn.status import choose_status, find_enhanced, find_reply_code

log = logging.getLogger(__name__)
_TRANSCRIPT_REPLY = re.compile(r"^<<< ?(.*)$", re.MULTILINE)
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


def read_delivery_status(
    parts: list[str], text: str, exclude: Collection[str], message_id: str
) -> Bounce | None:
    """The recipients of a report's delivery-status parts, None if they name none.

    `text` is the report's own human-readable text (RFC 3464 §2.1 first part),
    read for what each recipient's fields leave out; `exclude` holds the
    report's own addresses (see `plaintext.scan_recipients`); `message_id` names
    the report in the warning for a part that cannot be read.
    """
    blocks: list[FieldBlock] = []
    per_message = FieldBlock()
    for part in parts:
        try:
            status = parse_delivery_status(part)
        except DSNParseError as error:
            log.warning("report %s: delivery-status part not read: %s", message_id, error)
            continue
        blocks.extend(status.recipients)
        if not per_message.fields:
            per_message = status.per_message
    if not blocks:
        return None
    scanned = {item.address.lower(): item for item in scan_recipients(text, exclude)}
    # A Sendmail transcript quotes the whole multi-line reply ("<<< 550-5.7.1 ...")
    # where Diagnostic-Code kept only its first line; with one recipient it is theirs.
    replies = " ".join(_TRANSCRIPT_REPLY.findall(text)) if len(blocks) == 1 else ""
    return Bounce(
        kind=BounceKind.DSN,
        recipients=tuple(_recipient(block, text, scanned, replies) for block in blocks),
        envelope_id=per_message.get("original-envelope-id"),
        reporting_mta=typed_value(per_message.get("reporting-mta"))[1],
    )


def _recipient(
    block: FieldBlock, text: str, scanned: dict[str, TextRecipient], replies: str
) -> RecipientResult:
    """One RFC 3464 §2.3 per-recipient group as a result."""
    recipient = (
        address_value(block.get("final-recipient"))
        or address_value(block.get("x-actual-recipient"))
        or address_value(block.get("original-recipient"))
    )
    # RFC 3464 §2.3.4: the status may carry a comment after the code.
    field_status = block.get("status").split("(")[0].strip().split(" ")[0]
    diagnostic = typed_value(block.get("diagnostic-code"))[1]
    action = _ACTIONS.get(block.get("action").split(" ")[0].lower().strip(), "")
    about = scanned.get(recipient.lower())
    wider = " ".join(filter(None, (about.diagnostic if about else "", replies)))
    reply_code = find_reply_code(diagnostic) or find_reply_code(wider)
    enhanced = choose_status(
        field_status, find_enhanced(diagnostic) or find_enhanced(wider), reply_code
    )
    if not action:
        action = {"2": "delivered", "4": "delayed"}.get(enhanced[:1], "failed")
    return recipient_outcome(
        Evidence(
            recipient=recipient,
            original_recipient=address_value(block.get("original-recipient")),
            action=action,
            reply_code=reply_code,
            enhanced_code=enhanced,
            diagnostic=diagnostic,
            texts=(diagnostic, wider, text),
            remote_mta=typed_value(block.get("remote-mta"))[1],
            last_attempt=date_value(block.get("last-attempt-date")),
        )
    )

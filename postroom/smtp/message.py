"""Reading a submitted message: what queueing it needs, and the fields it lacks.

Pure: the message bytes in, a `SubmittedMessage` out. A missing Message-Id
(RFC 6409 §8.3) or Date (RFC 6409 §8.2) is added at the top of the message; Postroom
writes the Message-Id with its angle brackets (mox queues it without).
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime

from postroom.mail import Address, AddressError, format_date, new_message_id, parse_address
from postroom.smtp.errors import FromHeaderError
from postroom.smtp.headers import (
    collect_extra,
    header_values,
    parse_header_section,
    split_message,
    tls_required_no,
)

# The queue's message_id column holds 1000 characters; longer IDs are cut for it (the
# message itself keeps the field as written).
MAX_MESSAGE_ID_LENGTH = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmittedMessage:
    data: bytes
    """The message as queued: as received, with any added fields first."""
    from_address: Address
    message_id: str
    """As in the message (or added), with its <>."""
    subject: str
    """The raw field value, unfolded, not RFC 2047 decoded (as mox keeps it)."""
    extra: dict[str, str]
    require_tls: bool | None
    """False for `TLS-Required: No` (RFC 8689 §5), else None (the queue's default)."""
    has_8bit: bool
    non_ascii_header: bool
    """The header section holds UTF-8 (RFC 6532), so delivery needs SMTPUTF8."""


def read_submitted(data: bytes, *, hostname: str, now: datetime) -> SubmittedMessage:
    """Raises HeaderSectionError (MissingBodyError, FromHeaderError) and
    DuplicateExtraKeyError."""
    header, _ = split_message(data)
    fields = parse_header_section(header)
    from_address = _from_address(header_values(fields, "From"))
    extra = collect_extra(fields)
    added = b""
    message_ids = [v for v in header_values(fields, "Message-Id") if v]
    if message_ids:
        message_id = message_ids[0][:MAX_MESSAGE_ID_LENGTH]
    else:
        message_id = new_message_id(hostname)
        added += f"Message-Id: {message_id}\r\n".encode()
    if not header_values(fields, "Date"):
        added += f"Date: {format_date(now)}\r\n".encode()
    subjects = header_values(fields, "Subject")
    return SubmittedMessage(
        data=added + data,
        from_address=from_address,
        message_id=message_id,
        subject=subjects[0] if subjects else "",
        extra=extra,
        require_tls=False if tls_required_no(fields) else None,
        has_8bit=not data.isascii(),
        non_ascii_header=not header.isascii(),
    )


def _from_address(values: list[str]) -> Address:
    if len(values) != 1:
        raise FromHeaderError(f"{len(values)} From fields, need one")
    mailboxes = [addr for _, addr in email.utils.getaddresses(values) if addr]
    if len(mailboxes) != 1:
        raise FromHeaderError("From field must hold one address")
    try:
        return parse_address(mailboxes[0])
    except AddressError as exc:
        raise FromHeaderError(str(exc)) from exc

"""Composing a whole message from a Send request's parts.

Owns the order of the top-level headers and the MIME tree:
mixed[ related[ alternative[text, html, alternative files], inline files ],
attached files ], each container only when needed. Text encoding, file parts
and header rendering are delegated to their own modules.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from postroom.mail.attachment import (
    Attachment,
    attachment_body,
    attachment_headers,
    check_attachment,
)
from postroom.mail.errors import MessageTooLargeError
from postroom.mail.headers import (
    NameAddr,
    check_header_value,
    check_request_header,
    format_address_header,
    format_date,
    format_header,
    format_subject,
)
from postroom.mail.messageid import check_message_id
from postroom.mail.textpart import encode_text_part

# A request header with one of these names replaces our User-Agent.
_AGENT_HEADERS = frozenset({"user-agent", "x-mailer"})
# 30 random octets in hex: 60 characters, within RFC 2046 §5.1.1's 70.
_BOUNDARY_OCTETS = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageSpec:
    """Everything that goes into a composed message; addresses are already parsed."""

    from_: NameAddr
    to: Sequence[NameAddr] = ()
    cc: Sequence[NameAddr] = ()
    bcc: Sequence[NameAddr] = ()
    """Checked like the others but never written: Bcc recipients stay hidden."""
    reply_to: Sequence[NameAddr] = ()
    subject: str = ""
    message_id: str
    """With its <>, e.g. from `new_message_id`."""
    references: Sequence[str] = ()
    """Oldest first; the last one also becomes In-Reply-To."""
    date: datetime
    text: str = ""
    html: str = ""
    headers: Sequence[tuple[str, str]] = ()
    """Extra header fields, written in order after MIME-Version."""
    alternative_files: Sequence[Attachment] = ()
    inline_files: Sequence[Attachment] = ()
    attached_files: Sequence[Attachment] = ()
    smtputf8: bool = False
    """Write Unicode domains and raw UTF-8 in headers instead of A-labels and RFC 2047."""
    user_agent: str
    """E.g. "postroom/0.1.0"; left out when Headers has User-Agent or X-Mailer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposedMessage:
    """The message octets, CRLF line endings throughout."""

    data: bytes
    has_8bit: bool
    """Whether any octet is 0x80 or above (needs 8BITMIME or SMTPUTF8 to send)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Part:
    """A MIME entity: its header fields and its already encoded body."""

    headers: list[tuple[str, str]]
    body: list[bytes] = field(default_factory=list)


def compose_message(spec: MessageSpec, *, max_size: int) -> ComposedMessage:
    """Compose the message; raise a MailError for bad input or a result over max_size octets."""
    _check(spec)
    root = _body_tree(spec)
    chunks = [_top_headers(spec).encode("utf-8")]
    chunks.extend(_render_headers(root.headers))
    chunks.append(b"\r\n")
    chunks.extend(root.body)
    if sum(len(chunk) for chunk in chunks) > max_size:
        raise MessageTooLargeError()
    data = b"".join(chunks)
    return ComposedMessage(data=data, has_8bit=not data.isascii())


def _check(spec: MessageSpec) -> None:
    """Check everything that goes into a header, in the order mox does."""
    for entry in (spec.from_, *spec.to, *spec.cc, *spec.bcc, *spec.reply_to):
        check_header_value(entry.name)
    check_header_value(spec.subject)
    check_message_id(spec.message_id)
    for reference in spec.references:
        check_header_value(reference)
    for name, value in spec.headers:
        check_request_header(name, value)
    check_header_value(spec.user_agent)
    for attachment in (*spec.alternative_files, *spec.inline_files, *spec.attached_files):
        check_attachment(attachment)


def _top_headers(spec: MessageSpec) -> str:
    utf8 = spec.smtputf8
    lines = [format_address_header("From", [spec.from_], utf8)]
    if spec.reply_to:
        lines.append(format_address_header("Reply-To", spec.reply_to, utf8))
    if spec.to:
        lines.append(format_address_header("To", spec.to, utf8))
    if spec.cc:
        lines.append(format_address_header("Cc", spec.cc, utf8))
    if spec.subject:
        lines.append(format_subject(spec.subject, utf8))
    lines.append(format_header("Date", format_date(spec.date)))
    lines.append(format_header("Message-Id", spec.message_id))
    if spec.references:
        lines.append(format_header("References", "\r\n\t".join(spec.references)))
        lines.append(format_header("In-Reply-To", spec.references[-1]))
    lines.append(format_header("MIME-Version", "1.0"))
    lines.extend(format_header(name, value) for name, value in spec.headers)
    if not any(name.lower() in _AGENT_HEADERS for name, _ in spec.headers):
        lines.append(format_header("User-Agent", spec.user_agent))
    return "".join(lines)


def _body_tree(spec: MessageSpec) -> _Part:
    """Build the MIME tree from the inside out; containers only when needed."""
    parts: list[_Part] = []
    for subtype, text in (("plain", spec.text), ("html", spec.html)):
        if text:
            encoded = encode_text_part(subtype, text, smtputf8=spec.smtputf8)
            headers = [
                ("Content-Transfer-Encoding", encoded.transfer_encoding),
                ("Content-Type", encoded.content_type),
            ]
            parts.append(_Part(headers=headers, body=[encoded.body]))
    parts.extend(_file_part(a, inline=True) for a in spec.alternative_files)
    if (spec.text and spec.html) or spec.alternative_files:
        parts = [_multipart("alternative", parts)]
    if spec.inline_files:
        parts.extend(_file_part(a, inline=True) for a in spec.inline_files)
        parts = [_multipart("related", parts)]
    if spec.attached_files:
        parts.extend(_file_part(a, inline=False) for a in spec.attached_files)
        parts = [_multipart("mixed", parts)]
    if not parts:
        raise ValueError("compose_message needs a text or html body, or a file")
    # Every branch above leaves exactly one root once there is content.
    assert len(parts) == 1
    return parts[0]


def _file_part(attachment: Attachment, *, inline: bool) -> _Part:
    return _Part(
        headers=attachment_headers(attachment, inline=inline),
        body=[attachment_body(attachment)],
    )


def _multipart(subtype: str, children: list[_Part]) -> _Part:
    """A multipart entity laid out like Go's mime/multipart Writer (RFC 2046 §5.1.1)."""
    boundary = secrets.token_hex(_BOUNDARY_OCTETS).encode("ascii")
    body: list[bytes] = []
    for i, child in enumerate(children):
        # The CRLF before a delimiter belongs to the delimiter, not the part.
        body.append(b"--" + boundary + b"\r\n" if i == 0 else b"\r\n--" + boundary + b"\r\n")
        body.extend(_render_headers(child.headers))
        body.append(b"\r\n")
        body.extend(child.body)
    body.append(b"\r\n--" + boundary + b"--\r\n")
    content_type = f'multipart/{subtype}; boundary="{boundary.decode("ascii")}"'
    return _Part(headers=[("Content-Type", content_type)], body=body)


def _render_headers(headers: list[tuple[str, str]]) -> list[bytes]:
    return [format_header(name, value).encode("utf-8") for name, value in headers]

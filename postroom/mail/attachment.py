"""Files of a composed message: base64 input, content type and part headers.

Owns the decoding of base64 file data from the webapi, the content-type
default, and the headers and body of one file part. Where the part goes in
the MIME tree is `compose.py`'s business.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from postroom.mail.errors import AttachmentError
from postroom.mail.headers import check_header_value
from postroom.mail.mediatype import format_media_type
from postroom.mail.sniff import OCTET_STREAM, sniff_content_type

# RFC 2045 §6.8: encoded lines are at most 76 characters.
_BASE64_LINE = 76
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file to add to a message, inline or attached."""

    name: str
    """File name for Content-Disposition; may be empty or non-ASCII."""
    content_type: str
    """Content-Type as given; empty means sniff it from the data."""
    content_id: str
    """Content-Id as given (no <> check, like mox); empty means no header."""
    data: bytes
    """The decoded content."""
    base64_lines: str | None = None
    """The base64 text the caller received, if any (webapi JSON files): mox writes
    that text rather than re-encoding, so we do too, re-wrapped at 76 characters."""


def decode_base64_attachment(data: str) -> bytes:
    """Decode standard base64 (RFC 4648 §4) with padding; CR and LF are ignored, as in Go."""
    text = data.replace("\r", "").replace("\n", "")
    bad = _NOT_BASE64.search(text)
    if bad is not None:
        raise AttachmentError(f"illegal base64 data at input byte {bad.start()}")
    if len(text) % 4:
        raise AttachmentError(f"length {len(text)} is not a multiple of 4, padding missing?")
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error as exc:
        # E.g. "Excess data after padding"; the wording is the stdlib's.
        raise AttachmentError(str(exc).lower().rstrip(".")) from None


def check_attachment(attachment: Attachment) -> None:
    """Refuse control characters in the metadata that goes into part headers."""
    check_header_value(attachment.name)
    check_header_value(attachment.content_type)
    check_header_value(attachment.content_id)


def attachment_headers(attachment: Attachment, *, inline: bool) -> list[tuple[str, str]]:
    """The part headers, in Go's sorted order with its canonical spelling."""
    content_type = attachment.content_type or sniff_content_type(attachment.data)
    # mox writes an empty "Content-Type:" when sniffing finds nothing; RFC 2045
    # §5.1 has no empty type, so we say what the sniffer meant.
    content_type = content_type or OCTET_STREAM
    disposition = format_media_type(
        "inline" if inline else "attachment", {"filename": attachment.name}
    )
    headers = [("Content-Disposition", disposition)]
    if attachment.content_id:
        headers.append(("Content-Id", attachment.content_id))
    headers.append(("Content-Transfer-Encoding", "base64"))
    headers.append(("Content-Type", content_type))
    return headers


def attachment_body(attachment: Attachment) -> bytes:
    """The base64 body in lines of 76 characters, each ended by CRLF."""
    if attachment.base64_lines is not None:
        encoded = attachment.base64_lines.replace("\r", "").replace("\n", "").encode("ascii")
    else:
        encoded = base64.b64encode(attachment.data)
    return b"".join(
        encoded[i : i + _BASE64_LINE] + b"\r\n" for i in range(0, len(encoded), _BASE64_LINE)
    )

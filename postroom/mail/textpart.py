"""The text/plain and text/html parts of a composed message.

Owns line-ending normalisation, the charset choice and the transfer encoding
(7bit, 8bit or quoted-printable, RFC 2045 §6).
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

from postroom.mail.mediatype import format_media_type

# mox uses quoted-printable when a line is longer than this (RFC 2045 §6.7 (5)
# limits encoded lines to 76 characters; we keep raw lines to the same length).
# RFC 2045 §2.7 and §2.8 also forbid NUL and a CR outside CRLF in 7bit and
# 8bit data, so those force quoted-printable too.
_LONGEST_RAW_LINE = 76
_BARE_CR = re.compile(r"\r(?!\n)")


@dataclass(frozen=True, slots=True, kw_only=True)
class TextPart:
    """An encoded text part: its body octets and its two content headers."""

    body: bytes
    content_type: str
    transfer_encoding: str


def encode_text_part(subtype: str, text: str, *, smtputf8: bool) -> TextPart:
    """Encode text (lines separated by "\\n") as a text/<subtype> part with CRLF lines.

    Unlike mox, a CRLF already in the text is taken as a line break rather than
    doubled; a CR that is not part of a CRLF is kept (quoted-printable "=0D").
    """
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    text = text.replace("\n", "\r\n")
    charset = "us-ascii" if text.isascii() else "utf-8"
    content_type = format_media_type(f"text/{subtype}", {"charset": charset})
    data = text.encode("utf-8")
    lines = data.split(b"\r\n")
    if (
        "\x00" in text
        or _BARE_CR.search(text)
        or any(len(line) > _LONGEST_RAW_LINE for line in lines)
    ):
        # The final element is the empty string after the last CRLF.
        body = b"".join(_quoted_printable(line) + b"\r\n" for line in lines[:-1])
        return TextPart(body=body, content_type=content_type, transfer_encoding="quoted-printable")
    encoding = "8bit" if charset == "utf-8" or smtputf8 else "7bit"
    return TextPart(body=data, content_type=content_type, transfer_encoding=encoding)


def _quoted_printable(line: bytes) -> bytes:
    """Encode one line without its line break; soft breaks keep lines at 76 characters.

    binascii in binary mode encodes CR and LF too, and trailing whitespace
    (RFC 2045 §6.7 (3)); it writes soft line breaks as "=\\n", which we make CRLF.
    """
    encoded = binascii.b2a_qp(line, quotetabs=False, istext=False, header=False)
    return encoded.replace(b"=\n", b"=\r\n")

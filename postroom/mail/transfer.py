"""Removing a part's Content-Transfer-Encoding (RFC 2045 §6), leniently.

Owns base64 and quoted-printable decoding of received parts. Damaged encodings
decode as far as they can instead of failing: a reader of a mailbox wants the
content that is there, and these functions never raise.
"""

from __future__ import annotations

import binascii
import re

_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# RFC 2045 §6.8: characters outside the alphabet are ignored by decoders.
_NOT_BASE64 = bytes(b for b in range(256) if b not in _BASE64_ALPHABET + b"=")
_PADDING = re.compile(rb"=+")
# RFC 2045 §6.7 (3): whitespace at the end of an encoded line is transport
# padding and must be deleted when decoding.
_TRAILING_SPACE = re.compile(rb"[ \t]+(?=\r?\n|\Z)")


def decode_transfer(body: bytes, encoding: str) -> bytes:
    """`body` with its transfer encoding removed; identity for 7bit, 8bit, binary and unknown."""
    name = encoding.strip().lower()
    if name == "base64":
        return decode_base64(body)
    if name == "quoted-printable":
        return decode_quoted_printable(body)
    return body


def decode_base64(data: bytes) -> bytes:
    """Decode base64, skipping foreign characters and restarting after each padding.

    Concatenated encodings (each with its own `=` padding) decode piece by piece;
    a final group of one character, which holds no complete octet, is dropped.
    """
    out: list[bytes] = []
    for segment in _PADDING.split(data.translate(None, _NOT_BASE64)):
        usable = len(segment) - len(segment) % 4
        tail = segment[usable:]
        if len(tail) >= 2:
            segment = segment[:usable] + tail + b"=" * (4 - len(tail))
        else:
            segment = segment[:usable]
        if segment:
            out.append(binascii.a2b_base64(segment))
    return b"".join(out)


def decode_quoted_printable(data: bytes) -> bytes:
    """Decode quoted-printable; an `=` not followed by two hex digits is kept as it is."""
    return binascii.a2b_qp(_TRAILING_SPACE.sub(b"", data))

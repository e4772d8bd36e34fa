"""Reading text in a declared charset, leniently: any octets in, a `str` out.

Owns the mapping from a MIME charset name (RFC 2045 §5.1, RFC 2046 §4.1.2) to a
Python codec. An unknown or unusable charset, and octets invalid in the declared
one, never fail: the text is read as UTF-8 with U+FFFD for what does not decode,
which is also what a Go program (mox) shows for the same octets.
"""

from __future__ import annotations

import codecs
import functools

# US-ASCII is the RFC 2046 §4.1.2 default, but 8-bit text labelled us-ascii (or
# not labelled at all) is nearly always UTF-8, and UTF-8 is a superset.
_UTF8_ALIASES = frozenset({"", "us-ascii", "ascii", "utf-8", "utf8", "unicode-1-1-utf-8"})
# Text codecs that are not character sets: they transform text or need special
# error handling (idna refuses "replace"), so a message must not select them.
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "raw_unicode_escape", "unicode_escape", "undefined", "charmap"}
)
_LONGEST_NAME = 64


def decode_text(data: bytes, charset: str) -> str:
    """`data` as text in `charset`; UTF-8 when the charset is absent, unknown or unusable."""
    codec = _codec(charset.strip().strip('"').lower())
    if codec is not None:
        try:
            return data.decode(codec, "replace")
        except (LookupError, ValueError):
            pass
    return data.decode("utf-8", "replace")


@functools.lru_cache(maxsize=256)
def _codec(name: str) -> str | None:
    if name in _UTF8_ALIASES or len(name) > _LONGEST_NAME:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # `_is_text_encoding` is False for bytes-to-bytes codecs (base64, zlib, rot13 …).
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name

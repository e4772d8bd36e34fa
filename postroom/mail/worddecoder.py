"""Decoding RFC 2047 encoded-words in received header text (the reverse of `encodedword.py`).

Owns turning `=?charset?B|Q?…?=` into text, as Go's `mime.WordDecoder.DecodeHeader`
does for mox: words are found anywhere, the whitespace between two adjacent
encoded-words is dropped (RFC 2047 §6.2), and a word that cannot be decoded is
left as it is. Never raises.
"""

from __future__ import annotations

import binascii
import re

from postroom.mail.charset import decode_text
from postroom.mail.transfer import decode_base64

# RFC 2047 §2 encoded-word, with the RFC 2231 §5 language suffix (`charset*lang`).
_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_SPACE = " \t\r\n"


def decode_words(text: str) -> str:
    """`text` with its encoded-words decoded."""
    if "=?" not in text:
        return text
    out: list[str] = []
    pos = 0
    after_word = False
    for match in _WORD.finditer(text):
        between = text[pos : match.start()]
        decoded = _decode_word(match.group(1), match.group(2), match.group(3))
        if decoded is None:
            out.append(between + match.group(0))
            after_word = False
        else:
            if not (after_word and between.strip(_SPACE) == ""):
                out.append(between)
            out.append(decoded)
            after_word = True
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def _decode_word(charset: str, encoding: str, content: str) -> str | None:
    if encoding in "bB":
        if not content.isascii():
            return None
        data = decode_base64(content.encode("ascii"))
    else:
        # RFC 2047 §4.2: "_" is a space; =XX an octet (a2b_qp does both with header=True).
        data = binascii.a2b_qp(content.encode("utf-8"), header=True)
    return decode_text(data, charset)

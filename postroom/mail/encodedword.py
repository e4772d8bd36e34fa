"""RFC 2047 encoded-words, written the way Go's `mime.QEncoding` / `mime.BEncoding` do.

Owns only the encoding of one piece of text into UTF-8 encoded-words; where
words go and how header lines fold is `headers.py`'s business.
"""

from __future__ import annotations

import base64

# RFC 2047 §2: an encoded-word is at most 75 characters; Go subtracts the
# "=?UTF-8?q?" prefix and "?=" suffix to get the room left for content.
_MAX_ENCODED_WORD = 75
_MAX_CONTENT = _MAX_ENCODED_WORD - len("=?UTF-8?q?") - len("?=")
# Octets of input that fit in _MAX_CONTENT base64 characters.
_MAX_BASE64_INPUT = _MAX_CONTENT // 4 * 3

# Go writes these printable ASCII octets literally in Q encoding; everything
# else, and "=", "?", "_", is =XX (RFC 2047 §4.2). A space becomes "_".
_Q_LITERAL = frozenset(range(0x21, 0x7F)) - {ord("="), ord("?"), ord("_")}

# RFC 2047 §5(3): in a phrase (a display name) a Q-encoded word may not hold
# these, so Go switches to base64 when the text contains any of them.
_PHRASE_SPECIALS = frozenset("\"#$%&'(),.:;<>@[]^`{|}~")


def needs_encoding(text: str) -> bool:
    """Whether text has characters that cannot appear raw in a header (Go's rule)."""
    return any((c < " " and c != "\t") or c > "~" for c in text)


def q_encode(text: str) -> list[str]:
    """Encode text as Q encoded-words of at most 75 characters each.

    Multi-octet characters are never split across words (RFC 2047 §5).
    """
    words: list[str] = []
    current: list[str] = []
    length = 0
    for c in text:
        octets = c.encode("utf-8")
        if len(octets) == 1 and octets[0] in _Q_LITERAL:
            piece = c
        elif c == " ":
            piece = "_"
        else:
            piece = "".join(f"={b:02X}" for b in octets)
        if length + len(piece) > _MAX_CONTENT and current:
            words.append(_word("q", "".join(current)))
            current, length = [], 0
        current.append(piece)
        length += len(piece)
    words.append(_word("q", "".join(current)))
    return words


def b_encode(text: str) -> list[str]:
    """Encode text as B (base64) encoded-words of at most 75 characters each."""
    data = text.encode("utf-8")
    if len(base64.b64encode(data)) <= _MAX_CONTENT:
        return [_word("b", base64.b64encode(data).decode("ascii"))]
    words: list[str] = []
    chunk = b""
    for c in text:
        octets = c.encode("utf-8")
        if len(chunk) + len(octets) > _MAX_BASE64_INPUT:
            words.append(_word("b", base64.b64encode(chunk).decode("ascii")))
            chunk = b""
        chunk += octets
    words.append(_word("b", base64.b64encode(chunk).decode("ascii")))
    return words


def encode_phrase(text: str) -> list[str]:
    """Encode a display name: Q encoding unless it holds phrase specials, then B."""
    if any(c in _PHRASE_SPECIALS for c in text):
        return b_encode(text)
    return q_encode(text)


def _word(encoding: str, content: str) -> str:
    return f"=?utf-8?{encoding}?{content}?="

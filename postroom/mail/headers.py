"""Header fields of composed messages: safety checks, rendering and folding.

Owns the CR/LF safety of everything that ends up in a header (RFC 5322 §2.2),
the rendering of address lists, the Subject and the Date like mox does, and
folding (RFC 5322 §2.2.3) so that no line exceeds 998 octets (RFC 5322 §2.1.1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from postroom.mail.address import Address, quote_localpart
from postroom.mail.encodedword import encode_phrase, q_encode
from postroom.mail.errors import (
    ForbiddenHeaderError,
    HeaderNameError,
    HeaderTooLongError,
    HeaderValueError,
    TraceHeaderError,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# RFC 5322 §3.6.8: ftext is printable US-ASCII except ":".
_FIELD_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")
# RFC 5322 §2.1.1: lines SHOULD stay within 78 characters; mox folds before an
# item that would take a line past 77.
_SOFT_LIMIT = 77
# RFC 5322 §2.1.1: a line MUST NOT be longer than 998 octets, CRLF excluded.
_HARD_LIMIT = 998
# A word longer than this cannot share a line with "Subject: "; it is
# encoded instead, because encoded-words can be folded between.
_LONGEST_RAW_WORD = _HARD_LIMIT - len("Subject: ")

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Headers the composer writes from request fields; a copy in the request's
# Headers would duplicate them (RFC 5322 §3.6 allows one of each).
_FIELD_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "subject",
        "date",
        "message-id",
        "references",
        "in-reply-to",
    }
)
# Headers that define the MIME structure; a second copy would break it.
_STRUCTURE_HEADERS = frozenset({"mime-version", "content-type", "content-transfer-encoding"})
# Headers that servers on the way add and receivers trust as theirs: the trace fields
# (RFC 5321 §4.4), DKIM signatures (RFC 6376 §3.5), ARC sets (RFC 8617 §4.1, all named
# ARC-*) and Authentication-Results (RFC 8601 §2). A copy from the sender would forge
# them; our own Received and DKIM-Signature are added when the message is queued.
_TRACE_HEADERS = frozenset({"received", "return-path", "dkim-signature", "authentication-results"})
_TRACE_PREFIXES = ("arc-",)


@dataclass(frozen=True, slots=True, kw_only=True)
class NameAddr:
    """An address with an optional display name, as in From, To, Cc and Reply-To."""

    name: str
    address: Address


def check_header_value(value: str) -> None:
    """Refuse control characters (tab included, as mox does) that could break a header."""
    if _CONTROL.search(value):
        raise HeaderValueError()


def check_request_header(name: str, value: str) -> None:
    """Check one extra header of a request before it is written verbatim."""
    check_header_value(name)
    check_header_value(value)
    if not _FIELD_NAME.fullmatch(name):
        raise HeaderNameError(name)
    lower = name.lower()
    if lower in _FIELD_HEADERS:
        raise ForbiddenHeaderError(name, structural=False)
    if lower in _STRUCTURE_HEADERS:
        raise ForbiddenHeaderError(name, structural=True)
    if lower in _TRACE_HEADERS or lower.startswith(_TRACE_PREFIXES):
        raise TraceHeaderError(name)


def format_header(name: str, value: str) -> str:
    """Render `Name: value` plus CRLF, folding any line longer than 998 octets.

    Folding inserts CRLF before an existing space or tab, which unfolding
    (RFC 5322 §2.2.3) removes again, so the value is unchanged.
    """
    line = f"{name}: {value}"
    if len(line) <= _HARD_LIMIT // 4 and "\n" not in line:
        return line + "\r\n"
    return "\r\n".join(_fold_hard(name, physical) for physical in line.split("\r\n")) + "\r\n"


def format_address_header(name: str, addresses: Sequence[NameAddr], smtputf8: bool) -> str:
    """Render an address-list header like mox: `"Name" <addr>`, comma separated.

    A line is folded with CRLF TAB before an address that would take it past 77
    octets. The domain is in A-labels unless smtputf8.
    """
    value = ""
    length = len(name) + len(": ")
    for entry in addresses:
        check_header_value(entry.name)
        rendered = format_name_addr(entry, smtputf8)
        size = len(rendered.encode("utf-8"))
        if value:
            value += ","
            length += 1
            if length + 1 + size > _SOFT_LIMIT:
                value += "\r\n\t"
                length = 1
            else:
                value += " "
                length += 1
        value += rendered
        length += size
    return format_header(name, value)


def format_name_addr(entry: NameAddr, smtputf8: bool) -> str:
    """One address as Go's `mail.Address.String()` writes it."""
    address = entry.address
    domain = address.domain if smtputf8 else address.ascii_domain
    angle = f"<{quote_localpart(address.localpart)}@{domain}>"
    if not entry.name:
        return angle
    if entry.name.isascii():
        # Printable ASCII (control characters were refused): always a
        # quoted-string, as Go does, even when the name is a valid atom.
        escaped = entry.name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" {angle}'
    return " ".join(encode_phrase(entry.name)) + " " + angle


def format_subject(subject: str, smtputf8: bool) -> str:
    """Render the Subject header field (with CRLF) from its raw text.

    Words are separated by single spaces. Without smtputf8 each non-ASCII word
    becomes RFC 2047 encoded-words; a space between two encoded words is put
    inside the second, because RFC 2047 §6.2 drops whitespace between adjacent
    encoded-words when decoding (mox loses it there). A line is folded before a
    word that would take it past 77 octets; the fold replaces the separating
    space with CRLF SP, so unfolding gives the subject back unchanged.
    """
    check_header_value(subject)
    tokens: list[str] = []  # separated by one space each in the output
    previous_encoded = False
    spaces = 0
    for i, word in enumerate(subject.split(" ")):
        if i > 0:
            spaces += 1
        if not word:
            continue
        gap = max(spaces - 1, 0) if tokens else spaces
        spaces = 0
        if _needs_subject_encoding(word, smtputf8):
            if previous_encoded:
                words = q_encode(" " * (gap + 1) + word)
            else:
                words = q_encode(word)
                words[0] = " " * gap + words[0]
            tokens.extend(words)
            previous_encoded = True
        else:
            tokens.append(" " * gap + word)
            previous_encoded = False
    if not tokens:
        return format_header("Subject", subject)
    if spaces:
        tokens[-1] += " " * spaces
    value = tokens[0]
    length = len("Subject: ") + _octets(tokens[0])
    for token in tokens[1:]:
        size = _octets(token)
        if length + 1 + size > _SOFT_LIMIT:
            value += "\r\n " + token
            length = 1 + size
        else:
            value += " " + token
            length += 1 + size
    return format_header("Subject", value)


def format_date(dt: datetime) -> str:
    """Format a time as mox's RFC 5322 §3.3 date: `2 Jan 2024 03:04:05 +0100`.

    No day of the week, day not zero-padded, and the time's own UTC offset.
    """
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError("format_date needs an aware datetime")
    # Go truncates an offset with seconds towards zero, in minutes.
    minutes = int(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return (
        f"{dt.day} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} {sign}{hours:02d}{mins:02d}"
    )


def _needs_subject_encoding(word: str, smtputf8: bool) -> bool:
    if len(word.encode("utf-8")) > _LONGEST_RAW_WORD:
        return True
    if word.startswith("=?") and word.endswith("?="):
        # Text that looks like an encoded-word would be decoded by readers.
        return True
    return not smtputf8 and not word.isascii()


def _octets(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _fold_hard(name: str, line: str) -> str:
    """Split one physical line at whitespace until no piece exceeds 998 octets."""
    pieces: list[str] = []
    while len(line.encode("utf-8")) > _HARD_LIMIT:
        data = line.encode("utf-8")
        cut = max(data.rfind(b" ", 1, _HARD_LIMIT + 1), data.rfind(b"\t", 1, _HARD_LIMIT + 1))
        if cut <= 0 or data[:cut].strip(b" \t") == b"":
            raise HeaderTooLongError(name)
        pieces.append(data[:cut].decode("utf-8"))
        line = data[cut:].decode("utf-8")
    pieces.append(line)
    return "\r\n".join(pieces)

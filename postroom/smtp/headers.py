"""Reading the header section of a message received over SMTP: fields, Extra, TLS-Required.

Pure: bytes in, values out. Field values are unfolded and trimmed, not RFC 2047
decoded, and names are compared the way Go's `net/textproto` does (mox reads headers
with it), so `X-Mox-Extra-*` keys come out exactly as in mox (as mox does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from postroom.smtp.errors import DuplicateExtraKeyError, HeaderSectionError, MissingBodyError

EXTRA_PREFIXES = ("X-Mox-Extra-", "X-Postroom-Extra-")
"""Canonical name prefixes of headers that become Extra (mox's and ours)."""

# RFC 5322 §2.1: the header section ends at the first empty line. A bare LF is taken
# as a line end too, as mail readers do.
_BLANK_LINE = re.compile(rb"(?:\A|\n)(\r?\n)")
_LINE_END = re.compile(r"\r?\n")
# RFC 7230 §3.2.6 tchar: the bytes Go's textproto canonicalizes header names over.
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class HeaderField:
    name: str
    """As written."""
    value: str
    """Unfolded (RFC 5322 §2.2.3), each line's surrounding whitespace trimmed."""


def split_message(data: bytes) -> tuple[bytes, bytes]:
    """The header section (without the empty line) and the body. Raises MissingBodyError
    when no empty line ends the header section."""
    match = _BLANK_LINE.search(data)
    if match is None:
        raise MissingBodyError("message requires both header and body section")
    return data[: match.start(1)], data[match.end(1) :]


def parse_header_section(section: bytes) -> list[HeaderField]:
    """The fields of a header section, in order. Raises HeaderSectionError for a line
    that is neither a field nor a continuation, or an empty or spaced field name."""
    # Non-UTF-8 bytes (RFC 6532 allows UTF-8 only) become U+FFFD: values end up in
    # JSON and the database, which take no lone surrogates.
    text = section.decode("utf-8", errors="replace")
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    names: list[str] = []
    values: list[list[str]] = []
    for line in lines:
        if line[:1] in (" ", "\t"):
            if not values:
                raise HeaderSectionError("header section starts with a continuation line")
            values[-1].append(line.strip(" \t"))
            continue
        name, colon, value = line.partition(":")
        # RFC 5322 §3.6.8: a field name is printable ASCII without ":"; Go accepts
        # (without canonicalizing) a space before the colon, and so do we.
        name = name.rstrip(" ")
        if not colon or not name or any(c in " \t" or not c.isprintable() for c in name):
            raise HeaderSectionError("malformed header line")
        names.append(name)
        values.append([value.strip(" \t")])
    return [
        HeaderField(name, " ".join(part for part in parts if part))
        for name, parts in zip(names, values, strict=True)
    ]


def canonical_key(name: str) -> str:
    """Go's `textproto.CanonicalMIMEHeaderKey`: upper-case the first letter and each
    letter after "-", lower-case the rest; names with a non-token character unchanged."""
    if any(c not in _TOKEN for c in name):
        return name
    chars = []
    upper = True
    for c in name:
        chars.append(c.upper() if upper else c.lower())
        upper = c == "-"
    return "".join(chars)


def header_values(fields: Sequence[HeaderField], name: str) -> list[str]:
    """The values of every field named `name` (case-insensitive), in order."""
    lowered = name.lower()
    return [f.value for f in fields if f.name.lower() == lowered]


def collect_extra(fields: Sequence[HeaderField]) -> dict[str, str]:
    """Extra from `X-Mox-Extra-<Key>` and `X-Postroom-Extra-<Key>` fields (as mox does).

    The key is the canonical name without its prefix. A key given twice, in either
    spelling, raises DuplicateExtraKeyError. The fields stay in the message.
    """
    extra: dict[str, str] = {}
    for field in fields:
        canonical = canonical_key(field.name)
        for prefix in EXTRA_PREFIXES:
            if canonical.startswith(prefix):
                key = canonical[len(prefix) :]
                if key in extra:
                    raise DuplicateExtraKeyError(prefix, key)
                extra[key] = field.value
    return extra


def tls_required_no(fields: Sequence[HeaderField]) -> bool:
    """RFC 8689 §5: a `TLS-Required: No` field (all of them, if several, saying "no")
    asks that the recipient domain's TLS policy not be enforced."""
    values = header_values(fields, "TLS-Required")
    return bool(values) and all(v.lower() == "no" for v in values)


def message_summary(data: bytes) -> tuple[str, str]:
    """Message-ID and Subject, for mailbox listings and reports; best effort (mail from
    the internet is stored even when its header section is broken): "" when unreadable."""
    try:
        header, _ = split_message(data)
        fields = parse_header_section(header)
    except HeaderSectionError:
        return "", ""
    message_ids = header_values(fields, "Message-Id")
    subjects = header_values(fields, "Subject")
    return (message_ids[0][:1000] if message_ids else ""), (subjects[0] if subjects else "")

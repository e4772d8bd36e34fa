"""Parsing media-type style header values: Content-Type and Content-Disposition.

Owns the value and its parameters (RFC 2045 §5.1), including RFC 2231 extended
and continued parameters, with the result Go's `mime.ParseMediaType` gives for
well-formed input. Unlike Go, it accepts what is common in received mail (values
with spaces left unquoted, stray semicolons, duplicate parameters, where the
first wins) and never raises. Writing such values is `mediatype.py`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from postroom.mail.charset import decode_text

# RFC 2045 §5.1: token is printable US-ASCII except SPACE and tspecials.
_TOKEN = re.compile(r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+")
_MEDIA_TYPE = re.compile(rf"{_TOKEN.pattern}/{_TOKEN.pattern}")
# RFC 2231 §3 and §4: `name*`, `name*0`, `name*0*`, … (a `*` at the end means encoded).
_EXTENDED = re.compile(r"(.+?)\*(?:(\d{1,3})(\*)?)?")
_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")
_SPACE = " \t\r\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaType:
    """A parsed header value: `value` lower-cased, parameters with lower-case keys."""

    value: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_type(self) -> bool:
        """Whether `value` is a syntactically valid `type/subtype`."""
        return _MEDIA_TYPE.fullmatch(self.value) is not None


def parse_media_type(text: str) -> MediaType:
    """Parse `value; key=param; …`. The value is everything before the first `;`."""
    value, _, rest = text.partition(";")
    simple: dict[str, str] = {}
    # key -> section number -> (text, encoded); "*" is RFC 2231 §4's single encoded form.
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    for key, param in _params(rest):
        extended = _EXTENDED.fullmatch(key)
        if extended is None:
            simple.setdefault(key, param)
            continue
        name, number, star = extended.groups()
        if number is None:
            sections.setdefault(name, {}).setdefault(-1, (param, True))
        else:
            sections.setdefault(name, {}).setdefault(int(number), (param, star is not None))
    params = dict(simple)
    for name, pieces in sections.items():
        joined = _join_sections(pieces)
        if joined is not None:
            params[name] = joined
    return MediaType(value=value.strip(_SPACE).lower(), params=params)


def _params(text: str) -> list[tuple[str, str]]:
    """The `key=value` pairs of a parameter list, keys lower-cased, quotes removed."""
    pairs: list[tuple[str, str]] = []
    pos = 0
    length = len(text)
    # The next ";" at or after pos (length if none), found once per ";" so that a
    # long list stays linear.
    semicolon = -1
    while pos < length:
        while pos < length and text[pos] in _SPACE + ";":
            pos += 1
        if semicolon < pos:
            semicolon = text.find(";", pos)
            semicolon = length if semicolon == -1 else semicolon
        next_param = semicolon + 1
        key_match = _TOKEN.match(text, pos)
        if key_match is None:
            # Not a parameter: skip to the next one.
            pos = next_param
            continue
        key = key_match.group().lower()
        pos = key_match.end()
        while pos < length and text[pos] in _SPACE:
            pos += 1
        if pos >= length or text[pos] != "=":
            pos = next_param
            continue
        pos += 1
        while pos < length and text[pos] in _SPACE:
            pos += 1
        if pos < length and text[pos] == '"':
            param, pos = _quoted_string(text, pos + 1)
        else:
            param, pos = text[pos:semicolon].strip(_SPACE), semicolon
        pairs.append((key, param))
    return pairs


def _quoted_string(text: str, pos: int) -> tuple[str, int]:
    """The content of a quoted-string starting after its `"`; an unclosed one runs to the end."""
    out: list[str] = []
    while pos < len(text):
        c = text[pos]
        if c == '"':
            return "".join(out), pos + 1
        if c == "\\" and pos + 1 < len(text):
            pos += 1
            c = text[pos]
        out.append(c)
        pos += 1
    return "".join(out), pos


def _join_sections(pieces: dict[int, tuple[str, bool]]) -> str | None:
    """RFC 2231 §3 and §4: join sections 0, 1, … (stopping at a gap) and decode them."""
    if -1 in pieces:
        ordered = [pieces[-1]]
    else:
        ordered = []
        while len(ordered) in pieces:
            ordered.append(pieces[len(ordered)])
    if not ordered:
        return None
    charset = ""
    data: list[bytes] = []
    for index, (text, encoded) in enumerate(ordered):
        if not encoded:
            data.append(text.encode("utf-8"))
            continue
        if index == 0:
            # RFC 2231 §4: charset'language'octets; both may be empty.
            parts = text.split("'", 2)
            if len(parts) == 3:
                charset, _, text = parts
        data.append(_percent_decode(text))
    return decode_text(b"".join(data), charset)


def _percent_decode(text: str) -> bytes:
    return _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode("utf-8"))

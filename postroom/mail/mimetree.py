"""The MIME tree of a received message: each part's header fields, media type and byte range.

Owns splitting a message into parts (RFC 2045, RFC 2046 §5.1) with their offsets,
as mox's `message.Part` does, so that a multipart body can be returned exactly as
stored. Decoding a part's content is `transfer.py`'s, reading it as text `charset.py`'s.

Why not the stdlib `email` package or flanker: `email` keeps no offsets and can only
re-serialise a multipart body, not give back its stored bytes, and flanker raises on
broken MIME (a multipart without a boundary, for one), where a mailbox reader must
still answer. This splitter never raises and takes a missing close delimiter, a
missing header/body separator or a malformed Content-Type in its stride.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from postroom.mail.contenttype import parse_media_type

# Deeper multiparts are not split further (their bodies stay one leaf): no real
# message nests this far, and the limit bounds the recursion on hostile input.
MAX_DEPTH = 50
# RFC 2045 §5.2: without a (valid) Content-Type, a part is plain US-ASCII text.
DEFAULT_TYPE = "text/plain"
# RFC 2046 §5.1.5: the parts of a multipart/digest default to message/rfc822.
_DIGEST_DEFAULT = "message/rfc822"
# RFC 5322 §3.6.8 field name, with the obsolete whitespace before the colon (§4.5.8).
_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_LINE_END = b"\r\n"


@dataclass(frozen=True, slots=True)
class Header:
    """Header fields in order: lower-case names, unfolded values (UTF-8, trimmed)."""

    fields: Sequence[tuple[str, str]] = ()

    def get(self, name: str) -> str:
        """The first value of the field `name` (lower-case), or ""."""
        for key, value in self.fields:
            if key == name:
                return value
        return ""

    def get_all(self, name: str) -> list[str]:
        """Every value of the field `name` (lower-case), in order."""
        return [value for key, value in self.fields if key == name]


@dataclass(frozen=True, slots=True, kw_only=True)
class MimePart:
    """A part: its header, its media type, and where its body lies in the message."""

    header: Header
    content_type: str
    """Lower-case `type/subtype`; text/plain when absent or malformed."""
    params: dict[str, str] = field(default_factory=dict)
    """Content-Type parameters, lower-case keys (empty when the type was defaulted)."""
    body_start: int
    body_end: int
    split: bool = False
    """Whether this is a multipart whose body was split at its boundary (its body is
    then not decoded, and `parts` may still be empty if no delimiter was found)."""
    parts: tuple[MimePart, ...] = ()
    """The sub-parts of a split multipart; empty for every other part."""


def parse_tree(data: bytes) -> MimePart:
    """The part tree of a whole message."""
    return _parse_part(data, 0, len(data), DEFAULT_TYPE, 0)


def _parse_part(data: bytes, start: int, end: int, default_type: str, depth: int) -> MimePart:
    header, body_start = _parse_header(data, start, end)
    content_type, params = default_type, {}
    value = header.get("content-type")
    if value:
        media = parse_media_type(value)
        if media.is_type:
            content_type, params = media.value, media.params
    parts: tuple[MimePart, ...] = ()
    boundary = params.get("boundary", "")
    split = content_type.startswith("multipart/") and bool(boundary) and depth < MAX_DEPTH
    if split:
        child_default = _DIGEST_DEFAULT if content_type == "multipart/digest" else DEFAULT_TYPE
        parts = tuple(
            _parse_part(data, part_start, part_end, child_default, depth + 1)
            for part_start, part_end in _split(data, body_start, end, boundary)
        )
    return MimePart(
        header=header,
        content_type=content_type,
        params=params,
        body_start=body_start,
        body_end=end,
        split=split,
        parts=parts,
    )


def _parse_header(data: bytes, start: int, end: int) -> tuple[Header, int]:
    """The header fields from `start`, and where the body begins.

    The header ends at an empty line, or (leniently) at the first line that is
    neither a field nor a continuation: that line is then the body's first.
    """
    fields: list[tuple[bytes, bytearray]] = []
    pos = start
    while pos < end:
        newline = data.find(b"\n", pos, end)
        line_end = end if newline == -1 else newline + 1
        line = data[pos:line_end]
        if line in (b"\r\n", b"\n"):
            pos = line_end
            break
        if line[:1] in (b" ", b"\t"):
            if not fields:
                # Indented text where the header should start: a body without one.
                break
            fields[-1][1].extend(line)
        else:
            match = _FIELD.match(line)
            if match is None:
                break
            fields.append((match.group(1), bytearray(line[match.end() :])))
        pos = line_end
    decoded = tuple(
        (
            name.decode("ascii").lower(),
            _FOLD.sub("", value.decode("utf-8", "replace")).strip(" \t\r\n"),
        )
        for name, value in fields
    )
    return Header(decoded), pos


def _split(data: bytes, start: int, end: int, boundary: str) -> list[tuple[int, int]]:
    """The (start, end) ranges of the parts between the delimiter lines (RFC 2046 §5.1.1).

    The line break before a delimiter belongs to the delimiter, not to the part.
    Without a close delimiter, the last part runs to `end`; the preamble and
    epilogue are not parts.
    """
    delimiter = b"--" + boundary.encode("utf-8", "replace")
    ranges: list[tuple[int, int]] = []
    part_start: int | None = None
    pos = start
    while True:
        found = data.find(delimiter, pos, end)
        if found == -1:
            break
        after = found + len(delimiter)
        pos = after
        at_line_start = found == start or data[found - 1 : found] == b"\n"
        if not at_line_start:
            continue
        close = data[after : after + 2] == b"--"
        rest = after + 2 if close else after
        newline = data.find(b"\n", rest, end)
        line_end = end if newline == -1 else newline + 1
        # Only transport padding (whitespace) may follow the boundary on its line.
        if data[rest:line_end].strip(b" \t\r\n"):
            continue
        if part_start is not None:
            ranges.append((part_start, _before_line_break(data, part_start, found)))
        if close:
            return ranges
        part_start = line_end
        pos = line_end
    if part_start is not None:
        ranges.append((part_start, end))
    return ranges


def _before_line_break(data: bytes, start: int, delimiter: int) -> int:
    if delimiter - 2 >= start and data[delimiter - 2 : delimiter] == _LINE_END:
        return delimiter - 2
    if delimiter - 1 >= start and data[delimiter - 1 : delimiter] == b"\n":
        return delimiter - 1
    return delimiter

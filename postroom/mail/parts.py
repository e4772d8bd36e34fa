"""Selecting one part of a received message by its path, and reading its content.

Owns MessagePartGet's part paths: each index selects a sub-part of the previous
part, starting at the message itself; the content is transfer-decoded for a leaf
and the stored bytes for a multipart (as mox answers).
"""

from __future__ import annotations

from collections.abc import Sequence

from postroom.mail.errors import PartNotFoundError
from postroom.mail.mimetree import MimePart, parse_tree
from postroom.mail.transfer import decode_transfer


def part_content(data: bytes, path: Sequence[int]) -> bytes:
    """The content of the part of message `data` at `path`; `[]` is the message body.

    Raises PartNotFoundError for the first index that has no part.
    """
    part = parse_tree(data)
    for position, index in enumerate(path):
        if index < 0 or index >= len(part.parts):
            raise PartNotFoundError(index, position)
        part = part.parts[index]
    return part_body(data, part)


def part_body(data: bytes, part: MimePart) -> bytes:
    """The content of `part`: transfer-decoded for a leaf, as stored for a split multipart."""
    body = data[part.body_start : part.body_end]
    if part.split:
        return body
    return decode_transfer(body, _first_word(part.header.get("content-transfer-encoding")))


def _first_word(value: str) -> str:
    """The token of a Content-Transfer-Encoding value, without comments or parameters."""
    for separator in ("(", ";"):
        value = value.partition(separator)[0]
    words = value.split()
    return words[0] if words else ""

"""The MIME structure of a received message, as the webapi and webhooks report it.

Owns what each part says about itself: content type and parameters, Content-ID,
disposition, file name (RFC 2231 and RFC 2047 decoded) and decoded size. Matches
mox's `webhook.Structure` except that a part without a Content-Type is reported as
`text/plain` (RFC 2045 §5.2), not as mox's `"/"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from postroom.mail.contenttype import parse_media_type
from postroom.mail.mimetree import MimePart
from postroom.mail.parts import part_body
from postroom.mail.worddecoder import decode_words


@dataclass(frozen=True, slots=True, kw_only=True)
class PartStructure:
    """One part of a message and its sub-parts."""

    content_type: str
    """Lower-case `type/subtype`, e.g. "text/plain"."""
    content_type_params: Mapping[str, str] = field(default_factory=dict)
    """Content-Type parameters: lower-case keys, values as given (RFC 2231 decoded)."""
    content_id: str = ""
    """The Content-ID header as written, usually with <>."""
    content_disposition: str = ""
    """Lower-case disposition without parameters, e.g. "attachment"."""
    filename: str = ""
    """From the disposition's `filename`, else the content type's `name`."""
    decoded_size: int = 0
    """Octets after transfer decoding; 0 for a multipart that was split into parts."""
    parts: tuple[PartStructure, ...] = ()


def part_structure(data: bytes, part: MimePart) -> PartStructure:
    """The structure of `part` (of the message `data`) and its sub-parts."""
    disposition = parse_media_type(part.header.get("content-disposition"))
    filename = disposition.params.get("filename", "") or part.params.get("name", "")
    decoded_size = 0 if part.split else len(part_body(data, part))
    return PartStructure(
        content_type=part.content_type,
        content_type_params=dict(part.params),
        content_id=part.header.get("content-id"),
        content_disposition=disposition.value,
        # Many mailers put RFC 2047 encoded-words in file names although RFC 2047
        # §5 does not allow them in parameters; mox decodes them too.
        filename=decode_words(filename),
        decoded_size=decoded_size,
        parts=tuple(part_structure(data, child) for child in part.parts),
    )

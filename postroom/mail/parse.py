"""Reading a received message: its envelope header fields, readable text and structure.

Owns what MessageGet (docs/webapi.md) shows of a stored message: the address headers,
Message-ID, References, Date and Subject, the first text/plain and text/html parts
(§2.7.1) and the MIME structure. Accepts any octets and never raises.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from postroom.mail.addresslist import HeaderAddress, parse_address_list
from postroom.mail.charset import decode_text
from postroom.mail.contenttype import parse_media_type
from postroom.mail.mimetree import Header, MimePart, parse_tree
from postroom.mail.parts import part_body
from postroom.mail.structure import PartStructure, part_structure
from postroom.mail.worddecoder import decode_words

# As in mox (docs/webapi.md): Text and HTML are each cut to 1 MiB of UTF-8, counted before the
# CRLF to LF conversion (as mox does).
MAX_TEXT_BYTES = 1024 * 1024
# Parts without a (valid) Content-Type are text/plain already (RFC 2045 §5.2).
_READABLE = {"text/plain": "text", "text/html": "html"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedMessage:
    """The parts of a message that MessageGet shows."""

    from_: tuple[HeaderAddress, ...] = ()
    to: tuple[HeaderAddress, ...] = ()
    cc: tuple[HeaderAddress, ...] = ()
    bcc: tuple[HeaderAddress, ...] = ()
    reply_to: tuple[HeaderAddress, ...] = ()
    message_id: str = ""
    """The Message-ID header as written (with <>), "" if absent."""
    in_reply_to: str = ""
    """The In-Reply-To header as written, "" if absent."""
    references: tuple[str, ...] = ()
    """The words of all References headers, with In-Reply-To first if not among them."""
    date: datetime | None = None
    """The Date header with its own offset; None if absent or unparseable."""
    subject: str = ""
    """The Subject header, RFC 2047 decoded."""
    text: str = ""
    """The first text/plain part, at most 1 MiB, lines separated by "\\n"."""
    html: str = ""
    """The first text/html part, at most 1 MiB, lines separated by "\\n"."""
    structure: PartStructure


def parse_message(data: bytes) -> ParsedMessage:
    """Everything MessageGet shows of the message `data`."""
    tree = parse_tree(data)
    header = tree.header
    in_reply_to = header.get("in-reply-to")
    text, html, _ = _readable(data, tree)
    return ParsedMessage(
        from_=_addresses(header, "from"),
        to=_addresses(header, "to"),
        cc=_addresses(header, "cc"),
        bcc=_addresses(header, "bcc"),
        reply_to=_addresses(header, "reply-to"),
        message_id=header.get("message-id"),
        in_reply_to=in_reply_to,
        references=_references(header, in_reply_to),
        date=parse_date(header.get("date")),
        subject=decode_words(header.get("subject")),
        text=text,
        html=html,
        structure=part_structure(data, tree),
    )


def parse_date(value: str) -> datetime | None:
    """An RFC 5322 §3.3 date-time (obsolete forms too) with its offset; None if invalid.

    A date without a zone, or with "-0000" (RFC 5322 §3.3: no zone information),
    is taken as UTC.
    """
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        offset = parsed[9] or 0
        return datetime(
            *parsed[:6], tzinfo=UTC if not offset else timezone(timedelta(seconds=offset))
        )
    except (ValueError, TypeError, OverflowError, IndexError):
        return None


def _addresses(header: Header, name: str) -> tuple[HeaderAddress, ...]:
    # Like mox, only the first field of each kind: RFC 5322 §3.6 allows one.
    return parse_address_list(header.get(name))


def _references(header: Header, in_reply_to: str) -> tuple[str, ...]:
    """As mox does: References words in order, In-Reply-To prepended if not among them."""
    words = [
        w
        for value in header.get_all("references")
        for w in value.replace("\t", " ").split(" ")
        if w
    ]
    if in_reply_to and in_reply_to not in words:
        words.insert(0, in_reply_to)
    return tuple(words)


def _readable(data: bytes, part: MimePart) -> tuple[str, str, bool]:
    """As mox does: (text, html, found) of the first readable parts under `part`.

    Unlike mox, a part with `Content-Disposition: attachment` is never readable: a
    text file attached next to a multipart/alternative is not the message's text
    (mox's own code has a todo about this).
    """
    kind = _readable_kind(part)
    if kind == "text":
        return _read_text(data, part), "", True
    if kind == "html":
        return "", _read_text(data, part), True
    alternative = part.content_type == "multipart/alternative"
    text = html = None
    for child in part.parts:
        kind = _readable_kind(child)
        if kind == "text" and text is None:
            text = _read_text(data, child)
        elif kind == "html" and html is None:
            html = _read_text(data, child)
        else:
            continue
        if not alternative:
            break
    if text is not None or html is not None:
        return text or "", html or "", True
    for child in part.parts:
        found = _readable(data, child)
        if found[2]:
            return found
    return "", "", False


def _readable_kind(part: MimePart) -> str:
    """What `part` can be read as: "text", "html", or "" (neither, or an attachment)."""
    if part.split or part.content_type not in _READABLE:
        return ""
    if parse_media_type(part.header.get("content-disposition")).value == "attachment":
        return ""
    return _READABLE[part.content_type]


def _read_text(data: bytes, part: MimePart) -> str:
    text = decode_text(part_body(data, part), part.params.get("charset", ""))
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_TEXT_BYTES:
        # Cut at a character boundary: the partial character at the end is dropped.
        text = encoded[:MAX_TEXT_BYTES].decode("utf-8", "ignore")
    return text.replace("\r\n", "\n")

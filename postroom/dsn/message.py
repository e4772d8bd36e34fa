"""The parts of a received message that a bounce parser reads.

Owns taking a message apart (with the stdlib `email` package, policy compat32,
which accepts any octets) into what the parsers need: the top-level header, the
human-readable text, the delivery-status and feedback-report parts, and the
header of the returned message. Not what any of it means.

Why the stdlib and not `postroom.mail`'s reader: that reader's public API
re-splits the message for every part it returns, and a bounce needs three or
four parts; `email` splits once and also parses the returned message/rfc822.
"""

from __future__ import annotations

import codecs
import email
import email.errors
import email.header
import email.message
import functools
import logging
import re
from dataclasses import dataclass, field
from email.policy import Compat32

from postroom.dsn.fields import FieldBlock, parse_header_section

# A run of CRs and the LF after it, if any. Not `\r+\n|\r`: that one rescans the
# rest of a run of CRs without LF from each of its CRs, quadratic.
_CR_RUN = re.compile(r"\r+(\n?)")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d|p|div|tr|li)\b[^>]*>", re.IGNORECASE)
_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&amp;": "&"}
_ENTITY = re.compile("|".join(_ENTITIES))
# RFC 6522 §3 report parts; RFC 6533 §6 adds the global (UTF-8) variants.
_STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_RETURNED_TYPES = frozenset({"message/rfc822", "message/global", "message/partial"})
_HEADER_TYPES = frozenset({"text/rfc822-headers", "message/global-headers"})
_FEEDBACK_TYPE = "message/feedback-report"
# What is read from a returned message's header: the rest (Received, DKIM-Signature,
# ...) is long and only costs time.
_RETURNED_FIELDS = frozenset({"message-id", "subject", "to", "from", "date"})
# Deeper nesting is not looked into; it bounds the work on hostile input.
_MAX_DEPTH = 8

_MAX_HEADER_TEXT = 4000
# The longest header field value the `email` package is given. Its parameter reader
# (`Message.get_param`, which it also calls for every multipart boundary) rescans the
# value from the start for each `;`: quadratic, 1.5 s on a 256 KB Content-Type of
# `; a=`. No field a report needs is near this long.
_MAX_FIELD_VALUE = 16_000


class _BoundedFields(Compat32):
    """compat32, with each header field value cut to `_MAX_FIELD_VALUE` characters."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        return name, value[:_MAX_FIELD_VALUE]


_POLICY = _BoundedFields()

log = logging.getLogger(__name__)


@dataclass(slots=True, kw_only=True)
class MessageView:
    """A message as the bounce parsers see it; text has "\\n" line breaks."""

    header: FieldBlock
    message_id: str = ""
    """Who the report is in log lines: the caller's ID for it, else its Message-ID."""
    subject: str = ""
    content_type: str = "text/plain"
    report_type: str = ""
    """The `report-type` parameter of a top-level multipart/report (RFC 6522 §3)."""
    text: str = ""
    """The readable text parts (not those of the returned message), one after another."""
    delivery_status: list[str] = field(default_factory=list)
    feedback_report: str = ""
    returned: FieldBlock | None = None
    """The header of the returned message, from a message/rfc822 or headers part."""


def read_message(data: bytes, message_id: str = "") -> MessageView:
    """Take `data` apart; never raises for any octets.

    `message_id` names the report in warnings (its Message-ID when empty).
    """
    message = email.message_from_bytes(data, policy=_POLICY)
    header = _header_block(message)
    message_id = message_id or header.get("message-id") or "(no Message-ID)"
    view = MessageView(
        header=header,
        message_id=message_id,
        subject=header_text(header.get("subject"), field="Subject", message_id=message_id),
        content_type=message.get_content_type(),
        report_type=str(message.get_param("report-type", "") or "").lower(),
    )
    texts: list[str] = []
    html: list[str] = []
    _collect(message, view, texts, html, 0)
    view.text = "\n".join(texts) if texts else "\n".join(_html_text(h) for h in html)
    return view


def _collect(
    part: email.message.Message,
    view: MessageView,
    texts: list[str],
    html: list[str],
    depth: int,
) -> None:
    kind = part.get_content_type()
    if kind in _STATUS_TYPES:
        view.delivery_status.append(_message_body_text(part, view.message_id))
    elif kind == _FEEDBACK_TYPE:
        view.feedback_report = _message_body_text(part, view.message_id)
    elif kind in _RETURNED_TYPES and depth > 0:
        inner = part.get_payload()
        first = inner[0] if isinstance(inner, list) and inner else None
        if (
            isinstance(first, email.message.Message)
            and first.get_content_type() == "multipart/report"
            and not view.delivery_status
            and depth < _MAX_DEPTH
        ):
            # A filter or forwarder that wraps the real report (RFC 6522 §3) in a
            # notice of its own: the wrapped report is the one to read.
            _collect(first, view, texts, html, depth + 1)
        elif view.returned is None:
            if isinstance(first, email.message.Message):
                view.returned = _header_block(first, _RETURNED_FIELDS)
            elif isinstance(inner, str):
                view.returned = parse_header_section(normalize(inner))
    elif kind in _HEADER_TYPES:
        if view.returned is None:
            view.returned = parse_header_section(part_text(part, view.message_id))
    elif part.is_multipart():
        if depth < _MAX_DEPTH:
            for child in part.get_payload():
                if isinstance(child, email.message.Message):
                    _collect(child, view, texts, html, depth + 1)
    elif kind == "text/html":
        html.append(part_text(part, view.message_id))
    elif part.get_content_maintype() in ("text", "multipart") or depth == 0:
        # A multipart that is not split (its boundary parameter lost to a broken
        # header fold) is read as the text it holds, MIME lines and all.
        if str(part.get("content-disposition", "")).lower().startswith("attachment") and texts:
            return
        texts.append(part_text(part, view.message_id))


def _header_block(
    message: email.message.Message, names: frozenset[str] | None = None
) -> FieldBlock:
    """The header of `message`, or only its fields named in `names` (lower-case)."""
    return FieldBlock(
        tuple(
            (name.lower(), _unfold(value))
            for name, value in message.raw_items()
            if names is None or name.lower() in names
        )
    )


def _unfold(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return _fix_surrogates(" ".join(text.split())) if "\n" in text else _fix_surrogates(text)


def _fix_surrogates(text: str) -> str:
    """compat32 keeps 8-bit header octets as surrogate escapes; read them as UTF-8."""
    if text.isascii():
        return text.strip()
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip()


def header_text(value: object, *, field: str, message_id: str) -> str:
    """A header value with its RFC 2047 encoded-words decoded; never raises.

    A value that cannot be decoded (a truncated encoded-word, RFC 2047 §6.3 says
    to show it as it is) is returned undecoded: it costs this field, never the
    report. `field` and `message_id` name it in the warning.
    """
    # The stdlib decoder costs time per character: a value past _MAX_HEADER_TEXT
    # characters (RFC 5322 §2.1.1 lines end at 998) is cut there.
    text = _unfold(value)[:_MAX_HEADER_TEXT]
    if "=?" not in text:
        return text
    try:
        pieces = email.header.decode_header(text)
    except (email.errors.HeaderParseError, ValueError, LookupError, AssertionError) as error:
        log.warning(
            "report %s: %s field kept undecoded: %s: %r", message_id, field, error, text[:200]
        )
        return text
    out: list[str] = []
    for piece, charset in pieces:
        if isinstance(piece, str):
            out.append(piece)
        else:
            out.append(decode_bytes(piece, charset or ""))
    return "".join(out).strip()


def part_text(part: email.message.Message, message_id: str) -> str:
    """A leaf part's content, transfer-decoded and read in its charset; the part
    as it is when it cannot be decoded (`message_id` names it in the warning)."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, LookupError, AssertionError) as error:
        log.warning(
            "report %s: %s part kept undecoded: %s", message_id, part.get_content_type(), error
        )
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return normalize(raw) if isinstance(raw, str) else ""
    charset = part.get_content_charset("") or ""
    return normalize(decode_bytes(payload, charset))


def _message_body_text(part: email.message.Message, message_id: str) -> str:
    """A message/* report part's content as text.

    compat32 parses a delivery-status part into one header block per group, so
    the groups are written out again; a part that was transfer-encoded against
    RFC 2046 §5.2 (some MTAs do) is decoded from its original lines.
    """
    payload = part.get_payload()
    if isinstance(payload, str):
        encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
        if encoding in ("base64", "quoted-printable"):
            return part_text(part, message_id)
        return normalize(_fix_surrogates(payload) if not payload.isascii() else payload)
    groups: list[str] = []
    for block in payload if isinstance(payload, list) else []:
        if not isinstance(block, email.message.Message):
            continue
        # raw_items: compat32's items() turns 8-bit values (RFC 6533 §3 allows UTF-8
        # in a global DSN) into Header objects that print as U+FFFD.
        lines = [f"{name}: {_unfold(value)}" for name, value in block.raw_items()]
        # A global delivery-status part is read as one message whose body holds the
        # recipient groups; decode=True gives its octets (get_payload() would turn
        # UTF-8 into U+FFFD by the part's ascii charset).
        rest = block.get_payload(decode=True) if not block.is_multipart() else None
        if isinstance(rest, bytes) and rest.strip():
            lines.extend(("", decode_bytes(rest, "utf-8")))
        groups.append("\n".join(lines))
    text = normalize("\n\n".join(groups))
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding == "base64" and ":" not in text:
        return normalize(decode_bytes(_b64(text, message_id), "utf-8"))
    return text


def _b64(text: str, message_id: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode("".join(text.split()) + "==", validate=False)
    except (binascii.Error, ValueError) as error:
        log.warning("report %s: base64 report part not decoded: %s", message_id, error)
        return b""


def normalize(text: str) -> str:
    """Line breaks as "\\n"; a CR before a CRLF (seen in real bounces) is dropped."""
    return _CR_RUN.sub(_line_breaks, text) if "\r" in text else text


def _line_breaks(match: re.Match[str]) -> str:
    # CRs before an LF are one line break; each CR alone is a line break of its own.
    return "\n" if match.group(1) else "\n" * len(match.group(0))


def decode_bytes(data: bytes, charset: str) -> str:
    """`data` in `charset`; UTF-8 (with U+FFFD) when the charset is unknown or absent."""
    codec = _codec(charset.strip().strip('"').lower())
    if codec is not None:
        try:
            return data.decode(codec)
        except (LookupError, ValueError):
            pass
        # Mislabelled text is common (UTF-8 under an ISO-2022-JP label, after a
        # gateway converted it); UTF-8 that decodes cleanly is almost surely right.
        try:
            return data.decode("utf-8")
        except ValueError:
            pass
        try:
            return data.decode(codec, "replace")
        except (LookupError, ValueError):
            pass
    return data.decode("utf-8", "replace")


@functools.lru_cache(maxsize=64)
def _codec(name: str) -> str | None:
    # 8-bit text labelled us-ascii is nearly always UTF-8 (a superset).
    if name in ("", "us-ascii", "ascii", "utf-8", "utf8") or len(name) > 40:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in ("idna", "punycode"):
        return None
    return info.name


def _html_text(html: str) -> str:
    text = _BLOCK_TAG.sub("\n", html)
    text = _TAG.sub("", text)
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)

"""Content-type sniffing of file data, the algorithm of Go's `net/http.DetectContentType`.

Owns the WHATWG MIME Sniffing signature table (mimesniff.spec.whatwg.org §7.1)
as Go implements it, plus 7z. Only the first 512 octets are looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SNIFF_LENGTH = 512
OCTET_STREAM = "application/octet-stream"

# WHATWG MIME Sniffing §3: whitespace bytes and tag-terminating bytes.
_WHITESPACE = b"\t\n\x0c\r "
_TAG_TERMINATORS = b" >"
# WHATWG MIME Sniffing §7.1 step 4: "binary data bytes".
_BINARY = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])


class _Signature(Protocol):
    def match(self, data: bytes, first_non_ws: int) -> str | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class _Exact:
    prefix: bytes
    content_type: str

    def match(self, data: bytes, first_non_ws: int) -> str | None:
        return self.content_type if data.startswith(self.prefix) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Masked:
    """WHATWG MIME Sniffing §4 pattern matching: data AND mask must equal pattern."""

    mask: bytes
    pattern: bytes
    content_type: str
    skip_ws: bool = False

    def match(self, data: bytes, first_non_ws: int) -> str | None:
        if self.skip_ws:
            data = data[first_non_ws:]
        if len(data) < len(self.pattern):
            return None
        for byte, mask, expected in zip(data, self.mask, self.pattern, strict=False):
            if byte & mask != expected:
                return None
        return self.content_type


@dataclass(frozen=True, slots=True, kw_only=True)
class _Html:
    """An HTML tag, case-insensitive, after leading whitespace, ended by space or ">"."""

    tag: bytes

    def match(self, data: bytes, first_non_ws: int) -> str | None:
        data = data[first_non_ws:]
        if len(data) < len(self.tag) + 1:
            return None
        if data[: len(self.tag)].upper() != self.tag:
            return None
        if data[len(self.tag)] not in _TAG_TERMINATORS:
            return None
        return "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Mp4:
    """WHATWG MIME Sniffing §7.2 "signature for MP4": an ftyp box naming an mp4 brand."""

    def match(self, data: bytes, first_non_ws: int) -> str | None:
        if len(data) < 12:
            return None
        box_size = int.from_bytes(data[:4], "big")
        if len(data) < box_size or box_size % 4 != 0 or data[4:8] != b"ftyp":
            return None
        # Offset 12 is the major brand's version number, not a brand.
        for offset in range(8, box_size, 4):
            if offset != 12 and data[offset : offset + 3] == b"mp4":
                return "video/mp4"
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Text:
    """Anything without binary data bytes after leading whitespace is UTF-8 text."""

    def match(self, data: bytes, first_non_ws: int) -> str | None:
        if any(b in _BINARY for b in data[first_non_ws:]):
            return None
        return "text/plain; charset=utf-8"


def _masked(pattern: bytes, mask: bytes, content_type: str) -> _Masked:
    return _Masked(mask=mask, pattern=pattern, content_type=content_type)


_RIFF_MASK = b"\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff"

# In Go's order: the first match wins, and text must come last.
_SIGNATURES: tuple[_Signature, ...] = (
    *(
        _Html(tag=tag)
        for tag in (
            b"<!DOCTYPE HTML",
            b"<HTML",
            b"<HEAD",
            b"<SCRIPT",
            b"<IFRAME",
            b"<H1",
            b"<DIV",
            b"<FONT",
            b"<TABLE",
            b"<A",
            b"<STYLE",
            b"<TITLE",
            b"<B",
            b"<BODY",
            b"<BR",
            b"<P",
            b"<!--",
        )
    ),
    _Masked(
        mask=b"\xff" * 5, pattern=b"<?xml", content_type="text/xml; charset=utf-8", skip_ws=True
    ),
    _Exact(prefix=b"%PDF-", content_type="application/pdf"),
    _Exact(prefix=b"%!PS-Adobe-", content_type="application/postscript"),
    # Byte order marks.
    _masked(b"\xfe\xff\x00\x00", b"\xff\xff\x00\x00", "text/plain; charset=utf-16be"),
    _masked(b"\xff\xfe\x00\x00", b"\xff\xff\x00\x00", "text/plain; charset=utf-16le"),
    _masked(b"\xef\xbb\xbf\x00", b"\xff\xff\xff\x00", "text/plain; charset=utf-8"),
    # Images.
    _Exact(prefix=b"\x00\x00\x01\x00", content_type="image/x-icon"),
    _Exact(prefix=b"\x00\x00\x02\x00", content_type="image/x-icon"),
    _Exact(prefix=b"BM", content_type="image/bmp"),
    _Exact(prefix=b"GIF87a", content_type="image/gif"),
    _Exact(prefix=b"GIF89a", content_type="image/gif"),
    _masked(b"RIFF\x00\x00\x00\x00WEBPVP", _RIFF_MASK + b"\xff\xff", "image/webp"),
    _Exact(prefix=b"\x89PNG\r\n\x1a\n", content_type="image/png"),
    _Exact(prefix=b"\xff\xd8\xff", content_type="image/jpeg"),
    # Audio and video, in the order WHATWG MIME Sniffing §6.2 prescribes.
    _masked(b".snd", b"\xff" * 4, "audio/basic"),
    _masked(b"FORM\x00\x00\x00\x00AIFF", _RIFF_MASK, "audio/aiff"),
    _masked(b"ID3", b"\xff" * 3, "audio/mpeg"),
    _masked(b"OggS\x00", b"\xff" * 5, "application/ogg"),
    _masked(b"MThd\x00\x00\x00\x06", b"\xff" * 8, "audio/midi"),
    _masked(b"RIFF\x00\x00\x00\x00AVI ", _RIFF_MASK, "video/avi"),
    _masked(b"RIFF\x00\x00\x00\x00WAVE", _RIFF_MASK, "audio/wave"),
    _Mp4(),
    _Exact(prefix=b"\x1a\x45\xdf\xa3", content_type="video/webm"),
    # Fonts: embedded OpenType has "LP" after 34 bytes of anything.
    _masked(b"\x00" * 34 + b"LP", b"\x00" * 34 + b"\xff\xff", "application/vnd.ms-fontobject"),
    _Exact(prefix=b"\x00\x01\x00\x00", content_type="font/ttf"),
    _Exact(prefix=b"OTTO", content_type="font/otf"),
    _Exact(prefix=b"ttcf", content_type="font/collection"),
    _Exact(prefix=b"wOFF", content_type="font/woff"),
    _Exact(prefix=b"wOF2", content_type="font/woff2"),
    # Archives. RAR as RAR Labs defines it (Go does the same, see whatwg/mimesniff#63).
    _Exact(prefix=b"\x1f\x8b\x08", content_type="application/x-gzip"),
    _Exact(prefix=b"PK\x03\x04", content_type="application/zip"),
    _Exact(prefix=b"Rar!\x1a\x07\x00", content_type="application/x-rar-compressed"),
    _Exact(prefix=b"Rar!\x1a\x07\x01\x00", content_type="application/x-rar-compressed"),
    # Not in Go's table; Postroom adds it so 7z archives are not octet-stream.
    _Exact(prefix=b"7z\xbc\xaf\x27\x1c", content_type="application/x-7z-compressed"),
    _Exact(prefix=b"\x00asm", content_type="application/wasm"),
    _Text(),
)


def sniff_content_type(data: bytes) -> str:
    """The content type of data by its first 512 octets; application/octet-stream if unknown."""
    data = data[:SNIFF_LENGTH]
    first_non_ws = len(data) - len(data.lstrip(_WHITESPACE))
    for signature in _SIGNATURES:
        content_type = signature.match(data, first_non_ws)
        if content_type is not None:
            return content_type
    return OCTET_STREAM

"""Reading an RPC call off the HTTP request: body limits, content types, the `request` field.

mox's webapi encodings, used by every Postroom API: a url-encoded or multipart form with
the JSON in field `request` (multipart may carry file parts too). Postroom also accepts
the JSON itself as an `application/json` body. Every failure is a RequestError, which
each API answers with its Code `protocol`; a body over its limit is a
RequestTooLargeError (HTTP 413, Code `requestTooLarge`).

Limits are enforced while the body streams in (docs/operations.md, "Request limits"):
a declared Content-Length over the limit is refused before any byte is read, and a
body that turns out larger is refused at the first chunk past the limit. Nothing
holds more than the limit: url-encoded and JSON bodies are at most `max_request_bytes`
in memory, and multipart file parts are spooled to temporary files as they arrive.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from postroom.rpc.errors import RequestError, RequestTooLargeError

# RFC 9110 §5.6.2; a media type is token "/" token (§8.3.1).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

# Go's limit for the same encoding (net/http): at most 1000 multipart parts.
MAX_MULTIPART_PARTS = 1000
FILE_FIELDS = ("alternativefile", "inlinefile", "attachedfile")


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    """`alternativefile`, `inlinefile` or `attachedfile`."""
    filename: str
    content_type: str
    """The part's own Content-Type header, or "" if it had none."""
    content_id: str
    """The part's Content-ID header, or ""."""
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class CallBody:
    request_json: str
    files: list[UploadedFile] = field(default_factory=list)
    body_sha256: str = ""
    """The SHA-256 of the whole body (hex), for idempotency; hashed as it streamed in."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyLimits:
    """How large a call's body may be (config `http.max_request_bytes`, and for file
    parts `smtp.max_message_bytes`)."""

    request_bytes: int
    """Largest url-encoded or JSON body, and largest non-file multipart field."""
    file_bytes: int = 0
    """What multipart file parts may add on top of `request_bytes`; 0: no file parts."""


async def read_call_body(request: Request, *, limits: BodyLimits) -> CallBody:
    """Read the call, streaming; call only once the caller is authenticated."""
    raw_type = request.headers.get("content-type", "")
    media_type = _parse_media_type(raw_type)
    if media_type is None:
        raise RequestError(f"unknown content-type {raw_type}")
    if media_type == "multipart/form-data":
        if not _has_boundary(raw_type):
            raise RequestError("parsing form: no multipart boundary param in Content-Type")
        multipart = _LimitedBody(request, limits.request_bytes + limits.file_bytes)
        return await _read_multipart(request, multipart, limits)
    body = _LimitedBody(request, limits.request_bytes)
    raw = await body.read_all()
    if media_type == "application/json":
        text = _decode_utf8(raw, "request body")
        if not text.strip():
            raise RequestError("missing/empty request")
        return CallBody(request_json=text, body_sha256=body.sha256())
    fields: dict[str, str] = {}
    if media_type == "application/x-www-form-urlencoded":
        text = _decode_utf8(raw, "form")
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
        except ValueError as exc:
            raise RequestError(f"parsing form: {exc}") from exc
        for key, value in pairs:
            fields.setdefault(key, value)
    request_json = fields.get("request", "")
    if not request_json:
        raise RequestError("missing/empty request")
    return CallBody(request_json=request_json, body_sha256=body.sha256())


class _LimitedBody:
    """The request body as a stream that stops at `limit` bytes and hashes what passes."""

    def __init__(self, request: Request, limit: int) -> None:
        self._request = request
        self._limit = limit
        self._hash = hashlib.sha256()
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise RequestTooLargeError(limit)

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        size = 0
        try:
            async for chunk in self._request.stream():
                size += len(chunk)
                if size > self._limit:
                    raise RequestTooLargeError(self._limit)
                self._hash.update(chunk)
                yield chunk
        except ClientDisconnect as exc:
            raise RequestError("client went away while sending the request") from exc

    async def read_all(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks()])

    def sha256(self) -> str:
        return self._hash.hexdigest()


def _parse_media_type(value: str) -> str | None:
    """The lower-cased `type/subtype` of a Content-Type value, None if it is not one."""
    media_type = value.split(";", 1)[0].strip(" \t").lower()
    kind, slash, subtype = media_type.partition("/")
    if not slash or not _TOKEN.fullmatch(kind) or not _TOKEN.fullmatch(subtype):
        return None
    return media_type


def _has_boundary(content_type: str) -> bool:
    # python-multipart's reader, which Starlette's form parser uses too: it reads the
    # value in one pass, where email.message's rescans it for each `;` (7.2 s for a
    # 1 MB value, on the event loop).
    _, parameters = parse_options_header(content_type)
    return bool(parameters.get(b"boundary"))


def _decode_utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(f"parsing {what}: not valid UTF-8") from exc


async def _read_multipart(request: Request, body: _LimitedBody, limits: BodyLimits) -> CallBody:
    # Starlette's parser keeps non-file fields in memory (each at most max_part_size)
    # and spools file parts to SpooledTemporaryFile, on disk past 1 MiB.
    parser = _MultiPartParser(
        request.headers,
        body.chunks(),
        max_files=MAX_MULTIPART_PARTS,
        max_fields=MAX_MULTIPART_PARTS,
        max_part_size=limits.request_bytes,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise RequestError(f"parsing form: {exc.message}") from exc
    except HTTPException as exc:
        # Starlette reports some parser failures as HTTP 400 exceptions of its own.
        raise RequestError(f"parsing form: {exc.detail}") from exc
    try:
        request_json = ""
        files: list[UploadedFile] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key in FILE_FIELDS:
                    files.append(await _uploaded(key, value))
                elif key == "request" and not request_json:
                    if (value.size or 0) > limits.request_bytes:
                        raise RequestTooLargeError(limits.request_bytes)
                    request_json = _decode_utf8(await value.read(), "request field")
            elif key == "request" and not request_json:
                request_json = value
    finally:
        await form.close()
    if not request_json:
        raise RequestError("missing/empty request")
    return CallBody(request_json=request_json, files=files, body_sha256=body.sha256())


class _MultiPartParser(MultiPartParser):
    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        # A non-file field over its limit is a body too large (413), not a bad form.
        part = self._current_part
        if part.file is None and len(part.data) + end - start > self.max_part_size:
            raise RequestTooLargeError(self.max_part_size)
        super().on_part_data(data, start, end)


async def _uploaded(field_name: str, upload: UploadFile) -> UploadedFile:
    return UploadedFile(
        field=field_name,
        filename=(upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1],
        content_type=upload.headers.get("content-type", ""),
        content_id=upload.headers.get("content-id", ""),
        data=await upload.read(),
    )

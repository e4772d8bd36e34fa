"""Reading an RPC call off the HTTP request: body limits, content types, the `request` field.

mox's webapi encodings, used by every Postroom API: a url-encoded or multipart form with
the JSON in field `request` (multipart may carry file parts too). Postroom also accepts
the JSON itself as an `application/json` body. Every failure is a RequestError, which
each API answers with its Code `protocol`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message as ASGIMessage

from postroom.rpc.errors import RequestError

# Go's limits for the same encodings (net/http): url-encoded forms up to 10 MiB,
# at most 1000 multipart parts.
FORM_BODY_LIMIT = 10 * 1024 * 1024
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
    raw: bytes = b""
    """The whole body, for idempotency hashing."""


async def read_call_body(request: Request, *, max_body_bytes: int) -> CallBody:
    raw_type = request.headers.get("content-type", "")
    media_type = _parse_media_type(raw_type)
    if media_type is None:
        raise RequestError(f"unknown content-type {raw_type}")
    limit = FORM_BODY_LIMIT if media_type == "application/x-www-form-urlencoded" else max_body_bytes
    body = await _read_limited(request, limit)
    if media_type == "multipart/form-data":
        if not _has_boundary(raw_type):
            raise RequestError("parsing form: no multipart boundary param in Content-Type")
        return await _read_multipart(request, body)
    if media_type == "application/json":
        text = _decode_utf8(body, "request body")
        if not text.strip():
            raise RequestError("missing/empty request")
        return CallBody(request_json=text, raw=body)
    fields: dict[str, str] = {}
    if media_type == "application/x-www-form-urlencoded":
        text = _decode_utf8(body, "form")
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
        except ValueError as exc:
            raise RequestError(f"parsing form: {exc}") from exc
        for key, value in pairs:
            fields.setdefault(key, value)
    request_json = fields.get("request", "")
    if not request_json:
        raise RequestError("missing/empty request")
    return CallBody(request_json=request_json, raw=body)


def _parse_media_type(value: str) -> str | None:
    """The lower-cased `type/subtype` of a Content-Type value, None if it does not parse."""
    message = Message()
    message["content-type"] = value
    media_type = message.get_content_type()
    # email.message falls back to text/plain for unparseable values; detect that.
    given = value.split(";", 1)[0].strip().lower()
    if "/" not in given or media_type != given:
        return None
    return media_type


def _has_boundary(content_type: str) -> bool:
    message = Message()
    message["content-type"] = content_type
    return bool(message.get_param("boundary"))


def _decode_utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(f"parsing {what}: not valid UTF-8") from exc


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise RequestError("client went away while sending the request") from exc
    return b"".join(chunks)


def _too_large(limit: int) -> RequestError:
    return RequestError(f"parsing form: request body larger than {limit} bytes")


async def _read_multipart(request: Request, body: bytes) -> CallBody:
    async def replay() -> ASGIMessage:
        return {"type": "http.request", "body": body, "more_body": False}

    replayed = Request(request.scope, receive=replay)
    try:
        form = await replayed.form(
            max_files=MAX_MULTIPART_PARTS,
            max_fields=MAX_MULTIPART_PARTS,
            max_part_size=len(body) + 1,
        )
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
                    request_json = _decode_utf8(await value.read(), "request field")
            elif key == "request" and not request_json:
                request_json = value
    finally:
        await form.close()
    if not request_json:
        raise RequestError("missing/empty request")
    return CallBody(request_json=request_json, files=files, raw=body)


async def _uploaded(field_name: str, upload: UploadFile) -> UploadedFile:
    return UploadedFile(
        field=field_name,
        filename=(upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1],
        content_type=upload.headers.get("content-type", ""),
        content_id=upload.headers.get("content-id", ""),
        data=await upload.read(),
    )

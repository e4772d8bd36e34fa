"""Reading a webapi call off the HTTP request (`postroom.rpc`, shared with the admin API),
with its failures as webapi errors (Code `protocol`)."""

from __future__ import annotations

from starlette.requests import Request

from postroom.rpc import FILE_FIELDS as FILE_FIELDS
from postroom.rpc import BodyLimits, RequestError, RequestTooLargeError
from postroom.rpc import CallBody as CallBody
from postroom.rpc import UploadedFile as UploadedFile
from postroom.rpc import read_call_body as _read_call_body
from postroom.webapi.errors import APIError, ErrorCode


async def read_call_body(request: Request, *, limits: BodyLimits) -> CallBody:
    try:
        return await _read_call_body(request, limits=limits)
    except RequestTooLargeError as exc:
        raise APIError(ErrorCode.REQUEST_TOO_LARGE, str(exc)) from exc
    except RequestError as exc:
        raise APIError(ErrorCode.PROTOCOL, str(exc)) from exc

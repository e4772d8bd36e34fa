"""The HTTP responses of the webapi: JSON results, JSON errors, and mox's plain-text statuses."""

from __future__ import annotations

from starlette.responses import Response

from postroom.webapi.errors import APIError, ErrorCode
from postroom.webapi.types import Error
from postroom.wire import encode_response

JSON_TYPE = "application/json; charset=utf-8"

# mox answers auth problems with Go's plain-text http.Error bodies; clients written
# for mox look at the status, and people reading curl output see these words.
UNAUTHORIZED_TEXT = "401 - unauthorized - use http basic auth with email address as username"
LOGIN_DISABLED_TEXT = "401 - unauthorized - login is disabled for this account"
RATE_LIMITED_TEXT = "429 - too many auth attempts"


def json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type=None, headers={"Content-Type": JSON_TYPE})


def error_response(error: APIError, status: int = 400) -> Response:
    return json_response(
        encode_response(Error(Code=error.code.value, Message=error.message)), status
    )


def error(code: ErrorCode, message: str, status: int = 400) -> Response:
    return error_response(APIError(code, message), status)


def text_response(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        text + "\n",
        status_code=status,
        media_type=None,
        headers={"Content-Type": "text/plain; charset=utf-8", **(headers or {})},
    )


def unauthorized(text: str = UNAUTHORIZED_TEXT) -> Response:
    return text_response(text, 401, {"WWW-Authenticate": 'Basic realm="webapi"'})

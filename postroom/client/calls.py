"""What the sync and async clients share: the method table, building the HTTP request
and reading the answer. No I/O here.

Requests are sent as mox's clients send them, a url-encoded form with the JSON request
in field `request`, so the client works against mox's webapi too.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import httpx

from postroom.client.errors import (
    HTTP,
    MAX_MESSAGE_CHARS,
    TOO_MANY_REQUESTS,
    UNAUTHORIZED,
    PostroomError,
)
from postroom.wire import WireError, decode_response, encode_response
from postroom.wire.webapi import (
    MessageDeleteRequest,
    MessageDeleteResult,
    MessageFlagsAddRequest,
    MessageFlagsAddResult,
    MessageFlagsRemoveRequest,
    MessageFlagsRemoveResult,
    MessageGetRequest,
    MessageGetResult,
    MessageMoveRequest,
    MessageMoveResult,
    MessagePartGetRequest,
    MessageRawGetRequest,
    SendRequest,
    SendResult,
    SuppressionAddRequest,
    SuppressionAddResult,
    SuppressionListRequest,
    SuppressionListResult,
    SuppressionPresentRequest,
    SuppressionPresentResult,
    SuppressionRemoveRequest,
    SuppressionRemoveResult,
)

T = TypeVar("T")

DEFAULT_URL = "http://localhost:1080/webapi/v0/"
"""`postroom localserve`'s webapi."""
DEFAULT_TIMEOUT_SECONDS = 60.0
IDEMPOTENCY_HEADER = "Idempotency-Key"

METHODS: dict[str, tuple[type[Any], type[Any] | None]] = {
    "Send": (SendRequest, SendResult),
    "SuppressionList": (SuppressionListRequest, SuppressionListResult),
    "SuppressionAdd": (SuppressionAddRequest, SuppressionAddResult),
    "SuppressionRemove": (SuppressionRemoveRequest, SuppressionRemoveResult),
    "SuppressionPresent": (SuppressionPresentRequest, SuppressionPresentResult),
    "MessageGet": (MessageGetRequest, MessageGetResult),
    "MessageRawGet": (MessageRawGetRequest, None),
    "MessagePartGet": (MessagePartGetRequest, None),
    "MessageDelete": (MessageDeleteRequest, MessageDeleteResult),
    "MessageFlagsAdd": (MessageFlagsAddRequest, MessageFlagsAddResult),
    "MessageFlagsRemove": (MessageFlagsRemoveRequest, MessageFlagsRemoveResult),
    "MessageMove": (MessageMoveRequest, MessageMoveResult),
}
"""Method name → (request type, result type or None for bytes); a test checks it against
the server's own table."""


def base_url(url: str) -> str:
    """The webapi URL with its trailing slash, so method names resolve under it."""
    return url if url.endswith("/") else url + "/"


def auth_headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def basic_auth(username: str | None, password: str | None) -> httpx.BasicAuth | None:
    if username is None:
        return None
    return httpx.BasicAuth(username, password or "")


def request_form(name: str, request: Any) -> dict[str, str]:
    """The form of a call; TypeError when `request` is not the method's request type."""
    expected = METHODS[name][0]
    if type(request) is not expected:
        raise TypeError(f"{name} takes a {expected.__name__}, not {type(request).__name__}")
    return {"request": encode_response(request).decode("utf-8")}


def call_headers(idempotency_key: str | None) -> dict[str, str]:
    return {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}


def read_result(response: httpx.Response, result_type: type[T]) -> T:
    """The decoded result of a 200 answer; PostroomError for anything else."""
    check(response)
    try:
        return decode_response(result_type, response.text)
    except WireError as exc:
        raise PostroomError(HTTP, f"reading the {result_type.__name__}: {exc}", status=200) from exc


def read_bytes(response: httpx.Response) -> bytes:
    check(response)
    return response.content


def check(response: httpx.Response) -> None:
    """Raise the PostroomError an answer other than 200 stands for."""
    status = response.status_code
    if status == 200:
        return
    text = response.text
    error = _json_error(text)
    if error is not None:
        raise PostroomError(error[0], error[1], status=status)
    code = {401: UNAUTHORIZED, 429: TOO_MANY_REQUESTS}.get(status, HTTP)
    message = text.strip()[:MAX_MESSAGE_CHARS] or f"HTTP {status} {response.reason_phrase}"
    raise PostroomError(code, message, status=status)


def _json_error(text: str) -> tuple[str, str] | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    code, message = body.get("Code"), body.get("Message")
    if not isinstance(code, str) or not isinstance(message, str):
        return None
    return code, message

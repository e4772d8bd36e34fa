"""The webapi as a Starlette app: mox's routing, authentication, and error mapping.

Every answer is JSON `{"Code","Message"}` on failure, except the statuses mox sends as
plain text (401, 429) and the redirects. No exception ever reaches the client as a
traceback: the outermost handler logs it with a request id and answers Code `server`.
"""

from __future__ import annotations

import logging
import secrets

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from postroom.auth import AuthError, LoginDisabledError, RateLimitedError, touch_key
from postroom.rpc import Bearer, BodyLimits, client_ip, request_credentials
from postroom.webapi.context import Call, WebapiServices
from postroom.webapi.errors import STATUS, APIError, ErrorCode
from postroom.webapi.methods import METHODS
from postroom.webapi.pages import index_response, method_page_response
from postroom.webapi.responses import (
    LOGIN_DISABLED_TEXT,
    RATE_LIMITED_TEXT,
    error,
    error_response,
    json_response,
    text_response,
    unauthorized,
)
from postroom.webapi.transport import read_call_body
from postroom.wire import WireError, decode_request, encode_response

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "idempotency-key"


def create_webapi_routes(services: WebapiServices) -> list[Route]:
    """Routes for `/webapi/…`, to be added to the server's application."""

    async def base(request: Request) -> Response:
        return RedirectResponse("/webapi/", status_code=303)

    async def root(request: Request) -> Response:
        if request.method != "GET":
            return _not_allowed("use GET", "GET")
        return RedirectResponse("/webapi/v0/", status_code=303)

    async def index(request: Request) -> Response:
        return index_response()

    async def method(request: Request) -> Response:
        return await _call(services, request)

    every = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return [
        Route("/webapi", base, methods=every),
        Route("/webapi/", root, methods=every),
        Route("/webapi/v0/", index, methods=every),
        Route("/webapi/v0/{name}", method, methods=every),
    ]


async def _call(services: WebapiServices, request: Request) -> Response:
    name = request.path_params["name"]
    method = METHODS.get(name)
    if method is None:
        known = ", ".join(sorted(METHODS))
        return error(ErrorCode.NOT_FOUND, f'unknown method "{name}", methods are: {known}', 404)
    if request.method == "GET":
        return method_page_response(method.name)
    if request.method != "POST":
        return _not_allowed("method not allowed, use GET or POST", "GET, POST")
    try:
        return await _authenticated_call(services, request, method.name)
    except APIError as exc:
        return error_response(exc, STATUS.get(exc.code, 400))
    except Exception:
        request_id = secrets.token_hex(8)
        log.exception("webapi %s failed, request id %s", name, request_id)
        return error(ErrorCode.SERVER, f"unhandled error (request id {request_id})")


async def _authenticated_call(services: WebapiServices, request: Request, name: str) -> Response:
    method = METHODS[name]
    credentials = request_credentials(request)
    if credentials is None:
        return unauthorized()
    client_ip = _client_ip(request, trusted_proxies=services.config.http.trusted_proxies)
    try:
        if isinstance(credentials, Bearer):
            # Extension: an account's API key instead of its address and password.
            key = await services.verifier.verify_key(credentials.token, client_ip)
            login = await services.verifier.key_login(key)
            await touch_key(services.committer, key, services.clock.now())
        else:
            login = await services.verifier.verify(
                credentials.username, credentials.password, client_ip
            )
    except RateLimitedError:
        return text_response(RATE_LIMITED_TEXT, 429)
    except LoginDisabledError:
        return unauthorized(LOGIN_DISABLED_TEXT)
    except AuthError:
        return unauthorized()
    limits = BodyLimits(
        request_bytes=services.config.http.max_request_bytes,
        file_bytes=services.config.smtp.max_message_bytes,
    )
    body = await read_call_body(request, limits=limits)
    try:
        payload = decode_request(method.request_type, body.request_json, null_ok=False)
    except WireError as exc:
        raise APIError(ErrorCode.PROTOCOL, f"parsing request: {exc}") from exc
    call = Call(
        services=services,
        login=login,
        client_ip=client_ip,
        tls=request.url.scheme == "https",
        files=body.files,
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, ""),
        body_sha256=body.body_sha256,
    )
    result = await method.handler(call, payload)
    if isinstance(result, bytes):
        return Response(result, headers={"Content-Type": method.media_type_of(result)})
    return json_response(encode_response(result))


def _not_allowed(message: str, allow: str) -> Response:
    # RFC 9110 §15.5.6: a 405 answer lists the methods the resource supports.
    response = error(ErrorCode.METHOD_NOT_ALLOWED, message, 405)
    response.headers["Allow"] = allow
    return response


def _client_ip(request: Request, *, trusted_proxies: tuple[str, ...]) -> str:
    return client_ip(request, trusted_proxies=trusted_proxies)


def create_app(services: WebapiServices) -> Starlette:
    """A standalone app serving only the webapi (the server combines more routes)."""
    return Starlette(routes=create_webapi_routes(services))

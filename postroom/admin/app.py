"""The admin API (`/admin/api/v0/<Method>`) and the account API (`/account/api/v0/<Method>`)
as Starlette routes, with the webapi's conventions: RPC by POST, the request as form field
`request` (url-encoded or multipart) or as a JSON body, errors as `{"Code","Message"}`.

Callers of the admin API: `admin` with the admin password (Basic), an admin API key
(Bearer), or an account with role `admin` or `domainadmin` (Basic). Callers of the account
API: any account, by its address and password or one of its API keys.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from postroom.admin.context import GLOBAL_ADMIN, AdminCall, AdminServices, Principal, Role
from postroom.admin.errors import AdminCode, AdminError, forbidden
from postroom.admin.methods import ACCOUNT_METHODS, ADMIN_METHODS, Access, Method
from postroom.admin.types.common import Error
from postroom.auth import (
    AuthError,
    KeyRecord,
    KeyScope,
    Login,
    LoginDisabledError,
    RateLimitedError,
    touch_key,
)
from postroom.rpc import (
    Basic,
    Bearer,
    BodyLimits,
    RequestError,
    RequestTooLargeError,
    client_ip,
    read_call_body,
    request_credentials,
)
from postroom.wire import WireError, decode_request, encode_response

log = logging.getLogger(__name__)

ADMIN_USERNAME = "admin"
"""The Basic-auth username that goes with the admin password."""
JSON_TYPE = "application/json; charset=utf-8"


def create_admin_routes(services: AdminServices) -> list[Route]:
    """Routes for `/admin/api/v0/…` and `/account/api/v0/…`."""

    async def admin(request: Request) -> Response:
        return await _call(services, request, ADMIN_METHODS, _admin_principal, "admin")

    async def account(request: Request) -> Response:
        return await _call(services, request, ACCOUNT_METHODS, _account_principal, "account")

    every = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return [
        Route("/admin/api/v0/{name}", admin, methods=every),
        Route("/account/api/v0/{name}", account, methods=every),
    ]


def _json(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body,
        status_code=status,
        media_type=None,
        headers={"Content-Type": JSON_TYPE, **(headers or {})},
    )


def error_response(exc: AdminError, realm: str) -> Response:
    status = exc.status
    headers = {"WWW-Authenticate": f'Basic realm="{realm}"'} if status == 401 else None
    if status == 405:
        # RFC 9110 §15.5.6: a 405 answer lists the methods the resource supports.
        headers = {"Allow": "GET, POST"}
    return _json(encode_response(Error(Code=exc.code.value, Message=exc.message)), status, headers)


async def _call(
    services: AdminServices,
    request: Request,
    table: dict[str, Method],
    authenticate: Callable[[AdminServices, Request], Awaitable[Principal]],
    realm: str,
) -> Response:
    name = request.path_params["name"]
    try:
        method = table.get(name)
        if method is None:
            known = ", ".join(sorted(table))
            raise AdminError(
                AdminCode.NOT_FOUND, f'unknown method "{name}", methods are: {known}', status=404
            )
        if request.method != "POST":
            # GET serves the method's page (server/pages.py).
            raise AdminError(AdminCode.METHOD_NOT_ALLOWED, f"call {name} with POST")
        principal = await authenticate(services, request)
        if method.access is Access.ADMIN and not principal.is_global:
            raise forbidden(f"only global admins may call {name}")
        try:
            # Admin and account calls carry no file parts.
            limits = BodyLimits(request_bytes=services.config.http.max_request_bytes)
            body = await read_call_body(request, limits=limits)
            payload = decode_request(method.request_type, body.request_json, null_ok=False)
        except RequestTooLargeError as exc:
            raise AdminError(AdminCode.REQUEST_TOO_LARGE, str(exc)) from exc
        except RequestError as exc:
            raise AdminError(AdminCode.PROTOCOL, str(exc)) from exc
        except WireError as exc:
            raise AdminError(AdminCode.PROTOCOL, f"parsing request: {exc}") from exc
        result = await method.handler(AdminCall(services=services, principal=principal), payload)
        return _json(encode_response(result))
    except AdminError as exc:
        return error_response(exc, realm)
    except Exception:
        request_id = secrets.token_hex(8)
        log.exception("%s API %s failed, request id %s", realm, name, request_id)
        return error_response(
            AdminError(AdminCode.SERVER, f"unhandled error (request id {request_id})"), realm
        )


def _unauthorized(message: str = "use HTTP basic auth or an API key") -> AdminError:
    return AdminError(AdminCode.UNAUTHORIZED, message)


async def _login(services: AdminServices, ip: str, basic: Basic) -> Login:
    try:
        return await services.verifier.verify(basic.username, basic.password, ip)
    except RateLimitedError as exc:
        raise AdminError(AdminCode.RATE_LIMITED, "too many failed logins") from exc
    except LoginDisabledError as exc:
        raise AdminError(AdminCode.LOGIN_DISABLED, "login is disabled for this account") from exc
    except AuthError as exc:
        raise _unauthorized("unknown login or wrong password") from exc


async def _key(services: AdminServices, token: str, ip: str) -> KeyRecord:
    try:
        key = await services.verifier.verify_key(token, ip)
    except RateLimitedError as exc:
        raise AdminError(AdminCode.RATE_LIMITED, "too many failed logins") from exc
    except AuthError as exc:
        raise _unauthorized("unknown or revoked API key") from exc
    await touch_key(services.committer, key, services.clock.now())
    return key


async def _admin_principal(services: AdminServices, request: Request) -> Principal:
    credentials = request_credentials(request)
    ip = client_ip(request, trusted_proxies=services.config.http.trusted_proxies)
    if credentials is None:
        raise _unauthorized()
    if isinstance(credentials, Bearer):
        key = await _key(services, credentials.token, ip)
        if key.scope is not KeyScope.ADMIN:
            raise forbidden("an account's API key cannot call the admin API")
        return GLOBAL_ADMIN
    if credentials.username == ADMIN_USERNAME:
        try:
            await services.verifier.verify_admin(credentials.password, ip)
        except RateLimitedError as exc:
            raise AdminError(AdminCode.RATE_LIMITED, "too many failed logins") from exc
        except AuthError as exc:
            raise _unauthorized("wrong admin password") from exc
        return GLOBAL_ADMIN
    login = await _login(services, ip, credentials)
    return await principal_of(services, login)


async def principal_of(services: AdminServices, login: Login) -> Principal:
    account = login.account
    try:
        role = Role(account.role)
    except ValueError:
        role = Role.USER
    if role is Role.USER:
        raise forbidden("the admin API is for admins; accounts use /account/api/v0/")
    domain_ids: frozenset[int] = frozenset()
    if role is Role.DOMAIN_ADMIN:
        rows = await services.reader.fetch(
            "SELECT domain_id FROM domain_admin WHERE account_id = ?", [account.id]
        )
        domain_ids = frozenset(int(row["domain_id"]) for row in rows)
    return Principal(role=role, account_id=account.id, domain_ids=domain_ids, name=account.name)


async def _account_principal(services: AdminServices, request: Request) -> Principal:
    credentials = request_credentials(request)
    ip = client_ip(request, trusted_proxies=services.config.http.trusted_proxies)
    if credentials is None:
        raise _unauthorized()
    if isinstance(credentials, Bearer):
        key = await _key(services, credentials.token, ip)
        try:
            login = await services.verifier.key_login(key)
        except LoginDisabledError as exc:
            raise AdminError(
                AdminCode.LOGIN_DISABLED, "login is disabled for this account"
            ) from exc
        except AuthError as exc:
            raise _unauthorized(str(exc)) from exc
    else:
        login = await _login(services, ip, credentials)
    account = login.account
    try:
        role = Role(account.role)
    except ValueError:
        role = Role.USER
    return Principal(role=role, account_id=account.id, name=account.name)

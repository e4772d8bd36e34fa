"""The HTTP application: every service's routes, JSON answers for unknown paths."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from postroom.admin.reference import ACCOUNT_API, ADMIN_API
from postroom.server.headers import SecurityHeadersMiddleware
from postroom.server.openapi import SPEC_PATH, openapi_endpoint
from postroom.server.pages import create_page_routes
from postroom.webapi import WebapiServices, create_webapi_routes
from postroom.webapi.errors import ErrorCode
from postroom.webapi.responses import error


async def _http_exception(request: Request, exc: Exception) -> Response:
    # Starlette answers unknown paths and methods in plain text; clients of a JSON API
    # get JSON instead.
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return error(ErrorCode.NOT_FOUND, f"no such path {request.url.path}", 404)
    if status == 405:
        # Starlette's exception carries the route's Allow header (RFC 9110 §15.5.6).
        response = error(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed", 405)
        headers = (exc.headers if isinstance(exc, HTTPException) else None) or {}
        allow = headers.get("Allow")
        if allow:
            response.headers["Allow"] = allow
        return response
    return error(ErrorCode.SERVER, "unhandled error", status)


def build_app(webapi: WebapiServices) -> Starlette:
    return Starlette(
        routes=[
            *create_webapi_routes(webapi),
            # Before the admin and account APIs' routes, which the runtime adds after these.
            *create_page_routes((ADMIN_API, ACCOUNT_API)),
            Route(SPEC_PATH, openapi_endpoint, methods=["GET", "HEAD"]),
        ],
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers={HTTPException: _http_exception},
    )

"""The HTML pages of the admin and account APIs: `GET <base>` lists the methods, and
`GET <base><Method>` documents one and can call it, as the webapi's pages do.

One GET route per method name, added before the APIs' own routes: other paths and HTTP
methods fall through to the API, which answers them as it always does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from postroom.apidoc import ApiTable, index_page, method_page
from postroom.server.openapi import SPEC_PATH


def create_page_routes(apis: Sequence[ApiTable]) -> list[Route]:
    """GET routes for the index and the method pages of `apis` (rendered once, here)."""
    routes = []
    for api in apis:
        index = index_page(api, spec_url=SPEC_PATH)
        routes.append(Route(api.base_path, _serving(index), methods=["GET"]))
        routes += [
            Route(api.base_path + m.name, _serving(method_page(api, m)), methods=["GET"])
            for m in api.methods
        ]
    return routes


def _serving(text: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return HTMLResponse(text)

    return endpoint

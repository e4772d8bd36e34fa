"""The webapi's HTML pages: `GET /webapi/v0/` lists the methods, `GET /webapi/v0/<Method>`
documents one and can call it (docs/webapi.md, Transport). No authentication: they hold no data.

The pages are rendered once per process: they depend only on the code.
"""

from __future__ import annotations

import functools

from starlette.responses import HTMLResponse

from postroom.apidoc import index_page, method_page
from postroom.webapi.reference import WEBAPI

SPEC_URL = "/openapi.json"


@functools.cache
def _index_html() -> str:
    return index_page(WEBAPI, spec_url=SPEC_URL)


@functools.cache
def _method_html(name: str) -> str:
    method = WEBAPI.method(name)
    if method is None:
        raise KeyError(name)
    return method_page(WEBAPI, method)


def index_response() -> HTMLResponse:
    return HTMLResponse(_index_html())


def method_page_response(name: str) -> HTMLResponse:
    """The page of a method of the table; KeyError for any other name."""
    return HTMLResponse(_method_html(name))

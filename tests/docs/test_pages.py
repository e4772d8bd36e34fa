"""The method pages of a live server: the index links every method, each page documents
its method and carries an example request that, posted as the page's script posts it,
gets an answer."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest

from postroom.admin.reference import ACCOUNT_API, ADMIN_API
from postroom.apidoc import ApiTable
from postroom.localserve import DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.webapi import METHODS
from postroom.wire import encode_response, example_value
from postroom.wire.webapi import SendRequest
from tests.conftest import RunningServer

_TEXTAREA = re.compile(r'<textarea id="(\w+)"[^>]*>(.*?)</textarea>', re.S)


def textareas(page: str) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in _TEXTAREA.findall(page)}


async def test_index_links_every_method_and_the_spec(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/webapi/v0/")
    assert response.status_code == 200
    for name in METHODS:
        assert f'<a href="{name}">{name}</a>' in response.text
    assert '<a href="/openapi.json">' in response.text


@pytest.mark.parametrize("name", sorted(METHODS))
async def test_method_page_documents_the_method(server: RunningServer, name: str) -> None:
    method = METHODS[name]
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get(f"/webapi/v0/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert f"<h1>{name}</h1>" in page
    summary = method.doc.split("\n", 1)[0]
    assert html.escape(summary).split("`")[0] in page
    for field in method.request_type.__dataclass_fields__:
        assert f"<td><code>{field}</code></td>" in page
    areas = textareas(page)
    assert json.loads(areas["request"]) == _encoded(example_value(method.request_type))
    assert areas["request"] == "{}" or areas["request"].startswith("{\n\t")  # tabs, as mox
    if method.result_type is None:
        assert 'data-bytes="true"' in page
        assert areas["response"] == ""
    else:
        assert 'data-bytes="false"' in page
        assert json.loads(areas["response"]) == _encoded(example_value(method.result_type))
    assert f'action="/webapi/v0/{name}"' in page


def _encoded(value: object) -> object:
    return json.loads(encode_response(value))


async def test_the_page_form_calls_the_method(server: RunningServer) -> None:
    # The page's script posts the textarea as multipart field `request` to the action URL.
    async with httpx.AsyncClient(base_url=server.url) as client:
        page = (await client.get("/webapi/v0/SuppressionList")).text
        action = re.search(r'<form id="call" method="POST" action="([^"]+)"', page)
        assert action is not None
        request = textareas(page)["request"]
        response = await client.post(
            action.group(1),
            files={"request": (None, request)},
            auth=(DEFAULT_LOGIN, DEFAULT_PASSWORD),
        )
        assert response.status_code == 200
        assert response.json() == {"Suppressions": []}
        unauthenticated = await client.post(action.group(1), files={"request": (None, request)})
        assert unauthenticated.status_code == 401
        assert unauthenticated.headers["www-authenticate"].startswith("Basic ")


async def test_example_send_request_is_refused_with_a_json_error(server: RunningServer) -> None:
    # The zero-valued example has no body text: a clear error, never a crash.
    request = _encoded(example_value(SendRequest))
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(
            "/webapi/v0/Send",
            data={"request": json.dumps(request)},
            auth=(DEFAULT_LOGIN, DEFAULT_PASSWORD),
        )
    assert response.status_code == 400
    assert response.json()["Code"] == "missingBody"


async def test_unknown_method_pages_are_404(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/webapi/v0/send")
    assert (response.status_code, response.json()["Code"]) == (404, "notFound")


@pytest.mark.parametrize("api", [ADMIN_API, ACCOUNT_API], ids=lambda api: api.name)
async def test_admin_and_account_pages(server: RunningServer, api: ApiTable) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        index = await client.get(api.base_path)
        assert index.status_code == 200
        for method in api.methods:
            assert f'<a href="{method.name}">{method.name}</a>' in index.text
            page = await client.get(api.base_path + method.name)
            assert page.status_code == 200
            assert f"<h1>{method.name}</h1>" in page.text
            request = textareas(page.text)["request"]
            assert json.loads(request) == _encoded(example_value(method.request_type))
        # Other paths and methods are the API's own answers.
        unknown = await client.get(api.base_path + "NoSuchMethod")
        assert unknown.json()["Code"] == "notFound"
        first = api.methods[0].name
        assert (await client.delete(api.base_path + first)).status_code == 405


async def test_the_account_page_form_calls_the_method(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        page = (await client.get("/account/api/v0/AccountGet")).text
        response = await client.post(
            "/account/api/v0/AccountGet",
            files={"request": (None, textareas(page)["request"])},
            auth=(DEFAULT_LOGIN, DEFAULT_PASSWORD),
        )
    assert response.status_code == 200
    assert response.json()["Account"]["Name"] == "postroom"

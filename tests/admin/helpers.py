"""Calling the admin and account APIs over HTTP in tests."""

from __future__ import annotations

import json
from typing import Any

import httpx

from postroom.admin import set_admin_password
from tests.conftest import RunningServer

ADMIN_PASSWORD = "correct horse battery"


async def enable_admin(server: RunningServer) -> None:
    assert server.runtime.admin is not None
    await set_admin_password(server.runtime.admin.committer, ADMIN_PASSWORD)


def admin_client(server: RunningServer, password: str = ADMIN_PASSWORD) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, auth=("admin", password), timeout=30)


def bearer_client(server: RunningServer, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


async def post(
    client: httpx.AsyncClient, method: str, request: dict[str, Any], api: str = "admin"
) -> httpx.Response:
    return await client.post(f"/{api}/api/v0/{method}", json=request)


async def call(
    client: httpx.AsyncClient, method: str, request: dict[str, Any], api: str = "admin"
) -> Any:
    """Call a method that must succeed; return its JSON result."""
    response = await post(client, method, request, api)
    assert response.status_code == 200, response.text
    return response.json()


async def fail(
    client: httpx.AsyncClient,
    method: str,
    request: dict[str, Any],
    code: str,
    status: int = 400,
    api: str = "admin",
) -> str:
    """Call a method that must fail with `code`; return the message."""
    response = await client.post(f"/{api}/api/v0/{method}", data={"request": json.dumps(request)})
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"Code", "Message"}
    assert body["Code"] == code, body
    return str(body["Message"])

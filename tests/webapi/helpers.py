"""Helpers for webapi tests: calling methods, adding accounts, reading the queue."""

from __future__ import annotations

import json
from typing import Any

import httpx

from postroom.auth import hash_password
from postroom.store.account import Account, Domain
from postroom.store.outgoing import QueueMessage
from postroom.store.provision import NewAddress, create_account, create_domain


async def call(client: httpx.AsyncClient, method: str, request: dict[str, Any]) -> Any:
    """POST a method the mox way (form field `request`) and return the JSON result."""
    response = await client.post(f"/webapi/v0/{method}", data={"request": json.dumps(request)})
    assert response.status_code == 200, response.text
    return response.json()


async def call_error(
    client: httpx.AsyncClient, method: str, request: dict[str, Any], status: int = 400
) -> tuple[str, str]:
    """POST a call that must fail; return its (Code, Message)."""
    response = await client.post(f"/webapi/v0/{method}", data={"request": json.dumps(request)})
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"Code", "Message"}
    return body["Code"], body["Message"]


async def add_account(
    name: str, login: str, password: str, *, fromid: bool = False, **settings: Any
) -> Account:
    localpart, _, domain_name = login.partition("@")
    domain = await Domain.get_or_none(name=domain_name) or await create_domain(domain_name, ["+"])
    account = await create_account(
        name=name,
        password_hash=hash_password(password),
        addresses=[NewAddress(domain=domain, localpart=localpart, fromid_login=fromid)],
    )
    if settings:
        await Account.filter(id=account.id).update(**settings)
    return await Account.get(id=account.id)


async def queue_rows() -> list[QueueMessage]:
    return await QueueMessage.all().order_by("id").prefetch_related("blob")

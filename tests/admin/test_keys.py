"""API keys: shown once, stored hashed, usable as Bearer on the webapi, revocable."""

from __future__ import annotations

import json

from postroom.auth.apikeys import hash_token
from postroom.store.account import ApiKey
from tests.admin.helpers import admin_client, bearer_client, call, enable_admin, fail
from tests.conftest import RunningServer

SEND = {"To": [{"Address": "someone@example.org"}], "Subject": "hi", "Text": "hello"}


async def test_account_key_sends_on_the_webapi_until_revoked(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        created = await call(admin, "APIKeyCreate", {"Account": "postroom", "Name": "billing"})
    token = created["Token"]
    row = await ApiKey.get(id=created["Key"]["ID"])
    assert row.secret_hash == hash_token(token) and token not in row.secret_hash
    async with bearer_client(server, token) as client:
        response = await client.post("/webapi/v0/Send", data={"request": json.dumps(SEND)})
        assert response.status_code == 200, response.text
    async with admin_client(server) as admin:
        listed = await call(admin, "APIKeyList", {"Account": "postroom"})
        (key,) = listed["Keys"]
        assert key["LastUsed"] is not None and key["Revoked"] is None
        assert token not in json.dumps(listed)
        await call(admin, "APIKeyRevoke", {"ID": key["ID"]})
        await fail(admin, "APIKeyRevoke", {"ID": key["ID"]}, "notFound")
        await fail(admin, "APIKeyRevoke", {"ID": 999}, "notFound")
    async with bearer_client(server, token) as client:
        response = await client.post("/webapi/v0/Send", data={"request": json.dumps(SEND)})
        assert response.status_code == 401


async def test_keys_bad_input(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        await fail(admin, "APIKeyCreate", {}, "user")
        await fail(admin, "APIKeyCreate", {"Scope": "root", "Account": "postroom"}, "user")
        await fail(admin, "APIKeyCreate", {"Scope": "admin", "Account": "postroom"}, "user")
        await fail(admin, "APIKeyCreate", {"Account": "nobody"}, "notFound")
        await fail(admin, "APIKeyCreate", {"Account": "postroom", "Name": "x" * 201}, "user")


async def test_keys_of_the_account_api_are_the_callers_own(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        await call(
            admin,
            "AccountCreate",
            {"Name": "other", "Address": "other@localhost", "Password": "pw"},
        )
        other_key = await call(admin, "APIKeyCreate", {"Account": "other"})
    async with server.client() as user:
        mine = await call(user, "APIKeyCreate", {"Name": "mine"}, api="account")
        listed = await call(user, "APIKeyList", {}, api="account")
        assert [k["ID"] for k in listed["Keys"]] == [mine["Key"]["ID"]]
        other_id = other_key["Key"]["ID"]
        await fail(user, "APIKeyRevoke", {"ID": other_id}, "notFound", api="account")
    async with bearer_client(server, other_key["Token"]) as other:
        await call(other, "AccountGet", {}, api="account")

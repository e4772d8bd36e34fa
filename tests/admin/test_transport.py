"""The admin API's transport: authentication of each kind, routing, encodings, bad input."""

from __future__ import annotations

from pathlib import Path

import httpx

from postroom.localserve import ADMIN_PASSWORD
from postroom.localserve.command import banner
from postroom.server import RuntimeAddresses
from tests.admin.helpers import (
    admin_client,
    bearer_client,
    call,
    enable_admin,
    fail,
)
from tests.conftest import RunningServer, make_config


async def test_admin_password_authenticates_and_wrong_one_is_401(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        result = await call(client, "DomainList", {})
        assert [d["Name"] for d in result["Domains"]] == ["localhost"]
    async with admin_client(server, "wrong") as client:
        response = await client.post("/admin/api/v0/DomainList", json={})
        assert response.status_code == 401
        assert response.json()["Code"] == "unauthorized"
        assert response.headers["www-authenticate"] == 'Basic realm="admin"'


async def test_localserve_admin_password_and_empty_password(server: RunningServer) -> None:
    async with admin_client(server, ADMIN_PASSWORD) as client:
        await call(client, "DomainList", {})
    async with admin_client(server, "") as client:
        await fail(client, "DomainList", {}, "unauthorized", 401)


async def test_no_credentials_is_401(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        await fail(client, "DomainList", {}, "unauthorized", 401)


async def test_plain_user_is_refused_but_uses_the_account_api(server: RunningServer) -> None:
    async with server.client() as client:
        await fail(client, "DomainList", {}, "forbidden", 403)
        result = await call(client, "AccountGet", {}, api="account")
        assert result["Account"]["Name"] == "postroom"
        assert result["Account"]["Addresses"] == [
            {"Address": "postroom@localhost", "FromIDLogin": True}
        ]


async def test_routing_errors(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        await fail(client, "NoSuchMethod", {}, "notFound", 404)
        response = await client.put("/admin/api/v0/DomainList")
        assert response.status_code == 405
        assert response.json()["Code"] == "methodNotAllowed"
        response = await client.get("/admin/api/v0/DomainList")  # its page: tests/docs
        assert (response.status_code, response.headers["content-type"]) == (
            200,
            "text/html; charset=utf-8",
        )


async def test_bad_input_is_a_protocol_error(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        message = await fail(client, "DomainGet", {"Name": "localhost", "Bogus": 1}, "protocol")
        assert 'unknown field "Bogus"' in message
        message = await fail(client, "DomainCreate", {"Name": 5}, "protocol")
        assert message.startswith("parsing request: ")
        response = await client.post(
            "/admin/api/v0/DomainList", content=b"", headers={"Content-Type": "text/plain"}
        )
        assert response.json()["Code"] == "protocol"


async def test_form_encoding_works_like_json(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        response = await client.post(
            "/admin/api/v0/DomainGet", data={"request": '{"Name":"localhost"}'}
        )
        assert response.status_code == 200
        assert response.json()["Domain"]["Name"] == "localhost"
        assert response.headers["content-type"] == "application/json; charset=utf-8"


async def test_admin_api_key_authenticates_and_account_key_does_not(
    server: RunningServer,
) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        admin_key = await call(client, "APIKeyCreate", {"Scope": "admin", "Name": "ops"})
        account_key = await call(client, "APIKeyCreate", {"Account": "postroom"})
    assert admin_key["Token"].startswith("pr_" + admin_key["Key"]["Prefix"] + "_")
    async with bearer_client(server, admin_key["Token"]) as client:
        await call(client, "DomainList", {})
    async with bearer_client(server, account_key["Token"]) as client:
        await fail(client, "DomainList", {}, "forbidden", 403)
        own = await call(client, "AccountGet", {}, api="account")
        assert own["Account"]["Name"] == "postroom"
    async with bearer_client(server, admin_key["Token"] + "x") as client:
        await fail(client, "DomainList", {}, "unauthorized", 401)


async def test_account_api_bad_input(server: RunningServer) -> None:
    async with server.client() as client:
        await fail(client, "SettingsSet", {"Bogus": True}, "protocol", api="account")
        await fail(client, "SettingsSet", {"KeepRetiredMessageSeconds": -1}, "user", api="account")
        await fail(client, "SettingsSet", {"FullName": 5}, "protocol", api="account")
        await fail(client, "WebhooksSet", {"IncomingURL": "mailto:x"}, "user", api="account")
        await fail(client, "APIKeyRevoke", {"ID": 12345}, "notFound", api="account")
        await fail(client, "DomainList", {}, "notFound", 404, api="account")


def test_localserve_banner_names_the_admin_api() -> None:
    addresses = RuntimeAddresses(
        http_host="127.0.0.1", http_port=1080, smtp_host="127.0.0.1", smtp_port=1025,
        submission_port=1587,
    )  # fmt: skip
    config = make_config("sqlite:///unused.db", Path("/tmp"))
    text = banner(config, addresses)
    assert f"http://127.0.0.1:1080/admin/api/v0/  (user admin, password {ADMIN_PASSWORD})" in text


async def test_failed_admin_logins_are_rate_limited(still_server: RunningServer) -> None:
    server = still_server
    await enable_admin(server)
    async with admin_client(server, "wrong") as client:
        statuses = [
            (await client.post("/admin/api/v0/DomainList", json={})).status_code for _ in range(11)
        ]
    assert statuses == [401] * 10 + [429]
    async with admin_client(server) as client:
        # Refused before the password is checked, as for every login while blocked.
        await fail(client, "DomainList", {}, "rateLimited", 429)

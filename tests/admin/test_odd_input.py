"""Odd input to the admin and account APIs over HTTP: every call gets a specific 4xx
Code, never `server`, and `null` never means "everything"."""

from __future__ import annotations

import json
from typing import Any

import pytest

from postroom.store.outgoing import QueueMessage
from tests.admin.helpers import admin_client, call, enable_admin, fail
from tests.conftest import RunningServer

HUGE = 2**62
"""Within the wire's int64, past PostgreSQL's int32 columns."""


async def _queue_one(server: RunningServer) -> None:
    async with server.client() as client:
        request = json.dumps({"To": [{"Address": "a@example.com"}], "Text": "x"})
        response = await client.post("/webapi/v0/Send", data={"request": request})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("request_json", ["null", " null ", "5", '"x"', "[]", "true"])
async def test_a_request_that_is_not_an_object_is_refused(
    server: RunningServer, request_json: str
) -> None:
    await enable_admin(server)
    await _queue_one(server)
    async with admin_client(server) as client:
        response = await client.post("/admin/api/v0/QueueDrop", data={"request": request_json})
        assert response.status_code == 400, response.text
        assert response.json()["Code"] == "protocol"
        response = await client.post(
            "/admin/api/v0/QueueDrop",
            content=request_json,
            headers={"Content-Type": "application/json"},
        )
        assert response.json()["Code"] == "protocol"
    assert await QueueMessage.all().count() == 1


async def test_queue_delay_minutes_are_bounded(server: RunningServer) -> None:
    await enable_admin(server)
    await _queue_one(server)
    async with admin_client(server) as client:
        for minutes in (5_000_000_000, -5_000_000_000, 2**63 - 1, -(2**63)):
            message = await fail(client, "QueueDelay", {"Minutes": minutes}, "user")
            assert "Minutes" in message
        assert (await call(client, "QueueDelay", {"Minutes": 60}))["Count"] == 1


async def test_405_names_the_allowed_methods(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        for path, allow in [
            ("/admin/api/v0/DomainList", "GET, POST"),
            ("/account/api/v0/AccountGet", "GET, POST"),
        ]:
            response = await client.put(path)
            assert response.status_code == 405
            assert response.headers["allow"] == allow
            assert response.json()["Code"] == "methodNotAllowed"


@pytest.mark.parametrize(
    ("method", "request_body", "code"),
    [
        ("APIKeyRevoke", {"ID": HUGE}, "notFound"),
        ("APIKeyRevoke", {"ID": -HUGE}, "notFound"),
        ("HoldRuleRemove", {"ID": HUGE}, "notFound"),
        ("QueueList", {"Filter": {"IDs": [HUGE, -HUGE]}}, None),
        ("QueueHold", {"Filter": {"IDs": [HUGE]}}, None),
        ("QueueList", {"Page": {"Limit": HUGE}}, "user"),
        ("RetiredList", {"Filter": {"IDs": [HUGE]}}, None),
        ("HookList", {"Filter": {"IDs": [HUGE], "QueueMsgID": HUGE}}, None),
        ("HookRetiredList", {"Filter": {"IDs": [-HUGE], "QueueMsgID": -HUGE}}, None),
        ("HookRetry", {"Filter": {"IDs": [HUGE]}}, None),
        ("QueueList", {"Filter": {"IDs": list(range(1, 20_000))}}, "user"),
        ("AccountList", {"Limit": HUGE}, "user"),
        ("AccountUpdate", {"Name": "postroom", "MaxMessagesPerDay": HUGE}, "user"),
        ("AccountUpdate", {"Name": "postroom", "KeepRetiredMessageSeconds": HUGE}, "user"),
        ("AccountUpdate", {"Name": "postroom", "KeepRetiredWebhookSeconds": 2**31}, "user"),
        ("AccountUpdate", {"Name": "postroom", "MaxFirstTimeRecipientsPerDay": -1}, "user"),
    ],
)
async def test_huge_numbers_get_a_specific_answer(
    server: RunningServer, method: str, request_body: dict[str, Any], code: str | None
) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        if code is None:
            await call(client, method, request_body)
        else:
            await fail(client, method, request_body, code)


@pytest.mark.parametrize(
    ("method", "request_body", "code"),
    [
        ("APIKeyRevoke", {"ID": HUGE}, "notFound"),
        ("SettingsSet", {"KeepRetiredMessageSeconds": HUGE}, "user"),
    ],
)
async def test_huge_numbers_in_the_account_api(
    server: RunningServer, method: str, request_body: dict[str, Any], code: str
) -> None:
    async with server.client() as client:
        await fail(client, method, request_body, code, api="account")

"""The Idempotency-Key header on Send (an extension)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from postroom.store.idempotency import IdempotencyRecord
from postroom.store.outgoing import QueueMessage
from tests.conftest import RunningServer

SEND = "/webapi/v0/Send"
REQUEST = json.dumps({"To": [{"Address": "a@example.com"}], "Text": "x"})


async def test_same_key_replays_the_first_response(server: RunningServer) -> None:
    async with server.client() as client:
        headers = {"Idempotency-Key": "order-1"}
        first = await client.post(SEND, data={"request": REQUEST}, headers=headers)
        second = await client.post(SEND, data={"request": REQUEST}, headers=headers)
        other = await client.post(SEND, data={"request": REQUEST}, headers={"Idempotency-Key": "2"})
    assert first.status_code == second.status_code == other.status_code == 200
    assert first.content == second.content
    assert other.json()["MessageID"] != first.json()["MessageID"]
    assert await QueueMessage.all().count() == 2


async def test_same_key_with_a_different_request_is_refused(server: RunningServer) -> None:
    async with server.client() as client:
        headers = {"Idempotency-Key": "order-1"}
        await client.post(SEND, data={"request": REQUEST}, headers=headers)
        changed = REQUEST.replace('"x"', '"y"')
        response = await client.post(SEND, data={"request": changed}, headers=headers)
    assert response.status_code == 400
    assert response.json()["Code"] == "idempotencyConflict"
    assert await QueueMessage.all().count() == 1


async def test_concurrent_duplicates_queue_once(server: RunningServer) -> None:
    async with server.client() as client:
        responses = await asyncio.gather(
            *(
                client.post(SEND, data={"request": REQUEST}, headers={"Idempotency-Key": "k"})
                for _ in range(8)
            )
        )
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert await QueueMessage.all().count() == 1


async def test_keys_are_per_account_and_expire(server: RunningServer) -> None:
    async with server.client() as client:
        headers = {"Idempotency-Key": "order-1"}
        first = await client.post(SEND, data={"request": REQUEST}, headers=headers)
        # A day later the key is free again.
        record = await IdempotencyRecord.get(key="order-1")
        record.created -= timedelta(hours=25)
        await record.save()
        later = await client.post(SEND, data={"request": REQUEST}, headers=headers)
    assert later.status_code == 200
    assert later.json()["MessageID"] != first.json()["MessageID"]
    assert await IdempotencyRecord.filter(key="order-1").count() == 1


async def test_bad_key_is_refused(server: RunningServer) -> None:
    async with server.client() as client:
        response = await client.post(
            SEND, data={"request": REQUEST}, headers={"Idempotency-Key": "x" * 300}
        )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["Message"]
    assert await QueueMessage.all().count() == 0

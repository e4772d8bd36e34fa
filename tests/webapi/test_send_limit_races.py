"""Daily send limits hold under concurrent Sends: the check and the record are one step of
the write transaction, so Sends that group commit batches together cannot all pass."""

from __future__ import annotations

import asyncio
import json

import httpx

from postroom.store.outgoing import QueueMessage, RecipientRecord
from tests.conftest import RunningServer
from tests.webapi.helpers import add_account

CONCURRENT = 12
LIMIT = 4


async def _send_all(client: httpx.AsyncClient, recipients: list[str]) -> list[httpx.Response]:
    requests = [{"To": [{"Address": address}], "Text": "x"} for address in recipients]
    return await asyncio.gather(
        *(
            client.post("/webapi/v0/Send", data={"request": json.dumps(request)})
            for request in requests
        )
    )


def _outcomes(responses: list[httpx.Response]) -> tuple[int, list[tuple[int, str]]]:
    accepted = sum(1 for r in responses if r.status_code == 200)
    refused = [(r.status_code, r.json()["Code"]) for r in responses if r.status_code != 200]
    return accepted, refused


async def _limited_login(name: str, **limit: int) -> tuple[str, str]:
    """Create an account with one daily limit set; return its login and password."""
    await add_account(name, f"{name}@localhost", f"pw-{name}", **limit)
    return f"{name}@localhost", f"pw-{name}"


RECIPIENTS = [f"r{i}@example.com" for i in range(CONCURRENT)]


async def test_concurrent_sends_do_not_pass_the_message_limit(server: RunningServer) -> None:
    login = await _limited_login("limited", max_outgoing_messages_per_day=LIMIT)
    async with server.client(*login) as client:
        responses = await _send_all(client, RECIPIENTS)
    accepted, refused = _outcomes(responses)
    assert accepted == LIMIT
    assert refused == [(400, "messageLimitReached")] * (CONCURRENT - LIMIT)
    assert await QueueMessage.all().count() == LIMIT
    assert await RecipientRecord.all().count() == LIMIT


async def test_concurrent_sends_do_not_pass_the_first_time_recipient_limit(
    server: RunningServer,
) -> None:
    login = await _limited_login("fresh", max_first_time_recipients_per_day=LIMIT)
    async with server.client(*login) as client:
        responses = await _send_all(client, RECIPIENTS)
        accepted, refused = _outcomes(responses)
        assert accepted == LIMIT
        assert refused == [(400, "recipientLimitReached")] * (CONCURRENT - LIMIT)
        # Recipients already sent to are not first-time recipients: they still pass.
        rows = await QueueMessage.all()
        again = await _send_all(client, [r.recipient_address for r in rows])
    assert _outcomes(again) == (LIMIT, [])
    assert await QueueMessage.all().count() == 2 * LIMIT

"""Outgoing webhooks end to end: a Send through localserve's loopback delivery, the
outbox event, the hook, and the POST a receiver on loopback gets."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from postroom.clock import ManualClock
from postroom.hooks import new_secret
from postroom.queue import operations
from postroom.queue.filters import QueueFilter
from postroom.store.outgoing import Suppression
from postroom.store.webhook import RetiredWebhook, Webhook
from tests.hooks.conftest import START, Hooked, start_hooked
from tests.hooks.receiver import Receiver


async def test_delivered_payload_and_headers(hooked: Hooked) -> None:
    await hooked.configure(outgoing_authorization="Bearer t0ken")
    result = await hooked.send_result("someone@example.com", Extra={"order": "<7&8>"})
    (submission,) = result["Submissions"]
    await hooked.deliver()
    assert await hooked.hooks.run_once() == 1
    (request,) = hooked.receiver.on("/out")
    assert request.json() == {
        "Version": 0,
        "Event": "delivered",
        "DSN": False,
        "Suppressing": False,
        "QueueMsgID": submission["QueueMsgID"],
        "FromID": submission["FromID"],
        "MessageID": result["MessageID"],
        "Subject": "Order shipped",
        "WebhookQueued": "2026-05-01T09:00:00Z",
        "SMTPCode": 250,
        "SMTPEnhancedCode": "2.0.0",
        "Error": "",
        "Extra": {"order": "<7&8>"},
        "BounceReason": "",
    }
    # Go's HTML-safe escaping, and the keys in mox's order (docs/webhooks.md).
    assert b'"order":"\\u003c7\\u00268\\u003e"' in request.body
    assert list(request.json()) == list(json.loads(request.body))
    headers = request.headers
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["authorization"] == "Bearer t0ken"
    assert headers["x-mox-webhook-attempt"] == "1"
    hook_id = headers["x-mox-webhook-id"]
    assert headers["webhook-id"] == hook_id
    assert headers["user-agent"].startswith("postroom/")
    retired = await RetiredWebhook.get(id=int(hook_id))
    assert retired.success and retired.outgoing_event == "delivered"
    assert retired.results[0]["Code"] == 200 and retired.results[0]["Response"] == "ok"
    assert await Webhook.all().count() == 0


@pytest.mark.parametrize(
    ("recipient", "event", "code", "enhanced", "suppressing"),
    [
        ("x-permerror@example.com", "failed", 550, "5.0.0", True),
        ("y-554@example.com", "failed", 554, "5.0.0", False),
        ("x-temperror@example.com", "delayed", 451, "4.0.0", False),
    ],
)
async def test_failure_events(
    hooked: Hooked, recipient: str, event: str, code: int, enhanced: str, suppressing: bool
) -> None:
    await hooked.configure()
    (queued,) = await hooked.send(recipient)
    await hooked.deliver()
    await hooked.hooks.run_once()
    (request,) = hooked.receiver.on("/out")
    payload = request.json()
    assert (payload["Event"], payload["QueueMsgID"]) == (event, queued)
    assert (payload["SMTPCode"], payload["SMTPEnhancedCode"]) == (code, enhanced)
    assert payload["Suppressing"] is suppressing
    assert "due to special localpart" in payload["Error"]
    assert payload["DSN"] is False and payload["Extra"] == {}


async def test_suppressed_at_send(hooked: Hooked) -> None:
    await hooked.configure()
    account_id = (await hooked.runtime_account()).id
    await Suppression.create(
        account_id=account_id, base_address="gone@example.com", original_address="gone@example.com"
    )
    (queued,) = await hooked.send("gone@example.com")
    await hooked.hooks.run_once()
    (request,) = hooked.receiver.on("/out")
    payload = request.json()
    assert (payload["Event"], payload["QueueMsgID"], payload["SMTPCode"]) == (
        "suppressed", queued, 0,
    )  # fmt: skip
    assert "suppression list" in payload["Error"]


async def test_canceled_by_drop(hooked: Hooked) -> None:
    await hooked.configure()
    (queued,) = await hooked.send("someone@example.com")
    assert await operations.drop(hooked.committer, QueueFilter(ids=(queued,)), START) == 1
    await hooked.hooks.run_once()
    (request,) = hooked.receiver.on("/out")
    payload = request.json()
    assert (payload["Event"], payload["QueueMsgID"], payload["Error"]) == (
        "canceled", queued, "delivery canceled by admin",
    )  # fmt: skip


async def test_unsubscribed_events_are_not_sent(hooked: Hooked) -> None:
    await hooked.configure(outgoing_events=["failed"])
    await hooked.send("someone@example.com", "x-permerror@example.org")
    await hooked.deliver()
    await hooked.hooks.run_once()
    assert [r.json()["Event"] for r in hooked.receiver.on("/out")] == ["failed"]


async def test_signature_verifies_with_standard_webhooks(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    # The verifier checks the timestamp against the real time: run on a clock set to it.
    clock = ManualClock(datetime.now(UTC))
    runtime, addresses = await start_hooked(database_url, tmp_path, receiver, clock)
    try:
        hooked = Hooked(runtime, addresses, clock, receiver)
        await hooked.configure()
        await hooked.send("someone@example.com")
        await hooked.deliver()
        await hooked.hooks.run_once()
        secret = (await hooked.runtime_account()).webhook_secret
    finally:
        await runtime.stop()
    (request,) = receiver.on("/out")
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) >= 24
    verifier = StandardWebhook(secret)
    assert verifier.verify(request.body, request.headers) == request.json()
    with pytest.raises(WebhookVerificationError):
        verifier.verify(request.body.replace(b"delivered", b"failed"), request.headers)
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(new_secret()).verify(request.body, request.headers)

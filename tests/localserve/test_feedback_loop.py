"""The loop an application developer tests against: `postroom localserve --webhook-url`,
a Send, and the webhooks for the delivery and for the bounce that comes back later,
then the address on the suppression list — all through the real command."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from postroom.localserve import DEFAULT_LOGIN, DEFAULT_PASSWORD
from tests.hooks.receiver import Receiver
from tests.localserve.test_localserve import start_localserve


async def test_send_then_delivered_and_bounce_webhooks_then_suppressed(tmp_path: Path) -> None:
    receiver = Receiver()
    await receiver.start()
    server = await start_localserve(tmp_path / "instance", "--webhook-url", receiver.url + "/hook")
    try:
        async with httpx.AsyncClient(
            base_url=server.url, auth=(DEFAULT_LOGIN, DEFAULT_PASSWORD)
        ) as client:
            sent = await client.post(
                "/webapi/v0/Send",
                json={
                    "To": [{"Address": "bounce-7@example.com"}],
                    "Subject": "Welcome",
                    "Text": "Hi!",
                    "Extra": {"user": "7"},
                },
            )
            assert sent.status_code == 200, sent.text
            (submission,) = sent.json()["Submissions"]

            events: list[dict[str, object]] = []
            for _ in range(300):
                events = [r.json() for r in receiver.on("/hook") if "Event" in r.json()]
                if any(e["Event"] == "failed" for e in events):
                    break
                await asyncio.sleep(0.1)
            assert [e["Event"] for e in events] == ["delivered", "failed"], events
            delivered, failed = events
            for event in (delivered, failed):
                assert event["QueueMsgID"] == submission["QueueMsgID"]
                assert event["FromID"] == submission["FromID"]
                assert event["Extra"] == {"user": "7"}
            assert (delivered["DSN"], failed["DSN"], failed["Suppressing"]) == (False, True, True)
            assert (failed["SMTPCode"], failed["SMTPEnhancedCode"]) == (550, "5.1.1")
            # The bounce is not an incoming message of the application's: no Incoming hook
            # for it (the delivered copy in the local mailbox does get one).
            incoming = [r.json() for r in receiver.on("/hook") if "Event" not in r.json()]
            assert [m["Subject"] for m in incoming] == ["Welcome"]
            for request in receiver.on("/hook"):
                assert request.headers["webhook-signature"].startswith("v1,")

            listed = await client.post("/webapi/v0/SuppressionList", json={})
            (entry,) = listed.json()["Suppressions"]
            assert entry["BaseAddress"] == "bounce-7@example.com"
            again = await client.post(
                "/webapi/v0/Send",
                json={"To": [{"Address": "bounce-7@example.com"}], "Text": "Again?"},
            )
            assert again.status_code == 200
            (refused,) = again.json()["Submissions"]
            for _ in range(300):
                later = [r.json() for r in receiver.on("/hook")]
                if any(e.get("QueueMsgID") == refused["QueueMsgID"] for e in later):
                    break
                await asyncio.sleep(0.1)
            (suppressed,) = [e for e in later if e.get("QueueMsgID") == refused["QueueMsgID"]]
            assert suppressed["Event"] == "suppressed"
    finally:
        await server.stop()
        await receiver.stop()

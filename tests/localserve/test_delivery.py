"""localserve delivery: the queue delivers over SMTP to localserve's own listener, which
stores everything in the local account's mailbox except the special failure localparts."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from postroom.clock import ManualClock
from postroom.localserve import DEFAULT_ACCOUNT, DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.localserve.bootstrap import seed_database
from postroom.localserve.policy import LocalservePolicy
from postroom.queue.relay import SMTPRelayTransport
from postroom.server import Runtime, RuntimeAddresses
from postroom.store.mailbox import StoredMessage
from postroom.store.outgoing import DeliveryEvent, QueueMessage, RetiredMessage, Suppression
from tests.conftest import make_config
from tests.webapi.helpers import add_account

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


class Local:
    def __init__(self, runtime: Runtime, addresses: RuntimeAddresses, clock: ManualClock):
        self.runtime = runtime
        self.addresses = addresses
        self.clock = clock

    async def send(self, *recipients: str, login: str = DEFAULT_LOGIN) -> list[int]:
        async with httpx.AsyncClient(
            base_url=self.addresses.http_url, auth=(login, DEFAULT_PASSWORD)
        ) as client:
            response = await client.post(
                "/webapi/v0/Send",
                json={"To": [{"Address": r} for r in recipients], "Subject": "s", "Text": "x"},
            )
        assert response.status_code == 200, response.text
        return [s["QueueMsgID"] for s in response.json()["Submissions"]]

    async def deliver(self) -> int:
        assert self.runtime.queue_runner is not None
        return await self.runtime.queue_runner.run_once()


@pytest.fixture
async def local(database_url: str, tmp_path: Path) -> AsyncIterator[Local]:
    config = make_config(database_url, tmp_path, **{"delivery.timeout_seconds": 1})
    clock = ManualClock(START)
    runtime = Runtime(
        config,
        clock=clock,
        prepare=seed_database,
        transport=lambda addresses: SMTPRelayTransport(
            addresses.smtp_host, addresses.smtp_port, local_hostname="localhost",
            timeout_seconds=1,
        ),
        incoming_policy=lambda reader: LocalservePolicy(
            reader, account=DEFAULT_ACCOUNT, timeout_seconds=3
        ),
        run_queue=False,
    )  # fmt: skip
    addresses = await runtime.start()
    try:
        yield Local(runtime, addresses, clock)
    finally:
        await runtime.stop()


async def event(queue_msg_id: int) -> tuple[str, dict[str, object]]:
    (row,) = await DeliveryEvent.filter(queue_msg_id=queue_msg_id).order_by("-id").limit(1)
    return row.event, row.details


async def test_any_address_lands_in_the_local_mailbox(local: Local) -> None:
    (queued,) = await local.send("someone@example.com")
    assert await local.deliver() == 1
    retired = await RetiredMessage.get(id=queued)
    assert retired.success
    kind, details = await event(queued)
    assert (kind, details["SMTPCode"], details["SMTPEnhancedCode"]) == ("delivered", 250, "2.0.0")
    (stored,) = await StoredMessage.filter(rcpt_to="someone@example.com").prefetch_related(
        "mailbox", "account"
    )
    assert stored.mailbox.name == "Inbox" and stored.account.name == DEFAULT_ACCOUNT
    assert stored.mail_from == f"postroom+{retired.from_id}@localhost"


@pytest.mark.parametrize(
    ("recipient", "event_name", "code", "enhanced", "suppressing"),
    [
        ("x-permerror@example.com", "failed", 550, "5.0.0", True),
        ("y-554@example.com", "failed", 554, "5.0.0", False),
        ("rcpttopermerror@example.com", "failed", 550, "5.0.0", True),
        ("x-temperror@example.com", "delayed", 451, "4.0.0", False),
        ("x-452@example.com", "delayed", 452, "4.0.0", False),
    ],
)
async def test_special_localparts(
    local: Local, recipient: str, event_name: str, code: int, enhanced: str, suppressing: bool
) -> None:
    (queued,) = await local.send(recipient)
    await local.deliver()
    kind, details = await event(queued)
    assert (kind, details["SMTPCode"], details["SMTPEnhancedCode"]) == (event_name, code, enhanced)
    assert details["Suppressing"] is suppressing
    assert "due to special localpart" in str(details["Error"])
    assert await Suppression.all().count() == (1 if suppressing else 0)
    # Nothing was stored for the failed recipient; a DSN was, for permanent failures.
    assert not await StoredMessage.filter(rcpt_to=recipient).exists()
    assert await StoredMessage.filter(dsn=True).count() == (1 if event_name == "failed" else 0)
    if event_name == "delayed":
        row = await QueueMessage.get(id=queued)
        assert row.attempts == 1 and row.next_attempt > local.clock.now()


async def test_a_temporary_failure_is_retried_until_it_fails(local: Local) -> None:
    (queued,) = await local.send("x-temperror@example.com")
    for _ in range(8):
        assert await local.deliver() == 1
        row = await QueueMessage.get_or_none(id=queued)
        if row is not None:
            local.clock.advance(row.next_attempt - local.clock.now())
    assert (await event(queued))[0] == "failed"
    assert (await RetiredMessage.get(id=queued)).attempts == 8


async def test_timeout_is_a_temporary_failure_without_a_code(local: Local) -> None:
    (queued,) = await local.send("q-timeout@example.com")
    await local.deliver()
    kind, details = await event(queued)
    assert (kind, details["SMTPCode"]) == ("delayed", 0)
    assert details["Error"]


async def test_mailfrom_localparts_fail_at_mail_from(local: Local) -> None:
    def talk() -> tuple[int, bytes]:
        with smtplib.SMTP(local.addresses.smtp_host, local.addresses.smtp_port) as client:
            client.ehlo("test")
            return client.mail("mailfrom-permerror@example.org")

    code, text = await asyncio.to_thread(talk)
    assert (code, text) == (550, b"5.0.0 failure with code 550 due to special localpart")


async def test_one_transaction_with_a_refused_recipient(local: Local) -> None:
    # Without fromid login the rows share a BaseID and one transaction: the refused
    # recipient fails at RCPT TO, the others are delivered.
    await add_account("plain", "plain@localhost", DEFAULT_PASSWORD)
    ids = await local.send(
        "a@example.com", "rcpttopermerror@example.com", "b@example.com", login="plain@localhost"
    )
    assert await local.deliver() == 1
    kinds = [(await event(i))[0] for i in ids]
    assert kinds == ["delivered", "failed", "delivered"]

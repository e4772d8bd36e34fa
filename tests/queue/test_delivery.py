"""Delivery attempts, retries with backoff, retirement and their events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from postroom.queue.backoff import BASE_DELAY
from postroom.queue.submit import SOURCE_SMTP
from postroom.queue.transport import RecipientOutcome
from postroom.store.account import Account
from postroom.store.blob import MessageBlob
from postroom.store.db import Database
from postroom.store.groupcommit import Batch
from postroom.store.mailbox import Mailbox, StoredMessage
from postroom.store.outgoing import DeliveryEvent, QueueMessage, RetiredMessage, Suppression
from tests.queue.harness import (
    NO_SUCH_USER,
    OK,
    REJECTED,
    TEMPORARY,
    QueueHarness,
    queue_harness,
)


@pytest.fixture
async def harness(database: Database) -> AsyncIterator[QueueHarness]:
    async with queue_harness(database) as h:
        yield h


async def events() -> list[tuple[int, str, dict[str, object]]]:
    return [(e.queue_msg_id, e.event, e.details) for e in await DeliveryEvent.all().order_by("id")]


async def test_delivered_message_is_retired_with_its_result(harness: QueueHarness) -> None:
    (queued,) = await harness.queue(["a@example.com"], extra={"user": "7"})
    assert await harness.runner.run_once() == 1
    (delivery,) = harness.transport.deliveries
    assert delivery.recipients == ["a@example.com"]
    assert delivery.mail_from == f"sender+{queued.from_id}@localhost"
    assert delivery.data.startswith(b"Received: test\r\nFrom: <sender@localhost>")
    assert await QueueMessage.all().count() == 0
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert retired.success
    assert retired.attempts == 1
    assert retired.extra == {"user": "7"}
    assert retired.from_id == queued.from_id
    (result,) = retired.results
    assert (result["Success"], result["Code"], result["Secode"], result["Error"]) == (
        True, 250, "0.0", "",
    )  # fmt: skip
    assert await events() == [
        (
            queued.queue_msg_id,
            "delivered",
            {
                "DSN": False,
                "Suppressing": False,
                "SMTPCode": 250,
                "SMTPEnhancedCode": "2.0.0",
                "Error": "",
            },
        )
    ]


async def test_backoff_schedule_to_final_failure(harness: QueueHarness) -> None:
    harness.transport.script = lambda recipient: TEMPORARY
    (queued,) = await harness.queue(["a@example.com"])
    attempt_times = []
    for attempt in range(1, 9):
        assert await harness.runner.run_once() == 1, attempt
        attempt_times.append(harness.clock.now())
        row = await QueueMessage.get_or_none(id=queued.queue_msg_id)
        if attempt < 8:
            assert row is not None and row.attempts == attempt
            wait = row.next_attempt - harness.clock.now()
            expected = BASE_DELAY * 2 ** (attempt - 1)
            jitter = timedelta(seconds=5) * 2 ** (attempt - 1)
            assert expected - jitter <= wait <= expected + jitter, (attempt, wait)
            # Not due a second before its time.
            harness.advance(wait - timedelta(seconds=1))
            assert await harness.runner.run_once() == 0
            harness.advance(timedelta(seconds=1))
        else:
            assert row is None
    offsets = [t - attempt_times[0] for t in attempt_times]
    # 0, 7m30s, 22m30s, 52m30s, 1h52m30s, 3h52m30s, 7h52m30s, 15h52m30s (± jitter)
    assert abs(offsets[-1] - timedelta(hours=15, minutes=52, seconds=30)) < timedelta(minutes=3)
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success
    assert retired.attempts == 8
    assert [r["Code"] for r in retired.results] == [451] * 8
    kinds = [e[1] for e in await events()]
    assert kinds == ["delayed"] * 7 + ["failed"]
    # A delay notice after the fifth attempt and a failure notice at the end.
    dsns = await StoredMessage.filter(dsn=True).order_by("id").prefetch_related("blob")
    assert [d.subject for d in dsns] == ["Mail delivery delayed", "Mail delivery failed"]
    # Temporary failures never suppress.
    assert await Suppression.all().count() == 0


async def test_permanent_failure_suppresses_and_notifies(harness: QueueHarness) -> None:
    harness.transport.script = lambda recipient: NO_SUCH_USER
    (queued,) = await harness.queue(["Gone+tag@example.com"])
    await harness.runner.run_once()
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success and retired.attempts == 1
    ((_, kind, details),) = await events()
    assert kind == "failed"
    assert details == {
        "DSN": False,
        "Suppressing": True,
        "SMTPCode": 550,
        "SMTPEnhancedCode": "5.1.1",
        "Error": "550 5.1.1 no such user",
    }
    (entry,) = await Suppression.all()
    assert entry.base_address == "gone@example.com"
    assert not entry.manual
    assert entry.reason == 'delivery failure from queue with smtp code 550, enhanced code "1.1"'
    (dsn,) = await StoredMessage.filter(dsn=True).prefetch_related("blob", "mailbox")
    assert dsn.mailbox.name == "Inbox"
    text = dsn.blob.data.decode()
    assert 'Content-Type: multipart/report; report-type="delivery-status"' in text
    assert "Final-Recipient: rfc822;Gone+tag@example.com" in text
    assert "Action: failed" in text
    assert "Status: 5.1.1" in text
    assert "Diagnostic-Code: smtp; 550 5.1.1 no such user" in text
    assert "Message-Id: <m@localhost>" in text  # the original header section


async def test_third_consecutive_failure_suppresses(harness: QueueHarness) -> None:
    harness.transport.script = lambda recipient: REJECTED
    for round_number in range(1, 4):
        await harness.queue(["z-554@example.com"])
        await harness.runner.run_once()
        harness.advance(timedelta(minutes=1))
        assert await Suppression.all().count() == (1 if round_number == 3 else 0)
    (entry,) = await Suppression.all()
    assert entry.reason == "delivery failure from queue and three consecutive failures"


async def test_a_group_shares_one_transaction_with_results_per_recipient(
    harness: QueueHarness,
) -> None:
    outcomes = {"a@example.com": OK, "b@example.com": NO_SUCH_USER, "c@example.com": TEMPORARY}
    harness.transport.script = lambda recipient: outcomes.get(recipient, OK)
    queued = await harness.queue(
        ["a@example.com", "b@example.com", "c@example.com", "d@example.org"], fromid=False
    )
    assert await harness.runner.run_once() == 2
    by_domain = {d.recipients[0].split("@")[1]: d for d in harness.transport.deliveries}
    assert by_domain["example.com"].recipients == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]
    assert by_domain["example.org"].recipients == ["d@example.org"]
    kinds = {e[0]: e[1] for e in await events()}
    ids = [q.queue_msg_id for q in queued]
    assert [kinds[i] for i in ids] == ["delivered", "failed", "delayed", "delivered"]
    (left,) = await QueueMessage.all()
    assert left.id == ids[2] and left.attempts == 1 and left.lease_token is None


async def test_one_delivery_at_a_time_per_domain(database: Database) -> None:
    async with queue_harness(database, max_deliveries=10) as harness:
        for _ in range(3):
            await harness.queue(["a@example.com"])
        await harness.queue(["b@example.org"])
        # Three separate messages to example.com (fromid: no shared transaction): one
        # per claim round, while example.org goes alongside.
        assert await harness.runner.run_once() == 2
        assert await harness.runner.run_once() == 1
        assert await harness.runner.run_once() == 1
        assert await harness.runner.run_once() == 0


async def test_the_next_delivery_does_not_wait_for_an_outcome_to_be_written(
    database: Database,
) -> None:
    """A delivery slot is free again once its SMTP transaction ends; the outcome commits
    meanwhile (the rows stay leased until then)."""
    async with queue_harness(database, max_deliveries=1) as harness:
        await harness.queue(["a@one.example"])
        await harness.queue(["b@two.example"])
        writer_free = asyncio.Event()
        started_while_writing: list[bool] = []

        async def hold_the_writer(batch: Batch) -> None:
            await writer_free.wait()

        holding: list[asyncio.Task[None]] = []

        def script(recipient: str) -> RecipientOutcome:
            if not holding:
                # The first outcome queues behind this unit, so it cannot commit yet.
                holding.append(asyncio.create_task(harness.committer.run(hold_the_writer)))
            else:
                started_while_writing.append(not writer_free.is_set())
                writer_free.set()
            return OK

        harness.transport.script = script
        try:
            assert await asyncio.wait_for(harness.runner.run_once(), 30) == 2
        finally:
            writer_free.set()  # (so that a failure ends instead of hanging)
        await holding[0]
        assert started_while_writing == [True]
        assert await QueueMessage.all().count() == 0
        assert await RetiredMessage.all().count() == 2


async def test_without_retention_nothing_is_kept(database: Database) -> None:
    async with queue_harness(database, keep_retired=timedelta(0)) as harness:
        await harness.queue(["a@example.com"])
        await harness.runner.run_once()
        assert await RetiredMessage.all().count() == 0
        assert [e[1] for e in await events()] == ["delivered"]


async def test_dsn_goes_to_the_sender_accounts_inbox(harness: QueueHarness) -> None:
    harness.transport.script = lambda recipient: NO_SUCH_USER
    await harness.queue(["x@example.com"])
    await harness.runner.run_once()
    inbox = await Mailbox.get(account_id=harness.account.id, name="Inbox")
    assert await StoredMessage.filter(mailbox_id=inbox.id, dsn=True).count() == 1


async def test_webapi_senders_with_a_webhook_get_no_dsn(harness: QueueHarness) -> None:
    await Account.filter(id=harness.account.id).update(outgoing_webhook_url="http://hook.test/")
    harness.transport.script = lambda recipient: NO_SUCH_USER
    await harness.queue(["x@example.com"])
    await harness.queue(["y@example.org"], source=SOURCE_SMTP)
    await harness.runner.run_once()
    inbox = await Mailbox.get(account_id=harness.account.id, name="Inbox")
    (dsn,) = await StoredMessage.filter(mailbox_id=inbox.id, dsn=True)
    # Only the SMTP-submitted message's failure is reported by DSN; both by event.
    assert b"y@example.org" in (await MessageBlob.get(id=dsn.blob_id)).data
    events = await DeliveryEvent.filter(event="failed").count()
    assert events == 2

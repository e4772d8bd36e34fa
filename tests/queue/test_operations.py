"""Operator operations: hold rules, hold/release, retry, fail, drop, listing with keyset
pagination, and cleanup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from postroom.queue import operations
from postroom.queue.claim import claim_due
from postroom.queue.cleanup import clean_up
from postroom.queue.filters import Cursor, PageRequest, QueueFilter, RetiredFilter, SortField
from postroom.queue.holdrules import add_hold_rule, list_hold_rules, remove_hold_rule
from postroom.queue.retired import list_retired
from postroom.store.blob import MessageBlob
from postroom.store.db import Database
from postroom.store.mailbox import StoredMessage
from postroom.store.outgoing import DeliveryEvent, QueueMessage, RetiredMessage
from tests.queue.harness import QueueHarness, queue_harness


@pytest.fixture
async def harness(database: Database) -> AsyncIterator[QueueHarness]:
    async with queue_harness(database) as h:
        yield h


async def test_hold_rules_match_on_all_their_fields(harness: QueueHarness) -> None:
    await harness.queue(["a@held.example"])
    await harness.queue(["b@other.example"])
    rule, held = await add_hold_rule(harness.committer, recipient_domain="Held.Example")
    assert held == 1
    # New messages are held when any rule matches; the rest are not.
    await harness.queue(["c@held.example"])
    await harness.queue(["d@another.example"])
    held_rows = await QueueMessage.filter(hold=True).order_by("id")
    assert [r.recipient_address for r in held_rows] == ["a@held.example", "c@held.example"]
    # A rule with two fields needs both: this one matches nothing queued.
    _, held = await add_hold_rule(
        harness.committer, account="nobody", recipient_domain="other.example"
    )
    assert held == 0
    assert await harness.runner.run_once() == 2
    assert {d.recipients[0] for d in harness.transport.deliveries} == {
        "b@other.example",
        "d@another.example",
    }
    # Removing a rule releases nothing; releasing makes the messages due.
    assert await remove_hold_rule(harness.committer, rule.id)
    assert await harness.runner.run_once() == 0
    assert await operations.release(harness.committer, QueueFilter(hold=True)) == 2
    assert await harness.runner.run_once() == 1  # one domain at a time
    assert await harness.runner.run_once() == 1
    assert rule.id not in [r.id for r in await list_hold_rules()]


async def test_an_empty_rule_pauses_everything(harness: QueueHarness) -> None:
    await add_hold_rule(harness.committer)
    await harness.queue(["a@x.example"])
    assert await harness.runner.run_once() == 0
    assert await QueueMessage.filter(hold=True).count() == 1


async def test_hold_release_and_retry_now(harness: QueueHarness) -> None:
    queued = [await harness.queue([f"r{n}@d{n}.example"]) for n in range(3)]
    ids = tuple(q[0].queue_msg_id for q in queued)
    assert await operations.hold(harness.committer, QueueFilter(ids=ids[:2])) == 2
    assert await harness.runner.run_once() == 1
    assert await operations.release(harness.committer, QueueFilter(ids=ids[:1])) == 1
    # Scheduled for later, then brought forward.
    later = harness.clock.now() + timedelta(hours=1)
    assert (
        await operations.set_next_attempt(
            harness.committer, QueueFilter(ids=ids[:1]), later, harness.clock.now()
        )
        == 1
    )
    assert await harness.runner.run_once() == 0
    assert (
        await operations.add_next_attempt(
            harness.committer, QueueFilter(ids=ids[:1]), -timedelta(hours=1), harness.clock.now()
        )
        == 1
    )
    assert await harness.runner.run_once() == 1


async def test_fail_and_drop(harness: QueueHarness) -> None:
    (failed,) = await harness.queue(["a@x.example"], extra={"k": "v"})
    (dropped,) = await harness.queue(["b@y.example"])
    now = harness.clock.now()
    assert (
        await operations.fail(
            harness.committer, QueueFilter(ids=(failed.queue_msg_id,)), now, "localhost"
        )
        == 1
    )
    assert (
        await operations.drop(harness.committer, QueueFilter(recipient_domain="y.example"), now)
        == 1
    )
    assert await QueueMessage.all().count() == 0
    events = {e.queue_msg_id: e for e in await DeliveryEvent.all()}
    assert events[failed.queue_msg_id].event == "failed"
    assert events[failed.queue_msg_id].details["Error"] == "delivery canceled by admin"
    assert events[dropped.queue_msg_id].event == "canceled"
    # Only the failure sends a DSN.
    assert await StoredMessage.filter(dsn=True).count() == 1
    retired = await RetiredMessage.get(id=failed.queue_msg_id)
    assert retired.extra == {"k": "v"} and not retired.success


async def test_operations_leave_leased_rows_alone(harness: QueueHarness) -> None:
    (queued,) = await harness.queue(["a@x.example"])
    now = harness.clock.now()
    await harness.committer.run(
        lambda batch: claim_due(
            batch, now=now, lease_until=now + timedelta(minutes=5), max_groups=1
        )
    )
    every = QueueFilter()
    assert await operations.drop(harness.committer, every, now) == 0
    assert await operations.set_next_attempt(harness.committer, every, now, now) == 0
    assert await QueueMessage.exists(id=queued.queue_msg_id)


async def test_transport_and_require_tls(harness: QueueHarness) -> None:
    await harness.queue(["a@x.example"])
    assert await operations.set_transport(harness.committer, QueueFilter(), "smarthost") == 1
    assert await operations.set_require_tls(harness.committer, QueueFilter(), True) == 1
    rows, _ = await operations.list_queue(
        harness.committer, QueueFilter(transport="smarthost"), PageRequest()
    )
    assert [(r.transport, r.require_tls) for r in rows] == [("smarthost", True)]


async def test_keyset_pages_are_stable_under_concurrent_inserts(harness: QueueHarness) -> None:
    for n in range(25):
        await harness.queue([f"r{n}@d{n}.example"])
        harness.clock.advance(timedelta(seconds=1))
    seen: list[int] = []
    cursor: Cursor | None = None
    pages = 0
    while True:
        page = PageRequest(limit=10, sort=SortField.QUEUED, after=cursor)
        rows, cursor = await operations.list_queue(harness.committer, QueueFilter(), page)
        seen.extend(r.id for r in rows)
        pages += 1
        # Inserts while paging land after the end (later queued time): no row is
        # shown twice and none of the original ones is skipped.
        await asyncio.gather(*(harness.queue([f"new{pages}-{n}@late.example"]) for n in range(3)))
        if cursor is None or pages > 20:
            break
    assert len(seen) == len(set(seen))
    original = {r.id for r in await QueueMessage.filter(recipient_domain__not="late.example")}
    assert original <= set(seen)
    # Descending order pages the other way.
    rows, _ = await operations.list_queue(
        harness.committer,
        QueueFilter(recipient_domain="d0.example"),
        PageRequest(sort=SortField.QUEUED, ascending=False),
    )
    assert [r.recipient for r in rows] == ["r0@d0.example"]
    with pytest.raises(Exception, match="invalid page cursor"):
        Cursor.decode("not-a-cursor")
    assert Cursor.decode(Cursor(value=harness.clock.now(), id=7).encode()).id == 7


async def test_retired_listing_and_cleanup(harness: QueueHarness) -> None:
    for n in range(3):
        await harness.queue([f"r{n}@d{n}.example"])
    while await harness.runner.run_once():
        harness.clock.advance(timedelta(seconds=1))
    rows, _ = await list_retired(
        harness.database.reader, harness.database.dialect.value, RetiredFilter(success=True),
        PageRequest(limit=2, ascending=False),
    )  # fmt: skip
    assert len(rows) == 2 and rows[0].last_activity >= rows[1].last_activity
    assert all(r.account == "sender" for r in rows)
    # Nothing has expired yet; the blobs are no longer used by any queue row.
    counts = await clean_up(harness.committer, harness.clock.now())
    assert counts.retired == 0 and counts.blobs == 0  # within the grace period
    harness.clock.advance(timedelta(days=8))
    counts = await clean_up(harness.committer, harness.clock.now())
    assert counts.retired == 3
    assert counts.blobs == 3
    assert await MessageBlob.all().count() == 0
    assert await RetiredMessage.all().count() == 0

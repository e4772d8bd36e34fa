"""Leases: a claimed row belongs to one live worker; a dead worker's rows come back."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from postroom.queue.claim import claim_due
from postroom.queue.outcome import INTERRUPTED, OutcomeSettings, record_outcomes
from postroom.queue.relay import SMTPRelayTransport
from postroom.queue.runner import QueueRunner, RunnerSettings
from postroom.queue.transport import Delivery, RecipientOutcome
from postroom.store.db import Database
from postroom.store.outgoing import QueueMessage, RetiredMessage
from tests.queue.harness import OK, QueueHarness, queue_harness


@pytest.fixture
async def harness(database: Database) -> AsyncIterator[QueueHarness]:
    async with queue_harness(database) as h:
        yield h


async def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(
    harness: QueueHarness,
) -> None:
    await harness.queue(["a@example.com"])
    now = harness.clock.now()
    lease = timedelta(minutes=5)

    async def claim(at: datetime) -> list[Any]:
        return await harness.committer.run(
            lambda batch: claim_due(batch, now=at, lease_until=at + lease, max_groups=10)
        )

    (first,) = await claim(now)
    assert await claim(now) == []
    assert await claim(now + lease - timedelta(seconds=1)) == []
    (second,) = await claim(now + lease)
    assert second.token != first.token
    # The first worker's late outcome changes nothing: its lease is gone.
    events = await harness.committer.run(
        lambda batch: record_outcomes(
            batch, first, [OK], message=b"", started=now, now=now + lease,
            settings=OutcomeSettings(hostname="localhost", rng=random.Random()),
        )
    )  # fmt: skip
    assert events == []
    row = await QueueMessage.get(id=first.rows[0]["id"])
    assert row.lease_token == second.token
    assert row.attempts == 2


async def test_concurrent_claims_never_share_a_row(harness: QueueHarness) -> None:
    for n in range(30):
        await harness.queue([f"r{n}@d{n}.example"])
    now = harness.clock.now()
    results = await asyncio.gather(
        *(
            harness.committer.run(
                lambda batch: claim_due(
                    batch, now=now, lease_until=now + timedelta(minutes=5), max_groups=4
                )
            )
            for _ in range(12)
        )
    )
    ids = [row["id"] for groups in results for group in groups for row in group.rows]
    assert len(ids) == len(set(ids)) == 30


class _StallingSink:
    """An SMTP server that holds its reply to the first DATA until released, and counts
    the messages it has accepted."""

    def __init__(self) -> None:
        self.data_started = asyncio.Event()
        self.release = asyncio.Event()
        self.accepted: list[bytes] = []
        self._stalled = False

    async def handle_DATA(  # noqa: N802 (aiosmtpd finds hooks by this name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if not self._stalled:
            self._stalled = True
            self.data_started.set()
            await self.release.wait()
            return "451 4.3.0 gone"
        assert isinstance(envelope.content, bytes)
        self.accepted.append(envelope.content)
        return "250 2.0.0 accepted"


async def test_killed_worker_leaves_the_row_to_be_delivered_exactly_once(
    database_url: str, database: Database
) -> None:
    sink = _StallingSink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    worker = None
    try:
        async with queue_harness(database) as harness:
            (queued,) = await harness.queue(["a@example.com"])
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.queue.worker_process", database_url, str(port),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            await asyncio.wait_for(sink.data_started.wait(), 60)
            worker.send_signal(signal.SIGKILL)
            assert await asyncio.wait_for(worker.wait(), 30) == -signal.SIGKILL
            sink.release.set()

            row = await QueueMessage.get(id=queued.queue_msg_id)
            assert row.attempts == 1 and row.lease_token is not None
            # The dead worker's lease runs on the real clock; move ours to its end.
            harness.clock.advance(row.next_attempt - harness.clock.now() - timedelta(seconds=1))
            transport = SMTPRelayTransport("127.0.0.1", port, local_hostname="test")
            runner = QueueRunner(
                harness.committer, database.reader, transport, harness.clock,
                RunnerSettings(hostname="localhost"),
            )  # fmt: skip
            assert await runner.run_once() == 0  # still leased
            harness.clock.advance(timedelta(seconds=1))
            assert await runner.run_once() == 1
            await transport.close()
    finally:
        if worker is not None and worker.returncode is None:
            worker.kill()
        server.close()
        await server.wait_closed()
    assert len(sink.accepted) == 1
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert retired.success
    assert [r["Error"] for r in retired.results] == [INTERRUPTED, ""]
    assert retired.attempts == 2


async def test_stopping_gives_back_claims_not_started(database: Database) -> None:
    async with queue_harness(database, max_deliveries=1) as harness:
        for n in range(3):
            await harness.queue([f"r{n}@d{n}.example"])
        release = asyncio.Event()

        async def slow(delivery: Delivery) -> list[RecipientOutcome]:
            await release.wait()
            return [OK for _ in delivery.recipients]

        harness.transport.deliver = slow  # type: ignore[method-assign]
        harness.runner.start()
        # One delivery runs and one more claimed group waits in the runner's backlog
        # (it claims up to two rounds' worth: two groups for one delivery slot).
        for _ in range(500):
            if await QueueMessage.filter(lease_token__isnull=False).count() == 2:
                break
            await asyncio.sleep(0.01)
        assert await QueueMessage.filter(lease_token__isnull=False).count() == 2
        stopping = asyncio.create_task(harness.runner.stop())
        await asyncio.sleep(0)
        release.set()
        await stopping
        rows = await QueueMessage.all().order_by("id")
        assert [(r.attempts, r.lease_token) for r in rows] == [(0, None), (0, None)]
        assert all(r.next_attempt <= harness.clock.now() for r in rows)

"""A queue under test: real database and group commit, a manual clock, and a scripted
transport that answers per recipient the way a remote SMTP server would."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from postroom.auth import find_login_address, hash_password
from postroom.clock import ManualClock
from postroom.mail import Address, parse_address
from postroom.queue.runner import QueueRunner, RunnerSettings
from postroom.queue.submit import (
    SOURCE_WEBAPI,
    OutgoingRecipient,
    QueuedRecipient,
    Submission,
    enqueue,
)
from postroom.queue.suppression import check_recipients
from postroom.queue.transport import Delivery, RecipientOutcome
from postroom.store.account import Domain
from postroom.store.db import Database
from postroom.store.groupcommit import GroupCommitter
from postroom.store.provision import NewAddress, create_account, create_domain
from postroom.store.records import AccountRecord

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MESSAGE = b"From: <sender@localhost>\r\nSubject: test\r\nMessage-Id: <m@localhost>\r\n\r\nbody\r\n"

OK = RecipientOutcome(success=True, code=250, secode="0.0")
TEMPORARY = RecipientOutcome(success=False, code=451, secode="3.0", error="451 4.3.0 try later")
NO_SUCH_USER = RecipientOutcome(
    success=False, permanent=True, code=550, secode="1.1", error="550 5.1.1 no such user"
)
REJECTED = RecipientOutcome(
    success=False, permanent=True, code=554, secode="0.0", error="554 5.0.0 rejected"
)


@dataclass
class ScriptedTransport:
    """Answers each recipient with `script(recipient)`; remembers every transaction."""

    script: Callable[[str], RecipientOutcome] = lambda recipient: OK
    deliveries: list[Delivery] = field(default_factory=list)

    async def deliver(self, delivery: Delivery) -> list[RecipientOutcome]:
        self.deliveries.append(delivery)
        return [self.script(r) for r in delivery.recipients]


@dataclass
class QueueHarness:
    database: Database
    committer: GroupCommitter
    clock: ManualClock
    transport: ScriptedTransport
    runner: QueueRunner
    account: AccountRecord

    async def queue(
        self,
        recipients: Sequence[str],
        *,
        fromid: bool = True,
        extra: dict[str, str] | None = None,
        prefix: bytes = b"Received: test\r\n",
        source: str = SOURCE_WEBAPI,
    ) -> list[QueuedRecipient]:
        addresses = [parse_address(r) for r in recipients]
        bases, suppressed = await check_recipients(self.account.id, addresses, self.database.reader)
        submission = Submission(
            account=self.account,
            sender=Address(localpart="sender", domain="localhost"),
            fromid_separator="+" if fromid else "",
            recipients=[
                OutgoingRecipient(address=a, base_address=b)
                for a, b in zip(addresses, bases, strict=True)
            ],
            msg_prefixes=[prefix] * len(addresses),
            message=MESSAGE,
            has_8bit=False,
            smtputf8=False,
            message_id="<m@localhost>",
            subject="test",
            extra=extra or {},
            suppressed=suppressed,
            source=source,
        )
        now = self.clock.now()
        return await self.committer.run(lambda batch: enqueue(batch, submission, now))

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)


@asynccontextmanager
async def queue_harness(
    database: Database, *, keep_retired: timedelta = timedelta(days=7), max_deliveries: int = 10
) -> AsyncIterator[QueueHarness]:
    domain = await Domain.get_or_none(name="localhost") or await create_domain("localhost", ["+"])
    await create_account(
        name="sender",
        password_hash=hash_password("unused-password"),
        addresses=[NewAddress(domain=domain, localpart="sender", fromid_login=True)],
        keep_retired_messages_seconds=int(keep_retired.total_seconds()),
    )
    login = await find_login_address(parse_address("sender@localhost"), database.reader)
    assert login is not None
    clock = ManualClock(START)
    committer = GroupCommitter(database)
    committer.start()
    transport = ScriptedTransport()
    runner = QueueRunner(
        committer,
        database.reader,
        transport,
        clock,
        RunnerSettings(hostname="localhost", max_deliveries=max_deliveries),
        rng=random.Random(1),
    )
    try:
        yield QueueHarness(
            database=database,
            committer=committer,
            clock=clock,
            transport=transport,
            runner=runner,
            account=login.account,
        )
    finally:
        await runner.stop()
        await committer.stop()

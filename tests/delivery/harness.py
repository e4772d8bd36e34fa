"""A queue delivering through the real outbound stack (DKIM signing, routes, direct MX
delivery) to scripted loopback MTAs, with DNS answered by a StaticResolver."""

from __future__ import annotations

import random
import ssl
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trustme

from postroom.auth import find_login_address, hash_password
from postroom.clock import ManualClock
from postroom.config import Config, load_config
from postroom.mail import Address, parse_address
from postroom.queue.dkimkeys import DKIMKeyStore
from postroom.queue.outbound import OutboundTransport, dkim_keys
from postroom.queue.runner import QueueRunner, RunnerSettings
from postroom.queue.submit import OutgoingRecipient, QueuedRecipient, Submission, enqueue
from postroom.queue.suppression import check_recipients
from postroom.resolver import StaticResolver
from postroom.store.db import Database
from postroom.store.groupcommit import GroupCommitter
from postroom.store.outgoing import DeliveryEvent
from postroom.store.provision import NewAddress, create_account, create_domain
from postroom.store.records import AccountRecord
from tests.delivery.mta import MTA, Fleet

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SENDER_DOMAIN = "sender.test"
MESSAGE = (
    b"From: Sender <sender@sender.test>\r\nTo: <someone@example.test>\r\n"
    b"Subject: Your order has shipped\r\nMessage-Id: <m1@sender.test>\r\n"
    b"Date: Sun, 1 Mar 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    b"Hello,\r\n\r\nyour order  is on its way.  \r\n\r\n\r\n"
)
TIMEOUTS = {
    "delivery.greeting_timeout_seconds": 2,
    "delivery.command_timeout_seconds": 1,
    "delivery.data_timeout_seconds": 2,
}


@dataclass
class Certificates:
    ca: trustme.CA
    client: ssl.SSLContext
    """Trusts the test CA only: what verified TLS checks against."""

    def server(self, *names: str) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*names).configure_cert(context)
        return context


def certificates() -> Certificates:
    ca = trustme.CA()
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return Certificates(ca=ca, client=client)


@dataclass
class DeliveryHarness:
    database: Database
    committer: GroupCommitter
    clock: ManualClock
    resolver: StaticResolver
    fleet: Fleet
    outbound: OutboundTransport
    runner: QueueRunner
    account: AccountRecord
    keys: DKIMKeyStore
    config: Config

    def publish_mx(self, domain: str, *hosts: tuple[int, str, MTA]) -> None:
        """MX records for `domain`: (preference, host name, the MTA it resolves to)."""
        self.resolver.mx_records[domain] = [(p, name) for p, name, _ in hosts]
        for _, name, mta in hosts:
            self.resolver.a_records[name] = [mta.address]

    async def queue(
        self,
        recipients: Sequence[str],
        *,
        message: bytes = MESSAGE,
        smtputf8: bool = False,
        require_tls: bool | None = None,
        fromid: bool = True,
    ) -> list[QueuedRecipient]:
        """Without fromids, several recipients share one MAIL FROM and so one
        transaction (docs/architecture.md)."""
        addresses = [parse_address(r) for r in recipients]
        bases, suppressed = await check_recipients(self.account.id, addresses, self.database.reader)
        submission = Submission(
            account=self.account,
            sender=Address(localpart="sender", domain=SENDER_DOMAIN),
            fromid_separator="+" if fromid else "",
            recipients=[
                OutgoingRecipient(address=a, base_address=b)
                for a, b in zip(addresses, bases, strict=True)
            ],
            msg_prefixes=[b"Received: from test\r\n"] * len(addresses),
            message=message,
            has_8bit=any(byte > 127 for byte in message),
            smtputf8=smtputf8,
            message_id="<m1@sender.test>",
            subject="Your order has shipped",
            require_tls=require_tls,
            suppressed=suppressed,
        )
        now = self.clock.now()
        return await self.committer.run(lambda batch: enqueue(batch, submission, now))


async def events() -> list[tuple[int, str, dict[str, Any]]]:
    return [(e.queue_msg_id, e.event, e.details) for e in await DeliveryEvent.all().order_by("id")]


def harness_config(data_dir: Path, **overrides: object) -> Config:
    settings: dict[str, object] = {
        "hostname": "postroom.sender.test",
        "data_dir": str(data_dir),
        **TIMEOUTS,
        **overrides,
    }
    return load_config(None, env={}, overrides=settings)


@asynccontextmanager
async def delivery_harness(
    database: Database,
    fleet: Fleet,
    data_dir: Path,
    *,
    config: Config | None = None,
    verify_context: ssl.SSLContext | None = None,
) -> AsyncIterator[DeliveryHarness]:
    config = config or harness_config(data_dir)
    domain = await create_domain(SENDER_DOMAIN, ["+"])
    await create_account(
        name="sender",
        password_hash=hash_password("unused-password"),
        addresses=[NewAddress(domain=domain, localpart="sender", fromid_login=True)],
        keep_retired_messages_seconds=7 * 86400,
    )
    login = await find_login_address(parse_address("sender@sender.test"), database.reader)
    assert login is not None
    clock = ManualClock(START)
    resolver = StaticResolver()
    committer = GroupCommitter(database)
    committer.start()
    outbound = OutboundTransport(
        config,
        clock,
        resolver=resolver,
        verify_context=verify_context,
        direct_port=fleet.port,
        rng=random.Random(1),
    )
    runner = QueueRunner(
        committer,
        database.reader,
        outbound,
        clock,
        RunnerSettings(hostname=config.hostname, max_deliveries=config.delivery.max_concurrent),
        rng=random.Random(1),
    )
    try:
        yield DeliveryHarness(
            database=database,
            committer=committer,
            clock=clock,
            resolver=resolver,
            fleet=fleet,
            outbound=outbound,
            runner=runner,
            account=login.account,
            keys=dkim_keys(config),
            config=config,
        )
    finally:
        await runner.stop()
        await outbound.close()
        await committer.stop()

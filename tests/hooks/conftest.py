"""A localserve-like Postroom with a manual clock, both runners driven by the test,
and a webhook receiver on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from postroom.clock import ManualClock
from postroom.hooks import (
    AddressPolicy,
    HookRunner,
    HookRunnerSettings,
    WebhookSettings,
    configure_webhooks,
)
from postroom.localserve import DEFAULT_ACCOUNT, DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.localserve.bootstrap import seed_database
from postroom.localserve.policy import LocalservePolicy
from postroom.localserve.reports import ReportSender
from postroom.queue.relay import SMTPRelayTransport
from postroom.server import Runtime, RuntimeAddresses
from postroom.store.account import Account
from postroom.store.groupcommit import GroupCommitter
from postroom.store.outgoing import QueueMessage
from postroom.store.reader import Reader
from tests.conftest import make_config
from tests.hooks.receiver import Receiver

LOOPBACK = AddressPolicy(allow_private=True)
"""The receiver is on loopback."""
START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
SETTINGS = HookRunnerSettings(
    max_concurrent=8, per_url=4, timeout=timedelta(seconds=0.5), lease=timedelta(seconds=60)
)


@dataclass
class Hooked:
    runtime: Runtime
    addresses: RuntimeAddresses
    clock: ManualClock
    receiver: Receiver

    @property
    def committer(self) -> GroupCommitter:
        assert self.runtime.webapi is not None
        return self.runtime.webapi.committer

    @property
    def hooks(self) -> HookRunner:
        assert self.runtime.hook_runner is not None
        return self.runtime.hook_runner

    async def configure(self, **settings: object) -> None:
        values: dict[str, object] = {"outgoing_url": self.receiver.url + "/out", **settings}
        settings_ = WebhookSettings(**values)  # type: ignore[arg-type]
        await configure_webhooks(self.committer, DEFAULT_ACCOUNT, settings_, policy=LOOPBACK)

    async def send(self, *recipients: str, **fields: object) -> list[int]:
        result = await self.send_result(*recipients, **fields)
        return [s["QueueMsgID"] for s in result["Submissions"]]

    async def send_result(self, *recipients: str, **fields: object) -> dict[str, Any]:
        async with httpx.AsyncClient(
            base_url=self.addresses.http_url, auth=(DEFAULT_LOGIN, DEFAULT_PASSWORD)
        ) as client:
            response = await client.post(
                "/webapi/v0/Send",
                json={
                    "To": [{"Address": r} for r in recipients],
                    "Subject": "Order shipped",
                    "Text": "x",
                    **fields,
                },
            )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def queue_row(self, queue_msg_id: int) -> QueueMessage:
        return await QueueMessage.get(id=queue_msg_id)

    def reader_and_dialect(self) -> tuple[Reader, str]:
        database = self.runtime.database
        assert database is not None
        return database.reader, database.dialect.value

    async def runtime_account(self) -> Account:
        return await Account.get(name=DEFAULT_ACCOUNT)

    async def deliver(self) -> int:
        assert self.runtime.queue_runner is not None
        return await self.runtime.queue_runner.run_once()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


async def start_hooked(
    database_url: str,
    tmp_path: Path,
    receiver: Receiver,
    clock: ManualClock,
    reports: ReportSender | None = None,
) -> tuple[Runtime, RuntimeAddresses]:
    """A localserve-like runtime; simulated reports go out through `reports`, if given
    (connect it to the returned SMTP address)."""
    config = make_config(database_url, tmp_path, **{"delivery.timeout_seconds": 2})
    runtime = Runtime(
        config,
        clock=clock,
        prepare=seed_database,
        transport=lambda addresses: SMTPRelayTransport(
            addresses.smtp_host, addresses.smtp_port, local_hostname="localhost",
            timeout_seconds=2,
        ),
        incoming_policy=lambda reader: LocalservePolicy(
            reader, account=DEFAULT_ACCOUNT, timeout_seconds=3,
            reports=reports, clock=clock,
        ),
        run_queue=False,
        run_hooks=False,
        hook_settings=SETTINGS,
    )  # fmt: skip
    return runtime, await runtime.start()


@pytest.fixture
async def hooked(database_url: str, tmp_path: Path, receiver: Receiver) -> AsyncIterator[Hooked]:
    clock = ManualClock(START)
    runtime, addresses = await start_hooked(database_url, tmp_path, receiver, clock)
    try:
        yield Hooked(runtime, addresses, clock, receiver)
    finally:
        await runtime.stop()

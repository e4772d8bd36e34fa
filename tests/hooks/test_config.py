"""The [webhooks] settings reach the running webhook sender."""

from __future__ import annotations

import time
from pathlib import Path

from postroom.clock import ManualClock
from postroom.localserve.bootstrap import seed_database
from postroom.queue import operations
from postroom.queue.filters import QueueFilter
from postroom.server import Runtime
from postroom.store.webhook import Webhook
from tests.conftest import make_config
from tests.hooks.conftest import START, Hooked, receiver
from tests.hooks.receiver import Answer, Receiver

__all__ = ["receiver"]  # a fixture, used by name


async def test_configured_timeout_applies(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    config = make_config(database_url, tmp_path, **{"webhooks.timeout_seconds": 1})
    clock = ManualClock(START)
    runtime = Runtime(config, clock=clock, prepare=seed_database, run_queue=False, run_hooks=False)
    addresses = await runtime.start()
    try:
        hooked = Hooked(runtime, addresses, clock, receiver)
        await hooked.configure()
        receiver.script = lambda request: Answer(delay_seconds=4)
        await hooked.send("someone@example.com")
        # Dropping the message emits `canceled`: one hook, no delivery needed.
        assert await operations.drop(hooked.committer, QueueFilter(), clock.now()) == 1
        started = time.monotonic()
        assert await hooked.hooks.run_once() == 1
        assert time.monotonic() - started < 3
        (hook,) = await Webhook.all()
        (result,) = hook.results
        assert "timeout" in str(result["Error"]).lower()
    finally:
        await runtime.stop()

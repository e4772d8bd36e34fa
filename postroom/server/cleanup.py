"""Running the queue's and the webhooks' cleanup now and then: shortly after start,
then hourly."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from postroom.clock import Clock
from postroom.hooks import clean_up_hooks
from postroom.queue.cleanup import clean_up
from postroom.store.groupcommit import GroupCommitter

log = logging.getLogger(__name__)

FIRST_RUN_SECONDS = 5.0
INTERVAL_SECONDS = 3600.0


class PeriodicCleanup:
    def __init__(self, committer: GroupCommitter, clock: Clock) -> None:
        self._committer = committer
        self._clock = clock
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="cleanup")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        delay = FIRST_RUN_SECONDS
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            if self._stop.is_set():
                return
            try:
                now = self._clock.now()
                counts = await clean_up(self._committer, now)
                log.info("cleanup: %s", counts)
                hook_counts = await clean_up_hooks(self._committer, now)
                log.info("cleanup: %s", hook_counts)
            except Exception:
                log.exception("cleanup failed; trying again in an hour")
            delay = INTERVAL_SECONDS

"""Group commit: concurrent units of work share one transaction, so one fsync serves many.

A request hands its unit (an async function that writes through the given
connection) to the `GroupCommitter` and waits. A single writer task takes all
waiting units, runs each inside its own savepoint of one transaction, commits,
and only then answers every waiter. A unit that raises is rolled back to its
savepoint and gets its exception; the others still commit. If the commit itself
fails, every unit of the batch gets a `StoreError` and nothing was written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.store.db import Database
from postroom.store.errors import StoreError

T = TypeVar("T")
Work = Callable[[BaseDBAsyncClient], Awaitable[Any]]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Unit:
    work: Work
    done: asyncio.Future[Any]
    outcome: tuple[bool, Any] = field(default=(False, None))


class GroupCommitter:
    """Batches concurrent write transactions. Start it before use and stop it at shutdown."""

    def __init__(self, database: Database, *, max_batch: int = 128) -> None:
        self._database = database
        self._max_batch = max_batch
        self._pending: list[_Unit] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.commits = 0
        """Transactions committed so far (each serves one or more units)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        """Commit what is waiting, then end the writer task."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def run(self, work: Callable[[BaseDBAsyncClient], Awaitable[T]]) -> T:
        """Run `work` in the next group transaction; return its result once committed."""
        if self._task is None or self._stopping:
            raise StoreError("the database writer is not running")
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append(_Unit(work=work, done=done))
        self._wake.set()
        # Shielded: a caller that goes away (a client disconnect) must not cancel a
        # unit that may already be part of a committed batch.
        result: T = await asyncio.shield(done)
        return result

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                await self._commit(batch)
            if self._stopping:
                return

    async def _commit(self, batch: list[_Unit]) -> None:
        try:
            async with self._database.connection()._in_transaction() as connection:
                for unit in batch:
                    unit.outcome = await self._run_unit(connection, unit)
        except Exception as exc:
            log.exception("group commit of %d units failed", len(batch))
            for unit in batch:
                if not unit.done.done():
                    unit.done.set_exception(StoreError(f"transaction: {exc}"))
            return
        self.commits += 1
        for unit in batch:
            if unit.done.done():
                continue
            ok, value = unit.outcome
            if ok:
                unit.done.set_result(value)
            else:
                unit.done.set_exception(value)

    @staticmethod
    async def _run_unit(connection: BaseDBAsyncClient, unit: _Unit) -> tuple[bool, Any]:
        try:
            async with connection._in_transaction() as savepoint:
                return True, await unit.work(savepoint)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return False, exc

"""Group commit: concurrent units of work share one transaction, so one fsync serves many.

A request hands its unit (an async function that writes through the connection of
the `Batch` it is given) to the `GroupCommitter` and waits. A single writer task takes all
waiting units, runs them in one transaction, commits, and only then answers every
waiter. If a unit raises, the whole transaction is rolled back and each unit of the
batch is run again in a transaction of its own, so the failing unit fails alone and
the others commit. (Savepoints per unit would do the same, but cost two statements
per unit on the common path where nothing fails.) Units must therefore be safe to
run twice: they may only change the database through the connection they are given.
If a commit fails, every unit of the transaction gets a `StoreError`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.store import sql
from postroom.store.db import Database
from postroom.store.errors import StoreError
from postroom.store.ids import ID_SPACES, IdAllocator

T = TypeVar("T")


class Batch:
    """What a unit of work gets: the transaction's connection, values loaded once per
    transaction for all its units (such as the hold rules every Send consults), IDs
    from reserved blocks, and inserts and deletes that are sent as one statement per
    table when the transaction ends (a database round trip costs more than the row)."""

    def __init__(
        self,
        connection: BaseDBAsyncClient,
        allocators: dict[str, IdAllocator],
        *,
        grouped: bool = False,
    ) -> None:
        self.connection = connection
        self._allocators = allocators
        self._grouped = grouped
        self._loaded: dict[str, Any] = {}
        self._inserts: dict[tuple[str, tuple[str, ...]], list[Sequence[Any]]] = {}
        self._deletes: dict[tuple[str, tuple[str, ...]], list[Sequence[Any]]] = {}

    async def once(self, key: str, load: Callable[[BaseDBAsyncClient], Awaitable[T]]) -> T:
        """`load(connection)`, run at most once per transaction for each `key`."""
        if key not in self._loaded:
            self._loaded[key] = await load(self.connection)
        value: T = self._loaded[key]
        return value

    async def new_ids(self, space: str, count: int) -> list[int]:
        """`count` fresh IDs of an ID space (see `store.ids`)."""
        return await self._allocators[space].take(self.connection, count)

    def insert(self, table: str, columns: Sequence[str], values: Sequence[Any]) -> None:
        """Insert a row when the transaction ends. Values must be encoded for the
        database (`store.sql`). Tables are written in the order first seen, so add a
        parent row before the rows that refer to it."""
        self._inserts.setdefault((table, tuple(columns)), []).append(values)

    async def delete_row(self, table: str, key: Mapping[str, Any]) -> bool:
        """Delete the row of `table` whose columns have the values of `key`; True if
        there was one.

        In a transaction of several units the answer is assumed, not asked: the rows are
        deleted by one statement when the transaction ends, and if any of them was gone
        (a queue row whose lease another worker took over, say), the transaction fails
        and every unit is run again in a transaction of its own, where the delete is
        done at once and the answer is exact. A round trip per row would otherwise be
        most of the cost of recording a delivery."""
        columns, values = tuple(key), tuple(key.values())
        if self._grouped:
            self._deletes.setdefault((table, columns), []).append(values)
            return True
        return await self._delete(table, columns, [values]) == 1

    async def flush(self) -> None:
        """Run the deferred deletes, then the deferred inserts."""
        for (table, columns), keys in self._deletes.items():
            await self._delete_all(table, columns, keys)
        self._deletes.clear()
        for (table, columns), rows in self._inserts.items():
            statement = (
                f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' for _ in columns)})"
            )
            await self.connection.execute_many(
                sql.render(statement, sql.dialect(self.connection)), [list(r) for r in rows]
            )
        self._inserts.clear()

    async def _delete_all(
        self, table: str, columns: tuple[str, ...], keys: list[Sequence[Any]]
    ) -> None:
        # Chunks keep the statement within every database's limit on parameters.
        per_statement = max(1, 500 // len(columns))
        for start in range(0, len(keys), per_statement):
            chunk = keys[start : start + per_statement]
            count = await self._delete(table, columns, chunk)
            if count != len(chunk):
                raise RowsGoneError(
                    f"{len(chunk) - count} of {len(chunk)} rows of {table} to delete were gone"
                )

    async def _delete(
        self, table: str, columns: tuple[str, ...], keys: Sequence[Sequence[Any]]
    ) -> int:
        """Delete the rows with these keys in one statement; return how many there were."""
        row = "(" + " AND ".join(f"{column} = ?" for column in columns) + ")"
        statement = sql.render(
            f"DELETE FROM {table} WHERE {' OR '.join(row for _ in keys)}",
            sql.dialect(self.connection),
        )
        count, _ = await self.connection.execute_query(
            statement, [value for key in keys for value in key]
        )
        return int(count)


Work = Callable[[Batch], Awaitable[Any]]


class Committer(Protocol):
    """Runs units of work in group transactions: the `GroupCommitter` of this process,
    or the link to the process that writes (`server.process.ParentLink`), which needs
    units that pickle: instances of module-level classes, not closures."""

    async def run(self, work: Callable[[Batch], Awaitable[T]]) -> T:
        """Run `work` in the next group transaction; return its result once committed."""
        ...


log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Unit:
    work: Work
    done: asyncio.Future[Any]


class GroupCommitter:
    """Batches concurrent write transactions. Start it before use and stop it at shutdown."""

    def __init__(self, database: Database, *, max_batch: int = 128) -> None:
        self._database = database
        self._max_batch = max_batch
        self._pending: list[_Unit] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._allocators = {space: IdAllocator(space) for space in ID_SPACES}
        self.commits = 0
        """Transactions committed so far (each serves one or more units)."""
        self.units = 0
        """Units committed so far; units / commits is the average batch size."""

    @property
    def waiting(self) -> int:
        """Units waiting for the next transaction."""
        return len(self._pending)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        """Commit what is waiting, then end the writer task."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def run(self, work: Callable[[Batch], Awaitable[T]]) -> T:
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
        outcomes = await self._transaction(batch)
        if outcomes is not None and all(ok for ok, _ in outcomes):
            self._answer(batch, outcomes)
            return
        if len(batch) == 1:
            self._answer(batch, outcomes or [(False, StoreError("transaction failed"))])
            return
        for unit in batch:
            outcome = await self._transaction([unit])
            self._answer([unit], outcome or [(False, StoreError("transaction failed"))])

    async def _transaction(self, batch: list[_Unit]) -> list[tuple[bool, Any]] | None:
        """Run `batch` in one transaction. None if it was rolled back for a unit's error."""
        outcomes: list[tuple[bool, Any]] = []
        checkpoints = {space: a.checkpoint() for space, a in self._allocators.items()}
        try:
            async with self._database.write_transaction() as connection:
                scope = Batch(connection, self._allocators, grouped=len(batch) > 1)
                for unit in batch:
                    try:
                        outcomes.append((True, await unit.work(scope)))
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:
                        outcomes.append((False, exc))
                        raise _UnitFailedError from exc
                try:
                    await scope.flush()
                except Exception as exc:
                    # A deferred insert failed (a unique key, say): which unit's row it
                    # was is unknown, so the caller runs the units one by one.
                    outcomes = [(False, exc)] * len(batch)
                    raise _UnitFailedError from exc
        except _UnitFailedError:
            self._restore(checkpoints)
            return outcomes if len(batch) == 1 else None
        except Exception as exc:
            self._restore(checkpoints)
            log.exception("group commit of %d units failed", len(batch))
            return [(False, StoreError(f"transaction: {exc}"))] * len(batch)
        self.commits += 1
        self.units += len(batch)
        return outcomes

    def _restore(self, checkpoints: dict[str, tuple[int, int]]) -> None:
        for space, checkpoint in checkpoints.items():
            self._allocators[space].restore(checkpoint)

    @staticmethod
    def _answer(batch: list[_Unit], outcomes: list[tuple[bool, Any]]) -> None:
        for unit, (ok, value) in zip(batch, outcomes, strict=True):
            if unit.done.done():
                continue
            if ok:
                unit.done.set_result(value)
            else:
                unit.done.set_exception(value)


class RowsGoneError(StoreError):
    """Rows a group transaction was to delete were gone when it ended (`Batch.delete_row`):
    its units are run again one by one."""


class _UnitFailedError(Exception):
    """Internal: a unit raised, so its transaction must roll back."""

"""The SQLite connection of the group-commit writer: statements run on the event loop's thread.

Through aiosqlite every statement is a round trip to a worker thread and back through
the event loop. With the loop busy delivering mail, that round trip took about a
millisecond, and a group transaction spent most of its time waiting between its own
statements (docs/architecture.md, "Storage": the SQLite writer). Those statements are
short (indexed, on few rows): run where the transaction runs, they cost microseconds.

Two steps can wait for longer, and they do not block the loop:

- COMMIT, whose fsync (synchronous=FULL) runs on a thread of its own;
- taking the write lock, which another process (a CLI command, another node's role)
  may hold: BEGIN IMMEDIATE is tried without waiting and tried again after a growing
  sleep until `busy_timeout` has passed.

The class offers the part of aiosqlite's connection that Tortoise's SQLite transaction
uses, so ORM calls with `using_db=` work on it unchanged.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection, *, busy_timeout: float) -> None:
        self._connection = connection
        self._busy_timeout = busy_timeout
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-commit")
        self.lock = asyncio.Lock()
        """Held for the length of each transaction: one at a time on a connection."""

    @classmethod
    def open(
        cls, path: str, pragmas: Mapping[str, str], *, busy_timeout: float
    ) -> InlineConnection:
        # timeout=0: a busy database answers at once, and `begin_immediate` decides how
        # long to wait. check_same_thread=False: COMMIT runs on the commit thread.
        connection = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
        connection.row_factory = sqlite3.Row
        for name, value in pragmas.items():
            connection.execute(f"PRAGMA {name}={value}")
        return cls(connection, busy_timeout=busy_timeout)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._committer, self._connection.close)
        self._committer.shutdown()

    async def begin_immediate(self) -> None:
        """Begin a transaction that holds the write lock (see `Database.write_transaction`)."""
        deadline = time.monotonic() + self._busy_timeout
        delay = 0.001
        while True:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def commit(self) -> None:
        loop = asyncio.get_running_loop()
        done = loop.run_in_executor(self._committer, self._connection.execute, "COMMIT")
        try:
            await asyncio.shield(done)
        except asyncio.CancelledError:
            # The COMMIT goes on in its thread: the connection is not free until it ends.
            await asyncio.wait([done])
            raise

    async def rollback(self) -> None:
        # Nothing is open after a COMMIT that ran although its waiter was cancelled.
        if self._connection.in_transaction:
            self._connection.execute("ROLLBACK")

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self._connection.execute(sql, tuple(parameters))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        return self._connection.executemany(sql, parameters)

    async def executescript(self, script: str) -> sqlite3.Cursor:
        return self._connection.executescript(script)

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        return self._connection.execute(sql, tuple(parameters)).fetchall()

    async def execute_insert(self, sql: str, parameters: Iterable[Any] = ()) -> Any:
        cursor = self._connection.execute(sql, tuple(parameters))
        return cursor.execute("SELECT last_insert_rowid()").fetchone()

    @property
    def total_changes(self) -> int:
        return self._connection.total_changes

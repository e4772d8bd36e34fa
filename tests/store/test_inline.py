"""The SQLite writer connection: waiting for the write lock never blocks the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from postroom.store.db import Database, Dialect
from postroom.store.inline import InlineConnection


@pytest.fixture
def sqlite_path(database: Database) -> str:
    if database.dialect is not Dialect.SQLITE:
        pytest.skip("SQLite's locking")
    return urlsplit(database.url).path


@contextlib.contextmanager
def write_lock_held_elsewhere(path: str, seconds: float) -> Iterator[None]:
    """Another connection (as another process would) holds the write lock for `seconds`."""
    taken = threading.Event()

    def hold() -> None:
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            taken.set()
            time.sleep(seconds)
            other.execute("ROLLBACK")

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait()
    try:
        yield
    finally:
        thread.join()


async def ticks_while(work: asyncio.Future[object] | asyncio.Task[object]) -> int:
    ticks = 0
    while not work.done():
        ticks += 1
        await asyncio.sleep(0.01)
    return ticks


async def test_begin_waits_for_the_lock_while_the_loop_runs(sqlite_path: str) -> None:
    writer = InlineConnection.open(sqlite_path, {"journal_mode": "WAL"}, busy_timeout=5)
    try:
        with write_lock_held_elsewhere(sqlite_path, 0.3):
            started = time.monotonic()
            begin = asyncio.ensure_future(writer.begin_immediate())
            ticks = await ticks_while(begin)
            await begin
            waited = time.monotonic() - started
        await writer.execute("INSERT INTO admin_setting (name, value) VALUES ('x', '')")
        await writer.commit()
    finally:
        await writer.close()
    assert waited >= 0.2
    assert ticks >= 10, "the event loop was blocked while the lock was held elsewhere"


async def test_begin_gives_up_after_the_busy_timeout(sqlite_path: str) -> None:
    writer = InlineConnection.open(sqlite_path, {"journal_mode": "WAL"}, busy_timeout=0.2)
    try:
        with write_lock_held_elsewhere(sqlite_path, 1.0):
            started = time.monotonic()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await writer.begin_immediate()
            assert 0.2 <= time.monotonic() - started < 0.9
        # The lock is free again: the connection is usable.
        await writer.begin_immediate()
        await writer.rollback()
    finally:
        await writer.close()


async def test_rollback_after_a_commit_is_harmless(sqlite_path: str) -> None:
    """A transaction whose COMMIT finished although its waiter was cancelled is rolled
    back by Tortoise's context: there is nothing left to roll back."""
    writer = InlineConnection.open(sqlite_path, {}, busy_timeout=1)
    try:
        await writer.begin_immediate()
        await writer.execute("INSERT INTO admin_setting (name, value) VALUES ('y', '')")
        commit = asyncio.ensure_future(writer.commit())
        await asyncio.sleep(0)
        commit.cancel()
        with pytest.raises(asyncio.CancelledError):
            await commit
        await writer.rollback()
        rows = await writer.execute_fetchall("SELECT name FROM admin_setting WHERE name = 'y'")
    finally:
        await writer.close()
    assert [row["name"] for row in rows] == ["y"]


def test_statements_need_no_thread_hop(tmp_path: Path) -> None:
    """Statements finish inside the awaiting coroutine's first step: no other task runs
    between them (what makes a group transaction cost microseconds per statement)."""
    path = str(tmp_path / "inline.db")

    async def main() -> list[str]:
        writer = InlineConnection.open(path, {"journal_mode": "WAL"}, busy_timeout=1)
        order: list[str] = []

        async def other() -> None:
            order.append("other task")

        try:
            await writer.execute("CREATE TABLE t (n INTEGER)")
            task = asyncio.create_task(other())
            for n in range(3):
                await writer.execute("INSERT INTO t VALUES (?)", [n])
                order.append(f"insert {n}")
            await task
        finally:
            await writer.close()
        return order

    assert asyncio.run(main()) == ["insert 0", "insert 1", "insert 2", "other task"]

"""Readers: the connection hot-path reads go through, apart from the writer's.

On SQLite, a plain aiosqlite connection of its own. Tortoise serializes every
statement of a connection behind an asyncio lock, one round trip to the database
thread at a time (~5,000 statements/s); aiosqlite alone queues statements to its
thread without waiting, and WAL lets this connection read while the group-commit
writer holds a transaction. On PostgreSQL, Tortoise's pool already runs queries
concurrently, so the reader uses it.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Protocol

import aiosqlite
from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.store.sql import render


class Reader(Protocol):
    async def fetch(self, sql: str, values: list[Any]) -> list[dict[str, Any]]:
        """Rows of a `?`-placeholder query as dicts, values as Tortoise stores them."""
        ...


class SQLiteReader:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    @classmethod
    async def open(cls, path: str) -> SQLiteReader:
        connection = await aiosqlite.connect(path)
        connection.row_factory = sqlite3.Row
        await connection.execute("PRAGMA busy_timeout = 10000")
        await connection.execute("PRAGMA query_only = 1")
        return cls(connection)

    async def fetch(self, sql: str, values: list[Any]) -> list[dict[str, Any]]:
        rows = await self._connection.execute_fetchall(sql, values)
        return [dict(row) for row in rows]

    async def close(self) -> None:
        await self._connection.close()


class PoolReader:
    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self._connection = connection

    async def fetch(self, sql: str, values: list[Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._connection.execute_query_dict(
            render(sql, "postgres"), values
        )
        return rows

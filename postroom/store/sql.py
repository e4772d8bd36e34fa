"""Hand-written SQL for hot paths, portable between SQLite and PostgreSQL.

The ORM builds each query in Python (~0.2 ms per query); the few queries every Send
runs are written here instead, once, with `?` placeholders, and rendered as `$1, $2, …`
for asyncpg. The SQL itself must be accepted by both databases. Values are encoded
the way Tortoise stores them, so ORM and raw access see the same rows: on SQLite,
datetimes as `str(datetime)` and JSON as compact text; on PostgreSQL, native types.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient


def dialect(connection: BaseDBAsyncClient) -> str:
    name: str = connection.capabilities.dialect
    return name


@functools.cache
def render(sql: str, dialect_name: str) -> str:
    if dialect_name != "postgres":
        return sql
    counter = iter(range(1, 10_000))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


async def fetch(connection: BaseDBAsyncClient, sql: str, values: list[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await connection.execute_query_dict(
        render(sql, dialect(connection)), values
    )
    return rows


async def execute(connection: BaseDBAsyncClient, sql: str, values: list[Any]) -> int:
    """Run an UPDATE or DELETE; return the number of rows it changed. (For an INSERT,
    Tortoise's asyncpg client reports the OID, not the count: use RETURNING instead.)"""
    count, _ = await connection.execute_query(render(sql, dialect(connection)), values)
    return int(count)


async def insert_returning_id(connection: BaseDBAsyncClient, sql: str, values: list[Any]) -> int:
    """Run an INSERT … RETURNING id (SQLite ≥ 3.35 and PostgreSQL both accept it)."""
    rows = await fetch(connection, sql, values)
    return int(rows[0]["id"])


def encode_datetime(connection: BaseDBAsyncClient, value: datetime | None) -> Any:
    if value is None or dialect(connection) == "postgres":
        return value
    return str(value)


def encode_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def decode_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def decode_bool(value: Any) -> bool:
    return bool(value)

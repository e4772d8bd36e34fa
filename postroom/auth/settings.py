"""Server-wide settings kept in the database (table `admin_setting`): their names, and
reading and writing them."""

from __future__ import annotations

from postroom.store import sql
from postroom.store.groupcommit import Batch

ADMIN_PASSWORD_HASH = "admin_password_hash"
"""The hash of the admin password of the admin API (username `admin`)."""


async def write_setting(batch: Batch, name: str, value: str) -> None:
    connection = batch.connection
    changed = await sql.execute(
        connection, "UPDATE admin_setting SET value = ? WHERE name = ?", [value, name]
    )
    if not changed:
        await sql.execute(
            connection, "INSERT INTO admin_setting (name, value) VALUES (?, ?)", [name, value]
        )


async def read_setting(batch: Batch, name: str) -> str:
    rows = await sql.fetch(
        batch.connection, "SELECT value FROM admin_setting WHERE name = ?", [name]
    )
    return str(rows[0]["value"]) if rows else ""

"""IDs for rows that hot paths insert in bulk, handed out from blocks reserved in the database.

The group-commit writer inserts a whole batch's message blobs and queue rows with one
statement per table; for that it must know their IDs before inserting, which an
auto-increment column cannot tell it. So each ID space has a row in `id_block` with
the next free ID, and a writer reserves a block of IDs with one atomic
`UPDATE … RETURNING` (SQLite ≥ 3.35 and PostgreSQL both accept it). Blocks are
disjoint, so several writers (processes, nodes) never hand out the same ID; IDs are
unique and increasing per writer, with gaps after a restart.

Every insert into a table with an ID space must take its ID from here: the table's
own auto-increment sequence is not kept in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from postroom.store import sql

ID_SPACES: dict[str, tuple[str, ...]] = {
    "queue_message": ("queue_message", "retired_message"),
    "message_blob": ("message_blob",),
    "stored_message": ("stored_message",),
    "webhook": ("webhook", "retired_webhook"),
}
"""ID space name → the tables whose IDs come from it (queue and retired rows share one,
and so do webhooks and retired webhooks; incoming and outgoing hooks share one, as in
mox)."""


class IdBlock(Model):
    """The next unreserved ID of one ID space."""

    name = fields.CharField(max_length=64, primary_key=True)
    next_id = fields.BigIntField()

    class Meta:
        table = "id_block"


@dataclass(slots=True)
class _Range:
    next: int = 0
    end: int = 0


class IdAllocator:
    """Hands out IDs of one space from reserved blocks. Used only by one writer task."""

    def __init__(self, space: str, *, block_size: int = 100) -> None:
        if space not in ID_SPACES:
            raise ValueError(f"unknown ID space {space!r}")
        self.space = space
        self._block_size = block_size
        self._range = _Range()

    def checkpoint(self) -> tuple[int, int]:
        return self._range.next, self._range.end

    def restore(self, checkpoint: tuple[int, int]) -> None:
        """Undo what was handed out (and reserved) since `checkpoint`: its transaction
        rolled back, so neither the rows nor the reservations exist."""
        self._range.next, self._range.end = checkpoint

    async def take(self, connection: BaseDBAsyncClient, count: int) -> list[int]:
        ids: list[int] = []
        while len(ids) < count:
            if self._range.next >= self._range.end:
                size = max(self._block_size, count - len(ids))
                end = await self._reserve(connection, size)
                self._range.next, self._range.end = end - size, end
            take = min(count - len(ids), self._range.end - self._range.next)
            ids.extend(range(self._range.next, self._range.next + take))
            self._range.next += take
        return ids

    async def _reserve(self, connection: BaseDBAsyncClient, size: int) -> int:
        """Reserve `size` IDs; return the end (exclusive) of the reserved range."""
        for _ in range(2):
            rows = await sql.fetch(
                connection,
                "UPDATE id_block SET next_id = next_id + ? WHERE name = ? RETURNING next_id",
                [size, self.space],
            )
            if rows:
                return int(rows[0]["next_id"])
            # First use (or first use after an upgrade): start after every existing row.
            # Writers starting together may all get here; ON CONFLICT lets one insert win
            # and the others go on to reserve after it. ("WHERE true" is how SQLite tells
            # the SELECT's end from the ON CONFLICT clause.)
            highest = " UNION ALL ".join(
                f"SELECT COALESCE(MAX(id), 0) AS m FROM {table}" for table in ID_SPACES[self.space]
            )
            await sql.fetch(
                connection,
                "INSERT INTO id_block (name, next_id)"
                f" SELECT ?, MAX(m) + 1 FROM ({highest}) AS highest WHERE true"
                " ON CONFLICT (name) DO NOTHING RETURNING next_id",
                [self.space],
            )
        raise RuntimeError(f"cannot reserve IDs of space {self.space}")

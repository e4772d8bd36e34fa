"""Operator operations on the queue: list, hold, release, retry, reschedule, fail, drop,
change transport or RequireTLS — each on a filter, each returning how many rows it
changed. The CLI uses them now and the admin API later.

Rows a worker is delivering (a live lease) are left alone by the operations that
would change their fate (retry, fail, drop): the worker's outcome decides, and the
operation can be repeated afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from postroom.dsn import Action
from postroom.queue.envelope import row_sender
from postroom.queue.events import EventDetails, QueueEvent
from postroom.queue.filters import (
    Cursor,
    PageRequest,
    QueueFilter,
    SortField,
    as_datetime,
    page_clause,
    queue_where,
)
from postroom.queue.outcome import previous_results, send_dsn
from postroom.queue.results import AttemptResult
from postroom.queue.retire import insert_retired, keep_retired_for, record_event
from postroom.store import sql
from postroom.store.groupcommit import Batch, GroupCommitter

CANCELED_BY_ADMIN = "delivery canceled by admin"
_NOT_LEASED = "(lease_token IS NULL OR next_attempt <= ?)"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedMessage:
    """A queue row as operators see it."""

    id: int
    base_id: int
    queued: datetime
    account: str
    sender: str
    recipient: str
    from_id: str
    hold: bool
    attempts: int
    next_attempt: datetime
    last_attempt: datetime | None
    results: tuple[AttemptResult, ...]
    transport: str
    require_tls: bool | None
    message_id: str
    subject: str
    size: int
    extra: dict[str, str]


def _view(row: dict[str, Any]) -> QueuedMessage:
    return QueuedMessage(
        id=int(row["id"]),
        base_id=int(row["base_id"]),
        queued=as_datetime(row["queued"]),
        account=str(row["account_name"]),
        sender=row_sender(row),
        recipient=str(row["recipient_address"]),
        from_id=str(row["from_id"] or ""),
        hold=bool(row["hold"]),
        attempts=int(row["attempts"]),
        next_attempt=as_datetime(row["next_attempt"]),
        last_attempt=as_datetime(row["last_attempt"]) if row["last_attempt"] else None,
        results=tuple(AttemptResult.from_json(r) for r in sql.decode_json(row["results"]) or []),
        transport=str(row["transport"]),
        require_tls=None if row["require_tls"] is None else bool(row["require_tls"]),
        message_id=str(row["message_id"]),
        subject=str(row["subject"]),
        size=int(row["size"]),
        extra={str(k): str(v) for k, v in (sql.decode_json(row["extra"]) or {}).items()},
    )


async def list_queue(
    committer: GroupCommitter, f: QueueFilter, page: PageRequest
) -> tuple[list[QueuedMessage], Cursor | None]:
    """One page of matching queue rows, and the cursor of the next page (None at the end)."""
    if page.sort is SortField.LAST_ACTIVITY:
        page = PageRequest(limit=page.limit, ascending=page.ascending, after=page.after)

    async def read(batch: Batch) -> list[dict[str, Any]]:
        where = queue_where(sql.dialect(batch.connection), f)
        tail = page_clause(where, page)
        return await sql.fetch(
            batch.connection,
            "SELECT q.*, (SELECT name FROM account WHERE account.id = q.account_id)"
            f" AS account_name FROM queue_message q WHERE {where.sql()}{tail}",
            where.values,
        )

    rows = await committer.run(read)
    views = [_view(row) for row in rows]
    cursor = None
    if len(views) == max(1, min(page.limit, 10_000)):
        last = views[-1]
        value = last.next_attempt if page.sort is SortField.NEXT_ATTEMPT else last.queued
        cursor = Cursor(value=value, id=last.id)
    return views, cursor


async def _update(committer: GroupCommitter, f: QueueFilter, assignment: str, *values: Any) -> int:
    async def run(batch: Batch) -> int:
        where = queue_where(sql.dialect(batch.connection), f)
        return await sql.execute(
            batch.connection,
            f"UPDATE queue_message SET {assignment} WHERE {where.sql()}",
            [*values, *where.values],
        )

    return await committer.run(run)


async def hold(committer: GroupCommitter, f: QueueFilter) -> int:
    return await _update(committer, f, "hold = ?", True)


async def release(committer: GroupCommitter, f: QueueFilter) -> int:
    """Take rows off hold. Their next attempt is unchanged, so overdue rows go at once."""
    return await _update(committer, f, "hold = ?", False)


async def set_transport(committer: GroupCommitter, f: QueueFilter, transport: str) -> int:
    return await _update(committer, f, "transport = ?", transport)


async def set_require_tls(committer: GroupCommitter, f: QueueFilter, value: bool | None) -> int:
    return await _update(committer, f, "require_tls = ?", value)


async def _matching_unleased(batch: Batch, f: QueueFilter, now: datetime) -> list[dict[str, Any]]:
    where = queue_where(sql.dialect(batch.connection), f)
    where.add(_NOT_LEASED, sql.encode_datetime(batch.connection, now))
    return await sql.fetch(
        batch.connection,
        f"SELECT * FROM queue_message WHERE {where.sql()} ORDER BY id",
        where.values,
    )


async def set_next_attempt(
    committer: GroupCommitter, f: QueueFilter, when: datetime, now: datetime
) -> int:
    """Schedule matching rows for `when` (retry now: `when` = now)."""

    async def run(batch: Batch) -> int:
        where = queue_where(sql.dialect(batch.connection), f)
        where.add(_NOT_LEASED, sql.encode_datetime(batch.connection, now))
        return await sql.execute(
            batch.connection,
            f"UPDATE queue_message SET next_attempt = ?, lease_token = NULL WHERE {where.sql()}",
            [sql.encode_datetime(batch.connection, when), *where.values],
        )

    return await committer.run(run)


async def add_next_attempt(
    committer: GroupCommitter, f: QueueFilter, delta: timedelta, now: datetime
) -> int:
    """Move matching rows' next attempt by `delta` (may be negative)."""

    async def run(batch: Batch) -> int:
        changed = 0
        for row in await _matching_unleased(batch, f, now):
            when = as_datetime(row["next_attempt"]) + delta
            changed += await sql.execute(
                batch.connection,
                "UPDATE queue_message SET next_attempt = ? WHERE id = ? AND " + _NOT_LEASED,
                [
                    sql.encode_datetime(batch.connection, when),
                    row["id"],
                    sql.encode_datetime(batch.connection, now),
                ],
            )
        return changed

    return await committer.run(run)


async def fail(committer: GroupCommitter, f: QueueFilter, now: datetime, hostname: str) -> int:
    """Give up on matching rows: failure DSN to the sender, `failed` event, retired."""
    return await _finish(committer, f, now, hostname, QueueEvent.FAILED)


async def drop(committer: GroupCommitter, f: QueueFilter, now: datetime) -> int:
    """Remove matching rows without a DSN: `canceled` event, retired."""
    return await _finish(committer, f, now, "", QueueEvent.CANCELED)


async def _finish(
    committer: GroupCommitter, f: QueueFilter, now: datetime, hostname: str, event: QueueEvent
) -> int:
    async def run(batch: Batch) -> int:
        finished = 0
        when = sql.encode_datetime(batch.connection, now)
        for row in await _matching_unleased(batch, f, now):
            deleted = await sql.execute(
                batch.connection,
                "DELETE FROM queue_message WHERE id = ? AND " + _NOT_LEASED,
                [row["id"], when],
            )
            if deleted != 1:
                continue
            result = AttemptResult(start=now, error=CANCELED_BY_ADMIN)
            results = [*previous_results(row, row["last_attempt"]), result]
            if event is QueueEvent.FAILED:
                blobs = await sql.fetch(
                    batch.connection,
                    "SELECT data FROM message_blob WHERE id = ?",
                    [row["blob_id"]],
                )
                message = bytes(blobs[0]["data"]) if blobs else b""
                await send_dsn(batch, row, Action.FAILED, result, message, now, hostname)
            keep = await keep_retired_for(batch, int(row["account_id"]))
            insert_retired(batch, row, results=results, success=False, keep_for=keep, now=now)
            record_event(
                batch,
                account_id=int(row["account_id"]),
                queue_msg_id=int(row["id"]),
                event=event,
                details=EventDetails(error=CANCELED_BY_ADMIN),
                now=now,
                message=row,
            )
            finished += 1
        return finished

    return await committer.run(run)

"""Operator operations on webhooks (docs/admin-api.md): list queued and retired hooks, retry
now, cancel — each on a filter. The CLI uses them now and the admin API later.

Filters match when all their non-empty fields match; an empty filter matches every
hook. Listing pages by keyset ("after the sort value and ID of the last row seen"),
never by OFFSET. Hooks being sent right now (a live lease) are left alone by retry
and cancel: the attempt decides, and the operation can be repeated afterwards.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postroom.hooks.accounts import account_hooks
from postroom.hooks.results import CANCELED_BY_ADMIN, HookResult
from postroom.hooks.store import insert_retired, row_results
from postroom.queue.filters import Cursor, Where, as_datetime, keyset_clause
from postroom.store import sql
from postroom.store.groupcommit import Batch, GroupCommitter
from postroom.store.reader import Reader

INCOMING = "incoming"
"""The event name that selects incoming hooks in a filter (as in mox)."""
_NOT_LEASED = "(lease_token IS NULL OR next_attempt <= ?)"
MAX_PAGE = 10_000


class HookSort(enum.StrEnum):
    NEXT_ATTEMPT = "next_attempt"
    SUBMITTED = "submitted"
    LAST_ACTIVITY = "last_activity"


@dataclass(frozen=True, slots=True, kw_only=True)
class HookFilter:
    ids: tuple[int, ...] = ()
    account: str = ""
    """Account name."""
    event: str = ""
    """An outgoing event name, or `incoming`."""
    incoming: bool | None = None
    queue_msg_id: int = 0
    submitted_before: datetime | None = None
    submitted_after: datetime | None = None
    next_attempt_before: datetime | None = None
    """Queued hooks only."""
    next_attempt_after: datetime | None = None
    last_activity_before: datetime | None = None
    """Retired hooks only."""
    last_activity_after: datetime | None = None
    success: bool | None = None
    """Retired hooks only."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HookPage:
    limit: int = 100
    sort: HookSort = HookSort.NEXT_ATTEMPT
    ascending: bool = True
    after: Cursor | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedHook:
    """A queued webhook as operators see it."""

    id: int
    account: str
    is_incoming: bool
    event: str
    queue_msg_id: int
    from_id: str
    message_id: str
    subject: str
    url: str
    authorization: bool
    submitted: datetime
    attempts: int
    next_attempt: datetime
    results: tuple[HookResult, ...]
    payload: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RetiredHook:
    """A retired webhook as operators see it."""

    id: int
    account: str
    is_incoming: bool
    event: str
    queue_msg_id: int
    from_id: str
    message_id: str
    subject: str
    url: str
    authorization: bool
    submitted: datetime
    attempts: int
    success: bool
    superseded_by_id: int
    last_activity: datetime
    keep_until: datetime
    results: tuple[HookResult, ...]
    payload: str


def _where(dialect: str, f: HookFilter, *, retired: bool) -> Where:
    where = Where(dialect)
    if f.ids:
        where.add(f"id IN ({', '.join('?' for _ in f.ids)})", *f.ids)
    if f.account:
        where.add("account_id IN (SELECT id FROM account WHERE name = ?)", f.account)
    if f.event == INCOMING:
        where.add("is_incoming = ?", True)
    elif f.event:
        where.add("outgoing_event = ? AND is_incoming = ?", f.event, False)
    if f.incoming is not None:
        where.add("is_incoming = ?", f.incoming)
    if f.queue_msg_id:
        where.add("queue_msg_id = ?", f.queue_msg_id)
    if f.submitted_before:
        where.add("submitted < ?", where.time(f.submitted_before))
    if f.submitted_after:
        where.add("submitted > ?", where.time(f.submitted_after))
    if retired:
        if f.last_activity_before:
            where.add("last_activity < ?", where.time(f.last_activity_before))
        if f.last_activity_after:
            where.add("last_activity > ?", where.time(f.last_activity_after))
        if f.success is not None:
            where.add("success = ?", f.success)
    else:
        if f.next_attempt_before:
            where.add("next_attempt < ?", where.time(f.next_attempt_before))
        if f.next_attempt_after:
            where.add("next_attempt > ?", where.time(f.next_attempt_after))
    return where


def _page_clause(where: Where, page: HookPage) -> str:
    return keyset_clause(
        where,
        column=page.sort.value,
        ascending=page.ascending,
        after=page.after,
        limit=_limit(page),
    )


def _limit(page: HookPage) -> int:
    return max(1, min(page.limit, MAX_PAGE))


def _common(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "account": str(row["account_name"]),
        "is_incoming": bool(row["is_incoming"]),
        "event": INCOMING if row["is_incoming"] else str(row["outgoing_event"]),
        "queue_msg_id": int(row["queue_msg_id"]),
        "from_id": str(row["from_id"]),
        "message_id": str(row["message_id"]),
        "subject": str(row["subject"]),
        "url": str(row["url"]),
        "authorization": bool(row["authorization"]),
        "submitted": as_datetime(row["submitted"]),
        "attempts": int(row["attempts"]),
        "results": tuple(row_results(row)),
        "payload": str(row["payload"]),
    }


_ACCOUNT_NAME = "(SELECT name FROM account WHERE account.id = h.account_id) AS account_name"


async def list_hooks(
    reader: Reader, dialect: str, f: HookFilter, page: HookPage
) -> tuple[list[QueuedHook], Cursor | None]:
    """One page of queued hooks, and the cursor of the next page (None at the end)."""
    if page.sort is HookSort.LAST_ACTIVITY:
        page = HookPage(limit=page.limit, ascending=page.ascending, after=page.after)
    where = _where(dialect, f, retired=False)
    tail = _page_clause(where, page)
    rows = await reader.fetch(
        f"SELECT h.*, {_ACCOUNT_NAME} FROM webhook h WHERE {where.sql()}{tail}", where.values
    )
    hooks = [
        QueuedHook(**_common(row), next_attempt=as_datetime(row["next_attempt"])) for row in rows
    ]
    cursor = None
    if len(hooks) == _limit(page):
        last = hooks[-1]
        value = last.next_attempt if page.sort is HookSort.NEXT_ATTEMPT else last.submitted
        cursor = Cursor(value=value, id=last.id)
    return hooks, cursor


async def list_retired_hooks(
    reader: Reader, dialect: str, f: HookFilter, page: HookPage
) -> tuple[list[RetiredHook], Cursor | None]:
    """One page of retired hooks (sorted by last activity unless asked otherwise)."""
    if page.sort is HookSort.NEXT_ATTEMPT:
        page = HookPage(
            limit=page.limit, sort=HookSort.LAST_ACTIVITY, ascending=page.ascending,
            after=page.after,
        )  # fmt: skip
    where = _where(dialect, f, retired=True)
    tail = _page_clause(where, page)
    rows = await reader.fetch(
        f"SELECT h.*, {_ACCOUNT_NAME} FROM retired_webhook h WHERE {where.sql()}{tail}",
        where.values,
    )
    hooks = [
        RetiredHook(
            **_common(row),
            success=bool(row["success"]),
            superseded_by_id=int(row["superseded_by_id"]),
            last_activity=as_datetime(row["last_activity"]),
            keep_until=as_datetime(row["keep_until"]),
        )
        for row in rows
    ]
    cursor = None
    if len(hooks) == _limit(page):
        last = hooks[-1]
        value = last.last_activity if page.sort is HookSort.LAST_ACTIVITY else last.submitted
        cursor = Cursor(value=value, id=last.id)
    return hooks, cursor


async def retry_hooks(committer: GroupCommitter, f: HookFilter, now: datetime) -> int:
    """Make matching queued hooks due now."""

    async def run(batch: Batch) -> int:
        connection = batch.connection
        where = _where(sql.dialect(connection), f, retired=False)
        when = sql.encode_datetime(connection, now)
        where.add(_NOT_LEASED, when)
        return await sql.execute(
            connection,
            f"UPDATE webhook SET next_attempt = ?, lease_token = NULL WHERE {where.sql()}",
            [when, *where.values],
        )

    return await committer.run(run)


async def cancel_hooks(committer: GroupCommitter, f: HookFilter, now: datetime) -> int:
    """Remove matching queued hooks; each is kept as retired (if the account keeps
    retired hooks) with a last result "canceled by admin"."""

    async def run(batch: Batch) -> int:
        connection = batch.connection
        where = _where(sql.dialect(connection), f, retired=False)
        when = sql.encode_datetime(connection, now)
        where.add(_NOT_LEASED, when)
        rows = await sql.fetch(
            connection, f"SELECT * FROM webhook WHERE {where.sql()} ORDER BY id", where.values
        )
        canceled = 0
        for row in rows:
            deleted = await sql.execute(
                connection,
                "DELETE FROM webhook WHERE id = ? AND " + _NOT_LEASED,
                [row["id"], when],
            )
            if deleted != 1:
                continue
            hooks = await account_hooks(batch, int(row["account_id"]))
            insert_retired(
                batch,
                {k: v for k, v in row.items() if k not in ("next_attempt", "lease_token")},
                results=[*row_results(row), HookResult(start=now, error=CANCELED_BY_ADMIN)],
                success=False,
                keep_for=hooks.keep_retired,
                now=now,
            )
            canceled += 1
        return canceled

    return await committer.run(run)

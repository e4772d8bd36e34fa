"""Retired messages for operators: listing with filters and keyset pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postroom.queue.envelope import row_sender
from postroom.queue.filters import (
    Cursor,
    PageRequest,
    RetiredFilter,
    SortField,
    as_datetime,
    page_clause,
    retired_where,
)
from postroom.queue.results import AttemptResult
from postroom.store import sql
from postroom.store.reader import Reader


@dataclass(frozen=True, slots=True, kw_only=True)
class RetiredMessageView:
    id: int
    queued: datetime
    account: str
    sender: str
    recipient: str
    from_id: str
    success: bool
    attempts: int
    last_activity: datetime
    keep_until: datetime
    results: tuple[AttemptResult, ...]
    message_id: str
    subject: str
    extra: dict[str, str]


def _view(row: dict[str, Any]) -> RetiredMessageView:
    return RetiredMessageView(
        id=int(row["id"]),
        queued=as_datetime(row["queued"]),
        account=str(row["account_name"]),
        sender=row_sender(row),
        recipient=str(row["recipient_address"]),
        from_id=str(row["from_id"] or ""),
        success=bool(row["success"]),
        attempts=int(row["attempts"]),
        last_activity=as_datetime(row["last_activity"]),
        keep_until=as_datetime(row["keep_until"]),
        results=tuple(AttemptResult.from_json(r) for r in sql.decode_json(row["results"]) or []),
        message_id=str(row["message_id"]),
        subject=str(row["subject"]),
        extra={str(k): str(v) for k, v in (sql.decode_json(row["extra"]) or {}).items()},
    )


async def list_retired(
    reader: Reader, dialect: str, f: RetiredFilter, page: PageRequest
) -> tuple[list[RetiredMessageView], Cursor | None]:
    """One page of retired messages (default: most recent activity first)."""
    if page.sort is SortField.NEXT_ATTEMPT:
        page = PageRequest(
            limit=page.limit, sort=SortField.LAST_ACTIVITY, ascending=page.ascending,
            after=page.after,
        )  # fmt: skip
    where = retired_where(dialect, f)
    tail = page_clause(where, page)
    rows = await reader.fetch(
        "SELECT r.*, (SELECT name FROM account WHERE account.id = r.account_id)"
        f" AS account_name FROM retired_message r WHERE {where.sql()}{tail}",
        where.values,
    )
    views = [_view(row) for row in rows]
    cursor = None
    if len(views) == max(1, min(page.limit, 10_000)):
        last = views[-1]
        value = last.last_activity if page.sort is SortField.LAST_ACTIVITY else last.queued
        cursor = Cursor(value=value, id=last.id)
    return views, cursor

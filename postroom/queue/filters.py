"""Selecting queue and retired rows: filters, sort orders and keyset pagination.

Every operator operation (list, hold, release, retry, fail, …) takes a filter; all
non-empty fields must match, and an empty filter matches every row. Listing pages
by keyset — "after (sort value, id) of the last row seen" — never by OFFSET, so a
page is as cheap at the end of a large queue as at the start, and rows inserted
meanwhile neither shift nor repeat the pages.
"""

from __future__ import annotations

import base64
import enum
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postroom.queue.errors import QueueError
from postroom.store import sql

MAX_PAGE_ROWS = 10_000
"""The most rows one page may ask for."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFilter:
    ids: tuple[int, ...] = ()
    account: str = ""
    """Account name."""
    sender_domain: str = ""
    recipient_domain: str = ""
    hold: bool | None = None
    submitted_before: datetime | None = None
    submitted_after: datetime | None = None
    next_attempt_before: datetime | None = None
    next_attempt_after: datetime | None = None
    transport: str | None = None
    """Rows with this transport ("" for the default routing)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetiredFilter:
    ids: tuple[int, ...] = ()
    account: str = ""
    sender_domain: str = ""
    recipient_domain: str = ""
    success: bool | None = None
    submitted_before: datetime | None = None
    submitted_after: datetime | None = None
    last_activity_before: datetime | None = None
    last_activity_after: datetime | None = None


class SortField(enum.StrEnum):
    NEXT_ATTEMPT = "next_attempt"
    QUEUED = "queued"
    LAST_ACTIVITY = "last_activity"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cursor:
    """Where a page ended: the sort value and ID of its last row."""

    value: datetime
    id: int

    def encode(self) -> str:
        text = json.dumps([self.value.isoformat(), self.id])
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            value, row_id = json.loads(base64.urlsafe_b64decode(padded))
            return cls(value=datetime.fromisoformat(value), id=int(row_id))
        except (ValueError, TypeError) as exc:
            raise QueueError(f"invalid page cursor {token!r}") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRequest:
    limit: int = 100
    sort: SortField = SortField.NEXT_ATTEMPT
    ascending: bool = True
    after: Cursor | None = None


class Where:
    """A WHERE clause under construction, with its values in order."""

    def __init__(self, dialect: str) -> None:
        self._dialect = dialect
        self.parts: list[str] = []
        self.values: list[Any] = []

    def add(self, clause: str, *values: Any) -> None:
        self.parts.append(clause)
        self.values.extend(values)

    def time(self, value: datetime) -> Any:
        return value if self._dialect == "postgres" else str(value)

    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1 = 1"


def _common(where: Where, f: QueueFilter | RetiredFilter) -> None:
    if f.ids:
        where.add(f"id IN ({', '.join('?' for _ in f.ids)})", *f.ids)
    if f.account:
        where.add("account_id IN (SELECT id FROM account WHERE name = ?)", f.account)
    if f.sender_domain:
        where.add("sender_domain = ?", f.sender_domain.lower())
    if f.recipient_domain:
        where.add("recipient_domain = ?", f.recipient_domain.lower())
    if f.submitted_before:
        where.add("queued < ?", where.time(f.submitted_before))
    if f.submitted_after:
        where.add("queued > ?", where.time(f.submitted_after))


def queue_where(dialect: str, f: QueueFilter) -> Where:
    where = Where(dialect)
    _common(where, f)
    if f.hold is not None:
        where.add("hold = ?", f.hold)
    if f.next_attempt_before:
        where.add("next_attempt < ?", where.time(f.next_attempt_before))
    if f.next_attempt_after:
        where.add("next_attempt > ?", where.time(f.next_attempt_after))
    if f.transport is not None:
        where.add("transport = ?", f.transport)
    return where


def retired_where(dialect: str, f: RetiredFilter) -> Where:
    where = Where(dialect)
    _common(where, f)
    if f.success is not None:
        where.add("success = ?", f.success)
    if f.last_activity_before:
        where.add("last_activity < ?", where.time(f.last_activity_before))
    if f.last_activity_after:
        where.add("last_activity > ?", where.time(f.last_activity_after))
    return where


def page_clause(where: Where, page: PageRequest) -> str:
    """Add the keyset condition to `where`; return the ORDER BY … LIMIT … tail."""
    return keyset_clause(
        where, column=page.sort.value, ascending=page.ascending, after=page.after, limit=page.limit
    )


def keyset_clause(
    where: Where, *, column: str, ascending: bool, after: Cursor | None, limit: int
) -> str:
    """Keyset pagination on (`column`, id): rows after the cursor's (value, id), in order.
    Stable under concurrent inserts, and no OFFSET to scan past."""
    direction = "ASC" if ascending else "DESC"
    if after is not None:
        compare = ">" if ascending else "<"
        value = where.time(after.value)
        where.add(
            f"({column} {compare} ? OR ({column} = ? AND id {compare} ?))", value, value, after.id
        )
    limit = max(1, min(limit, MAX_PAGE_ROWS))
    return f" ORDER BY {column} {direction}, id {direction} LIMIT {limit}"


def as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def dialect_of(connection: Any) -> str:
    return sql.dialect(connection)

"""Writing webhook rows: queueing a new hook, superseding older ones, retiring.

All writes go through a group-commit `Batch`, so a hook is queued in the transaction
of whatever caused it (an outbox event being consumed, a message being stored). New
hooks get IDs from the `webhook` ID space, shared with retired hooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from postroom.hooks.results import HookResult
from postroom.store import sql
from postroom.store.groupcommit import Batch

HOOK_COLUMNS = (
    "id", "queue_msg_id", "from_id", "message_id", "subject", "extra", "account_id", "url",
    "authorization", "is_incoming", "outgoing_event", "payload", "submitted", "attempts",
    "next_attempt", "results",
)  # fmt: skip
RETIRED_COLUMNS = (
    "id", "queue_msg_id", "from_id", "message_id", "subject", "extra", "account_id", "url",
    "authorization", "is_incoming", "outgoing_event", "payload", "submitted", "attempts",
    "results", "superseded_by_id", "success", "last_activity", "keep_until",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class NewHook:
    id: int
    account_id: int
    url: str
    authorization: str
    payload: str
    """The JSON body, as sent on every attempt."""
    submitted: datetime
    queue_msg_id: int = 0
    """0 for incoming hooks."""
    outgoing_event: str = ""
    """"" for incoming hooks."""
    from_id: str = ""
    message_id: str = ""
    subject: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def row(self, connection: Any) -> dict[str, Any]:
        """The row as the database stores it."""
        return {
            "id": self.id,
            "queue_msg_id": self.queue_msg_id,
            "from_id": self.from_id,
            "message_id": self.message_id[:1000],
            "subject": self.subject,
            "extra": sql.encode_json(self.extra),
            "account_id": self.account_id,
            "url": self.url,
            "authorization": self.authorization,
            "is_incoming": self.queue_msg_id == 0,
            "outgoing_event": self.outgoing_event,
            "payload": self.payload,
            "submitted": sql.encode_datetime(connection, self.submitted),
            "attempts": 0,
            "next_attempt": sql.encode_datetime(connection, self.submitted),
            "results": "[]",
        }


def _sql_columns(columns: Sequence[str]) -> tuple[str, ...]:
    # AUTHORIZATION is a reserved word in PostgreSQL (and SQL): quote it.
    return tuple(f'"{c}"' if c == "authorization" else c for c in columns)


async def new_hook_ids(batch: Batch, count: int) -> list[int]:
    return await batch.new_ids("webhook", count)


def insert_hook(batch: Batch, hook: NewHook) -> None:
    """Queue `hook` when the batch commits; it is due at once (docs/webhooks.md)."""
    row = hook.row(batch.connection)
    batch.insert("webhook", _sql_columns(HOOK_COLUMNS), [row[c] for c in HOOK_COLUMNS])


def insert_retired(
    batch: Batch,
    row: dict[str, Any],
    *,
    results: Sequence[HookResult],
    success: bool,
    keep_for: timedelta,
    now: datetime,
    superseded_by: int = 0,
) -> None:
    """Write the retired copy of hook row `row` (values as the database stores them)
    when the batch commits. Nothing is kept when `keep_for` is not positive."""
    if keep_for <= timedelta(0):
        return
    connection = batch.connection
    retired = {
        **row,
        "authorization": bool(row.get("authorization")),
        "results": sql.encode_json([r.to_json() for r in results]),
        "superseded_by_id": superseded_by,
        "success": success,
        "last_activity": sql.encode_datetime(connection, now),
        "keep_until": sql.encode_datetime(connection, now + keep_for),
    }
    batch.insert(
        "retired_webhook", _sql_columns(RETIRED_COLUMNS), [retired[c] for c in RETIRED_COLUMNS]
    )


def row_results(row: dict[str, Any]) -> list[HookResult]:
    return [HookResult.from_json(r) for r in sql.decode_json(row["results"]) or []]


async def pending_outgoing(batch: Batch, queue_msg_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Queued outgoing hooks of these queue messages (candidates for superseding)."""
    if not queue_msg_ids:
        return []
    marks = ", ".join("?" for _ in queue_msg_ids)
    return await sql.fetch(
        batch.connection,
        f"SELECT * FROM webhook WHERE queue_msg_id IN ({marks}) AND is_incoming = ?",
        [*queue_msg_ids, False],
    )


async def supersede(
    batch: Batch, row: dict[str, Any], *, by: int, keep_for: timedelta, now: datetime
) -> None:
    """As mox does: a newer hook for the same message replaces a queued one. It leaves the
    queue (even while being sent: that attempt's result is added to the retired record
    when it ends) and is kept as retired, unsuccessful, superseded by `by`."""
    await sql.execute(batch.connection, "DELETE FROM webhook WHERE id = ?", [row["id"]])
    insert_retired(
        batch,
        {k: v for k, v in row.items() if k not in ("next_attempt", "lease_token")},
        results=row_results(row),
        success=False,
        keep_for=keep_for,
        now=now,
        superseded_by=by,
    )

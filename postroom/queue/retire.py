"""Retiring queue rows: they leave the queue and, if the account keeps history, become
retired rows (with their results and Extra) until their keep-until time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from postroom.queue.events import EventDetails, QueueEvent
from postroom.queue.results import AttemptResult
from postroom.store import sql
from postroom.store.groupcommit import Batch

RETIRED_COLUMNS = (
    "id", "base_id", "queued", "account_id", "sender_localpart", "sender_domain", "from_id",
    "recipient_localpart", "recipient_domain", "recipient_address", "attempts",
    "max_attempts", "last_attempt", "results", "has_8bit", "smtputf8", "size", "message_id",
    "subject", "transport", "require_tls", "future_release_request", "extra", "success",
    "last_activity", "keep_until",
)  # fmt: skip
_EVENT_COLUMNS = (
    "created", "account_id", "queue_msg_id", "event", "details", "message", "processed",
)  # fmt: skip


def insert_retired(
    batch: Batch,
    row: dict[str, Any],
    *,
    results: Sequence[AttemptResult],
    success: bool,
    keep_for: timedelta,
    now: datetime,
) -> None:
    """Write the retired copy of queue row `row` (values as read from or written to the
    database) when the batch commits. Nothing is kept when `keep_for` is not positive."""
    if keep_for <= timedelta(0):
        return
    connection = batch.connection
    retired = {
        **row,
        "last_attempt": row.get("last_attempt"),
        "results": sql.encode_json([r.to_json() for r in results]),
        "success": success,
        "last_activity": sql.encode_datetime(connection, now),
        "keep_until": sql.encode_datetime(connection, now + keep_for),
    }
    batch.insert("retired_message", RETIRED_COLUMNS, [retired[c] for c in RETIRED_COLUMNS])


def record_event(
    batch: Batch,
    *,
    account_id: int,
    queue_msg_id: int,
    event: QueueEvent,
    details: EventDetails,
    now: datetime,
    message: Mapping[str, Any],
) -> None:
    """Add a delivery event to the outbox, in the transaction of the change it reports.

    `message` is the queue (or retired) row the event is about: its FromID, Message-ID,
    Subject and Extra go into the event, because the row itself may be gone (retired
    without keeping history) by the time the webhook is built.
    """
    batch.insert(
        "delivery_event",
        _EVENT_COLUMNS,
        (
            sql.encode_datetime(batch.connection, now),
            account_id,
            queue_msg_id,
            event.value,
            sql.encode_json(details.to_json()),
            sql.encode_json(message_fields(message)),
            False,
        ),
    )


def message_fields(row: Mapping[str, Any]) -> dict[str, object]:
    """The outgoing-webhook fields (docs/webhooks.md) that come from the message's row."""
    extra = sql.decode_json(row.get("extra")) or {}
    return {
        "FromID": str(row.get("from_id") or ""),
        "MessageID": str(row.get("message_id") or ""),
        "Subject": str(row.get("subject") or ""),
        "Extra": {str(k): str(v) for k, v in extra.items()},
    }


async def delete_leased(batch: Batch, row_id: int, token: str) -> bool:
    """Remove a queue row this worker holds the lease on; False if the lease was lost."""
    return await batch.delete_row("queue_message", {"id": row_id, "lease_token": token})


async def keep_retired_for(batch: Batch, account_id: int) -> timedelta:
    """How long the account keeps retired messages (loaded once per batch)."""

    async def load(connection: Any) -> timedelta:
        rows = await sql.fetch(
            connection,
            "SELECT keep_retired_messages_seconds FROM account WHERE id = ?",
            [account_id],
        )
        # An account deleted meanwhile: keep a week, like mox does for unknown senders.
        seconds = int(rows[0]["keep_retired_messages_seconds"]) if rows else 7 * 86400
        return timedelta(seconds=seconds)

    return await batch.once(f"keep_retired:{account_id}", load)

"""Periodic cleanup: expired retired messages, message blobs nothing refers to any more,
and bookkeeping rows past their use (idempotency records, send-limit records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from postroom.store import sql
from postroom.store.groupcommit import Batch, GroupCommitter

IDEMPOTENCY_KEPT = timedelta(hours=24)
RECIPIENT_RECORDS_KEPT = timedelta(days=30)
"""Send-limit records: the daily limits look back 24 hours, and "first-time recipient"
means no record in this longer period."""
UNREFERENCED_BLOB_GRACE = timedelta(hours=1)
"""A blob is written in the same transaction as the rows that use it; the grace period
only guards against clock differences between nodes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanupCounts:
    retired: int
    blobs: int
    idempotency: int
    recipient_records: int


async def clean_up(committer: GroupCommitter, now: datetime) -> CleanupCounts:
    async def run(batch: Batch) -> CleanupCounts:
        connection = batch.connection

        def at(delta: timedelta) -> object:
            return sql.encode_datetime(connection, now - delta)

        retired = await sql.execute(
            connection, "DELETE FROM retired_message WHERE keep_until < ?", [at(timedelta(0))]
        )
        blobs = await sql.execute(
            connection,
            "DELETE FROM message_blob WHERE created < ?"
            " AND NOT EXISTS (SELECT 1 FROM queue_message q WHERE q.blob_id = message_blob.id)"
            " AND NOT EXISTS (SELECT 1 FROM stored_message s WHERE s.blob_id = message_blob.id)",
            [at(UNREFERENCED_BLOB_GRACE)],
        )
        idempotency = await sql.execute(
            connection, "DELETE FROM idempotency_record WHERE created < ?", [at(IDEMPOTENCY_KEPT)]
        )
        records = await sql.execute(
            connection,
            "DELETE FROM recipient_record WHERE created < ?",
            [at(RECIPIENT_RECORDS_KEPT)],
        )
        return CleanupCounts(
            retired=retired, blobs=blobs, idempotency=idempotency, recipient_records=records
        )

    return await committer.run(run)

"""Periodic cleanup of the webhook tables: retired hooks past their keep-until time,
and outbox events that were turned into hooks a while ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from postroom.store import sql
from postroom.store.groupcommit import Batch, GroupCommitter

PROCESSED_EVENTS_KEPT = timedelta(days=1)
"""Consumed outbox events are kept a day, for looking into what a webhook was made of."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HookCleanupCounts:
    retired_webhooks: int
    delivery_events: int


async def clean_up_hooks(committer: GroupCommitter, now: datetime) -> HookCleanupCounts:
    async def run(batch: Batch) -> HookCleanupCounts:
        connection = batch.connection
        retired = await sql.execute(
            connection,
            "DELETE FROM retired_webhook WHERE keep_until < ?",
            [sql.encode_datetime(connection, now)],
        )
        events = await sql.execute(
            connection,
            "DELETE FROM delivery_event WHERE processed = ? AND created < ?",
            [True, sql.encode_datetime(connection, now - PROCESSED_EVENTS_KEPT)],
        )
        return HookCleanupCounts(retired_webhooks=retired, delivery_events=events)

    return await committer.run(run)

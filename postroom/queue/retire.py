"""Retiring a queue row: it leaves the queue, and is kept as history if the account wants."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.store.outgoing import QueueMessage, RetiredMessage


async def retire_message(
    connection: BaseDBAsyncClient,
    row: QueueMessage,
    *,
    success: bool,
    keep_for: timedelta,
    now: datetime,
) -> None:
    """Delete `row` from the queue and, when `keep_for` is positive, store it as retired."""
    if keep_for > timedelta(0):
        await RetiredMessage.create(
            using_db=connection,
            id=row.id,
            base_id=row.base_id,
            queued=row.queued,
            account_id=row.account_id,  # type: ignore[attr-defined]
            sender_localpart=row.sender_localpart,
            sender_domain=row.sender_domain,
            from_id=row.from_id,
            recipient_localpart=row.recipient_localpart,
            recipient_domain=row.recipient_domain,
            recipient_address=row.recipient_address,
            attempts=row.attempts,
            max_attempts=row.max_attempts,
            last_attempt=row.last_attempt,
            results=row.results,
            has_8bit=row.has_8bit,
            smtputf8=row.smtputf8,
            size=row.size,
            message_id=row.message_id,
            subject=row.subject,
            transport=row.transport,
            require_tls=row.require_tls,
            future_release_request=row.future_release_request,
            extra=row.extra,
            success=success,
            last_activity=now,
            keep_until=now + keep_for,
        )
    await QueueMessage.filter(id=row.id).using_db(connection).delete()

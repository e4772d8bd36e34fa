"""Send idempotency (an extension): the same `Idempotency-Key` from the same account
within 24 hours returns the first response and queues nothing new.

The record is written in the same transaction as the queue rows, so a response is
replayed only for a submission that really committed. The request is compared by a
hash of its body: the same key with a different body is refused (`idempotencyConflict`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.idempotency import IdempotencyRecord
from postroom.webapi.errors import APIError, ErrorCode

KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def check_key(key: str) -> None:
    if len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise APIError(
            ErrorCode.PROTOCOL,
            f"Idempotency-Key must be at most {MAX_KEY_LENGTH} printable ASCII characters",
        )


async def previous_response(account_id: int, key: str, body_hash: str, now: datetime) -> str | None:
    """The stored response for this key, None if there is none (or it expired)."""
    record = await IdempotencyRecord.get_or_none(account_id=account_id, key=key)
    if record is None or record.created < now - KEEP_FOR:
        return None
    if record.request_hash != body_hash:
        raise APIError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "Idempotency-Key was already used with a different request",
        )
    return record.response


async def remember_response(
    batch: Batch,
    *,
    account_id: int,
    key: str,
    body_hash: str,
    response: str,
    now: datetime,
) -> None:
    # An expired record for the same key is replaced; the unique (account, key) index
    # makes a concurrent duplicate fail, and the caller then replays the winner.
    connection = batch.connection
    await (
        IdempotencyRecord.filter(account_id=account_id, key=key, created__lt=now - KEEP_FOR)
        .using_db(connection)
        .delete()
    )
    batch.insert(
        "idempotency_record",
        ("account_id", "key", "request_hash", "response", "created"),
        (account_id, key, body_hash, response, sql.encode_datetime(connection, now)),
    )

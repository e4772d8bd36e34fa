"""Claiming due webhooks with a lease, as the mail queue claims its rows (docs/architecture.md,
"Claims and leases").

A claim is one conditional UPDATE that moves `next_attempt` to the end of the lease,
counts the attempt and sets a fresh `lease_token`; it only touches hooks still due.
Every later write of the worker is conditional on the token, so a worker that died
or hung changes nothing and its hooks are due again when the lease ends. Hooks are
taken in `next_attempt` order; URLs at their concurrency limit are skipped, so one
slow receiver cannot hold up the others (docs/architecture.md, Webhooks).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from postroom.store import sql
from postroom.store.groupcommit import Batch


@dataclass(slots=True)
class ClaimedHook:
    token: str
    row: dict[str, Any]
    """The webhook row after the claim, with the account's `webhook_secret`."""
    previous_attempts: int = field(default=0)

    @property
    def url(self) -> str:
        return str(self.row["url"])


async def claim_due(
    batch: Batch,
    *,
    now: datetime,
    lease_until: datetime,
    max_hooks: int,
    in_flight: dict[str, int],
    per_url: int,
) -> list[ClaimedHook]:
    """Claim up to `max_hooks` due hooks, keeping each URL under `per_url` in flight
    (`in_flight` counts this worker's current sends per URL)."""
    connection = batch.connection
    when = sql.encode_datetime(connection, now)
    full = [url for url, count in in_flight.items() if count >= per_url]
    exclude = f" AND url NOT IN ({', '.join('?' for _ in full)})" if full else ""
    lock = " FOR UPDATE SKIP LOCKED" if sql.dialect(connection) == "postgres" else ""
    candidates = await sql.fetch(
        connection,
        f"SELECT id, url FROM webhook WHERE next_attempt <= ?{exclude}"
        f" ORDER BY next_attempt, id LIMIT ?{lock}",
        [when, *full, max_hooks * 2 + 16],
    )
    counts = dict(in_flight)
    picked: list[int] = []
    for candidate in candidates:
        if len(picked) >= max_hooks:
            break
        url = str(candidate["url"])
        if counts.get(url, 0) >= per_url:
            continue
        counts[url] = counts.get(url, 0) + 1
        picked.append(int(candidate["id"]))
    if not picked:
        return []
    token = secrets.token_hex(16)
    marks = ", ".join("?" for _ in picked)
    claimed = await sql.execute(
        connection,
        "UPDATE webhook SET next_attempt = ?, lease_token = ?, attempts = attempts + 1"
        f" WHERE id IN ({marks}) AND next_attempt <= ?",
        [sql.encode_datetime(connection, lease_until), token, *picked, when],
    )
    if claimed == 0:
        return []
    rows = await sql.fetch(
        connection,
        "SELECT w.*, a.webhook_secret FROM webhook w JOIN account a ON a.id = w.account_id"
        " WHERE w.lease_token = ? ORDER BY w.next_attempt, w.id",
        [token],
    )
    return [ClaimedHook(token=token, row=row) for row in rows]


async def release_claims(batch: Batch, hooks: Collection[ClaimedHook], now: datetime) -> int:
    """Give back claimed hooks that were never attempted: due now, attempt uncounted."""
    released = 0
    for hook in hooks:
        released += await sql.execute(
            batch.connection,
            "UPDATE webhook SET next_attempt = ?, lease_token = NULL, attempts = attempts - 1"
            " WHERE id = ? AND lease_token = ?",
            [sql.encode_datetime(batch.connection, now), hook.row["id"], hook.token],
        )
    return released

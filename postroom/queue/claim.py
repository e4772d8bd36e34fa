"""Claiming due queue rows with a lease, so that no two live workers deliver one row.

A claim is one conditional UPDATE: it moves `next_attempt` to the end of the lease,
sets a fresh `lease_token`, counts the attempt, and only touches rows that are still
due and not held. Every later write by the worker is conditional on the token, so a
worker whose lease expired (it hung, or was killed) changes nothing, and its rows
simply become due again when the lease ends. On PostgreSQL the candidates are
picked with `FOR UPDATE SKIP LOCKED` so concurrent workers do not queue behind each
other's locks; on SQLite there is one writer, and the conditional UPDATE is what
makes the claim safe.

One delivery at a time per recipient domain: rows of a domain with a live lease are
not candidates. A claim takes at most `per_domain` groups of a domain; the runner
delivers them one after the other (over one connection, when the transport keeps it).
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
class ClaimedGroup:
    """Rows delivered in one SMTP transaction: the same BaseID (or a single row), the
    same recipient domain, RequireTLS and transport (docs/architecture.md)."""

    token: str
    rows: list[dict[str, Any]]
    """The claimed queue rows, each with the message bytes as `message_data` and the
    sending account's name as `account_name` (for routes)."""
    previous_last_attempts: dict[int, Any] = field(default_factory=dict)
    """Each row's `last_attempt` before this claim, to record interrupted attempts."""

    @property
    def domain(self) -> str:
        return str(self.rows[0]["recipient_domain"])


_CANDIDATES = (
    "SELECT id, base_id, recipient_domain, require_tls, transport, last_attempt"
    " FROM queue_message"
    " WHERE hold = ? AND next_attempt <= ?"
    " AND recipient_domain NOT IN ("
    # `lease_token > ''` rather than IS NOT NULL: both mean "leased" (tokens are
    # non-empty), and the range lets SQLite use the index instead of scanning the queue.
    "  SELECT recipient_domain FROM queue_message"
    "  WHERE lease_token > '' AND next_attempt > ?)"
    " ORDER BY next_attempt, id LIMIT ?"
)
_COMPANIONS = (
    "SELECT id, last_attempt, require_tls, transport FROM queue_message"
    " WHERE base_id = ? AND recipient_domain = ? AND hold = ? AND next_attempt <= ?"
)


async def claim_due(
    batch: Batch,
    *,
    now: datetime,
    lease_until: datetime,
    max_groups: int,
    busy_domains: Collection[str] = (),
    per_domain: int = 1,
) -> list[ClaimedGroup]:
    """Claim up to `max_groups` groups of due rows, at most `per_domain` per domain."""
    connection = batch.connection
    postgres = sql.dialect(connection) == "postgres"
    when = sql.encode_datetime(connection, now)
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    candidates = await sql.fetch(
        connection, _CANDIDATES + lock, [False, when, when, max_groups * 4 + 16]
    )
    picked: list[tuple[list[int], dict[int, Any]]] = []
    busy = set(busy_domains)
    per_domain_count: dict[str, int] = {}
    taken: set[int] = set()
    for candidate in candidates:
        if len(picked) >= max_groups:
            break
        domain = candidate["recipient_domain"]
        count = per_domain_count.get(domain, 0)
        if domain in busy or count >= per_domain or int(candidate["id"]) in taken:
            continue
        per_domain_count[domain] = count + 1
        previous = {int(candidate["id"]): candidate["last_attempt"]}
        if candidate["base_id"]:
            companions = await sql.fetch(
                connection,
                _COMPANIONS + lock,
                [candidate["base_id"], domain, False, when],
            )
            for row in companions:
                if int(row["id"]) not in taken and (row["require_tls"], row["transport"]) == (
                    candidate["require_tls"],
                    candidate["transport"],
                ):
                    previous[int(row["id"])] = row["last_attempt"]
        taken.update(previous)
        picked.append((sorted(previous), previous))
    if not picked:
        return []
    # One UPDATE and one SELECT for the whole round; the groups share the token (every
    # later write names its row as well as the token).
    token = secrets.token_hex(16)
    ids = [row_id for group_ids, _ in picked for row_id in group_ids]
    marks = ", ".join("?" for _ in ids)
    claimed = await sql.execute(
        connection,
        "UPDATE queue_message SET next_attempt = ?, lease_token = ?,"
        " attempts = attempts + 1, last_attempt = ?"
        f" WHERE id IN ({marks}) AND next_attempt <= ? AND hold = ?",
        [sql.encode_datetime(connection, lease_until), token, when, *ids, when, False],
    )
    if claimed == 0:
        return []
    # The message itself comes along: the delivery needs it next.
    rows = await sql.fetch(
        connection,
        "SELECT q.*, b.data AS message_data, a.name AS account_name FROM queue_message q"
        " JOIN message_blob b ON b.id = q.blob_id JOIN account a ON a.id = q.account_id"
        " WHERE q.lease_token = ? ORDER BY q.id",
        [token],
    )
    by_id = {int(row["id"]): row for row in rows}
    groups: list[ClaimedGroup] = []
    for group_ids, previous in picked:
        won = [by_id[i] for i in group_ids if i in by_id]
        if won:
            groups.append(ClaimedGroup(token=token, rows=won, previous_last_attempts=previous))
    return groups


async def release_claims(batch: Batch, groups: list[ClaimedGroup]) -> int:
    """Give back claimed groups that were never attempted: due again at once, with the
    attempt uncounted. Rows whose lease already ended (someone else's now) are left."""
    connection = batch.connection
    released = 0
    for group in groups:
        for row in group.rows:
            released += await sql.execute(
                connection,
                "UPDATE queue_message SET next_attempt = last_attempt, last_attempt = ?,"
                " lease_token = NULL, attempts = attempts - 1 WHERE id = ? AND lease_token = ?",
                [group.previous_last_attempts.get(int(row["id"])), row["id"], group.token],
            )
    return released

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
not candidates, and a claim takes at most one group per domain.
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
    same recipient domain and RequireTLS."""

    token: str
    rows: list[dict[str, Any]]
    previous_last_attempts: dict[int, Any] = field(default_factory=dict)
    """Each row's `last_attempt` before this claim, to record interrupted attempts."""

    @property
    def domain(self) -> str:
        return str(self.rows[0]["recipient_domain"])


_CANDIDATES = (
    "SELECT id, base_id, recipient_domain, require_tls, last_attempt FROM queue_message"
    " WHERE hold = ? AND next_attempt <= ?"
    " AND recipient_domain NOT IN ("
    "  SELECT recipient_domain FROM queue_message"
    "  WHERE lease_token IS NOT NULL AND next_attempt > ?)"
    " ORDER BY next_attempt, id LIMIT ?"
)
_COMPANIONS = (
    "SELECT id, last_attempt, require_tls FROM queue_message"
    " WHERE base_id = ? AND recipient_domain = ? AND hold = ? AND next_attempt <= ?"
)


async def claim_due(
    batch: Batch,
    *,
    now: datetime,
    lease_until: datetime,
    max_groups: int,
    busy_domains: Collection[str] = (),
) -> list[ClaimedGroup]:
    """Claim up to `max_groups` groups of due rows, at most one group per domain."""
    connection = batch.connection
    postgres = sql.dialect(connection) == "postgres"
    when = sql.encode_datetime(connection, now)
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    candidates = await sql.fetch(
        connection, _CANDIDATES + lock, [False, when, when, max_groups * 4 + 16]
    )
    picked: list[tuple[list[int], dict[int, Any]]] = []
    domains = set(busy_domains)
    for candidate in candidates:
        if len(picked) >= max_groups:
            break
        domain = candidate["recipient_domain"]
        if domain in domains:
            continue
        domains.add(domain)
        previous = {int(candidate["id"]): candidate["last_attempt"]}
        if candidate["base_id"]:
            companions = await sql.fetch(
                connection,
                _COMPANIONS + lock,
                [candidate["base_id"], domain, False, when],
            )
            for row in companions:
                if row["require_tls"] == candidate["require_tls"]:
                    previous[int(row["id"])] = row["last_attempt"]
        picked.append((sorted(previous), previous))
    groups: list[ClaimedGroup] = []
    until = sql.encode_datetime(connection, lease_until)
    for ids, previous in picked:
        token = secrets.token_hex(16)
        marks = ", ".join("?" for _ in ids)
        claimed = await sql.execute(
            connection,
            "UPDATE queue_message SET next_attempt = ?, lease_token = ?,"
            " attempts = attempts + 1, last_attempt = ?"
            f" WHERE id IN ({marks}) AND next_attempt <= ? AND hold = ?",
            [until, token, when, *ids, when, False],
        )
        if claimed == 0:
            continue
        rows = await sql.fetch(
            connection,
            "SELECT * FROM queue_message WHERE lease_token = ? ORDER BY id",
            [token],
        )
        groups.append(ClaimedGroup(token=token, rows=rows, previous_last_attempts=previous))
    return groups

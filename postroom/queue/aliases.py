"""Expanding aliases when a message is queued: a recipient that is one of our aliases
becomes its members.

An account that sends to an alias on one of our domains gets one queue row per member
(local members are then delivered like any local recipient, remote ones go out like
any remote recipient: the message is queued again for them, as a forward), and the
alias recipient itself is retired at once with event `expanded` (RFC 3464 §2.3.3). A
member that is itself an alias is expanded too, at most `MAX_DEPTH` levels deep;
loops end because an address is expanded only once per message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.mail import Address, AddressError, parse_address
from postroom.store import sql
from postroom.store.groupcommit import Batch

log = logging.getLogger(__name__)

MAX_DEPTH = 5
MAX_MEMBERS = 1000
"""Members of one expansion, all levels together."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _LocalDomain:
    id: int
    separators: tuple[str, ...]


async def _local_domain(batch: Batch, name: str) -> _LocalDomain | None:
    """Our domain (or the domain a domain alias names) called `name`, or None. Looked up
    once per transaction and domain: most recipients are elsewhere, and a group-commit
    transaction holds many Sends to the same few domains."""

    async def load(connection: BaseDBAsyncClient) -> _LocalDomain | None:
        rows = await sql.fetch(
            connection,
            "SELECT d.id, d.catchall_separators FROM domain d WHERE d.name = ?"
            " UNION ALL SELECT d.id, d.catchall_separators FROM domain_alias da"
            " JOIN domain d ON d.id = da.domain_id WHERE da.name = ?",
            [name, name],
        )
        if not rows:
            return None
        return _LocalDomain(
            id=int(rows[0]["id"]),
            separators=tuple(sql.decode_json(rows[0]["catchall_separators"]) or ()),
        )

    return await batch.once(f"local_domain:{name}", load)


async def _members(batch: Batch, address: Address) -> list[str] | None:
    """The members of `address` if it is one of our aliases, else None."""
    domain = await _local_domain(batch, address.domain)
    if domain is None:
        return None
    localpart = address.localpart.lower()
    for separator in domain.separators:
        if separator and separator in localpart:
            localpart = localpart.split(separator, 1)[0]
    rows = await sql.fetch(
        batch.connection,
        "SELECT members FROM alias WHERE domain_id = ? AND localpart = ?",
        [domain.id, localpart],
    )
    if not rows:
        return None
    members: Any = sql.decode_json(rows[0]["members"]) or []
    return [str(member) for member in members]


async def expand_alias(batch: Batch, address: Address) -> list[Address] | None:
    """The final recipients of `address` if it is one of our aliases (at least one), else
    None. Members that are not addresses are skipped with a warning."""
    top = await _members(batch, address)
    if top is None:
        return None
    seen = {str(address).lower()}
    result: list[Address] = []
    pending = [(member, 1) for member in top]
    while pending and len(result) < MAX_MEMBERS:
        text, depth = pending.pop(0)
        try:
            member = parse_address(text)
        except AddressError:
            log.warning("alias %s: member %r is not an address, skipped", address, text)
            continue
        key = str(member).lower()
        if key in seen:
            continue
        seen.add(key)
        nested = await _members(batch, member) if depth < MAX_DEPTH else None
        if nested is None:
            result.append(member)
        else:
            pending.extend((m, depth + 1) for m in nested)
    return result or None

"""Alias methods: set (create or replace members), remove, list."""

from __future__ import annotations

from typing import Any

from postroom.admin import validate
from postroom.admin.access import domain_in_scope
from postroom.admin.addresses import ensure_free, local_address
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError, not_found
from postroom.admin.types.accounts import Empty
from postroom.admin.types.aliases import (
    Alias,
    AliasListRequest,
    AliasListResult,
    AliasRemoveRequest,
    AliasResult,
    AliasSetRequest,
)
from postroom.queue.filters import as_datetime
from postroom.store import sql
from postroom.store.groupcommit import Batch

MAX_MEMBERS = 1000


def _view(row: dict[str, Any]) -> Alias:
    return Alias(
        Address=f"{row['localpart']}@{row['domain']}",
        Members=list(sql.decode_json(row["members"]) or []),
        Created=as_datetime(row["created"]),
    )


_SELECT = (
    "SELECT al.localpart, al.members, al.created, d.name AS domain"
    " FROM alias al JOIN domain d ON d.id = al.domain_id"
)


def members(values: list[str]) -> list[str]:
    if not values:
        raise AdminError(AdminCode.USER, "an alias needs at least one member")
    if len(values) > MAX_MEMBERS:
        raise AdminError(AdminCode.USER, f"an alias has at most {MAX_MEMBERS} members")
    checked = []
    for value in values:
        parsed = validate.address(value)
        checked.append(f"{parsed.localpart}@{parsed.domain}")
    return list(dict.fromkeys(checked))


async def alias_set(call: AdminCall, request: AliasSetRequest) -> AliasResult:
    """Create an alias, or replace its members. Members may be local or remote addresses;
    mail to the alias is delivered to each (remote members get a forwarded copy)."""
    address = await local_address(call, request.Address)
    checked = members(request.Members)
    if str(address) in checked:
        raise AdminError(AdminCode.USER, "an alias cannot be its own member")

    async def unit(batch: Batch) -> None:
        await ensure_free(batch, address, alias_ok=True)
        connection = batch.connection
        changed = await sql.execute(
            connection,
            "UPDATE alias SET members = ? WHERE domain_id = ? AND localpart = ?",
            [sql.encode_json(checked), address.domain.id, address.localpart],
        )
        if not changed:
            await sql.execute(
                connection,
                "INSERT INTO alias (domain_id, localpart, members, members_may_send, created)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    address.domain.id,
                    address.localpart,
                    sql.encode_json(checked),
                    False,
                    sql.encode_datetime(connection, call.services.clock.now()),
                ],
            )

    await call.services.committer.run(unit)
    rows = await call.services.reader.fetch(
        f"{_SELECT} WHERE al.domain_id = ? AND al.localpart = ?",
        [address.domain.id, address.localpart],
    )
    return AliasResult(Alias=_view(rows[0]))


async def alias_remove(call: AdminCall, request: AliasRemoveRequest) -> Empty:
    """Remove an alias."""
    address = await local_address(call, request.Address)

    async def unit(batch: Batch) -> int:
        return await sql.execute(
            batch.connection,
            "DELETE FROM alias WHERE domain_id = ? AND localpart = ?",
            [address.domain.id, address.localpart],
        )

    if not await call.services.committer.run(unit):
        raise not_found("alias", str(address))
    return Empty()


async def alias_list(call: AdminCall, request: AliasListRequest) -> AliasListResult:
    """List aliases, of one domain or of every domain the caller administers."""
    if request.Domain:
        ids = [(await domain_in_scope(call, request.Domain)).id]
    elif call.principal.is_global:
        rows = await call.services.reader.fetch(f"{_SELECT} ORDER BY d.name, al.localpart", [])
        return AliasListResult(Aliases=[_view(row) for row in rows])
    else:
        ids = sorted(call.principal.domain_ids) or [0]
    marks = ", ".join("?" for _ in ids)
    rows = await call.services.reader.fetch(
        f"{_SELECT} WHERE al.domain_id IN ({marks}) ORDER BY d.name, al.localpart", ids
    )
    return AliasListResult(Aliases=[_view(row) for row in rows])

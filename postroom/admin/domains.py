"""Domain methods: create, list, get, update, delete, and domain aliases."""

from __future__ import annotations

from typing import Any

from postroom.admin import validate
from postroom.admin.access import domain_in_scope, require_global
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError, not_found
from postroom.admin.types.accounts import Empty
from postroom.admin.types.domains import (
    Domain,
    DomainAliasAddRequest,
    DomainAliasRemoveRequest,
    DomainCreateRequest,
    DomainDeleteRequest,
    DomainDeleteResult,
    DomainGetRequest,
    DomainListRequest,
    DomainListResult,
    DomainResult,
    DomainUpdateRequest,
)
from postroom.queue.filters import as_datetime
from postroom.store import sql
from postroom.store.groupcommit import Batch

_DOMAIN_COLUMNS = (
    "d.id, d.name, d.catchall_separators, d.disabled, d.created,"
    " (SELECT a.name FROM account a WHERE a.id = d.forward_account_id) AS forward_account,"
    " (SELECT COUNT(DISTINCT la.account_id) FROM login_address la"
    " WHERE la.domain_id = d.id) AS accounts"
)


async def _domains(call: AdminCall, where: str, values: list[Any]) -> list[Domain]:
    reader = call.services.reader
    rows = await reader.fetch(
        f"SELECT {_DOMAIN_COLUMNS} FROM domain d WHERE {where} ORDER BY d.name", values
    )
    if not rows:
        return []
    ids = [int(row["id"]) for row in rows]
    aliases = await reader.fetch(
        f"SELECT domain_id, name FROM domain_alias WHERE domain_id IN ({sql_marks(ids)})"
        " ORDER BY name",
        ids,
    )
    return [
        Domain(
            Name=str(row["name"]),
            CatchallSeparators=list(sql.decode_json(row["catchall_separators"]) or []),
            Disabled=bool(row["disabled"]),
            Aliases=[str(a["name"]) for a in aliases if int(a["domain_id"]) == int(row["id"])],
            Accounts=int(row["accounts"]),
            ForwardAccount=str(row["forward_account"] or ""),
            Created=as_datetime(row["created"]),
        )
        for row in rows
    ]


def sql_marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


async def load_domain(call: AdminCall, name: str) -> Domain:
    domains = await _domains(call, "d.name = ?", [name])
    if not domains:
        raise not_found("domain", name)
    return domains[0]


async def _name_taken(batch: Batch, name: str) -> bool:
    rows = await sql.fetch(
        batch.connection,
        "SELECT 1 AS taken FROM domain WHERE name = ?"
        " UNION ALL SELECT 1 AS taken FROM domain_alias WHERE name = ?",
        [name, name],
    )
    return bool(rows)


async def domain_create(call: AdminCall, request: DomainCreateRequest) -> DomainResult:
    """Create a domain. Global admins only."""
    require_global(call, "create domains")
    name = validate.domain_name(request.Name)
    separators = validate.separators(request.CatchallSeparators)

    async def unit(batch: Batch) -> None:
        if await _name_taken(batch, name):
            raise AdminError(AdminCode.EXISTS, f"domain {name} exists already")
        connection = batch.connection
        await sql.execute(
            connection,
            "INSERT INTO domain (name, catchall_separators, disabled, created) VALUES (?, ?, ?, ?)",
            [
                name,
                sql.encode_json(separators),
                False,
                sql.encode_datetime(connection, call.services.clock.now()),
            ],
        )

    await call.services.committer.run(unit)
    return DomainResult(Domain=await load_domain(call, name))


async def domain_list(call: AdminCall, request: DomainListRequest) -> DomainListResult:
    """List the domains the caller administers (every domain, for a global admin)."""
    if call.principal.is_global:
        return DomainListResult(Domains=await _domains(call, "1 = 1", []))
    ids = sorted(call.principal.domain_ids)
    if not ids:
        return DomainListResult()
    return DomainListResult(Domains=await _domains(call, f"d.id IN ({sql_marks(ids)})", ids))


async def domain_get(call: AdminCall, request: DomainGetRequest) -> DomainResult:
    """Get a domain the caller administers."""
    domain = await domain_in_scope(call, request.Name)
    return DomainResult(Domain=await load_domain(call, domain.name))


async def _account_id(call: AdminCall, name: str) -> int | None:
    if not name:
        return None
    rows = await call.services.reader.fetch("SELECT id FROM account WHERE name = ?", [name])
    if not rows:
        raise not_found("account", name)
    return int(rows[0]["id"])


async def domain_update(call: AdminCall, request: DomainUpdateRequest) -> DomainResult:
    """Change a domain's catch-all separators or forwarding account, or disable it.
    Global admins only."""
    require_global(call, "change domains")
    domain = await domain_in_scope(call, request.Name)
    changes: dict[str, Any] = {}
    if request.CatchallSeparators is not None:
        changes["catchall_separators"] = sql.encode_json(
            validate.separators(request.CatchallSeparators)
        )
    if request.Disabled is not None:
        changes["disabled"] = request.Disabled
    if request.ForwardAccount is not None:
        changes["forward_account_id"] = await _account_id(call, request.ForwardAccount)
    if changes:

        async def unit(batch: Batch) -> None:
            if request.CatchallSeparators == []:
                fromids = await sql.fetch(
                    batch.connection,
                    "SELECT 1 AS used FROM login_address WHERE domain_id = ? AND fromid_login = ?",
                    [domain.id, True],
                )
                if fromids:
                    raise AdminError(
                        AdminCode.USER,
                        f"domain {domain.name} has fromid login addresses, which need a"
                        " catch-all separator",
                    )
            assignments = ", ".join(f"{column} = ?" for column in changes)
            await sql.execute(
                batch.connection,
                f"UPDATE domain SET {assignments} WHERE id = ?",
                [*changes.values(), domain.id],
            )

        await call.services.committer.run(unit)
    return DomainResult(Domain=await load_domain(call, domain.name))


async def domain_delete(call: AdminCall, request: DomainDeleteRequest) -> DomainDeleteResult:
    """Delete a domain. Refused while addresses or aliases use it, unless Force, which
    removes them too. Global admins only."""
    require_global(call, "delete domains")
    domain = await domain_in_scope(call, request.Name)

    async def unit(batch: Batch) -> DomainDeleteResult:
        connection = batch.connection
        counts = await sql.fetch(
            connection,
            "SELECT (SELECT COUNT(*) FROM login_address WHERE domain_id = ?) AS addresses,"
            " (SELECT COUNT(*) FROM alias WHERE domain_id = ?) AS aliases",
            [domain.id, domain.id],
        )
        addresses, aliases = int(counts[0]["addresses"]), int(counts[0]["aliases"])
        if (addresses or aliases) and not request.Force:
            raise AdminError(
                AdminCode.IN_USE,
                f"domain {domain.name} has {addresses} login addresses and {aliases} aliases;"
                " remove them first, or delete with Force",
            )
        for table in ("login_address", "alias", "domain_alias", "domain_admin"):
            await sql.execute(connection, f"DELETE FROM {table} WHERE domain_id = ?", [domain.id])
        await sql.execute(connection, "DELETE FROM domain WHERE id = ?", [domain.id])
        return DomainDeleteResult(AddressesRemoved=addresses, AliasesRemoved=aliases)

    return await call.services.committer.run(unit)


async def domain_alias_add(call: AdminCall, request: DomainAliasAddRequest) -> Empty:
    """Add another name for a domain. Global admins only."""
    require_global(call, "add domain aliases")
    domain = await domain_in_scope(call, request.Domain)
    alias = validate.domain_name(request.Alias)

    async def unit(batch: Batch) -> None:
        if await _name_taken(batch, alias):
            raise AdminError(AdminCode.EXISTS, f"{alias} is a domain or domain alias already")
        connection = batch.connection
        await sql.execute(
            connection,
            "INSERT INTO domain_alias (name, domain_id, created) VALUES (?, ?, ?)",
            [alias, domain.id, sql.encode_datetime(connection, call.services.clock.now())],
        )

    await call.services.committer.run(unit)
    return Empty()


async def domain_alias_remove(call: AdminCall, request: DomainAliasRemoveRequest) -> Empty:
    """Remove another name of a domain. Global admins only."""
    require_global(call, "remove domain aliases")
    domain = await domain_in_scope(call, request.Domain)
    alias = request.Alias.strip().lower()

    async def unit(batch: Batch) -> int:
        return await sql.execute(
            batch.connection,
            "DELETE FROM domain_alias WHERE name = ? AND domain_id = ?",
            [alias, domain.id],
        )

    if not await call.services.committer.run(unit):
        raise not_found("domain alias", alias)
    return Empty()

"""Login address methods (add, remove, fromid) and the checks every new address and alias
passes: on a domain the caller administers, its localpart free of the domain's catch-all
separators, and not taken by another address or alias."""

from __future__ import annotations

from dataclasses import dataclass

from postroom.admin import validate
from postroom.admin.access import DomainRef, account_in_scope, domain_in_scope
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError, not_found
from postroom.admin.types.accounts import (
    AddressAddRequest,
    AddressFromIDSetRequest,
    AddressRemoveRequest,
    Empty,
)
from postroom.store import sql
from postroom.store.groupcommit import Batch


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalAddress:
    domain: DomainRef
    localpart: str
    """Lower-cased."""
    has_separator: bool = False
    """Whether the domain has a catch-all separator (needed for fromid logins)."""

    def __str__(self) -> str:
        return f"{self.localpart}@{self.domain.name}"


async def local_address(call: AdminCall, text: str) -> LocalAddress:
    """A new address or alias on a domain the caller administers."""
    parsed = validate.address(text)
    domain = await domain_in_scope(call, parsed.domain)
    rows = await call.services.reader.fetch(
        "SELECT catchall_separators FROM domain WHERE id = ?", [domain.id]
    )
    separators = sql.decode_json(rows[0]["catchall_separators"]) or []
    localpart = parsed.localpart.lower()
    for separator in separators:
        if separator and separator in localpart:
            raise AdminError(
                AdminCode.BAD_ADDRESS,
                f"{text!r} contains {separator!r}, the catch-all separator of {domain.name}",
            )
    return LocalAddress(domain=domain, localpart=localpart, has_separator=bool(separators))


def check_fromid(address: LocalAddress, fromid_login: bool) -> None:
    """A fromid login needs a catch-all separator on its domain, to build MAIL FROM
    addresses (docs/account-api.md)."""
    if fromid_login and not address.has_separator:
        raise AdminError(
            AdminCode.USER,
            f"{address} cannot be a fromid login: domain {address.domain.name} has no"
            " catch-all separator",
        )


async def ensure_free(batch: Batch, address: LocalAddress, *, alias_ok: bool = False) -> None:
    """Raise `exists` if a login address (or, unless `alias_ok`, an alias) has the name."""
    rows = await sql.fetch(
        batch.connection,
        "SELECT 'address' AS kind FROM login_address WHERE domain_id = ? AND localpart = ?"
        " UNION ALL SELECT 'alias' AS kind FROM alias WHERE domain_id = ? AND localpart = ?",
        [address.domain.id, address.localpart] * 2,
    )
    for row in rows:
        if row["kind"] == "address" or not alias_ok:
            raise AdminError(AdminCode.EXISTS, f"{address} is already an {row['kind']}")


async def _owner(call: AdminCall, address: LocalAddress) -> str:
    rows = await call.services.reader.fetch(
        "SELECT a.name FROM login_address la JOIN account a ON a.id = la.account_id"
        " WHERE la.domain_id = ? AND la.localpart = ?",
        [address.domain.id, address.localpart],
    )
    if not rows:
        raise not_found("login address", str(address))
    return str(rows[0]["name"])


async def address_add(call: AdminCall, request: AddressAddRequest) -> Empty:
    """Add a login address to an account."""
    account = await account_in_scope(call, request.Account)
    address = await local_address(call, request.Address)
    check_fromid(address, request.FromIDLogin)

    async def unit(batch: Batch) -> None:
        await ensure_free(batch, address)
        connection = batch.connection
        await sql.execute(
            connection,
            "INSERT INTO login_address (account_id, domain_id, localpart, fromid_login, created)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                account.id,
                address.domain.id,
                address.localpart,
                request.FromIDLogin,
                sql.encode_datetime(connection, call.services.clock.now()),
            ],
        )

    await call.services.committer.run(unit)
    return Empty()


async def address_remove(call: AdminCall, request: AddressRemoveRequest) -> Empty:
    """Remove a login address. An account's last address cannot be removed."""
    address = await local_address(call, request.Address)
    owner = await account_in_scope(call, await _owner(call, address))

    async def unit(batch: Batch) -> None:
        connection = batch.connection
        rows = await sql.fetch(
            connection,
            "SELECT COUNT(*) AS n FROM login_address WHERE account_id = ?",
            [owner.id],
        )
        if int(rows[0]["n"]) <= 1:
            raise AdminError(
                AdminCode.USER,
                f"{address} is the last address of account {owner.name}; delete the account",
            )
        await sql.execute(
            connection,
            "DELETE FROM login_address WHERE domain_id = ? AND localpart = ?",
            [address.domain.id, address.localpart],
        )

    await call.services.committer.run(unit)
    return Empty()


async def address_fromid_set(call: AdminCall, request: AddressFromIDSetRequest) -> Empty:
    """Make a login address a fromid login address, or not."""
    address = await local_address(call, request.Address)
    await account_in_scope(call, await _owner(call, address))
    check_fromid(address, request.FromIDLogin)

    async def unit(batch: Batch) -> None:
        await sql.execute(
            batch.connection,
            "UPDATE login_address SET fromid_login = ? WHERE domain_id = ? AND localpart = ?",
            [request.FromIDLogin, address.domain.id, address.localpart],
        )

    await call.services.committer.run(unit)
    return Empty()

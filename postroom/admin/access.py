"""Who may act on what: global admins on everything, domain admins on their domains and
on the plain-user accounts whose addresses are all on their domains.

Lookups by name that also check the caller's scope, so no method forgets to: an object
outside the caller's scope is `forbidden`, an absent one `notFound`.
"""

from __future__ import annotations

from dataclasses import dataclass

from postroom.admin.context import AdminCall, Role
from postroom.admin.errors import forbidden, not_found


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRef:
    id: int
    name: str
    role: Role
    domain_ids: frozenset[int]


def require_global(call: AdminCall, what: str) -> None:
    if not call.principal.is_global:
        raise forbidden(f"only global admins may {what}")


async def find_domain(call: AdminCall, name: str) -> DomainRef | None:
    rows = await call.services.reader.fetch(
        "SELECT id, name FROM domain WHERE name = ?", [name.strip().lower()]
    )
    return DomainRef(id=int(rows[0]["id"]), name=str(rows[0]["name"])) if rows else None


async def domain_in_scope(call: AdminCall, name: str) -> DomainRef:
    domain = await find_domain(call, name)
    if domain is None:
        raise not_found("domain", name)
    if not call.principal.is_global and domain.id not in call.principal.domain_ids:
        raise forbidden(f"domain {domain.name} is not one you administer")
    return domain


async def find_account(call: AdminCall, name: str) -> AccountRef | None:
    reader = call.services.reader
    rows = await reader.fetch("SELECT id, name, role FROM account WHERE name = ?", [name])
    if not rows:
        return None
    account_id = int(rows[0]["id"])
    domains = await reader.fetch(
        "SELECT DISTINCT domain_id FROM login_address WHERE account_id = ?", [account_id]
    )
    try:
        role = Role(str(rows[0]["role"]))
    except ValueError:
        role = Role.USER
    return AccountRef(
        id=account_id,
        name=str(rows[0]["name"]),
        role=role,
        domain_ids=frozenset(int(row["domain_id"]) for row in domains),
    )


def in_scope(call: AdminCall, account: AccountRef) -> bool:
    principal = call.principal
    if principal.is_global:
        return True
    # A domain admin may not act on admins (that would let it take over their logins),
    # nor on accounts that also live on domains it does not administer.
    return (
        account.role is Role.USER
        and bool(account.domain_ids)
        and account.domain_ids <= principal.domain_ids
    )


async def account_in_scope(call: AdminCall, name: str) -> AccountRef:
    account = await find_account(call, name)
    if account is None:
        raise not_found("account", name)
    if not in_scope(call, account):
        raise forbidden(f"account {account.name} is not one you administer")
    return account

"""Declarative provisioning (`postroom apply FILE.json`): make the domains of a document,
their accounts and aliases, match it.

The document is keyed by domain; each domain has `account` and `alias` lists:

    {"example.com": {
        "account": [{"name": "alice", "password": "…"}, {"name": "bob", "password_hash": "$6$…"}],
        "alias": [{"name": "team", "to": "alice@example.com, carol@example.org"}],
        "forward_account": "alice"}}

An account `alice` of `example.com` is the account named `alice@example.com` with that
login address. Within the document's domains, accounts so named and aliases that the
document does not list are removed; domains that the document does not name, and
accounts named otherwise, are left alone. `forward_account` (optional) names the account
whose queue holds forwards for the domain (`carol@example.org` above), by its name in
the document or as a full account name; without it, the setting is left alone. Applying
a document twice changes nothing the second time: passwords are compared by verifying
them against the stored hash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from postroom.admin import accounts, aliases, domains, validate
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError
from postroom.admin.types import accounts as account_wire
from postroom.admin.types import aliases as alias_wire
from postroom.admin.types import domains as domain_wire
from postroom.auth import verify_password
from postroom.store import sql


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountSpec:
    name: str
    address: str
    password: str = ""
    password_hash: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasSpec:
    address: str
    members: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainSpec:
    name: str
    accounts: list[AccountSpec] = field(default_factory=list)
    aliases: list[AliasSpec] = field(default_factory=list)
    forward_account: str | None = None
    """Account name, "" for none, None to leave the setting alone."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    action: str
    """`create`, `change` or `remove`."""
    kind: str
    """`domain`, `account`, `password`, `alias` or `forwarding`."""
    name: str
    run: Callable[[], Awaitable[object]]

    def __str__(self) -> str:
        return f"{self.action} {self.kind} {self.name}"


def _bad(path: str, message: str) -> AdminError:
    return AdminError(AdminCode.USER, f"{path}: {message}")


def _object(value: Any, path: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(path, "must be an object")
    unknown = sorted(set(value) - keys)
    if unknown:
        raise _bad(path, f"unknown field {unknown[0]!r}; fields are {', '.join(sorted(keys))}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _bad(path, "must be a string")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(path, "must be a list")
    return value


def parse_document(document: Any) -> list[DomainSpec]:
    """The document's domains, validated; AdminError `user` names the bad field's path."""
    if not isinstance(document, dict):
        raise _bad("document", "must be an object keyed by domain")
    specs: list[DomainSpec] = []
    for raw_domain, body in document.items():
        name = validate.domain_name(raw_domain)
        body = _object(body, raw_domain, {"account", "alias", "forward_account"})
        account_specs: list[AccountSpec] = []
        seen: set[str] = set()
        for index, entry in enumerate(_list(body.get("account"), f"{raw_domain}.account")):
            path = f"{raw_domain}.account[{index}]"
            entry = _object(entry, path, {"name", "password", "password_hash"})
            localpart = _string(entry.get("name"), f"{path}.name").strip().lower()
            address = validate.address(f"{localpart}@{name}")
            password = _string(entry.get("password", ""), f"{path}.password")
            password_hash = _string(entry.get("password_hash", ""), f"{path}.password_hash")
            validate.password_hash("", password_hash, required=False)
            if password and password_hash:
                raise _bad(path, "give password or password_hash, not both")
            full = f"{address.localpart.lower()}@{name}"
            if full in seen:
                raise AdminError(AdminCode.EXISTS, f"{path}: {full} is listed twice")
            seen.add(full)
            account_specs.append(
                AccountSpec(
                    name=validate.account_name(full),
                    address=full,
                    password=password,
                    password_hash=password_hash,
                )
            )
        alias_specs: list[AliasSpec] = []
        for index, entry in enumerate(_list(body.get("alias"), f"{raw_domain}.alias")):
            path = f"{raw_domain}.alias[{index}]"
            entry = _object(entry, path, {"name", "to"})
            localpart = _string(entry.get("name"), f"{path}.name").strip().lower()
            address = validate.address(f"{localpart}@{name}")
            full = f"{address.localpart.lower()}@{name}"
            if full in seen:
                raise AdminError(AdminCode.EXISTS, f"{path}: {full} is listed twice")
            seen.add(full)
            to = [m.strip() for m in _string(entry.get("to"), f"{path}.to").split(",") if m.strip()]
            alias_specs.append(AliasSpec(address=full, members=aliases.members(to)))
        forward_account = None
        if "forward_account" in body:
            forward_account = _string(body["forward_account"], f"{raw_domain}.forward_account")
            forward_account = forward_account.strip().lower()
            if forward_account and "@" not in forward_account:
                forward_account = f"{forward_account}@{name}"
        specs.append(
            DomainSpec(
                name=name,
                accounts=account_specs,
                aliases=alias_specs,
                forward_account=forward_account,
            )
        )
    return specs


async def plan(call: AdminCall, specs: list[DomainSpec]) -> list[Change]:
    """The changes that make the database match `specs`, in the order to apply them."""
    changes: list[Change] = []
    reader = call.services.reader
    for spec in specs:
        rows = await reader.fetch("SELECT id FROM domain WHERE name = ?", [spec.name])
        domain_id = int(rows[0]["id"]) if rows else None
        if domain_id is None:
            request = domain_wire.DomainCreateRequest(Name=spec.name, CatchallSeparators=["+"])
            changes.append(
                Change(
                    action="create",
                    kind="domain",
                    name=spec.name,
                    run=_bind(domains.domain_create, call, request),
                )
            )
        existing = await _managed_accounts(call, domain_id)
        for account in spec.accounts:
            stored = existing.pop(account.name, None)
            if stored is None:
                request_create = account_wire.AccountCreateRequest(
                    Name=account.name, Address=account.address,
                    Password=account.password, PasswordHash=account.password_hash,
                )  # fmt: skip
                changes.append(
                    Change(
                        action="create",
                        kind="account",
                        name=account.name,
                        run=_bind(accounts.account_create, call, request_create),
                    )
                )
            elif await _password_differs(account, stored):
                request_password = account_wire.AccountPasswordSetRequest(
                    Name=account.name, Password=account.password, PasswordHash=account.password_hash
                )
                changes.append(
                    Change(
                        action="change",
                        kind="password",
                        name=account.name,
                        run=_bind(accounts.account_password_set, call, request_password),
                    )
                )
        for name in sorted(existing):
            request_delete = account_wire.AccountDeleteRequest(Name=name, Confirm=name)
            changes.append(
                Change(
                    action="remove",
                    kind="account",
                    name=name,
                    run=_bind(accounts.account_delete, call, request_delete),
                )
            )
        stored_aliases = await _aliases(call, domain_id)
        for alias in spec.aliases:
            members = stored_aliases.pop(alias.address, None)
            if members != alias.members:
                request_alias = alias_wire.AliasSetRequest(
                    Address=alias.address, Members=alias.members
                )
                action = "create" if members is None else "change"
                changes.append(
                    Change(
                        action=action,
                        kind="alias",
                        name=alias.address,
                        run=_bind(aliases.alias_set, call, request_alias),
                    )
                )
        for address in sorted(stored_aliases):
            request_remove = alias_wire.AliasRemoveRequest(Address=address)
            changes.append(
                Change(
                    action="remove",
                    kind="alias",
                    name=address,
                    run=_bind(aliases.alias_remove, call, request_remove),
                )
            )
        if spec.forward_account is not None and spec.forward_account != await _forward_account(
            call, domain_id
        ):
            await _check_account(call, spec.forward_account, spec)
            request_forward = domain_wire.DomainUpdateRequest(
                Name=spec.name, ForwardAccount=spec.forward_account
            )
            changes.append(
                Change(
                    action="change",
                    kind="forwarding",
                    name=f"{spec.name} to {spec.forward_account or 'none'}",
                    run=_bind(domains.domain_update, call, request_forward),
                )
            )
    return changes


async def _check_account(call: AdminCall, name: str, spec: DomainSpec) -> None:
    """Refuse a forwarding account that neither exists nor is made by the document, before
    anything is changed."""
    if not name or name in {account.name for account in spec.accounts}:
        return
    if not await call.services.reader.fetch(
        "SELECT 1 AS found FROM account WHERE name = ?", [name]
    ):
        raise AdminError(AdminCode.NOT_FOUND, f"{spec.name}.forward_account: no account {name}")


async def _forward_account(call: AdminCall, domain_id: int | None) -> str:
    if domain_id is None:
        return ""
    rows = await call.services.reader.fetch(
        "SELECT a.name FROM domain d JOIN account a ON a.id = d.forward_account_id WHERE d.id = ?",
        [domain_id],
    )
    return str(rows[0]["name"]) if rows else ""


def _bind(
    handler: Callable[[AdminCall, Any], Awaitable[object]], call: AdminCall, request: Any
) -> Callable[[], Awaitable[object]]:
    async def run() -> object:
        return await handler(call, request)

    return run


async def _managed_accounts(call: AdminCall, domain_id: int | None) -> dict[str, str]:
    """Accounts named after one of their addresses on the domain: name → password hash."""
    if domain_id is None:
        return {}
    rows = await call.services.reader.fetch(
        "SELECT a.name, a.password_hash, la.localpart, d.name AS domain FROM account a"
        " JOIN login_address la ON la.account_id = a.id JOIN domain d ON d.id = la.domain_id"
        " WHERE la.domain_id = ?",
        [domain_id],
    )
    return {
        str(row["name"]): str(row["password_hash"])
        for row in rows
        if row["name"] == f"{row['localpart']}@{row['domain']}"
    }


async def _aliases(call: AdminCall, domain_id: int | None) -> dict[str, list[str]]:
    if domain_id is None:
        return {}
    rows = await call.services.reader.fetch(
        "SELECT al.localpart, al.members, d.name AS domain FROM alias al"
        " JOIN domain d ON d.id = al.domain_id WHERE al.domain_id = ?",
        [domain_id],
    )
    return {
        f"{row['localpart']}@{row['domain']}": list(sql.decode_json(row["members"]) or [])
        for row in rows
    }


async def _password_differs(account: AccountSpec, stored: str) -> bool:
    if account.password_hash:
        return account.password_hash != stored
    if not account.password:
        # No password in the document: the account's password is not managed.
        return False
    return not await asyncio.to_thread(verify_password, account.password, stored)

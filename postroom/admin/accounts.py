"""Account methods: create, list, get, update settings, password, webhooks, delete."""

from __future__ import annotations

import asyncio
from typing import Any

from postroom.admin import validate
from postroom.admin.access import (
    AccountRef,
    account_in_scope,
    domain_in_scope,
    require_global,
)
from postroom.admin.addresses import check_fromid, ensure_free, local_address
from postroom.admin.context import AdminCall, Role
from postroom.admin.errors import AdminCode, AdminError, forbidden, not_found
from postroom.admin.types.accounts import (
    Account,
    AccountCreateRequest,
    AccountDeleteRequest,
    AccountGetRequest,
    AccountListRequest,
    AccountListResult,
    AccountPasswordSetRequest,
    AccountResult,
    AccountUpdateRequest,
    AccountWebhookSecretRotateRequest,
    AccountWebhooksSetRequest,
    Address,
    Empty,
    Webhooks,
    WebhookSecretResult,
)
from postroom.hooks import AddressPolicy, HookConfigError, WebhookSettings, configure_webhooks
from postroom.queue.filters import as_datetime
from postroom.store import sql
from postroom.store.account import Domain as DomainModel
from postroom.store.groupcommit import Batch
from postroom.store.provision import NewAddress, create_account

MAX_PAGE = 1000
DEFAULT_PAGE = 100

# Tables whose rows belong to an account and do not go with it by ON DELETE CASCADE
# (queue rows are RESTRICT so that nothing else removes queued mail by accident).
_ACCOUNT_TABLES = ("queue_message", "webhook")


async def _views(call: AdminCall, rows: list[dict[str, Any]]) -> list[Account]:
    if not rows:
        return []
    reader = call.services.reader
    ids = [int(row["id"]) for row in rows]
    marks = ", ".join("?" for _ in ids)
    addresses = await reader.fetch(
        "SELECT la.account_id, la.localpart, la.fromid_login, d.name AS domain"
        f" FROM login_address la JOIN domain d ON d.id = la.domain_id"
        f" WHERE la.account_id IN ({marks}) ORDER BY la.id",
        ids,
    )
    admin_domains = await reader.fetch(
        "SELECT da.account_id, d.name FROM domain_admin da JOIN domain d ON d.id = da.domain_id"
        f" WHERE da.account_id IN ({marks}) ORDER BY d.name",
        ids,
    )
    return [
        Account(
            Name=str(row["name"]),
            FullName=str(row["full_name"]),
            Role=str(row["role"]),
            AdminDomains=[str(a["name"]) for a in admin_domains if a["account_id"] == row["id"]],
            Addresses=[
                Address(
                    Address=f"{a['localpart']}@{a['domain']}", FromIDLogin=bool(a["fromid_login"])
                )
                for a in addresses
                if a["account_id"] == row["id"]
            ],
            LoginDisabled=str(row["login_disabled"]),
            SubmissionDisabled=bool(row["submission_disabled"]),
            SubmissionSaveSent=bool(row["submission_save_sent"]),
            SenderAllowList=list(sql.decode_json(row["sender_allowlist"]) or []),
            MaxMessagesPerDay=int(row["max_outgoing_messages_per_day"]),
            MaxFirstTimeRecipientsPerDay=int(row["max_first_time_recipients_per_day"]),
            KeepRetiredMessageSeconds=int(row["keep_retired_messages_seconds"]),
            KeepRetiredWebhookSeconds=int(row["keep_retired_webhooks_seconds"]),
            Webhooks=Webhooks(
                OutgoingURL=str(row["outgoing_webhook_url"]),
                OutgoingAuthorization=bool(row["outgoing_webhook_authorization"]),
                OutgoingEvents=list(sql.decode_json(row["outgoing_webhook_events"]) or []),
                IncomingURL=str(row["incoming_webhook_url"]),
                IncomingAuthorization=bool(row["incoming_webhook_authorization"]),
            ),
            HasPassword=bool(row["password_hash"]),
            Created=as_datetime(row["created"]),
        )
        for row in rows
    ]


async def load_account(call: AdminCall, name: str) -> Account:
    rows = await call.services.reader.fetch("SELECT * FROM account WHERE name = ?", [name])
    views = await _views(call, rows)
    if not views:
        raise not_found("account", name)
    return views[0]


async def account_create(call: AdminCall, request: AccountCreateRequest) -> AccountResult:
    """Create an account with its first login address and its mailboxes."""
    name = validate.account_name(request.Name)
    address = await local_address(call, request.Address)
    check_fromid(address, request.FromIDLogin)
    password_hash = await asyncio.to_thread(
        validate.password_hash, request.Password, request.PasswordHash, required=False
    )

    async def unit(batch: Batch) -> None:
        connection = batch.connection
        if await sql.fetch(connection, "SELECT 1 AS taken FROM account WHERE name = ?", [name]):
            raise AdminError(AdminCode.EXISTS, f"account {name} exists already")
        await ensure_free(batch, address)
        domain = await DomainModel.get(id=address.domain.id, using_db=connection)
        await create_account(
            name=name,
            password_hash=password_hash,
            full_name=request.FullName,
            addresses=[
                NewAddress(
                    domain=domain, localpart=address.localpart, fromid_login=request.FromIDLogin
                )
            ],
            connection=connection,
        )

    await call.services.committer.run(unit)
    return AccountResult(Account=await load_account(call, name))


def _scope_clause(call: AdminCall) -> tuple[str, list[Any]]:
    principal = call.principal
    if principal.is_global:
        return "1 = 1", []
    ids = sorted(principal.domain_ids) or [0]
    marks = ", ".join("?" for _ in ids)
    # Plain users whose addresses are all on the caller's domains (see admin.access).
    return (
        "a.role = ? AND EXISTS (SELECT 1 FROM login_address la WHERE la.account_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM login_address la WHERE la.account_id = a.id"
        f" AND la.domain_id NOT IN ({marks}))",
        [Role.USER.value, *ids],
    )


async def account_list(call: AdminCall, request: AccountListRequest) -> AccountListResult:
    """List accounts by name, a page at a time; domain admins see their accounts only."""
    limit = request.Limit or DEFAULT_PAGE
    if not 1 <= limit <= MAX_PAGE:
        raise AdminError(AdminCode.USER, f"Limit must be from 1 to {MAX_PAGE}")
    where, values = _scope_clause(call)
    if request.Domain:
        domain = await domain_in_scope(call, request.Domain)
        where += (
            " AND EXISTS (SELECT 1 FROM login_address la"
            " WHERE la.account_id = a.id AND la.domain_id = ?)"
        )
        values.append(domain.id)
    if request.After:
        where += " AND a.name > ?"
        values.append(request.After)
    rows = await call.services.reader.fetch(
        f"SELECT a.* FROM account a WHERE {where} ORDER BY a.name LIMIT {limit + 1}", values
    )
    more = len(rows) > limit
    accounts = await _views(call, rows[:limit])
    return AccountListResult(Accounts=accounts, Next=accounts[-1].Name if more else "")


async def account_get(call: AdminCall, request: AccountGetRequest) -> AccountResult:
    """Get an account and its settings."""
    account = await account_in_scope(call, request.Name)
    return AccountResult(Account=await load_account(call, account.name))


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise AdminError(AdminCode.USER, f"unknown role {text!r}; roles are {roles}") from None


async def account_update(call: AdminCall, request: AccountUpdateRequest) -> AccountResult:
    """Change an account's settings: limits, allow-list, switches; role and admin domains
    (global admins only)."""
    account = await account_in_scope(call, request.Name)
    changes: dict[str, Any] = {}
    if request.FullName is not None:
        changes["full_name"] = request.FullName
    if request.Role is not None:
        require_global(call, "change roles")
        changes["role"] = _role(request.Role).value
    domain_ids: list[int] | None = None
    if request.AdminDomains is not None:
        require_global(call, "change admin domains")
        domain_ids = [(await domain_in_scope(call, d)).id for d in request.AdminDomains]
    if request.LoginDisabled is not None:
        changes["login_disabled"] = request.LoginDisabled
    if request.SubmissionDisabled is not None:
        changes["submission_disabled"] = request.SubmissionDisabled
    if request.SubmissionSaveSent is not None:
        changes["submission_save_sent"] = request.SubmissionSaveSent
    if request.SenderAllowList is not None:
        allowlist = _allowlist(request.SenderAllowList)
        await _check_allowlist_scope(call, allowlist)
        changes["sender_allowlist"] = sql.encode_json(allowlist)
    numbers = {
        "max_outgoing_messages_per_day": ("MaxMessagesPerDay", request.MaxMessagesPerDay),
        "max_first_time_recipients_per_day": (
            "MaxFirstTimeRecipientsPerDay",
            request.MaxFirstTimeRecipientsPerDay,
        ),
        "keep_retired_messages_seconds": (
            "KeepRetiredMessageSeconds",
            request.KeepRetiredMessageSeconds,
        ),
        "keep_retired_webhooks_seconds": (
            "KeepRetiredWebhookSeconds",
            request.KeepRetiredWebhookSeconds,
        ),
    }
    for column, (field_name, value) in numbers.items():
        if value is not None:
            changes[column] = validate.non_negative(field_name, value)
    await apply_changes(call, account, changes, domain_ids)
    return AccountResult(Account=await load_account(call, account.name))


def _allowlist(entries: list[str]) -> list[str]:
    checked: list[str] = []
    for entry in entries:
        entry = entry.strip().lower()
        if entry == "*":
            checked.append(entry)
        elif entry.startswith("@"):
            checked.append("@" + validate.domain_name(entry[1:]))
        else:
            parsed = validate.address(entry)
            checked.append(f"{parsed.localpart.lower()}@{parsed.domain}")
    return list(dict.fromkeys(checked))


async def _check_allowlist_scope(call: AdminCall, entries: list[str]) -> None:
    """A domain admin may allow only senders on the domains it administers (their names
    and aliases): `*` or another tenant's domain would let the account send, DKIM-signed,
    as that tenant. Global admins may allow anything."""
    principal = call.principal
    if principal.is_global or not entries:
        return
    ids = sorted(principal.domain_ids) or [0]
    marks = ", ".join("?" for _ in ids)
    rows = await call.services.reader.fetch(
        f"SELECT name FROM domain WHERE id IN ({marks})"
        f" UNION ALL SELECT name FROM domain_alias WHERE domain_id IN ({marks})",
        [*ids, *ids],
    )
    names = {str(row["name"]) for row in rows}
    outside = [entry for entry in entries if entry.rpartition("@")[2] not in names]
    if outside:
        raise forbidden(
            "only global admins may allow senders outside your domains: " + ", ".join(outside)
        )


async def apply_changes(
    call: AdminCall, account: AccountRef, changes: dict[str, Any], domain_ids: list[int] | None
) -> None:
    if not changes and domain_ids is None:
        return

    async def unit(batch: Batch) -> None:
        connection = batch.connection
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            await sql.execute(
                connection,
                f"UPDATE account SET {assignments} WHERE id = ?",
                [*changes.values(), account.id],
            )
        if domain_ids is not None:
            await sql.execute(
                connection, "DELETE FROM domain_admin WHERE account_id = ?", [account.id]
            )
            for domain_id in dict.fromkeys(domain_ids):
                await sql.execute(
                    connection,
                    "INSERT INTO domain_admin (account_id, domain_id) VALUES (?, ?)",
                    [account.id, domain_id],
                )

    await call.services.committer.run(unit)


async def set_password(call: AdminCall, account: AccountRef, password: str, given: str) -> None:
    """Store a new password hash. Logins with the old password fail from now on: the
    credential cache remembers the hash it verified against, which no longer matches."""
    password_hash = await asyncio.to_thread(validate.password_hash, password, given, required=True)
    await apply_changes(call, account, {"password_hash": password_hash}, None)


async def account_password_set(call: AdminCall, request: AccountPasswordSetRequest) -> Empty:
    """Set an account's password, or a crypt hash of one."""
    account = await account_in_scope(call, request.Name)
    await set_password(call, account, request.Password, request.PasswordHash)
    return Empty()


async def set_webhooks(call: AdminCall, name: str, request: AccountWebhooksSetRequest) -> None:
    try:
        await configure_webhooks(
            call.services.committer,
            name,
            WebhookSettings(
                outgoing_url=request.OutgoingURL,
                outgoing_authorization=request.OutgoingAuthorization,
                outgoing_events=request.OutgoingEvents,
                incoming_url=request.IncomingURL,
                incoming_authorization=request.IncomingAuthorization,
            ),
            policy=_address_policy(call),
        )
    except HookConfigError as exc:
        raise AdminError(AdminCode.USER, str(exc)) from exc


def _address_policy(call: AdminCall) -> AddressPolicy:
    return AddressPolicy.of(call.services.config.webhooks)


async def account_webhooks_set(
    call: AdminCall, request: AccountWebhooksSetRequest
) -> AccountResult:
    """Change an account's webhook URLs, Authorization values and subscribed events."""
    account = await account_in_scope(call, request.Name)
    await set_webhooks(call, account.name, request)
    return AccountResult(Account=await load_account(call, account.name))


async def rotate_secret(call: AdminCall, name: str) -> WebhookSecretResult:
    hooks = await configure_webhooks(
        call.services.committer, name, WebhookSettings(secret=""), policy=_address_policy(call)
    )
    return WebhookSecretResult(Secret=hooks.secret)


async def account_webhook_secret_rotate(
    call: AdminCall, request: AccountWebhookSecretRotateRequest
) -> WebhookSecretResult:
    """Replace the webhook signing secret; webhooks sent from now on (retries too) use it."""
    account = await account_in_scope(call, request.Name)
    return await rotate_secret(call, account.name)


async def account_delete(call: AdminCall, request: AccountDeleteRequest) -> Empty:
    """Delete an account with all its data. `Confirm` must repeat the name."""
    account = await account_in_scope(call, request.Name)
    if request.Confirm != account.name:
        raise AdminError(
            AdminCode.CONFIRMATION_REQUIRED,
            f"deleting account {account.name} removes all its data; set Confirm to its name",
        )

    async def unit(batch: Batch) -> None:
        connection = batch.connection
        for table in _ACCOUNT_TABLES:
            await sql.execute(connection, f"DELETE FROM {table} WHERE account_id = ?", [account.id])
        await sql.execute(connection, "DELETE FROM account WHERE id = ?", [account.id])

    await call.services.committer.run(unit)
    return Empty()

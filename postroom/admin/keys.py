"""API key methods: create (the token is shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from postroom.admin import validate
from postroom.admin.access import account_in_scope, find_account, in_scope, require_global
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError, forbidden, not_found
from postroom.admin.types.accounts import Empty
from postroom.admin.types.keys import (
    APIKey,
    APIKeyCreateRequest,
    APIKeyCreateResult,
    APIKeyListRequest,
    APIKeyListResult,
    APIKeyRevokeRequest,
)
from postroom.auth import KeyScope, new_key
from postroom.queue.filters import as_datetime
from postroom.store import sql
from postroom.store.groupcommit import Batch

MAX_NAME = 200
_SELECT = (
    "SELECT k.id, k.name, k.prefix, k.scope, k.created, k.last_used, k.revoked,"
    " a.name AS account FROM api_key k LEFT JOIN account a ON a.id = k.account_id"
)


def _view(row: dict[str, Any]) -> APIKey:
    def time(value: Any) -> Any:
        return None if value is None else as_datetime(value)

    return APIKey(
        ID=int(row["id"]),
        Name=str(row["name"]),
        Prefix=str(row["prefix"]),
        Scope=str(row["scope"]),
        Account=str(row["account"] or ""),
        Created=time(row["created"]),
        LastUsed=time(row["last_used"]),
        Revoked=time(row["revoked"]),
    )


def _scope(text: str) -> KeyScope:
    try:
        return KeyScope(text or KeyScope.WEBAPI.value)
    except ValueError:
        raise AdminError(
            AdminCode.USER, f"unknown scope {text!r}; scopes are webapi, admin"
        ) from None


async def create_key(
    call: AdminCall, account_id: int | None, scope: KeyScope, name: str
) -> APIKeyCreateResult:
    if len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise AdminError(AdminCode.USER, f"a key name has at most {MAX_NAME} characters")
    key = new_key()

    async def unit(batch: Batch) -> int:
        connection = batch.connection
        return await sql.insert_returning_id(
            connection,
            "INSERT INTO api_key (account_id, name, prefix, secret_hash, scope, created)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [
                account_id,
                name,
                key.prefix,
                key.secret_hash,
                scope.value,
                sql.encode_datetime(connection, call.services.clock.now()),
            ],
        )

    key_id = await call.services.committer.run(unit)
    rows = await call.services.reader.fetch(f"{_SELECT} WHERE k.id = ?", [key_id])
    return APIKeyCreateResult(Key=_view(rows[0]), Token=key.token)


async def apikey_create(call: AdminCall, request: APIKeyCreateRequest) -> APIKeyCreateResult:
    """Create an API key: `webapi` for an account, or `admin` (global admins only)."""
    scope = _scope(request.Scope)
    if scope is KeyScope.ADMIN:
        require_global(call, "create admin API keys")
        if request.Account:
            raise AdminError(AdminCode.USER, "admin keys belong to no account")
        return await create_key(call, None, scope, request.Name)
    if not request.Account:
        raise AdminError(AdminCode.USER, "a webapi key needs an Account")
    account = await account_in_scope(call, request.Account)
    return await create_key(call, account.id, scope, request.Name)


async def list_keys(call: AdminCall, where: str, values: list[Any]) -> list[APIKey]:
    rows = await call.services.reader.fetch(f"{_SELECT} WHERE {where} ORDER BY k.id", values)
    return [_view(row) for row in rows]


async def apikey_list(call: AdminCall, request: APIKeyListRequest) -> APIKeyListResult:
    """List API keys (never their tokens); revoked keys are listed with their time."""
    if request.Account:
        account = await account_in_scope(call, request.Account)
        return APIKeyListResult(Keys=await list_keys(call, "k.account_id = ?", [account.id]))
    keys = await list_keys(call, "1 = 1", [])
    if not call.principal.is_global:
        visible = []
        for key in keys:
            owner = await find_account(call, key.Account) if key.Account else None
            if owner is not None and in_scope(call, owner):
                visible.append(key)
        keys = visible
    return APIKeyListResult(Keys=keys)


async def revoke_key(call: AdminCall, key_id: int, account_id: int | None) -> None:
    async def unit(batch: Batch) -> int:
        connection = batch.connection
        where, values = "id = ? AND revoked IS NULL", [key_id]
        if account_id is not None:
            where += " AND account_id = ?"
            values.append(account_id)
        return await sql.execute(
            connection,
            f"UPDATE api_key SET revoked = ? WHERE {where}",
            [sql.encode_datetime(connection, call.services.clock.now()), *values],
        )

    if not await call.services.committer.run(unit):
        raise not_found("live API key", key_id)


async def apikey_revoke(call: AdminCall, request: APIKeyRevokeRequest) -> Empty:
    """Revoke an API key; it stops working at once."""
    rows = await call.services.reader.fetch(
        f"{_SELECT} WHERE k.id = ?", [validate.row_id(request.ID)]
    )
    if not rows:
        raise not_found("API key", request.ID)
    key = _view(rows[0])
    if not call.principal.is_global:
        owner = await find_account(call, key.Account) if key.Account else None
        if owner is None or not in_scope(call, owner):
            raise forbidden(f"API key {key.ID} is not one you administer")
    await revoke_key(call, key.ID, None)
    return Empty()

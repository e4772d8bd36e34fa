"""The account API's methods: what any account may do to itself."""

from __future__ import annotations

import asyncio
from typing import Any

from postroom.admin import validate
from postroom.admin.access import AccountRef, find_account
from postroom.admin.accounts import (
    apply_changes,
    load_account,
    rotate_secret,
    set_password,
    set_webhooks,
)
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError
from postroom.admin.keys import create_key, list_keys, revoke_key
from postroom.admin.types.accounts import (
    AccountResult,
    AccountWebhooksSetRequest,
    Empty,
    WebhookSecretResult,
)
from postroom.admin.types.keys import APIKeyCreateResult, APIKeyListResult
from postroom.admin.types.own import (
    OwnAccountGetRequest,
    OwnAPIKeyCreateRequest,
    OwnAPIKeyListRequest,
    OwnAPIKeyRevokeRequest,
    OwnPasswordSetRequest,
    OwnSettingsSetRequest,
    OwnWebhookSecretRotateRequest,
    OwnWebhooksSetRequest,
)
from postroom.auth import KeyScope, verify_password


async def _own(call: AdminCall) -> AccountRef:
    rows = await call.services.reader.fetch(
        "SELECT name FROM account WHERE id = ?", [call.principal.account_id]
    )
    account = await find_account(call, str(rows[0]["name"])) if rows else None
    if account is None:
        raise AdminError(AdminCode.UNAUTHORIZED, "the account no longer exists")
    return account


async def own_account_get(call: AdminCall, request: OwnAccountGetRequest) -> AccountResult:
    """The caller's account and settings."""
    account = await _own(call)
    return AccountResult(Account=await load_account(call, account.name))


async def own_password_set(call: AdminCall, request: OwnPasswordSetRequest) -> Empty:
    """Change the caller's password; the current one must be given."""
    account = await _own(call)
    rows = await call.services.reader.fetch(
        "SELECT password_hash FROM account WHERE id = ?", [account.id]
    )
    stored = str(rows[0]["password_hash"])
    if not await asyncio.to_thread(verify_password, request.CurrentPassword, stored):
        raise AdminError(AdminCode.BAD_PASSWORD, "the current password is wrong")
    await set_password(call, account, request.NewPassword, "")
    return Empty()


async def own_settings_set(call: AdminCall, request: OwnSettingsSetRequest) -> AccountResult:
    """Change the caller's display name, Sent copies and retention periods."""
    account = await _own(call)
    changes: dict[str, Any] = {}
    if request.FullName is not None:
        changes["full_name"] = request.FullName
    if request.SubmissionSaveSent is not None:
        changes["submission_save_sent"] = request.SubmissionSaveSent
    if request.KeepRetiredMessageSeconds is not None:
        changes["keep_retired_messages_seconds"] = validate.non_negative(
            "KeepRetiredMessageSeconds", request.KeepRetiredMessageSeconds
        )
    if request.KeepRetiredWebhookSeconds is not None:
        changes["keep_retired_webhooks_seconds"] = validate.non_negative(
            "KeepRetiredWebhookSeconds", request.KeepRetiredWebhookSeconds
        )
    await apply_changes(call, account, changes, None)
    return AccountResult(Account=await load_account(call, account.name))


async def own_webhooks_set(call: AdminCall, request: OwnWebhooksSetRequest) -> AccountResult:
    """Change the caller's webhook URLs, Authorization values and events."""
    account = await _own(call)
    await set_webhooks(
        call,
        account.name,
        AccountWebhooksSetRequest(
            Name=account.name,
            OutgoingURL=request.OutgoingURL,
            OutgoingAuthorization=request.OutgoingAuthorization,
            OutgoingEvents=request.OutgoingEvents,
            IncomingURL=request.IncomingURL,
            IncomingAuthorization=request.IncomingAuthorization,
        ),
    )
    return AccountResult(Account=await load_account(call, account.name))


async def own_webhook_secret_rotate(
    call: AdminCall, request: OwnWebhookSecretRotateRequest
) -> WebhookSecretResult:
    """Replace the caller's webhook signing secret; the new one is in the result."""
    return await rotate_secret(call, (await _own(call)).name)


async def own_apikey_create(call: AdminCall, request: OwnAPIKeyCreateRequest) -> APIKeyCreateResult:
    """Create a webapi key for the caller's account."""
    account = await _own(call)
    return await create_key(call, account.id, KeyScope.WEBAPI, request.Name)


async def own_apikey_list(call: AdminCall, request: OwnAPIKeyListRequest) -> APIKeyListResult:
    """The caller's API keys, revoked ones included."""
    account = await _own(call)
    return APIKeyListResult(Keys=await list_keys(call, "k.account_id = ?", [account.id]))


async def own_apikey_revoke(call: AdminCall, request: OwnAPIKeyRevokeRequest) -> Empty:
    """Revoke one of the caller's API keys."""
    account = await _own(call)
    await revoke_key(call, validate.row_id(request.ID), account.id)
    return Empty()

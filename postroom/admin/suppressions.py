"""Suppression methods for admins: the suppression list of any account in scope."""

from __future__ import annotations

from postroom.admin import validate
from postroom.admin.access import account_in_scope
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError
from postroom.admin.types.accounts import Empty
from postroom.admin.types.queue import (
    Suppression,
    SuppressionAccountRequest,
    SuppressionListRequest,
    SuppressionListResult,
    SuppressionPresentResult,
)
from postroom.queue import suppression as queue_suppression
from postroom.queue.errors import SuppressionAbsentError, SuppressionExistsError


async def _base(call: AdminCall, text: str) -> tuple[str, str]:
    address = validate.address(text)
    base = (await queue_suppression.base_addresses([address], call.services.reader))[0]
    return str(address), base


async def suppression_list(
    call: AdminCall, request: SuppressionListRequest
) -> SuppressionListResult:
    """An account's suppression list, by base address."""
    account = await account_in_scope(call, request.Account)
    rows = await queue_suppression.list_suppressions(account.id)
    return SuppressionListResult(
        Suppressions=[
            Suppression(
                ID=row.id,
                Created=row.created,
                Account=account.name,
                BaseAddress=row.base_address,
                OriginalAddress=row.original_address,
                Manual=row.manual,
                Reason=row.reason,
            )
            for row in rows
        ]
    )


async def suppression_add(call: AdminCall, request: SuppressionAccountRequest) -> Empty:
    """Add an address to an account's suppression list."""
    account = await account_in_scope(call, request.Account)
    original, base = await _base(call, request.EmailAddress)
    try:
        await queue_suppression.add_suppression(
            account_id=account.id,
            base_address=base,
            original_address=original,
            manual=request.Manual,
            reason=request.Reason,
            now=call.services.clock.now(),
        )
    except SuppressionExistsError as exc:
        raise AdminError(AdminCode.ERROR, f"address {base} is already suppressed") from exc
    return Empty()


async def suppression_remove(call: AdminCall, request: SuppressionAccountRequest) -> Empty:
    """Remove an address from an account's suppression list."""
    account = await account_in_scope(call, request.Account)
    _, base = await _base(call, request.EmailAddress)
    try:
        await queue_suppression.remove_suppression(account.id, base)
    except SuppressionAbsentError as exc:
        raise AdminError(AdminCode.ERROR, "absent") from exc
    return Empty()


async def suppression_present(
    call: AdminCall, request: SuppressionAccountRequest
) -> SuppressionPresentResult:
    """Whether an account suppresses an address."""
    account = await account_in_scope(call, request.Account)
    _, base = await _base(call, request.EmailAddress)
    return SuppressionPresentResult(Present=await queue_suppression.is_suppressed(account.id, base))

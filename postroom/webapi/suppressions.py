"""The Suppression* methods: an account's list of recipients it will not send to."""

from __future__ import annotations

from postroom.mail import Address, AddressError, parse_address
from postroom.queue import suppression as queue_suppression
from postroom.queue.errors import SuppressionAbsentError, SuppressionExistsError
from postroom.store.outgoing import Suppression as SuppressionRow
from postroom.webapi.context import Call
from postroom.webapi.errors import APIError, ErrorCode
from postroom.webapi.types import (
    Suppression,
    SuppressionAddRequest,
    SuppressionAddResult,
    SuppressionListRequest,
    SuppressionListResult,
    SuppressionPresentRequest,
    SuppressionPresentResult,
    SuppressionRemoveRequest,
    SuppressionRemoveResult,
)


def _parse(text: str) -> Address:
    try:
        return parse_address(text)
    except AddressError as exc:
        raise APIError(ErrorCode.BAD_ADDRESS, str(exc)) from exc


async def _base(call: Call, text: str) -> tuple[Address, str]:
    address = _parse(text)
    return address, (await queue_suppression.base_addresses([address], call.services.reader))[0]


def _to_wire(row: SuppressionRow, account_name: str) -> Suppression:
    return Suppression(
        ID=row.id,
        Created=row.created,
        Account=account_name,
        BaseAddress=row.base_address,
        OriginalAddress=row.original_address,
        Manual=row.manual,
        Reason=row.reason,
    )


async def suppression_list(call: Call, request: SuppressionListRequest) -> SuppressionListResult:
    """List the account's suppressed addresses, ordered by base address."""
    account = call.login.account
    rows = await queue_suppression.list_suppressions(account.id)
    return SuppressionListResult(Suppressions=[_to_wire(row, account.name) for row in rows])


async def suppression_add(call: Call, request: SuppressionAddRequest) -> SuppressionAddResult:
    """Add an address to the account's suppression list. Adding a listed address is an error."""
    address, base = await _base(call, request.EmailAddress)
    try:
        await queue_suppression.add_suppression(
            account_id=call.login.account.id,
            base_address=base,
            original_address=str(address),
            manual=request.Manual,
            reason=request.Reason,
            now=call.services.clock.now(),
        )
    except SuppressionExistsError as exc:
        raise APIError(
            ErrorCode.ERROR, f"address {base} is already on the suppression list"
        ) from exc
    return SuppressionAddResult()


async def suppression_remove(
    call: Call, request: SuppressionRemoveRequest
) -> SuppressionRemoveResult:
    """Remove the entry for the address's base address. Removing an absent one is an error."""
    _, base = await _base(call, request.EmailAddress)
    try:
        await queue_suppression.remove_suppression(call.login.account.id, base)
    except SuppressionAbsentError as exc:
        raise APIError(ErrorCode.ERROR, "absent") from exc
    return SuppressionRemoveResult()


async def suppression_present(
    call: Call, request: SuppressionPresentRequest
) -> SuppressionPresentResult:
    """Whether the account suppresses the address's base address."""
    _, base = await _base(call, request.EmailAddress)
    present = await queue_suppression.is_suppressed(call.login.account.id, base)
    return SuppressionPresentResult(Present=present)

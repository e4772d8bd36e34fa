"""Webhook methods for admins: list queued and retired webhooks, retry now, cancel.
Domain admins must filter by an Account of theirs."""

from __future__ import annotations

from typing import Any

from postroom.admin import validate
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError
from postroom.admin.queueops import DEFAULT_PAGE, MAX_PAGE, check_scope
from postroom.admin.types import hooks as wire
from postroom.admin.types.queue import CountResult, Page
from postroom.hooks import (
    HookFilter,
    HookPage,
    HookSort,
    QueuedHook,
    RetiredHook,
    cancel_hooks,
    list_hooks,
    list_retired_hooks,
    retry_hooks,
)
from postroom.queue.errors import QueueError
from postroom.queue.filters import Cursor


async def _filter(call: AdminCall, f: wire.HookFilter) -> HookFilter:
    await check_scope(call, f.Account, "")
    return HookFilter(
        ids=validate.filter_ids(f.IDs),
        account=f.Account,
        event=f.Event,
        queue_msg_id=f.QueueMsgID,
        submitted_before=f.SubmittedBefore,
        submitted_after=f.SubmittedAfter,
    )


def _page(page: Page, default: HookSort) -> HookPage:
    limit = page.Limit or DEFAULT_PAGE
    if not 1 <= limit <= MAX_PAGE:
        raise AdminError(AdminCode.USER, f"Limit must be from 1 to {MAX_PAGE}")
    try:
        sort = HookSort(page.Sort) if page.Sort else default
    except ValueError:
        known = ", ".join(s.value for s in HookSort)
        raise AdminError(AdminCode.USER, f"unknown Sort {page.Sort!r}; use {known}") from None
    try:
        after = Cursor.decode(page.After) if page.After else None
    except QueueError as exc:
        raise AdminError(AdminCode.USER, str(exc)) from exc
    return HookPage(limit=limit, sort=sort, ascending=not page.Desc, after=after)


async def hook_list(call: AdminCall, request: wire.HookListRequest) -> wire.HookListResult:
    """List queued webhooks, a page at a time."""
    f = await _filter(call, request.Filter)
    services = call.services
    rows, cursor = await list_hooks(
        services.reader, services.dialect, f, _page(request.Page, HookSort.NEXT_ATTEMPT)
    )
    return wire.HookListResult(
        Hooks=[_wire_hook(h, NextAttempt=h.next_attempt) for h in rows],
        Next=cursor.encode() if cursor else "",
    )


async def hook_retired_list(call: AdminCall, request: wire.HookListRequest) -> wire.HookListResult:
    """List retired webhooks (sent, failed, canceled, superseded), a page at a time."""
    f = await _filter(call, request.Filter)
    services = call.services
    rows, cursor = await list_retired_hooks(
        services.reader, services.dialect, f, _page(request.Page, HookSort.LAST_ACTIVITY)
    )
    return wire.HookListResult(
        Hooks=[_wire_hook(h, Success=h.success, LastActivity=h.last_activity) for h in rows],
        Next=cursor.encode() if cursor else "",
    )


def _wire_hook(h: QueuedHook | RetiredHook, **fields: Any) -> wire.Hook:
    """The fields queued and retired hooks share, plus `fields` of the one kind."""
    return wire.Hook(
        ID=h.id,
        Account=h.account,
        IsIncoming=h.is_incoming,
        Event=h.event,
        QueueMsgID=h.queue_msg_id,
        URL=h.url,
        Submitted=h.submitted,
        Attempts=h.attempts,
        **fields,
    )


async def hook_retry(call: AdminCall, request: wire.HookChangeRequest) -> CountResult:
    """Send the matching queued webhooks now."""
    f = await _filter(call, request.Filter)
    count = await retry_hooks(call.services.committer, f, call.services.clock.now())
    if count:
        call.services.hooks_queued()
    return CountResult(Count=count)


async def hook_cancel(call: AdminCall, request: wire.HookChangeRequest) -> CountResult:
    """Cancel the matching queued webhooks (kept as retired, if the account keeps them)."""
    f = await _filter(call, request.Filter)
    return CountResult(
        Count=await cancel_hooks(call.services.committer, f, call.services.clock.now())
    )

"""Queue methods for admins: list, hold, release, retry, delay, fail, drop, transport,
RequireTLS, retired messages, hold rules, and a global pause and resume.

Domain admins reach only the messages of their domains: every filter they send must
name a SenderDomain they administer or an Account of theirs.
"""

from __future__ import annotations

from datetime import timedelta

from postroom.admin import validate
from postroom.admin.access import account_in_scope, domain_in_scope, require_global
from postroom.admin.context import AdminCall
from postroom.admin.errors import AdminCode, AdminError, forbidden, not_found
from postroom.admin.types import queue as wire
from postroom.admin.types.accounts import Empty
from postroom.queue import operations
from postroom.queue.errors import QueueError
from postroom.queue.filters import Cursor, PageRequest, QueueFilter, RetiredFilter, SortField
from postroom.queue.holdrules import add_hold_rule, list_hold_rules, remove_hold_rule
from postroom.queue.results import AttemptResult
from postroom.queue.retired import list_retired
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.outgoing import HoldRule

MAX_PAGE = 1000
MAX_DELAY_MINUTES = 10 * 366 * 24 * 60
"""QueueDelay moves an attempt by at most ten years either way (and stays a valid time)."""
DEFAULT_PAGE = 100


async def check_scope(call: AdminCall, account: str, sender_domain: str) -> None:
    """Refuse a domain admin's filter unless it names a domain or account of theirs."""
    if call.principal.is_global:
        return
    if sender_domain:
        await domain_in_scope(call, sender_domain)
    elif account:
        await account_in_scope(call, account)
    else:
        raise forbidden("domain admins must name a SenderDomain they administer or an Account")


async def queue_filter(call: AdminCall, f: wire.QueueFilter) -> QueueFilter:
    await check_scope(call, f.Account, f.SenderDomain)
    return QueueFilter(
        ids=validate.filter_ids(f.IDs),
        account=f.Account,
        sender_domain=f.SenderDomain,
        recipient_domain=f.RecipientDomain,
        hold=f.Hold,
        submitted_before=f.SubmittedBefore,
        submitted_after=f.SubmittedAfter,
        next_attempt_before=f.NextAttemptBefore,
        next_attempt_after=f.NextAttemptAfter,
        transport=f.Transport,
    )


def page_request(page: wire.Page, default: SortField) -> PageRequest:
    limit = page.Limit or DEFAULT_PAGE
    if not 1 <= limit <= MAX_PAGE:
        raise AdminError(AdminCode.USER, f"Limit must be from 1 to {MAX_PAGE}")
    sort = {"": default, "submitted": SortField.QUEUED}.get(page.Sort)
    if sort is None:
        try:
            sort = SortField(page.Sort)
        except ValueError:
            known = ", ".join(s.value for s in SortField)
            raise AdminError(AdminCode.USER, f"unknown Sort {page.Sort!r}; use {known}") from None
    try:
        after = Cursor.decode(page.After) if page.After else None
    except QueueError as exc:
        raise AdminError(AdminCode.USER, str(exc)) from exc
    return PageRequest(limit=limit, sort=sort, ascending=not page.Desc, after=after)


def _results(results: tuple[AttemptResult, ...]) -> list[wire.AttemptResult]:
    return [
        wire.AttemptResult(
            Start=r.start, Success=r.success, Code=r.code, Secode=r.secode, Error=r.error
        )
        for r in results
    ]


async def queue_list(call: AdminCall, request: wire.QueueListRequest) -> wire.QueueListResult:
    """List queued messages, a page at a time."""
    f = await queue_filter(call, request.Filter)
    page = page_request(request.Page, SortField.NEXT_ATTEMPT)
    rows, cursor = await operations.list_queue(call.services.committer, f, page)
    return wire.QueueListResult(
        Messages=[
            wire.QueuedMessage(
                ID=m.id,
                Account=m.account,
                Sender=m.sender,
                Recipient=m.recipient,
                FromID=m.from_id,
                Hold=m.hold,
                Queued=m.queued,
                Attempts=m.attempts,
                NextAttempt=m.next_attempt,
                LastAttempt=m.last_attempt,
                Results=_results(m.results),
                Transport=m.transport,
                RequireTLS=m.require_tls,
                MessageID=m.message_id,
                Subject=m.subject,
                Size=m.size,
            )
            for m in rows
        ],
        Next=cursor.encode() if cursor else "",
    )


def _count(call: AdminCall, count: int) -> wire.CountResult:
    if count:
        call.services.queued()
    return wire.CountResult(Count=count)


async def queue_hold(call: AdminCall, request: wire.QueueChangeRequest) -> wire.CountResult:
    """Hold the matching messages: no delivery attempts until released."""
    f = await queue_filter(call, request.Filter)
    return _count(call, await operations.hold(call.services.committer, f))


async def queue_release(call: AdminCall, request: wire.QueueChangeRequest) -> wire.CountResult:
    """Release the matching held messages; overdue ones are attempted at once."""
    f = await queue_filter(call, request.Filter)
    return _count(call, await operations.release(call.services.committer, f))


async def queue_retry(call: AdminCall, request: wire.QueueChangeRequest) -> wire.CountResult:
    """Attempt the matching messages now."""
    f = await queue_filter(call, request.Filter)
    now = call.services.clock.now()
    return _count(call, await operations.set_next_attempt(call.services.committer, f, now, now))


async def queue_delay(call: AdminCall, request: wire.QueueDelayRequest) -> wire.CountResult:
    """Move the next attempt of the matching messages by some minutes."""
    f = await queue_filter(call, request.Filter)
    now = call.services.clock.now()
    if abs(request.Minutes) > MAX_DELAY_MINUTES:
        raise AdminError(
            AdminCode.USER, f"Minutes must be from -{MAX_DELAY_MINUTES} to {MAX_DELAY_MINUTES}"
        )
    delta = timedelta(minutes=request.Minutes)
    return _count(call, await operations.add_next_attempt(call.services.committer, f, delta, now))


async def queue_fail(call: AdminCall, request: wire.QueueChangeRequest) -> wire.CountResult:
    """Fail the matching messages: a failure DSN to the sender and a `failed` webhook."""
    f = await queue_filter(call, request.Filter)
    services = call.services
    count = await operations.fail(
        services.committer, f, services.clock.now(), services.config.hostname
    )
    if count:
        services.hooks_queued()
    return _count(call, count)


async def queue_drop(call: AdminCall, request: wire.QueueChangeRequest) -> wire.CountResult:
    """Drop the matching messages without a DSN; a `canceled` webhook follows."""
    f = await queue_filter(call, request.Filter)
    services = call.services
    count = await operations.drop(services.committer, f, services.clock.now())
    if count:
        services.hooks_queued()
    return _count(call, count)


async def queue_transport_set(
    call: AdminCall, request: wire.QueueTransportSetRequest
) -> wire.CountResult:
    """Deliver the matching messages through a configured transport ("" for the routes)."""
    f = await queue_filter(call, request.Filter)
    known = ["direct", *call.services.config.transports]
    if request.Transport and request.Transport not in known:
        # The delivery would fail (temporarily) on every attempt until it is fixed.
        raise AdminError(
            AdminCode.USER,
            f"no transport {request.Transport!r} in the config (known: {', '.join(known)})",
        )
    return _count(
        call, await operations.set_transport(call.services.committer, f, request.Transport)
    )


async def queue_require_tls_set(
    call: AdminCall, request: wire.QueueRequireTLSSetRequest
) -> wire.CountResult:
    """Set RequireTLS of the matching messages (null: the default policy)."""
    f = await queue_filter(call, request.Filter)
    count = await operations.set_require_tls(call.services.committer, f, request.RequireTLS)
    return _count(call, count)


async def retired_list(call: AdminCall, request: wire.RetiredListRequest) -> wire.RetiredListResult:
    """List retired messages (delivered, failed, canceled), a page at a time."""
    given = request.Filter
    await check_scope(call, given.Account, given.SenderDomain)
    f = RetiredFilter(
        ids=validate.filter_ids(given.IDs), account=given.Account, sender_domain=given.SenderDomain,
        recipient_domain=given.RecipientDomain, success=given.Success,
        submitted_before=given.SubmittedBefore, submitted_after=given.SubmittedAfter,
    )  # fmt: skip
    page = page_request(request.Page, SortField.LAST_ACTIVITY)
    services = call.services
    rows, cursor = await list_retired(services.reader, services.dialect, f, page)
    return wire.RetiredListResult(
        Messages=[
            wire.RetiredMessage(
                ID=m.id,
                Account=m.account,
                Recipient=m.recipient,
                Success=m.success,
                Attempts=m.attempts,
                LastActivity=m.last_activity,
                Subject=m.subject,
            )
            for m in rows
        ],
        Next=cursor.encode() if cursor else "",
    )


def _rule(rule: HoldRule) -> wire.HoldRule:
    return wire.HoldRule(
        ID=rule.id,
        Account=rule.account,
        SenderDomain=rule.sender_domain,
        RecipientDomain=rule.recipient_domain,
    )


async def holdrule_list(
    call: AdminCall, request: wire.HoldRuleListRequest
) -> wire.HoldRuleListResult:
    """List hold rules (domain admins: the rules on their domains)."""
    rules = await list_hold_rules()
    if not call.principal.is_global:
        names = await _scope_domain_names(call)
        rules = [r for r in rules if r.sender_domain in names]
    return wire.HoldRuleListResult(Rules=[_rule(r) for r in rules])


async def _scope_domain_names(call: AdminCall) -> set[str]:
    ids = sorted(call.principal.domain_ids) or [0]
    rows = await call.services.reader.fetch(
        f"SELECT name FROM domain WHERE id IN ({', '.join('?' for _ in ids)})", ids
    )
    return {str(row["name"]) for row in rows}


async def holdrule_add(call: AdminCall, request: wire.HoldRuleAddRequest) -> wire.HoldRuleAddResult:
    """Add a hold rule; queued messages it matches are held at once."""
    if not call.principal.is_global:
        if not request.SenderDomain:
            raise forbidden("domain admins must give a SenderDomain they administer")
        await domain_in_scope(call, request.SenderDomain)
    rule, held = await add_hold_rule(
        call.services.committer,
        account=request.Account,
        sender_domain=request.SenderDomain,
        recipient_domain=request.RecipientDomain,
    )
    return wire.HoldRuleAddResult(Rule=_rule(rule), Held=held)


async def holdrule_remove(call: AdminCall, request: wire.HoldRuleRemoveRequest) -> Empty:
    """Remove a hold rule; the messages it held stay held until released."""
    rules = {r.id: r for r in await list_hold_rules()}
    rule = rules.get(request.ID)
    if rule is None:
        raise not_found("hold rule", request.ID)
    if not call.principal.is_global and rule.sender_domain not in await _scope_domain_names(call):
        raise forbidden(f"hold rule {rule.id} is not on a domain you administer")
    await remove_hold_rule(call.services.committer, request.ID)
    return Empty()


async def queue_pause(call: AdminCall, request: wire.QueuePauseRequest) -> wire.HoldRuleAddResult:
    """Pause all delivery: an all-matching hold rule (one, however often paused)."""
    require_global(call, "pause the queue")
    for rule in await list_hold_rules():
        if not (rule.account or rule.sender_domain or rule.recipient_domain):
            return wire.HoldRuleAddResult(Rule=_rule(rule), Held=0)
    rule, held = await add_hold_rule(call.services.committer)
    return wire.HoldRuleAddResult(Rule=_rule(rule), Held=held)


async def queue_resume(call: AdminCall, request: wire.QueueResumeRequest) -> wire.CountResult:
    """Resume delivery: remove the all-matching hold rules. With Release, also release the
    held messages no remaining rule matches; Count is how many were released."""
    require_global(call, "resume the queue")
    for rule in await list_hold_rules():
        if not (rule.account or rule.sender_domain or rule.recipient_domain):
            await remove_hold_rule(call.services.committer, rule.id)
    if not request.Release:
        return wire.CountResult(Count=0)
    rules = await list_hold_rules()

    async def unit(batch: Batch) -> int:
        # Kept held: what a remaining rule would hold if it were added now (AND of its fields).
        where: list[str] = ["hold = ?"]
        values: list[object] = [True]
        for rule in rules:
            parts: list[str] = []
            args: list[object] = []
            if rule.account:
                parts.append("account_id IN (SELECT id FROM account WHERE name = ?)")
                args.append(rule.account)
            if rule.sender_domain:
                parts.append("sender_domain = ?")
                args.append(rule.sender_domain)
            if rule.recipient_domain:
                parts.append("recipient_domain = ?")
                args.append(rule.recipient_domain)
            where.append(f"NOT ({' AND '.join(parts)})")
            values.extend(args)
        return await sql.execute(
            batch.connection,
            f"UPDATE queue_message SET hold = ? WHERE {' AND '.join(where)}",
            [False, *values],
        )

    return _count(call, await call.services.committer.run(unit))

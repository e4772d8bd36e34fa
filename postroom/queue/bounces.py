"""Reports about mail we sent, received back: the queue's side of bounces (docs/architecture.md).

A report is matched to the message it is about, in this order:

1. the fromid of the address it was sent to (`localpart<sep><fromid>@our-domain`), the
   only way mox matches;
2. without a fromid, within the receiving account: the report's Original-Envelope-Id
   (RFC 3464 §2.2.1), which is the ENVID we sent (RFC 3461 §4.4: the BaseID of the
   transaction's rows, or the row's own ID), together with the reported recipient;
3. then the Message-ID of the returned message's header, with the reported recipient.

A match appends a result to the message (retired, or still queued), writes the
outgoing event to the outbox (`failed`, `delayed`, `delivered`, `relayed`, `expanded`
with DSN true; `complained` for an RFC 5965 complaint; `unrecognized` for mail that is
not a report), and updates the suppression list. The mail itself is stored by the caller
as usual; a matched report emits no incoming webhook.

Beyond mox (docs/architecture.md): the lenient parser reads plain-text bounces too; a report
with several recipients is matched recipient by recipient instead of being refused; a
hard bounce without an SMTP code (e.g. "user unknown" in prose) still suppresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postroom.dsn import Bounce, BounceKind, RecipientResult
from postroom.mail import AddressError, base_address, parse_address
from postroom.queue.events import EventDetails, QueueEvent
from postroom.queue.results import AttemptResult
from postroom.queue.retire import record_event
from postroom.queue.suppression import suppress_after_failure, suppress_recipient
from postroom.store import sql
from postroom.store.groupcommit import Batch

NOT_A_DSN = "incoming message not a dsn"
"""The result error of a non-report message to a fromid address (mox's text)."""
COMPLAINT_REASON = "complaint"

_EVENTS = {
    "failed": QueueEvent.FAILED,
    "delayed": QueueEvent.DELAYED,
    "delivered": QueueEvent.DELIVERED,
    "relayed": QueueEvent.RELAYED,
    "expanded": QueueEvent.EXPANDED,
}
_SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded"})
_REPORT_KINDS = frozenset({BounceKind.DSN, BounceKind.BOUNCE, BounceKind.FEEDBACK})
_TABLES = ("retired_message", "queue_message")
_COLUMNS = (
    "id, base_id, account_id, results, from_id, message_id, subject, extra,"
    " recipient_address, recipient_localpart, recipient_domain"
)


@dataclass(frozen=True, slots=True)
class _Match:
    table: str
    row: dict[str, Any]


async def record_fromid_mail(
    batch: Batch, *, fromid: str, bounce: Bounce | None, now: datetime
) -> bool:
    """Report mail received for `fromid` on the message sent with it.

    `bounce` is what `postroom.dsn.parse_bounce` made of the mail (parsed before the
    transaction, as it needs no database). False when no message has that fromid: then
    the mail is ordinary incoming mail.
    """
    if not fromid:
        return False
    match = await _by_fromid(batch, fromid)
    if match is None:
        return False
    if bounce is None or bounce.kind not in _REPORT_KINDS:
        await _unrecognized(batch, match, now, dsn=False, error=NOT_A_DSN)
        return True
    if bounce.kind is BounceKind.FEEDBACK:
        await _complaint(batch, match, bounce, bounce.recipients[0], now)
        return True
    # The address we sent to names the message; the report's recipient is only needed
    # to pick the right block of a report that lists several.
    result = _result_for(bounce.recipients, str(match.row["recipient_address"]))
    if result is None:
        count = len(bounce.recipients)
        error = f"incoming dsn has {count} recipients, expecting 1"
        await _unrecognized(batch, match, now, dsn=True, error=error)
        return True
    await _apply(batch, match, result, now)
    return True


async def record_report(batch: Batch, *, account_id: int, bounce: Bounce, now: datetime) -> bool:
    """Match a report that came without a fromid, by envelope id or returned Message-ID.

    Only reports about messages of `account_id` (the account that received it) are
    considered. True if at least one recipient of the report was matched.
    """
    if bounce.kind not in _REPORT_KINDS:
        return False
    candidates: list[_Match] = []
    if bounce.envelope_id.isdigit() and int(bounce.envelope_id) > 0:
        envelope_id = int(bounce.envelope_id)
        candidates = await _by_column(batch, account_id, "base_id", envelope_id)
        candidates += await _by_column(batch, account_id, "id", envelope_id)
    if not candidates and bounce.returned_message_id:
        message_id = _bracketed(bounce.returned_message_id)
        candidates = await _by_column(batch, account_id, "message_id", message_id)
    matched = False
    for result in bounce.recipients:
        match = _candidate_for(candidates, result)
        if match is None:
            continue
        matched = True
        if bounce.kind is BounceKind.FEEDBACK:
            await _complaint(batch, match, bounce, result, now)
        else:
            await _apply(batch, match, result, now)
    return matched


async def _by_fromid(batch: Batch, fromid: str) -> _Match | None:
    # An earlier unit of this transaction may have just retired the message; its
    # retired row is a deferred insert until flushed.
    await batch.flush()
    # FromIDs are stored in lower case and matched case-insensitively (docs/architecture.md).
    for table in _TABLES:
        rows = await sql.fetch(
            batch.connection,
            f"SELECT {_COLUMNS} FROM {table} WHERE from_id = ? ORDER BY id DESC LIMIT 1",
            [fromid.lower()],
        )
        if rows:
            return _Match(table, rows[0])
    return None


async def _by_column(batch: Batch, account_id: int, column: str, value: object) -> list[_Match]:
    await batch.flush()  # as in `_by_fromid`
    matches: list[_Match] = []
    for table in _TABLES:
        rows = await sql.fetch(
            batch.connection,
            f"SELECT {_COLUMNS} FROM {table} WHERE account_id = ? AND {column} = ?"
            " ORDER BY id DESC LIMIT 1000",
            [account_id, value],
        )
        matches += [_Match(table, row) for row in rows]
    return matches


def _result_for(results: Sequence[RecipientResult], sent_to: str) -> RecipientResult | None:
    if len(results) == 1:
        return results[0]
    for result in results:
        if _same_address(sent_to, result):
            return result
    return None


def _candidate_for(candidates: Sequence[_Match], result: RecipientResult) -> _Match | None:
    for match in candidates:
        if _same_address(str(match.row["recipient_address"]), result):
            return match
    return None


def _same_address(sent_to: str, result: RecipientResult) -> bool:
    """Whether the report's recipient is the address we sent to: exactly, or by base
    address (a forwarder may report the final mailbox, `user+tag` as `user`)."""
    wanted = _base(sent_to)
    return any(
        reported and (reported.lower() == sent_to.lower() or _base(reported) == wanted)
        for reported in (result.original_recipient, result.recipient)
    )


def _base(address: str) -> str:
    try:
        return base_address(parse_address(address), [])
    except AddressError:
        return address.lower()


def _bracketed(message_id: str) -> str:
    message_id = message_id.strip()
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def reported_codes(result: RecipientResult) -> tuple[int, str]:
    """The SMTP code and enhanced code (without its class digit) a report gives.

    As mox does: the diagnostic's reply code, or 400/500 from a 4.x.x/5.x.x status when
    the diagnostic has none. Pseudo statuses (no real enhanced code) give no short code.
    """
    code = result.reply_code
    enhanced = result.enhanced_code
    if code == 0 and enhanced[:2] in ("4.", "5."):
        code = int(enhanced[0]) * 100
    short = enhanced.split(".", 1)[1] if enhanced.count(".") == 2 else ""
    return code, short


async def _apply(batch: Batch, match: _Match, result: RecipientResult, now: datetime) -> None:
    event = _EVENTS.get(result.action, QueueEvent.FAILED)
    code, short = reported_codes(result)
    success = result.action in _SUCCESS_ACTIONS
    error = result.diagnostic or f"incoming dsn: {result.action or 'failed'} ({result.reason})"
    await _append_result(
        batch,
        match,
        AttemptResult(start=now, success=success, code=code, secode=short, error=error),
        now,
    )
    suppressing = False
    if event is QueueEvent.FAILED and (code != 0 or result.hard):
        suppressing = await suppress_after_failure(
            batch,
            row=match.row,
            code=code,
            secode=short,
            source="DSN",
            now=now,
            hard_reason=result.reason.value if result.hard else "",
        )
    _record(
        batch,
        match,
        event,
        EventDetails(
            dsn=True,
            suppressing=suppressing,
            smtp_code=code,
            smtp_enhanced_code=f"{code // 100}.{short}" if short and code else "",
            error=result.diagnostic,
            bounce_reason=result.reason.value,
        ),
        now,
    )


async def _complaint(
    batch: Batch, match: _Match, bounce: Bounce, result: RecipientResult, now: datetime
) -> None:
    """RFC 5965: the recipient marked the message as spam (or asked to be removed):
    never send to them again."""
    feedback = bounce.feedback_type or "abuse"
    await _append_result(
        batch, match, AttemptResult(start=now, error=f"complaint: {feedback}"), now
    )
    added = await suppress_recipient(batch, row=match.row, reason=COMPLAINT_REASON, now=now)
    _record(
        batch,
        match,
        QueueEvent.COMPLAINED,
        EventDetails(
            dsn=True,
            suppressing=added,
            error=f"feedback report: {feedback}",
            bounce_reason=result.reason.value,
        ),
        now,
    )


async def _unrecognized(
    batch: Batch, match: _Match, now: datetime, *, dsn: bool, error: str
) -> None:
    await _append_result(batch, match, AttemptResult(start=now, error=error), now)
    _record(batch, match, QueueEvent.UNRECOGNIZED, EventDetails(dsn=dsn), now)


async def _append_result(batch: Batch, match: _Match, result: AttemptResult, now: datetime) -> None:
    results = list(sql.decode_json(match.row["results"]) or [])
    results.append(result.to_json())
    connection = batch.connection
    if match.table == "retired_message":
        await sql.execute(
            connection,
            "UPDATE retired_message SET results = ?, last_activity = ? WHERE id = ?",
            [sql.encode_json(results), sql.encode_datetime(connection, now), match.row["id"]],
        )
    else:
        await sql.execute(
            connection,
            "UPDATE queue_message SET results = ? WHERE id = ?",
            [sql.encode_json(results), match.row["id"]],
        )


def _record(
    batch: Batch, match: _Match, event: QueueEvent, details: EventDetails, now: datetime
) -> None:
    record_event(
        batch,
        account_id=int(match.row["account_id"]),
        queue_msg_id=int(match.row["id"]),
        event=event,
        details=details,
        now=now,
        message=match.row,
    )

"""What the queue does with a delivery attempt's outcome, per recipient row.

Delivered: retire with `delivered`. Failed permanently, or temporarily on the last
allowed attempt: maybe suppress the recipient, put a failure DSN in the sender's
Inbox, retire with `failed`. Failed temporarily otherwise: keep the row, schedule the
next attempt, report `delayed` (and after the fifth attempt send a delay DSN, as mox
does). All of it in the group-commit unit of the attempt, so the outbox event and
the queue change commit together; every write is conditional on the lease token.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from postroom.dsn import Action, DSNRecipient, DSNReport, compose_dsn
from postroom.queue.backoff import max_attempts, retry_delay
from postroom.queue.claim import ClaimedGroup
from postroom.queue.envelope import row_sender_address
from postroom.queue.events import EventDetails, QueueEvent
from postroom.queue.forward import original_sender, queue_report
from postroom.queue.results import AttemptResult
from postroom.queue.retire import delete_leased, insert_retired, keep_retired_for, record_event
from postroom.queue.submit import SOURCE_FORWARD, SOURCE_WEBAPI
from postroom.queue.suppression import suppress_after_failure
from postroom.queue.transport import RecipientOutcome
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.mailstore import NewMessage, store_message

DELAY_DSN_AFTER_ATTEMPT = 5
INTERRUPTED = "attempt interrupted: the worker stopped before it finished"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeSettings:
    hostname: str
    rng: random.Random


def previous_results(row: dict[str, Any], last_attempt: Any) -> list[AttemptResult]:
    """The row's results, plus a record for each attempt that was claimed but never
    reported (its worker died; the lease expired and the row was claimed again)."""
    results = [AttemptResult.from_json(r) for r in sql.decode_json(row["results"]) or []]
    missing = int(row["attempts"]) - 1 - len(results)
    if missing > 0:
        start = _as_datetime(last_attempt) or _as_datetime(row["queued"])
        assert start is not None
        results.extend(AttemptResult(start=start, error=INTERRUPTED) for _ in range(missing))
    return results


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


async def record_outcomes(
    batch: Batch,
    group: ClaimedGroup,
    outcomes: Sequence[RecipientOutcome],
    *,
    message: bytes,
    started: datetime,
    now: datetime,
    settings: OutcomeSettings,
) -> list[QueueEvent]:
    """Apply one attempt's outcomes to the group's rows; return the events recorded."""
    events: list[QueueEvent] = []
    for row, outcome in zip(group.rows, outcomes, strict=True):
        result = AttemptResult(
            start=started,
            duration=now - started,
            success=outcome.success,
            code=outcome.code,
            secode=outcome.secode,
            error=outcome.error,
        )
        results = [*previous_results(row, group.previous_last_attempts.get(row["id"])), result]
        event = await _apply(batch, group.token, row, outcome, results, message, now, settings)
        if event is not None:
            events.append(event)
    return events


async def _apply(
    batch: Batch,
    token: str,
    row: dict[str, Any],
    outcome: RecipientOutcome,
    results: list[AttemptResult],
    message: bytes,
    now: datetime,
    settings: OutcomeSettings,
) -> QueueEvent | None:
    account_id = int(row["account_id"])
    attempts = int(row["attempts"])
    details = EventDetails(
        smtp_code=outcome.code,
        smtp_enhanced_code=results[-1].enhanced_code,
        error=outcome.error,
    )
    if outcome.success:
        if not await delete_leased(batch, row["id"], token):
            return None
        keep = await keep_retired_for(batch, account_id)
        insert_retired(batch, row, results=results, success=True, keep_for=keep, now=now)
        record_event(
            batch, account_id=account_id, queue_msg_id=row["id"],
            event=QueueEvent.DELIVERED, details=details, now=now, message=row,
        )  # fmt: skip
        return QueueEvent.DELIVERED
    if outcome.permanent or attempts >= max_attempts(int(row["max_attempts"])):
        if not await delete_leased(batch, row["id"], token):
            return None
        suppressing = False
        # A failed forward is the original sender's to hear of (by DSN), not a reason
        # to suppress the address for the forwarding account's own mail.
        if outcome.code and row.get("source") != SOURCE_FORWARD:
            suppressing = await suppress_after_failure(
                batch, row=row, code=outcome.code, secode=outcome.secode, source="queue", now=now
            )
        await send_dsn(batch, row, Action.FAILED, results[-1], message, now, settings.hostname)
        keep = await keep_retired_for(batch, account_id)
        insert_retired(batch, row, results=results, success=False, keep_for=keep, now=now)
        record_event(
            batch, account_id=account_id, queue_msg_id=row["id"], event=QueueEvent.FAILED,
            details=EventDetails(
                suppressing=suppressing, smtp_code=details.smtp_code,
                smtp_enhanced_code=details.smtp_enhanced_code, error=details.error,
            ),
            now=now, message=row,
        )  # fmt: skip
        return QueueEvent.FAILED
    next_attempt = now + retry_delay(attempts, settings.rng)
    updated = await sql.execute(
        batch.connection,
        "UPDATE queue_message SET next_attempt = ?, lease_token = NULL, results = ?"
        " WHERE id = ? AND lease_token = ?",
        [
            sql.encode_datetime(batch.connection, next_attempt),
            sql.encode_json([r.to_json() for r in results]),
            row["id"],
            token,
        ],
    )
    if updated != 1:
        return None
    if attempts == DELAY_DSN_AFTER_ATTEMPT:
        await send_dsn(batch, row, Action.DELAYED, results[-1], message, now, settings.hostname)
    record_event(
        batch, account_id=account_id, queue_msg_id=row["id"], event=QueueEvent.DELAYED,
        details=details, now=now, message=row,
    )  # fmt: skip
    return QueueEvent.DELAYED


def _header_section(message: bytes) -> bytes:
    end = message.find(b"\r\n\r\n")
    return message if end < 0 else message[: end + 2]


async def send_dsn(
    batch: Batch,
    row: dict[str, Any],
    action: Action,
    result: AttemptResult,
    message: bytes,
    now: datetime,
    hostname: str,
) -> None:
    """Put a DSN in the sender account's Inbox (never over SMTP, as mox does); for a
    forward, queue it to the original sender (`queue.forward`).

    Not for messages sent through the webapi by an account with an outgoing webhook:
    that application learns of the failure from the webhook, and nobody reads the
    Inbox of an API account (mox sends both). Never for mail from the null
    reverse-path: a report is not answered with another (RFC 3461 §6.2).
    """
    account_id = int(row["account_id"])
    sender = row_sender_address(row)
    source = row.get("source", SOURCE_WEBAPI)
    if sender is None:
        return
    if source == SOURCE_WEBAPI and await _has_outgoing_webhook(batch, account_id):
        return
    forwarded_for = None
    inbox = None
    if source == SOURCE_FORWARD:
        forwarded_for = await original_sender(batch, sender, now)
        if forwarded_for is None:
            return
    else:
        inbox = await _inbox_id(batch, account_id)
        if inbox is None:
            return
    recipient = str(row["recipient_address"])
    status = result.enhanced_code or ("5.0.0" if action is Action.FAILED else "4.0.0")
    diagnostic = result.error.split(": ", 1)[-1] if result.code else ""
    if action is Action.FAILED:
        subject = "Mail delivery failed"
        text = (
            f"Delivery to {recipient} has failed permanently; no further attempts will be"
            f" made.\n\nError: {result.error}\n"
        )
        retry_until = None
    else:
        subject = "Mail delivery delayed"
        text = (
            f"Delivery to {recipient} has been delayed: {result.error}\n\n"
            "Delivery will be tried again. You will get another notice if it fails.\n"
        )
        retry_until = now + sum(
            (retry_delay(n) for n in range(DELAY_DSN_AFTER_ATTEMPT, max_attempts(0))),
            timedelta(0),
        )
    report = DSNReport(
        reporting_mta=hostname,
        from_address=f"postmaster@{hostname}",
        to_address=str(forwarded_for or sender),
        subject=subject,
        text=text,
        date=now,
        arrival_date=_as_datetime(row["queued"]) or now,
        original_message_id=str(row["message_id"]),
        original_headers=_header_section(message),
        recipients=[
            DSNRecipient(
                final_recipient=recipient,
                action=action,
                status=status,
                diagnostic=diagnostic,
                last_attempt=now,
                will_retry_until=retry_until,
            )
        ],
    )
    data = compose_dsn(report)
    if forwarded_for is not None:
        await queue_report(
            batch,
            account_id=account_id,
            forwarder_domain=sender.domain,
            recipient=forwarded_for,
            report=data,
            subject=subject,
            now=now,
        )
        return
    assert inbox is not None
    await store_message(
        batch,
        NewMessage(
            account_id=account_id,
            mailbox_id=inbox,
            data=data,
            received=now,
            message_id="",
            subject=subject,
            dsn=True,
        ),
    )


async def _has_outgoing_webhook(batch: Batch, account_id: int) -> bool:
    async def load(connection: Any) -> bool:
        rows = await sql.fetch(
            connection, "SELECT outgoing_webhook_url FROM account WHERE id = ?", [account_id]
        )
        return bool(rows and rows[0]["outgoing_webhook_url"])

    return await batch.once(f"outgoing_webhook:{account_id}", load)


async def _inbox_id(batch: Batch, account_id: int) -> int | None:
    async def load(connection: Any) -> int | None:
        rows = await sql.fetch(
            connection,
            "SELECT id FROM mailbox WHERE account_id = ? AND name = ?",
            [account_id, "Inbox"],
        )
        return int(rows[0]["id"]) if rows else None

    return await batch.once(f"inbox:{account_id}", load)

"""Putting a submission in the queue: one row per recipient, in one transaction.

The caller (webapi Send, SMTP submission) validates and composes; this module only
writes. It runs inside a group-commit unit, so everything here commits together or
not at all: the message blob, the queue rows, the retired rows and events of
suppressed recipients, the send-limit records and the Sent copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.mail import Address
from postroom.queue import limits
from postroom.queue.aliases import expand_alias
from postroom.queue.events import EventDetails, QueueEvent
from postroom.queue.fromid import fromid_mail_from_localpart, new_fromid
from postroom.queue.holdrules import any_rule_matches
from postroom.queue.results import AttemptResult
from postroom.queue.retire import insert_retired, record_event
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.mailstore import NewMessage, store_message
from postroom.store.outgoing import HoldRule
from postroom.store.records import AccountRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingRecipient:
    address: Address
    base_address: str
    """Suppression-list key of the address."""


SOURCE_WEBAPI = "webapi"
SOURCE_SMTP = "smtp"
SOURCE_FORWARD = "forward"
"""Mail from other servers sent on to alias members elsewhere (`queue.forward`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SentCopy:
    """Where and how to store the sender's copy."""

    mailbox_id: int
    prefix: bytes
    """Header lines written before the message, e.g. `Bcc:`."""
    flags: tuple[str, ...] = ("\\seen", "$notjunk")


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    account: AccountRecord
    sender: Address | None
    """The MAIL FROM address, before a fromid is added; None for the null reverse-path
    (forwarded reports, RFC 5321 §4.5.5)."""
    fromid_separator: str
    """Catch-all separator for fromid MAIL FROM addresses, or "" without fromid mode."""
    recipients: Sequence[OutgoingRecipient]
    msg_prefixes: Sequence[bytes]
    """Per recipient: header lines (Received) written before the message."""
    message: bytes
    has_8bit: bool
    smtputf8: bool
    message_id: str
    subject: str
    extra: dict[str, str] = field(default_factory=dict)
    require_tls: bool | None = None
    release_at: datetime | None = None
    """First delivery attempt at this time, or None for now."""
    future_release_request: str = ""
    sent_copy: SentCopy | None = None
    record_recipients: bool = False
    """Check the daily send limits and write send-limit records (accounts with limits)."""
    suppressed: frozenset[str] = frozenset()
    """Base addresses of recipients on the account's suppression list (checked by the
    caller; a suppression added meanwhile is caught at the delivery attempt)."""
    from_ids: Sequence[str] = ()
    """Per recipient: fromids the sender chose (SMTP submission's MAIL FROM), lower case;
    empty to generate one per recipient when `fromid_separator` is set."""
    source: str = SOURCE_WEBAPI
    """`webapi`, `smtp` or `forward`: decides how failures are reported
    (`outcome.send_dsn`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedRecipient:
    queue_msg_id: int
    from_id: str
    suppressed: bool


_NULL_SENDER = Address(localpart="", domain="")
"""The null reverse-path as a row stores it: empty localpart and domain."""


def suppression_error(address: Address) -> str:
    return f"not delivering to recipient address {address}: address is on suppression list"


_QUEUE_COLUMNS = (
    "id", "base_id", "queued", "hold", "account_id", "sender_localpart", "sender_domain",
    "from_id", "recipient_localpart", "recipient_domain", "recipient_address", "attempts",
    "max_attempts", "next_attempt", "results", "has_8bit", "smtputf8", "size", "message_id",
    "subject", "msg_prefix", "blob_id", "transport", "require_tls", "future_release_request",
    "extra", "source",
)  # fmt: skip


async def load_hold_rules(connection: BaseDBAsyncClient) -> list[HoldRule]:
    rows = await sql.fetch(connection, "SELECT * FROM hold_rule", [])
    return [HoldRule._init_from_db(**row) for row in rows]


async def enqueue(batch: Batch, submission: Submission, now: datetime) -> list[QueuedRecipient]:
    """Queue one row per recipient. The rows are written when the batch commits.

    Raises `SendLimitError` (before writing anything) if the account's daily limits do
    not allow the submission (`queue.limits`)."""
    # IDs come from reserved blocks and the rows are inserted with the rest of the
    # batch: a Send costs no database round trip of its own on the common path.
    connection = batch.connection
    account = submission.account
    if submission.record_recipients:
        # First, so that a refusal leaves nothing behind in the batch.
        await limits.check_and_record(
            batch, account, [str(r.address).lower() for r in submission.recipients], now
        )
    sender = submission.sender or _NULL_SENDER
    when = sql.encode_datetime(connection, now)
    (blob_id,) = await batch.new_ids("message_blob", 1)
    batch.insert(
        "message_blob",
        ("id", "data", "size", "created"),
        (blob_id, submission.message, len(submission.message), when),
    )
    rules = await batch.once("hold_rules", load_hold_rules)
    ids = await batch.new_ids("queue_message", len(submission.recipients))
    shared_transaction = (
        len(submission.recipients) > 1
        and not submission.fromid_separator
        and len(set(submission.msg_prefixes)) == 1
    )
    base_id = ids[0] if shared_transaction else 0
    next_attempt = sql.encode_datetime(connection, max(now, submission.release_at or now))
    extra = sql.encode_json(submission.extra)
    queued: list[QueuedRecipient] = []
    for index, (row_id, recipient, prefix) in enumerate(
        zip(ids, submission.recipients, submission.msg_prefixes, strict=True)
    ):
        from_id = new_fromid() if submission.fromid_separator and submission.sender else None
        if submission.from_ids:
            from_id = submission.from_ids[index]
        sender_localpart = sender.localpart
        if from_id is not None:
            sender_localpart = fromid_mail_from_localpart(
                sender.localpart, submission.fromid_separator, from_id
            )
        row = {
            "id": row_id, "base_id": base_id, "queued": when, "account_id": account.id,
            "sender_localpart": sender_localpart, "sender_domain": sender.domain,
            "from_id": from_id, "recipient_localpart": recipient.address.localpart,
            "recipient_domain": recipient.address.domain,
            "recipient_address": str(recipient.address), "attempts": 0, "max_attempts": 0,
            "results": "[]", "has_8bit": submission.has_8bit, "smtputf8": submission.smtputf8,
            "size": len(prefix) + len(submission.message),
            "message_id": submission.message_id, "subject": submission.subject,
            "msg_prefix": prefix, "blob_id": blob_id, "transport": "",
            "require_tls": submission.require_tls,
            "future_release_request": submission.future_release_request, "extra": extra,
            "source": submission.source,
        }  # fmt: skip
        is_suppressed = recipient.base_address in submission.suppressed
        members = None if is_suppressed else await expand_alias(batch, recipient.address)
        if is_suppressed:
            _retire_suppressed(batch, row, recipient.address, account, now)
        elif members is not None:
            await _expand(batch, submission, row, members, rules, next_attempt, now)
        else:
            row["hold"] = any_rule_matches(
                rules,
                account_name=account.name,
                sender_domain=sender.domain,
                recipient_domain=recipient.address.domain,
            )
            row["next_attempt"] = next_attempt
            batch.insert("queue_message", _QUEUE_COLUMNS, [row[c] for c in _QUEUE_COLUMNS])
        queued.append(
            QueuedRecipient(queue_msg_id=row_id, from_id=from_id or "", suppressed=is_suppressed)
        )
    if submission.sent_copy is not None:
        copy = submission.sent_copy
        await store_message(
            batch,
            NewMessage(
                account_id=account.id,
                mailbox_id=copy.mailbox_id,
                data=submission.message,
                prefix=copy.prefix,
                flags=copy.flags,
                received=now,
                message_id=submission.message_id,
                subject=submission.subject,
                blob_id=blob_id,
            ),
        )
    return queued


async def _expand(
    batch: Batch,
    submission: Submission,
    row: dict[str, Any],
    members: Sequence[Address],
    rules: list[HoldRule],
    next_attempt: Any,
    now: datetime,
) -> None:
    # The alias recipient is done ("expanded"); each member gets a row of its own, with
    # its own fromid in fromid mode, as if it had been a recipient of the submission.
    account = submission.account
    sender = submission.sender or _NULL_SENDER
    ids = await batch.new_ids("queue_message", len(members))
    for member_id, member in zip(ids, members, strict=True):
        from_id = new_fromid() if submission.fromid_separator and submission.sender else None
        sender_localpart = sender.localpart
        if from_id is not None:
            sender_localpart = fromid_mail_from_localpart(
                sender_localpart, submission.fromid_separator, from_id
            )
        member_row = {
            **row, "id": member_id, "base_id": 0, "from_id": from_id,
            "sender_localpart": sender_localpart, "recipient_localpart": member.localpart,
            "recipient_domain": member.domain, "recipient_address": str(member),
            "next_attempt": next_attempt,
            "hold": any_rule_matches(
                rules, account_name=account.name, sender_domain=sender.domain,
                recipient_domain=member.domain,
            ),
        }  # fmt: skip
        batch.insert("queue_message", _QUEUE_COLUMNS, [member_row[c] for c in _QUEUE_COLUMNS])
    insert_retired(
        batch,
        {**row, "last_attempt": None},
        results=[AttemptResult(start=now, success=True, error="")],
        success=True,
        keep_for=timedelta(seconds=account.keep_retired_messages_seconds),
        now=now,
    )
    record_event(
        batch,
        account_id=account.id,
        queue_msg_id=row["id"],
        event=QueueEvent.EXPANDED,
        details=EventDetails(),
        now=now,
        message=row,
    )


def _retire_suppressed(
    batch: Batch, row: dict[str, Any], address: Address, account: AccountRecord, now: datetime
) -> None:
    # Caught at submission (mox only notices at the first delivery attempt): the
    # recipient still gets its ID and FromID, and is retired without a delivery attempt.
    error = suppression_error(address)
    insert_retired(
        batch,
        {**row, "last_attempt": None},
        results=[AttemptResult(start=now, error=error)],
        success=False,
        keep_for=timedelta(seconds=account.keep_retired_messages_seconds),
        now=now,
    )
    record_event(
        batch,
        account_id=account.id,
        queue_msg_id=row["id"],
        event=QueueEvent.SUPPRESSED,
        details=EventDetails(error=error),
        now=now,
        message=row,
    )

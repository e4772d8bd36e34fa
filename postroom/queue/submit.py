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

from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.mail import Address
from postroom.queue.events import EventDetails, QueueEvent, record_event
from postroom.queue.fromid import fromid_mail_from_localpart, new_fromid
from postroom.queue.holdrules import any_rule_matches
from postroom.queue.retire import retire_message
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.mailbox import StoredMessage
from postroom.store.outgoing import HoldRule, QueueMessage, RecipientRecord
from postroom.store.records import AccountRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingRecipient:
    address: Address
    base_address: str
    """Suppression-list key of the address."""


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
    sender: Address
    """The MAIL FROM address, before a fromid is added."""
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
    """Write send-limit records (accounts with daily limits)."""
    suppressed: frozenset[str] = frozenset()
    """Base addresses of recipients on the account's suppression list (checked by the
    caller; a suppression added meanwhile is caught at the delivery attempt)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedRecipient:
    queue_msg_id: int
    from_id: str
    suppressed: bool


def suppression_error(address: Address) -> str:
    return f"not delivering to recipient address {address}: address is on suppression list"


_INSERT_BLOB = "INSERT INTO message_blob (data, size, created) VALUES (?, ?, ?) RETURNING id"
_QUEUE_COLUMNS = (
    "base_id", "queued", "hold", "account_id", "sender_localpart", "sender_domain", "from_id",
    "recipient_localpart", "recipient_domain", "recipient_address", "attempts", "max_attempts",
    "next_attempt", "results", "has_8bit", "smtputf8", "size", "message_id", "subject",
    "msg_prefix", "blob_id", "transport", "require_tls", "future_release_request", "extra",
)  # fmt: skip
_INSERT_QUEUE_MESSAGE = (
    f"INSERT INTO queue_message ({', '.join(_QUEUE_COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in _QUEUE_COLUMNS)}) RETURNING id"
)


async def load_hold_rules(connection: BaseDBAsyncClient) -> list[HoldRule]:
    rows = await sql.fetch(connection, "SELECT * FROM hold_rule", [])
    return [HoldRule._init_from_db(**row) for row in rows]


async def enqueue(batch: Batch, submission: Submission, now: datetime) -> list[QueuedRecipient]:
    # Plain SQL rather than the ORM, and as few statements as possible: this runs for
    # every Send inside the group-commit writer, and each statement waits for an event
    # loop turn while other requests are being served.
    connection = batch.connection
    account = submission.account
    sender = submission.sender
    when = sql.encode_datetime(connection, now)
    blob_id = await sql.insert_returning_id(
        connection, _INSERT_BLOB, [submission.message, len(submission.message), when]
    )
    rules = await batch.once("hold_rules", load_hold_rules)
    shared_transaction = (
        len(submission.recipients) > 1
        and not submission.fromid_separator
        and len(set(submission.msg_prefixes)) == 1
    )
    next_attempt = sql.encode_datetime(connection, max(now, submission.release_at or now))
    extra = sql.encode_json(submission.extra)
    base_id = 0
    queued: list[QueuedRecipient] = []
    for recipient, prefix in zip(submission.recipients, submission.msg_prefixes, strict=True):
        from_id = new_fromid() if submission.fromid_separator else None
        sender_localpart = sender.localpart
        if from_id is not None:
            sender_localpart = fromid_mail_from_localpart(
                sender.localpart, submission.fromid_separator, from_id
            )
        hold = any_rule_matches(
            rules,
            account_name=account.name,
            sender_domain=sender.domain,
            recipient_domain=recipient.address.domain,
        )
        values = [
            base_id, when, hold, account.id, sender_localpart, sender.domain, from_id,
            recipient.address.localpart, recipient.address.domain, str(recipient.address), 0, 0,
            next_attempt, "[]", submission.has_8bit, submission.smtputf8,
            len(prefix) + len(submission.message), submission.message_id, submission.subject,
            prefix, blob_id, "", submission.require_tls, submission.future_release_request, extra,
        ]  # fmt: skip
        row_id = await sql.insert_returning_id(connection, _INSERT_QUEUE_MESSAGE, values)
        if shared_transaction and base_id == 0:
            base_id = row_id
            await sql.execute(
                connection, "UPDATE queue_message SET base_id = ? WHERE id = ?", [row_id, row_id]
            )
        is_suppressed = recipient.base_address in submission.suppressed
        if is_suppressed:
            row = await QueueMessage.filter(id=row_id).using_db(connection).get()
            await _retire_suppressed(connection, row, recipient.address, account, now)
        queued.append(
            QueuedRecipient(queue_msg_id=row_id, from_id=from_id or "", suppressed=is_suppressed)
        )
    if submission.record_recipients:
        await RecipientRecord.bulk_create(
            [
                RecipientRecord(account_id=account.id, address=str(r.address).lower(), created=now)
                for r in submission.recipients
            ],
            using_db=connection,
        )
    if submission.sent_copy is not None:
        copy = submission.sent_copy
        await StoredMessage.create(
            using_db=connection,
            account_id=account.id,
            mailbox_id=copy.mailbox_id,
            blob_id=blob_id,
            prefix=copy.prefix,
            size=len(copy.prefix) + len(submission.message),
            received=now,
            flags=list(copy.flags),
            message_id=submission.message_id,
            subject=submission.subject,
        )
    return queued


async def _retire_suppressed(
    connection: BaseDBAsyncClient,
    row: QueueMessage,
    address: Address,
    account: AccountRecord,
    now: datetime,
) -> None:
    # Caught at submission (mox only notices at the first delivery attempt): the row
    # still gets its ID and FromID, and leaves the queue without any delivery attempt.
    error = suppression_error(address)
    result = {
        "Start": now.isoformat(),
        "Duration": 0,
        "Success": False,
        "Code": 0,
        "Secode": "",
        "Error": error,
    }
    row.results = [result]
    await retire_message(
        connection,
        row,
        success=False,
        keep_for=timedelta(seconds=account.keep_retired_messages_seconds),
        now=now,
    )
    await record_event(
        connection,
        account_id=account.id,
        queue_msg_id=row.id,
        event=QueueEvent.SUPPRESSED,
        details=EventDetails(error=error),
        now=now,
    )

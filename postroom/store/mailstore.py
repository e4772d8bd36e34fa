"""Putting messages into mailboxes: the one way a stored message (and its blob) is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.mailbox import Mailbox


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    """How a message arrived: SMTP envelope and peer (all empty for local copies)."""

    mail_from: str = ""
    rcpt_to: str = ""
    remote_ip: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewMessage:
    account_id: int
    mailbox_id: int
    data: bytes
    """The message as received (shared by every copy through its blob)."""
    prefix: bytes = b""
    """Header lines written before `data` for this copy only (Received, Bcc)."""
    flags: Sequence[str] = ()
    """Lower-case system flags and keywords."""
    received: datetime
    envelope: Envelope = Envelope()
    message_id: str = ""
    subject: str = ""
    dsn: bool = False
    blob_id: int | None = None
    """An existing blob with `data`, or None to write a new one."""


_COLUMNS = (
    "id", "account_id", "mailbox_id", "blob_id", "prefix", "size", "received", "flags",
    "mail_from", "rcpt_to", "remote_ip", "message_id", "subject", "dsn",
)  # fmt: skip


async def store_blob(batch: Batch, data: bytes, created: datetime) -> int:
    """Write message bytes when the batch commits; return the blob ID, for copies that
    share it (`NewMessage.blob_id`)."""
    (blob_id,) = await batch.new_ids("message_blob", 1)
    batch.insert(
        "message_blob",
        ("id", "data", "size", "created"),
        (blob_id, data, len(data), sql.encode_datetime(batch.connection, created)),
    )
    return blob_id


async def store_message(batch: Batch, message: NewMessage) -> int:
    """Add `message` to its mailbox when the batch commits; return its ID."""
    connection = batch.connection
    blob_id = message.blob_id
    if blob_id is None:
        blob_id = await store_blob(batch, message.data, message.received)
    (message_id,) = await batch.new_ids("stored_message", 1)
    batch.insert(
        "stored_message",
        _COLUMNS,
        (
            message_id, message.account_id, message.mailbox_id, blob_id, message.prefix,
            len(message.prefix) + len(message.data),
            sql.encode_datetime(connection, message.received),
            sql.encode_json(list(message.flags)), message.envelope.mail_from,
            message.envelope.rcpt_to, message.envelope.remote_ip, message.message_id,
            message.subject, message.dsn,
        ),
    )  # fmt: skip
    return message_id


async def mailbox_id(account_id: int, name: str, *, create: bool = False) -> int | None:
    """The ID of the account's mailbox `name` (exact name), created first if asked."""
    mailbox = await Mailbox.get_or_none(account_id=account_id, name=name)
    if mailbox is None and create:
        mailbox, _ = await Mailbox.get_or_create(account_id=account_id, name=name)
    return mailbox.id if mailbox is not None else None

"""Forwarding mail from other servers to addresses elsewhere: alias members on other
servers, and reports that come back to our SRS addresses.

A forwarded copy is queued as a message of the domain's forwarding account (source
`forward`), from an SRS address of the forwarding domain (`mail.srs`): the next
server's SPF check then passes, and a bounce comes back to us, to be passed on to the
original sender. Mail from the null reverse-path keeps it, so a report is never
answered with another (RFC 5321 §4.5.5). When a forward fails, the original sender
gets the DSN, queued the same way (`outcome.send_dsn`), instead of the forwarding
account's Inbox.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.mail import Address, SRSError, base_address, srs_decode, srs_encode
from postroom.queue.submit import SOURCE_FORWARD, OutgoingRecipient, Submission, enqueue
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.reader import Reader
from postroom.store.records import AccountRecord

log = logging.getLogger(__name__)

SRS_SECRET_SETTING = "srs_secret"
"""The `admin_setting` row holding the SRS secret (hex), made on first use."""
_SECRET_QUERY = "SELECT value FROM admin_setting WHERE name = ?"


@dataclass(frozen=True, slots=True, kw_only=True)
class Forward:
    """Copies of one incoming message to send on to addresses elsewhere."""

    account_id: int
    """The forwarding account of `forwarder_domain`, whose queue holds the copies."""
    forwarder_domain: str
    """Our domain the copies are sent from (its SRS addresses)."""
    recipients: Sequence[Address]


async def _load_secret(connection: BaseDBAsyncClient) -> bytes | None:
    rows = await sql.fetch(connection, _SECRET_QUERY, [SRS_SECRET_SETTING])
    return bytes.fromhex(str(rows[0]["value"])) if rows else None


async def srs_secret(batch: Batch) -> bytes:
    """The server's SRS secret, made (and committed with the batch) if there is none."""

    async def load(connection: BaseDBAsyncClient) -> bytes:
        found = await _load_secret(connection)
        if found is not None:
            return found
        # Another process may make one at the same moment: the first one stays.
        await sql.execute(
            connection,
            "INSERT INTO admin_setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            [SRS_SECRET_SETTING, secrets.token_bytes(32).hex()],
        )
        made = await _load_secret(connection)
        assert made is not None
        return made

    return await batch.once("srs_secret", load)


async def decode_return_address(address: Address, reader: Reader, now: datetime) -> Address:
    """The original sender an SRS address of ours stands for. Raises SRSError."""
    rows = await reader.fetch(_SECRET_QUERY, [SRS_SECRET_SETTING])
    if not rows:
        raise SRSError(f"{address}: this server has not forwarded any mail")
    return srs_decode(address, bytes.fromhex(str(rows[0]["value"])), now)


async def _account(batch: Batch, account_id: int) -> AccountRecord:
    async def load(connection: BaseDBAsyncClient) -> AccountRecord:
        rows = await sql.fetch(
            connection,
            f"SELECT {', '.join(AccountRecord.COLUMNS)} FROM account WHERE id = ?",
            [account_id],
        )
        return AccountRecord.from_row(rows[0])

    return await batch.once(f"account:{account_id}", load)


async def enqueue_forward(
    batch: Batch,
    forward: Forward,
    *,
    sender: Address | None,
    message: bytes,
    prefix: bytes,
    message_id: str,
    subject: str,
    smtputf8: bool,
    now: datetime,
) -> None:
    """Queue `message` for the forward's recipients, in one transaction per domain."""
    envelope_sender = None
    if sender is not None:
        secret = await srs_secret(batch)
        envelope_sender = srs_encode(sender, forward.forwarder_domain, secret, now)
    submission = Submission(
        account=await _account(batch, forward.account_id),
        sender=envelope_sender,
        fromid_separator="",
        recipients=[
            OutgoingRecipient(address=address, base_address=base_address(address, []))
            for address in forward.recipients
        ],
        msg_prefixes=[prefix] * len(forward.recipients),
        message=message,
        has_8bit=not message.isascii(),
        smtputf8=smtputf8,
        message_id=message_id,
        subject=subject,
        source=SOURCE_FORWARD,
    )
    await enqueue(batch, submission, now)


async def original_sender(batch: Batch, sender: Address, now: datetime) -> Address | None:
    """The sender a forward was made for: `sender` is its SRS MAIL FROM. None (logged)
    if it no longer decodes."""
    try:
        return srs_decode(sender, await srs_secret(batch), now)
    except SRSError as exc:
        log.warning("no DSN for a failed forward: %s", exc)
        return None


async def queue_report(
    batch: Batch,
    *,
    account_id: int,
    forwarder_domain: str,
    recipient: Address,
    report: bytes,
    subject: str,
    now: datetime,
) -> None:
    """Queue a DSN about a failed forward to its original sender, from the null
    reverse-path (RFC 3461 §6.2: a DSN is sent with a null MAIL FROM)."""
    await enqueue_forward(
        batch,
        Forward(account_id=account_id, forwarder_domain=forwarder_domain, recipients=[recipient]),
        sender=None,
        message=report,
        prefix=b"",
        message_id="",
        subject=subject,
        smtputf8=not recipient.is_ascii,
        now=now,
    )

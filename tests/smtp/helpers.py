"""Helpers for SMTP tests: clients, messages, and what ended up in mailboxes and the queue."""

from __future__ import annotations

import email
import email.policy
import ssl
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from postroom.store.mailbox import Mailbox, StoredMessage
from postroom.store.outgoing import QueueMessage


async def connect(
    port: int,
    *,
    tls_context: ssl.SSLContext | None = None,
    use_tls: bool = False,
    hostname: str = "127.0.0.1",
) -> aiosmtplib.SMTP:
    """A connected client that has said EHLO; STARTTLS only when asked for."""
    client = aiosmtplib.SMTP(
        hostname=hostname,
        port=port,
        start_tls=False,
        use_tls=use_tls,
        tls_context=tls_context,
        local_hostname="client.example",
        timeout=30,
    )
    await client.connect()
    await client.ehlo()
    return client


async def command(client: aiosmtplib.SMTP, line: bytes) -> tuple[int, str]:
    """Send one raw command line; the reply's code and text."""
    verb, _, arg = line.partition(b" ")
    response = (
        await client.execute_command(verb, arg) if arg else await client.execute_command(verb)
    )
    return response.code, response.message


def message(
    *,
    sender: str = "postroom@localhost",
    to: str = "someone@example.org",
    subject: str = "hello",
    headers: str = "",
    body: str = "hi there\r\n",
    message_id: str | None = "<m1@client.example>",
    date: bool = True,
) -> bytes:
    lines = [f"From: <{sender}>", f"To: <{to}>", f"Subject: {subject}"]
    if message_id is not None:
        lines.append(f"Message-Id: {message_id}")
    if date:
        lines.append("Date: 1 Jan 2026 10:00:00 +0000")
    text = "\r\n".join(lines) + "\r\n" + headers + "\r\n" + body
    return text.encode("utf-8")


def parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


async def stored(account_name: str = "postroom") -> list[StoredMessage]:
    """The account's stored messages, oldest first, with blob and mailbox loaded."""
    rows = await StoredMessage.filter(account__name=account_name).order_by("id")
    for row in rows:
        await row.fetch_related("blob", "mailbox")
    return rows


def full_text(row: StoredMessage) -> bytes:
    return bytes(row.prefix) + bytes(row.blob.data)


async def queued() -> list[QueueMessage]:
    rows = await QueueMessage.all().order_by("id")
    for row in rows:
        await row.fetch_related("blob")
    return rows


def mailbox_name(row: StoredMessage) -> str:
    mailbox: Any = row.mailbox
    assert isinstance(mailbox, Mailbox)
    return mailbox.name

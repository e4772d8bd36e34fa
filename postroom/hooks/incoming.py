"""Incoming webhooks: a message stored in an account's mailbox, reported to the
account's incoming URL (docs/webhooks.md).

The hook is queued in the transaction that stores the message, so a stored message
always gets its hook and a hook never reports a message that was not stored. The
payload is built from the message as received (without the trace fields we add).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

from postroom.hooks.accounts import account_hooks, ensure_secret
from postroom.hooks.payloads import Incoming, IncomingMeta
from postroom.hooks.store import NewHook, insert_hook, new_hook_ids
from postroom.hooks.structure import name_addresses, structure_of
from postroom.mail import ParsedMessage, parse_message
from postroom.store.groupcommit import Batch
from postroom.store.reader import Reader
from postroom.wire import encode_html_safe

_MESSAGE_ID = re.compile(r"<([^<>]*)>")
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Precedence")


@dataclass(frozen=True, slots=True, kw_only=True)
class Arrival:
    """How one copy of a message arrived and where it was stored."""

    msg_id: int
    mail_from: str
    rcpt_to: str
    remote_ip: str
    received: datetime
    mailbox_name: str


async def accounts_with_incoming_hooks(reader: Reader, account_ids: set[int]) -> set[int]:
    """Which of these accounts have an incoming webhook: only their messages are parsed
    for a payload (before the transaction, so the writer does no parsing)."""
    if not account_ids:
        return set()
    marks = ", ".join("?" for _ in account_ids)
    rows = await reader.fetch(
        f"SELECT id FROM account WHERE id IN ({marks}) AND incoming_webhook_url != ?",
        [*sorted(account_ids), ""],
    )
    return {int(row["id"]) for row in rows}


async def queue_incoming_hook(
    batch: Batch,
    *,
    account_id: int,
    data: bytes,
    parsed: ParsedMessage | None,
    arrival: Arrival,
) -> int | None:
    """Queue an incoming hook for a stored message if the account has an incoming URL;
    return its ID. `parsed` is `parse_message(data)` when the caller has it."""
    hooks = await account_hooks(batch, account_id)
    if not hooks.incoming_url:
        return None
    await ensure_secret(batch, account_id, hooks)
    payload = incoming_payload(data, parsed or parse_message(data), arrival)
    (hook_id,) = await new_hook_ids(batch, 1)
    insert_hook(
        batch,
        NewHook(
            id=hook_id,
            account_id=account_id,
            url=hooks.incoming_url,
            authorization=hooks.incoming_authorization,
            payload=encode_html_safe(payload).decode("utf-8"),
            submitted=arrival.received,
            message_id=payload.MessageID,
            subject=payload.Subject,
        ),
    )
    return hook_id


def incoming_payload(data: bytes, parsed: ParsedMessage, arrival: Arrival) -> Incoming:
    header = _header(data)
    return Incoming(
        From=name_addresses(parsed.from_),
        To=name_addresses(parsed.to),
        CC=name_addresses(parsed.cc),
        BCC=name_addresses(parsed.bcc),
        ReplyTo=name_addresses(parsed.reply_to),
        Subject=parsed.subject,
        MessageID=parsed.message_id,
        InReplyTo=parsed.in_reply_to,
        References=references(header),
        Date=parsed.date,
        Text=parsed.text,
        HTML=parsed.html,
        Structure=structure_of(parsed.structure),
        Meta=IncomingMeta(
            MsgID=arrival.msg_id,
            MailFrom=arrival.mail_from,
            RcptTo=arrival.rcpt_to,
            RemoteIP=arrival.remote_ip,
            Received=arrival.received,
            MailboxName=arrival.mailbox_name,
            Automated=automated(header, arrival.mail_from, parsed.structure.content_type),
        ),
    )


def _header(data: bytes) -> Message:
    return BytesHeaderParser(policy=compat32).parsebytes(data)


def references(header: Message) -> list[str]:
    """As mox does: the References header's IDs, lower-cased, whitespace removed, in <>."""
    ids: list[str] = []
    for value in header.get_all("References") or []:
        for found in _MESSAGE_ID.findall(str(value)):
            ids.append("<" + "".join(found.split()).lower() + ">")
    return ids


def automated(header: Message, mail_from: str, content_type: str) -> bool:
    """As mox does: mail from a program rather than a person (list mail, auto-replies,
    bounces): null sender, a list or Precedence header, Auto-Submitted other than
    `no` (RFC 3834 §5), or a multipart/report (RFC 6522)."""
    if not mail_from or content_type == "multipart/report":
        return True
    for name in _LIST_HEADERS:
        if any(str(v).strip() for v in header.get_all(name) or []):
            return True
    return any(
        str(v).strip() and str(v).strip().lower() != "no"
        for v in header.get_all("Auto-Submitted") or []
    )

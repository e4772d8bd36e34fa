"""The Message* methods: reading, flagging, moving and deleting the account's stored messages.

An account only ever sees its own messages: another account's MsgID is answered
exactly like a missing one. Reads go through the reader connection; changes are
units of the group committer, which check and change the row in one transaction.
MessageDelete marks a message expunged: from then on no method shows or changes
it, and the changing ones say "message was removed" about it, as mox does.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from postroom.hooks import name_addresses, structure_of
from postroom.mail import (
    ParsedMessage,
    PartNotFoundError,
    parse_message,
    part_content,
)
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.webapi.context import Call
from postroom.webapi.errors import APIError, ErrorCode
from postroom.webapi.flags import ordered_flags, parse_flags
from postroom.webapi.types import (
    Message,
    MessageDeleteRequest,
    MessageDeleteResult,
    MessageFlagsAddRequest,
    MessageFlagsAddResult,
    MessageFlagsRemoveRequest,
    MessageFlagsRemoveResult,
    MessageGetRequest,
    MessageGetResult,
    MessageMeta,
    MessageMoveRequest,
    MessageMoveResult,
    MessagePartGetRequest,
    MessageRawGetRequest,
)

_SELECT_MESSAGE = (
    "SELECT m.prefix, m.size, m.flags, m.mail_from, m.rcpt_to, m.remote_ip, m.dsn,"
    " m.expunged, b.data, mb.name AS mailbox_name"
    " FROM stored_message m"
    " JOIN message_blob b ON b.id = m.blob_id"
    " JOIN mailbox mb ON mb.id = m.mailbox_id"
    " WHERE m.id = ? AND m.account_id = ?"
)
_SELECT_FOR_CHANGE = (
    "SELECT mailbox_id, flags, expunged FROM stored_message WHERE id = ? AND account_id = ?"
)
_SELECT_MAILBOX = "SELECT id FROM mailbox WHERE account_id = ? AND name = ?"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Stored:
    data: bytes
    """The whole stored message: prefix and blob."""
    size: int
    flags: list[str]
    mail_from: str
    rcpt_to: str
    remote_ip: str
    dsn: bool
    mailbox_name: str


class _Outcome(enum.Enum):
    """How a change unit ended: CHANGED or UNCHANGED, or why nothing was changed."""

    CHANGED = enum.auto()
    UNCHANGED = enum.auto()
    ZERO_ID = enum.auto()
    NO_SUCH_MESSAGE = enum.auto()
    REMOVED = enum.auto()
    NO_MAILBOX = enum.auto()
    SAME_MAILBOX = enum.auto()


@dataclass(frozen=True, slots=True, kw_only=True)
class _Row:
    """What a change needs of a message row."""

    mailbox_id: int
    flags: frozenset[str]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> _Row:
        return cls(
            mailbox_id=int(row["mailbox_id"]),
            flags=frozenset(str(flag) for flag in sql.decode_json(row["flags"])),
        )


Update = Callable[[_Row, int | None], _Outcome | dict[str, object]]
"""Maps a message row and the destination mailbox ID (for a move) to the columns to
set, or to the outcome that stops the change."""


async def message_get(call: Call, request: MessageGetRequest) -> MessageGetResult:
    """Get a stored message: its parsed headers and text, its MIME structure and its
    delivery metadata. A missing or deleted message, another account's, and MsgID 0
    are all `messageNotFound`."""
    stored = await _load(call, request.MsgID)
    # Parsing a large message takes a while; keep the event loop free meanwhile.
    parsed = await asyncio.to_thread(parse_message, stored.data)
    return MessageGetResult(
        Message=_message(parsed),
        Structure=structure_of(parsed.structure),
        Meta=_meta(stored, parsed),
    )


async def message_raw_get(call: Call, request: MessageRawGetRequest) -> bytes:
    """Get a stored message as it is stored, including the header lines added on
    delivery (such as Received), as `text/plain` without a charset."""
    return (await _load(call, request.MsgID)).data


async def message_part_get(call: Call, request: MessagePartGetRequest) -> bytes:
    """Get the decoded content of one MIME part. Each PartPath index selects a sub-part
    of the part before it, starting at the message; `[]` is the message body. A leaf's
    transfer encoding is removed; a multipart comes as stored. The Content-Type is
    sniffed from the first 512 bytes. An index out of range is `partNotFound`."""
    stored = await _load(call, request.MsgID)
    try:
        return await asyncio.to_thread(part_content, stored.data, request.PartPath)
    except PartNotFoundError as exc:
        raise APIError(ErrorCode.PART_NOT_FOUND, str(exc)) from exc


async def message_delete(call: Call, request: MessageDeleteRequest) -> MessageDeleteResult:
    """Delete a stored message permanently (there is no Trash step). Deleting it again
    is a `user` error, "message was removed"; MsgID 0 is a `user` error too."""
    await _change(call, request.MsgID, lambda row, _: {"expunged": True})
    return MessageDeleteResult()


async def message_flags_add(call: Call, request: MessageFlagsAddRequest) -> MessageFlagsAddResult:
    """Set flags on a stored message: system flags (`\\Seen`, `\\Answered`, `\\Flagged`,
    `\\Deleted`, `\\Draft`, `$Forwarded`, `$Junk`, `$NotJunk`, `$Phishing`, `$MDNSent`)
    or keywords, any case, stored lower-case. Flags already set are left alone."""
    flags = parse_flags(request.Flags)
    await _change(call, request.MsgID, lambda row, _: _set_flags(row, row.flags | set(flags)))
    return MessageFlagsAddResult()


async def message_flags_remove(
    call: Call, request: MessageFlagsRemoveRequest
) -> MessageFlagsRemoveResult:
    """Clear flags and keywords of a stored message; flags that are not set are ignored."""
    flags = parse_flags(request.Flags)
    await _change(call, request.MsgID, lambda row, _: _set_flags(row, row.flags - set(flags)))
    return MessageFlagsRemoveResult()


async def message_move(call: Call, request: MessageMoveRequest) -> MessageMoveResult:
    """Move a stored message to another mailbox of the account, named exactly (case
    matters). The message keeps its ID. A missing mailbox, or the one the message is
    already in, is a `user` error."""

    def move(row: _Row, destination: int | None) -> _Outcome | dict[str, object]:
        if row.mailbox_id == destination:
            return _Outcome.SAME_MAILBOX
        return {"mailbox_id": destination}

    await _change(call, request.MsgID, move, destination=request.DestMailboxName)
    return MessageMoveResult()


async def _load(call: Call, msg_id: int) -> _Stored:
    """The account's message `msg_id`, or `messageNotFound` (for ID 0 too, unlike mox)."""
    rows = []
    if msg_id > 0:
        rows = await call.services.reader.fetch(_SELECT_MESSAGE, [msg_id, call.login.account.id])
    if not rows or sql.decode_bool(rows[0]["expunged"]):
        raise APIError(ErrorCode.MESSAGE_NOT_FOUND, "message not found")
    row = rows[0]
    return _Stored(
        data=bytes(row["prefix"]) + bytes(row["data"]),
        size=int(row["size"]),
        flags=list(sql.decode_json(row["flags"])),
        mail_from=str(row["mail_from"]),
        rcpt_to=str(row["rcpt_to"]),
        remote_ip=str(row["remote_ip"]),
        dsn=sql.decode_bool(row["dsn"]),
        mailbox_name=str(row["mailbox_name"]),
    )


async def _change(
    call: Call, msg_id: int, update: Update, *, destination: str | None = None
) -> None:
    """Check and change one of the account's messages in one group-commit unit.

    The checks follow mox's order and wording: the destination mailbox (if any),
    then the message ID, the message, whether it was removed, then `update`'s own.
    """
    account_id = call.login.account.id

    async def unit(batch: Batch) -> _Outcome:
        connection = batch.connection
        mailbox_id: int | None = None
        if destination is not None:
            found = await sql.fetch(connection, _SELECT_MAILBOX, [account_id, destination])
            if not found:
                return _Outcome.NO_MAILBOX
            mailbox_id = int(found[0]["id"])
        if msg_id == 0:
            return _Outcome.ZERO_ID
        select = _SELECT_FOR_CHANGE
        if sql.dialect(connection) == "postgres":
            # Another node may change the same row; SQLite has one writer anyway.
            select += " FOR UPDATE"
        rows = await sql.fetch(connection, select, [msg_id, account_id]) if msg_id > 0 else []
        if not rows:
            return _Outcome.NO_SUCH_MESSAGE
        if sql.decode_bool(rows[0]["expunged"]):
            return _Outcome.REMOVED
        changes = update(_Row.from_row(rows[0]), mailbox_id)
        if isinstance(changes, _Outcome):
            return changes
        if not changes:
            return _Outcome.UNCHANGED
        columns = ", ".join(f"{name} = ?" for name in changes)
        await sql.execute(
            connection,
            f"UPDATE stored_message SET {columns} WHERE id = ?",
            [*changes.values(), msg_id],
        )
        return _Outcome.CHANGED

    _raise_for(await call.services.committer.run(unit), msg_id)


# mox's codes and messages for the changes that fail; see docs/webapi.md.
_FAILURES = {
    _Outcome.ZERO_ID: (ErrorCode.USER, "getting message: invalid zero message id"),
    _Outcome.NO_SUCH_MESSAGE: (ErrorCode.MESSAGE_NOT_FOUND, "getting message: no such message"),
    _Outcome.REMOVED: (ErrorCode.USER, "getting message: message was removed"),
    _Outcome.NO_MAILBOX: (ErrorCode.USER, "looking up mailbox name: not found"),
    _Outcome.SAME_MAILBOX: (
        ErrorCode.USER,
        "moving message: message {msg_id} already in destination mailbox",
    ),
}


def _raise_for(outcome: _Outcome, msg_id: int) -> None:
    failure = _FAILURES.get(outcome)
    if failure is not None:
        code, message = failure
        raise APIError(code, message.format(msg_id=msg_id))


def _set_flags(row: _Row, flags: frozenset[str]) -> dict[str, object]:
    """The flags column to set, or nothing if the flags stay the same."""
    if flags == row.flags:
        return {}
    return {"flags": sql.encode_json(ordered_flags(flags))}


def _message(parsed: ParsedMessage) -> Message:
    return Message(
        From=name_addresses(parsed.from_),
        To=name_addresses(parsed.to),
        CC=name_addresses(parsed.cc),
        BCC=name_addresses(parsed.bcc),
        ReplyTo=name_addresses(parsed.reply_to),
        MessageID=parsed.message_id,
        References=list(parsed.references),
        Date=parsed.date,
        Subject=parsed.subject,
        Text=parsed.text,
        HTML=parsed.html,
    )


def _meta(stored: _Stored, parsed: ParsedMessage) -> MessageMeta:
    sender = parsed.from_[0].parsed if parsed.from_ else None
    return MessageMeta(
        Size=stored.size,
        DSN=stored.dsn,
        Flags=ordered_flags(stored.flags),
        MailFrom=stored.mail_from,
        MailFromValidated=False,
        RcptTo=stored.rcpt_to,
        MsgFrom=str(sender) if sender is not None else "",
        MsgFromValidated=False,
        DKIMVerifiedDomains=[],
        RemoteIP=stored.remote_ip,
        MailboxName=stored.mailbox_name,
    )

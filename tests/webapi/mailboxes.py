"""Helpers for Message* tests: putting messages into an account's mailboxes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from postroom.store.account import Account
from postroom.store.mailstore import Envelope, NewMessage, mailbox_id, store_message
from tests.conftest import RunningServer

RECEIVED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LOCAL = Envelope()


async def store(
    server: RunningServer,
    data: bytes,
    *,
    account: str = "postroom",
    mailbox: str = "Inbox",
    prefix: bytes = b"",
    flags: Sequence[str] = (),
    envelope: Envelope = LOCAL,
) -> int:
    """Store `data` in a mailbox of `account` the way delivery does; return its MsgID."""
    account_id = (await Account.get(name=account)).id
    box = await mailbox_id(account_id, mailbox)
    assert box is not None
    message = NewMessage(
        account_id=account_id,
        mailbox_id=box,
        data=data,
        prefix=prefix,
        flags=flags,
        received=RECEIVED,
        envelope=envelope,
    )
    return await server.webapi.committer.run(lambda batch: store_message(batch, message))


def crlf(text: str) -> bytes:
    """A message written with "\\n" line ends, as stored: CRLF, UTF-8."""
    return text.replace("\n", "\r\n").encode("utf-8")

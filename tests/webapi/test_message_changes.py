"""MessageDelete, MessageFlagsAdd/Remove and MessageMove over real HTTP, and the isolation
of every Message* method between accounts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from postroom.store.mailbox import StoredMessage
from tests.conftest import RunningServer
from tests.webapi.helpers import add_account, call, call_error
from tests.webapi.mailboxes import crlf, store

MESSAGE = crlf("From: a@example.org\nSubject: hi\n\nhello\n")
READERS = ("MessageGet", "MessageRawGet", "MessagePartGet")
CHANGERS: dict[str, dict[str, Any]] = {
    "MessageDelete": {},
    "MessageFlagsAdd": {"Flags": ["\\Seen"]},
    "MessageFlagsRemove": {"Flags": ["\\Seen"]},
    "MessageMove": {"DestMailboxName": "Archive"},
}


async def meta(client: httpx.AsyncClient, msg_id: int) -> dict[str, Any]:
    result: dict[str, Any] = (await call(client, "MessageGet", {"MsgID": msg_id}))["Meta"]
    return result


async def test_flags_add_and_remove(server: RunningServer) -> None:
    msg_id = await store(server, MESSAGE, flags=["old"])
    async with server.client() as client:
        # mox's own example, plus every system flag in mixed case.
        assert (
            await call(
                client, "MessageFlagsAdd", {"MsgID": msg_id, "Flags": ["\\Seen", "Custom", "$Junk"]}
            )
            == {}
        )
        assert (await meta(client, msg_id))["Flags"] == ["$junk", "\\seen", "custom", "old"]
        everything = ["\\SEEN", "\\Answered", "\\flagged", "\\Deleted", "\\Draft"]
        everything += ["$Forwarded", "$NotJunk", "$Phishing", "$MDNSent", "zeta", "custom"]
        await call(client, "MessageFlagsAdd", {"MsgID": msg_id, "Flags": everything})
        assert (await meta(client, msg_id))["Flags"] == [
            "$forwarded",
            "$junk",
            "$mdnsent",
            "$notjunk",
            "$phishing",
            "\\answered",
            "\\deleted",
            "\\draft",
            "\\flagged",
            "\\seen",
            "custom",
            "old",
            "zeta",
        ]
        remove = ["\\Seen", "$JUNK", "Old", "absent", "\\draft", "$Phishing", "$Forwarded"]
        remove += ["$mdnsent", "$notjunk", "\\flagged", "\\deleted"]
        assert await call(client, "MessageFlagsRemove", {"MsgID": msg_id, "Flags": remove}) == {}
        assert (await meta(client, msg_id))["Flags"] == ["\\answered", "custom", "zeta"]
        # Duplicates are ignored (mox outside pedantic mode); no flags is no change.
        await call(client, "MessageFlagsAdd", {"MsgID": msg_id, "Flags": ["x", "X", "x"]})
        await call(client, "MessageFlagsRemove", {"MsgID": msg_id, "Flags": []})
        assert (await meta(client, msg_id))["Flags"] == ["\\answered", "custom", "x", "zeta"]
    row = await StoredMessage.get(id=msg_id)
    assert row.flags == ["\\answered", "custom", "x", "zeta"]


@pytest.mark.parametrize("method", ["MessageFlagsAdd", "MessageFlagsRemove"])
@pytest.mark.parametrize(
    ("flag", "shown"),
    [
        ("", ""),
        ("two words", "two words"),
        ("(paren", "(paren"),
        ("close)", "close)"),
        ("{brace", "{brace"),
        ("per%cent", "per%cent"),
        ("star*", "star*"),
        ('quo"te', 'quo"te'),
        ("back\\slash", "back\\slash"),
        ("bra]cket", "bra]cket"),
        ("\\Recent", "\\recent"),
        ("tab\there", "tab\there"),
        ("DEL\x7f", "del\x7f"),
        ("Grüße", "grüße"),
    ],
)
async def test_invalid_keywords(server: RunningServer, method: str, flag: str, shown: str) -> None:
    msg_id = await store(server, MESSAGE)
    async with server.client() as client:
        request = {"MsgID": msg_id, "Flags": ["\\Seen", flag]}
        assert await call_error(client, method, request) == (
            "user",
            f"parsing flags: invalid keyword {shown}",
        )
        # Flags are checked before the message is looked up, as mox does.
        assert (await call_error(client, method, {"MsgID": 0, "Flags": [flag]}))[0] == "user"
        assert (await meta(client, msg_id))["Flags"] == []


async def test_move(server: RunningServer) -> None:
    msg_id = await store(server, MESSAGE)
    async with server.client() as client:
        move = {"MsgID": msg_id, "DestMailboxName": "Archive"}
        assert await call(client, "MessageMove", move) == {}
        assert (await meta(client, msg_id))["MailboxName"] == "Archive"
        assert await call_error(client, "MessageMove", move) == (
            "user",
            f"moving message: message {msg_id} already in destination mailbox",
        )
        # Mailbox names are exact: "trash" is not "Trash".
        for name in ("trash", "Nowhere", ""):
            assert await call_error(
                client, "MessageMove", {"MsgID": msg_id, "DestMailboxName": name}
            ) == ("user", "looking up mailbox name: not found")
        await call(client, "MessageMove", {"MsgID": msg_id, "DestMailboxName": "Trash"})
        assert (await meta(client, msg_id))["MailboxName"] == "Trash"
        # mox looks up the mailbox before the message.
        assert await call_error(
            client, "MessageMove", {"MsgID": 0, "DestMailboxName": "Nowhere"}
        ) == ("user", "looking up mailbox name: not found")


async def test_delete_twice(server: RunningServer) -> None:
    msg_id = await store(server, MESSAGE)
    kept = await store(server, MESSAGE)
    async with server.client() as client:
        assert await call(client, "MessageDelete", {"MsgID": msg_id}) == {}
        for method in READERS:
            assert await call_error(client, method, {"MsgID": msg_id}) == (
                "messageNotFound",
                "message not found",
            )
        for method, fields in CHANGERS.items():
            assert await call_error(client, method, {"MsgID": msg_id, **fields}) == (
                "user",
                "getting message: message was removed",
            )
        await call(client, "MessageGet", {"MsgID": kept})
    assert (await StoredMessage.get(id=msg_id)).expunged


@pytest.mark.parametrize("method", CHANGERS)
async def test_changing_a_missing_message(server: RunningServer, method: str) -> None:
    await store(server, MESSAGE)
    async with server.client() as client:
        fields = CHANGERS[method]
        assert await call_error(client, method, {"MsgID": 0, **fields}) == (
            "user",
            "getting message: invalid zero message id",
        )
        for msg_id in (-5, 999_999, 2**63 - 1):
            assert await call_error(client, method, {"MsgID": msg_id, **fields}) == (
                "messageNotFound",
                "getting message: no such message",
            )


async def test_accounts_only_see_their_own_messages(server: RunningServer) -> None:
    await add_account("other", "other@localhost", "other-password")
    mine = await store(server, MESSAGE, flags=["mine"])
    theirs = await store(server, MESSAGE, account="other")
    gone = await store(server, MESSAGE, account="other")
    async with server.client("other@localhost", "other-password") as other:
        await call(other, "MessageDelete", {"MsgID": gone})
    async with server.client() as client:
        # Another account's message, live or deleted, is answered like a missing one.
        for msg_id in (theirs, gone):
            for method in READERS:
                assert await call_error(client, method, {"MsgID": msg_id}) == (
                    "messageNotFound",
                    "message not found",
                )
            for method, fields in CHANGERS.items():
                assert await call_error(client, method, {"MsgID": msg_id, **fields}) == (
                    "messageNotFound",
                    "getting message: no such message",
                )
        await call(client, "MessageGet", {"MsgID": mine})
    async with server.client("other@localhost", "other-password") as other:
        for method in READERS:
            assert (await call_error(other, method, {"MsgID": mine}))[0] == "messageNotFound"
        for method, fields in CHANGERS.items():
            assert (await call_error(other, method, {"MsgID": mine, **fields}))[
                0
            ] == "messageNotFound"
        assert (await call(other, "MessageGet", {"MsgID": theirs}))["Meta"]["Flags"] == []
    row = await StoredMessage.get(id=mine).prefetch_related("mailbox")
    assert (row.flags, row.mailbox.name, row.expunged) == (["mine"], "Inbox", False)
    assert not (await StoredMessage.get(id=theirs)).expunged

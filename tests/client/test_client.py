"""The Python client against a live server: every method, sync and async, errors as
PostroomError, and the same method table as the server's."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import typing

import httpx
import pytest

from postroom.client import (
    AsyncClient,
    Client,
    MessageDeleteRequest,
    MessageFlagsAddRequest,
    MessageFlagsRemoveRequest,
    MessageGetRequest,
    MessageMoveRequest,
    MessagePartGetRequest,
    MessageRawGetRequest,
    NameAddress,
    PostroomError,
    SendRequest,
    SuppressionAddRequest,
    SuppressionListRequest,
    SuppressionPresentRequest,
    SuppressionRemoveRequest,
)
from postroom.client import calls as client_calls
from postroom.localserve import DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.webapi import METHODS
from tests.conftest import RunningServer
from tests.webapi.mailboxes import crlf, store

MESSAGE = crlf(
    "From: Jane <jane@example.org>\n"
    "To: postroom@localhost\n"
    "Subject: Invoice\n"
    "Message-ID: <m1@example.org>\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="b"\n'
    "\n"
    "--b\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "Please pay.\n"
    "--b\n"
    "Content-Type: application/pdf\n"
    'Content-Disposition: attachment; filename="invoice.pdf"\n'
    "\n"
    "%PDF-1.4\n"
    "--b--\n"
)


def snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def webapi_url(server: RunningServer) -> str:
    return f"{server.url}/webapi/v0/"


def test_client_table_is_the_servers() -> None:
    assert {
        name: (method.request_type, method.result_type) for name, method in METHODS.items()
    } == client_calls.METHODS


@pytest.mark.parametrize("cls", [Client, AsyncClient])
@pytest.mark.parametrize("name", sorted(METHODS))
def test_one_typed_method_per_api_method(cls: type[object], name: str) -> None:
    function = getattr(cls, snake(name))
    assert inspect.iscoroutinefunction(function) == (cls is AsyncClient)
    hints = typing.get_type_hints(function)
    method = METHODS[name]
    assert hints["request"] is method.request_type
    assert hints["return"] is (method.result_type or bytes)


async def test_async_client_calls_every_method(server: RunningServer) -> None:
    msg_id = await store(server, MESSAGE)
    async with AsyncClient(webapi_url(server), DEFAULT_LOGIN, DEFAULT_PASSWORD) as client:
        sent = await client.send(
            SendRequest(
                To=[NameAddress(Name="Bob", Address="bob@example.com")],
                CC=[NameAddress(Address="carol@example.com")],
                Subject="hello",
                Text="hi",
                Extra={"order": "1234"},
            )
        )
        assert sent.MessageID.startswith("<") and sent.MessageID.endswith("@localhost>")
        assert [s.Address for s in sent.Submissions] == ["bob@example.com", "carol@example.com"]
        assert all(s.QueueMsgID > 0 for s in sent.Submissions), sent

        got = await client.message_get(MessageGetRequest(MsgID=msg_id))
        assert got.Message.Subject == "Invoice"
        assert got.Message.From == [NameAddress(Name="Jane", Address="jane@example.org")]
        assert got.Message.Text == "Please pay."
        assert [p.Filename for p in got.Structure.Parts] == ["", "invoice.pdf"]
        assert got.Meta.MailboxName == "Inbox"

        raw = await client.message_raw_get(MessageRawGetRequest(MsgID=msg_id))
        assert raw == MESSAGE
        part = await client.message_part_get(MessagePartGetRequest(MsgID=msg_id, PartPath=[1]))
        assert part == b"%PDF-1.4"

        await client.message_flags_add(
            MessageFlagsAddRequest(MsgID=msg_id, Flags=["\\Seen", "Custom"])
        )
        meta = (await client.message_get(MessageGetRequest(MsgID=msg_id))).Meta
        assert meta.Flags == ["\\seen", "custom"]
        await client.message_flags_remove(MessageFlagsRemoveRequest(MsgID=msg_id, Flags=["custom"]))
        await client.message_move(MessageMoveRequest(MsgID=msg_id, DestMailboxName="Archive"))
        meta = (await client.message_get(MessageGetRequest(MsgID=msg_id))).Meta
        assert (meta.Flags, meta.MailboxName) == (["\\seen"], "Archive")
        await client.message_delete(MessageDeleteRequest(MsgID=msg_id))
        with pytest.raises(PostroomError) as deleted:
            await client.message_get(MessageGetRequest(MsgID=msg_id))
        assert (deleted.value.code, deleted.value.status) == ("messageNotFound", 400)


def sync_suppressions(url: str) -> list[object]:
    """The suppression methods with the sync client (run in a thread: the server shares
    the test's event loop)."""
    seen: list[object] = []
    with Client(url, DEFAULT_LOGIN, DEFAULT_PASSWORD) as client:
        address = "Bob+news@Example.com"
        seen.append(client.suppression_present(SuppressionPresentRequest(EmailAddress=address)))
        client.suppression_add(SuppressionAddRequest(EmailAddress=address, Reason="asked"))
        seen.append(client.suppression_present(SuppressionPresentRequest(EmailAddress=address)))
        seen.append(client.suppression_list(SuppressionListRequest()))
        client.suppression_remove(SuppressionRemoveRequest(EmailAddress=address))
        seen.append(client.suppression_list(SuppressionListRequest()))
        try:
            client.suppression_remove(SuppressionRemoveRequest(EmailAddress=address))
        except PostroomError as exc:
            seen.append(exc)
    return seen


async def test_sync_client_suppressions(server: RunningServer) -> None:
    before, after, listed, emptied, absent = await asyncio.to_thread(
        sync_suppressions, webapi_url(server)
    )
    assert before.Present is False  # type: ignore[attr-defined]
    assert after.Present is True  # type: ignore[attr-defined]
    (entry,) = listed.Suppressions  # type: ignore[attr-defined]
    assert (entry.BaseAddress, entry.OriginalAddress) == ("bob@example.com", "Bob+news@example.com")
    assert (entry.Reason, entry.Manual, entry.Account) == ("asked", False, "postroom")
    assert emptied.Suppressions == []  # type: ignore[attr-defined]
    assert isinstance(absent, PostroomError)
    assert (absent.Code, absent.Message, absent.status) == ("error", "absent", 400)


async def test_errors_carry_code_and_message(server: RunningServer) -> None:
    url = webapi_url(server)
    async with AsyncClient(url, DEFAULT_LOGIN, DEFAULT_PASSWORD) as client:
        with pytest.raises(PostroomError) as bad:
            await client.send(SendRequest(To=[NameAddress(Address="not-an-address")], Text="x"))
        assert bad.value.code == "badAddress"
        assert bad.value.message.startswith('parsing address "not-an-address"')
        with pytest.raises(PostroomError) as empty:
            await client.send(SendRequest(Text="x"))
        assert empty.value.code == "noRecipients"
        with pytest.raises(TypeError, match="Send takes a SendRequest"):
            await client.send(SuppressionListRequest())  # type: ignore[arg-type]
    async with AsyncClient(url, DEFAULT_LOGIN, "wrong") as client:
        with pytest.raises(PostroomError) as denied:
            await client.suppression_list(SuppressionListRequest())
    assert (denied.value.code, denied.value.status) == ("unauthorized", 401)
    assert "use http basic auth" in denied.value.message


async def test_idempotency_key_returns_the_first_result(server: RunningServer) -> None:
    request = SendRequest(To=[NameAddress(Address="bob@example.com")], Text="once")
    async with AsyncClient(webapi_url(server), DEFAULT_LOGIN, DEFAULT_PASSWORD) as client:
        first = await client.send(request, idempotency_key="order-1")
        again = await client.send(request, idempotency_key="order-1")
        other = await client.send(request)
    assert again == first
    assert other.Submissions[0].QueueMsgID != first.Submissions[0].QueueMsgID


async def test_a_given_http_client_is_used_and_left_open(server: RunningServer) -> None:
    async with httpx.AsyncClient(auth=(DEFAULT_LOGIN, DEFAULT_PASSWORD)) as http:
        client = AsyncClient(webapi_url(server).rstrip("/"), http_client=http)
        result = await client.suppression_list(SuppressionListRequest())
        await client.aclose()
        assert result.Suppressions == []
        assert not http.is_closed


def test_client_imports_without_the_server() -> None:
    # Block the server's dependencies: the client must import with httpx and the stdlib.
    script = """
import importlib.abc, sys
BLOCKED = {"starlette", "uvicorn", "tortoise", "aiosmtpd", "aiosmtplib", "flanker",
           "asyncpg", "aiosqlite", "dns", "dkim", "itsdangerous"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
import postroom.client
server_side = sorted(m for m in sys.modules if m.startswith("postroom.")
                     and not m.startswith(("postroom.client", "postroom.wire", "postroom.errors")))
print(server_side)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


async def test_api_key_login(server: RunningServer) -> None:
    async with server.client() as http:
        created = await http.post(
            "/account/api/v0/APIKeyCreate", data={"request": '{"Name": "client test"}'}
        )
    token = created.json()["Token"]
    async with AsyncClient(webapi_url(server), api_key=token) as client:
        assert (await client.suppression_list(SuppressionListRequest())).Suppressions == []
    async with AsyncClient(webapi_url(server), api_key=token + "x") as client:
        with pytest.raises(PostroomError) as denied:
            await client.suppression_list(SuppressionListRequest())
    assert (denied.value.code, denied.value.status) == ("unauthorized", 401)

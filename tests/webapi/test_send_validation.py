"""Each Send validation rule answers with its own error Code, and queues nothing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from postroom.localserve import DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.localserve.bootstrap import seed_database
from postroom.server import Runtime
from postroom.store.account import Account, Domain
from postroom.store.blob import MessageBlob
from postroom.store.outgoing import QueueMessage
from tests.conftest import RunningServer, make_config, running_server
from tests.webapi.helpers import add_account, call, call_error, queue_rows

TO = [{"Address": "to@example.com"}]


@pytest.mark.parametrize(
    ("request_", "code", "message"),
    [
        ({"To": TO}, "missingBody", "at least text or html body required"),
        (
            {"To": TO, "Text": "x", "From": [{"Address": "a@localhost"}, {"Address": "b@x.org"}]},
            "multipleFrom",
            "multiple from-addresses not allowed",
        ),
        (
            {"To": [{"Address": "no-at-sign"}], "Text": "x"},
            "badAddress",
            'parsing address "no-at-sign": ',
        ),
        ({"CC": [{"Address": "a@@b"}], "Text": "x"}, "badAddress", 'parsing address "a@@b"'),
        ({"BCC": [{"Address": "a@[1.2.3.4]"}], "Text": "x"}, "badAddress", "a@[1.2.3.4]"),
        (
            {"To": TO, "Text": "x", "ReplyTo": [{"Address": "bad reply"}]},
            "badAddress",
            'parsing address "bad reply"',
        ),
        (
            {"To": TO, "Text": "x", "From": [{"Address": "x@@localhost"}]},
            "badAddress",
            "x@@localhost",
        ),
        (
            {"To": [{"Name": "tab\there", "Address": "a@example.com"}], "Text": "x"},
            "user",
            "checking header values: control characters not allowed",
        ),
        (
            {"To": TO, "Text": "x", "From": [{"Address": "someone@example.com"}]},
            "badFrom",
            "from-address not configured for account",
        ),
        ({"Text": "x"}, "noRecipients", "no recipients"),
        ({"To": TO, "Text": "x", "MessageID": "no-brackets@x"}, "malformedMessageID", "<>"),
        (
            {"To": TO, "Text": "x", "Subject": "line\r\nBcc: injected@example.com"},
            "user",
            "control characters",
        ),
        (
            {"To": TO, "Text": "x", "Headers": [["X-Evil", "a\r\nBcc: injected@example.com"]]},
            "user",
            "control characters",
        ),
        ({"To": TO, "Text": "x", "Headers": [["Bad Name", "v"]]}, "user", "Bad Name"),
        ({"To": TO, "Text": "x", "Headers": [["From", "x@example.com"]]}, "user", "From"),
        (
            {"To": TO, "Text": "x", "Headers": [["content-type", "text/html"]]},
            "user",
            "content-type",
        ),
        (
            {"To": TO, "Text": "x", "AttachedFiles": [{"Name": "a", "Data": "!!!not base64"}]},
            "user",
            "parsing attachment as base64",
        ),
        (
            {"To": TO, "Text": "x", "FutureRelease": "2099-01-01T00:00:00Z"},
            "user",
            "can not be further than 1440h0m0s in the future",
        ),
        (
            {"To": TO, "Text": "x", "Extra": {"k": "v" * 70_000}},
            "user",
            "extra too large",
        ),
        ({"To": TO, "Text": "x", "Extra": {"k": "nul\u0000"}}, "user", "control character"),
        ({"To": TO, "Text": "x", "Unknown": 1}, "protocol", 'json: unknown field "Unknown"'),
        ({"To": TO, "Text": 5}, "protocol", "parsing request: json: cannot unmarshal number"),
    ],
)
async def test_send_errors(
    server: RunningServer, request_: dict[str, Any], code: str, message: str
) -> None:
    async with server.client() as client:
        got_code, got_message = await call_error(client, "Send", request_)
    assert (got_code, message in got_message) == (code, True), got_message
    assert await QueueMessage.all().count() == 0
    assert await MessageBlob.all().count() == 0


async def test_disabled_from_domain(server: RunningServer) -> None:
    await Domain.filter(name="localhost").update(disabled=True)
    async with server.client() as client:
        code, message = await call_error(client, "Send", {"To": TO, "Text": "x"})
    assert (code, message) == ("domainDisabled", "domain of from-address is temporarily disabled")


def _addresses(count: int, prefix: str) -> list[dict[str, str]]:
    return [{"Address": f"{prefix}{i}@example.com"} for i in range(count)]


async def test_at_most_100_recipients_by_default(server: RunningServer) -> None:
    # As many as an SMTP transaction takes (smtp.handler); To, CC and BCC count together.
    fits = {"To": _addresses(50, "to"), "CC": _addresses(30, "cc"), "BCC": _addresses(20, "b")}
    async with server.client() as client:
        result = await call(client, "Send", {**fits, "Text": "x"})
        assert len(result["Submissions"]) == 100
        over = {**fits, "BCC": _addresses(21, "b"), "Text": "x"}
        code, message = await call_error(client, "Send", over)
        assert (code, message) == (
            "tooManyRecipients",
            "too many recipients: 101, at most 100 (To, CC and BCC together)",
        )
        # 10,000 recipients are refused the same way, before any is parsed.
        code, _ = await call_error(client, "Send", {"To": _addresses(10_000, "r"), "Text": "x"})
        assert code == "tooManyRecipients"
    assert await QueueMessage.all().count() == 100


async def test_max_recipients_setting(database_url: str, tmp_path: Path) -> None:
    async with running_server(database_url, tmp_path, **{"webapi.max_recipients": 2}) as running:
        async with running.client() as client:
            await call(
                client, "Send", {"To": _addresses(1, "t"), "CC": _addresses(1, "c"), "Text": "x"}
            )
            code, message = await call_error(
                client, "Send", {"To": TO, "BCC": _addresses(2, "b"), "Text": "x"}
            )
        assert await QueueMessage.all().count() == 2
    assert (code, message) == (
        "tooManyRecipients",
        "too many recipients: 3, at most 2 (To, CC and BCC together)",
    )


async def test_message_too_large(database_url: str, tmp_path: Path) -> None:
    config = make_config(database_url, tmp_path, **{"smtp.max_message_bytes": 100_000})
    runtime = Runtime(config, prepare=seed_database)
    addresses = await runtime.start()
    try:
        async with httpx.AsyncClient(
            base_url=addresses.http_url, auth=(DEFAULT_LOGIN, DEFAULT_PASSWORD)
        ) as client:
            data = base64.b64encode(b"x" * 60_000).decode()
            files = [{"Name": "f", "Data": data}]
            await call(client, "Send", {"To": TO, "Text": "x", "AttachedFiles": files})
            code, message = await call_error(
                client, "Send", {"To": TO, "Text": "x", "AttachedFiles": files * 2}
            )
            assert (code, message) == ("messageTooLarge", "message too large")
    finally:
        await runtime.stop()


async def test_from_may_use_catchall_suffix_and_case(server: RunningServer) -> None:
    async with server.client() as client:
        result = await call(
            client,
            "Send",
            {"From": [{"Address": "PostRoom+Newsletter@LOCALHOST"}], "To": TO, "Text": "x"},
        )
    (row,) = await QueueMessage.all()
    # The MAIL FROM is the From localpart up to the separator, plus the fromid.
    assert row.sender_localpart == "PostRoom+" + result["Submissions"][0]["FromID"]
    assert row.sender_domain == "localhost"


async def test_sender_allowlist(server: RunningServer) -> None:
    await Account.filter(name="postroom").update(
        sender_allowlist=["boss@example.com", "@example.org"]
    )
    async with server.client() as client:
        for address in ("boss@example.com", "anyone@example.org"):
            result = await call(
                client, "Send", {"From": [{"Address": address}], "To": TO, "Text": "x"}
            )
            # The From domain is not ours: the MAIL FROM uses the login address, so
            # bounces still come back to a fromid address here.
            row = await QueueMessage.get(id=result["Submissions"][0]["QueueMsgID"])
            assert (row.sender_localpart, row.sender_domain) == (
                "postroom+" + result["Submissions"][0]["FromID"],
                "localhost",
            )
        code, _ = await call_error(
            client, "Send", {"From": [{"Address": "other@example.com"}], "To": TO, "Text": "x"}
        )
    assert code == "badFrom"


async def test_message_limit(server: RunningServer) -> None:
    await add_account("limited", "limited@localhost", "pw-limited", max_outgoing_messages_per_day=3)
    async with server.client("limited@localhost", "pw-limited") as client:
        await call(
            client, "Send", {"To": [{"Address": "a@x.com"}, {"Address": "b@x.com"}], "Text": "x"}
        )
        code, message = await call_error(
            client, "Send", {"To": [{"Address": "c@x.com"}, {"Address": "d@x.com"}], "Text": "x"}
        )
        assert (code, message) == ("messageLimitReached", "outgoing message rate limit reached")
        await call(client, "Send", {"To": [{"Address": "c@x.com"}], "Text": "x"})


async def test_first_time_recipient_limit(server: RunningServer) -> None:
    await add_account("fresh", "fresh@localhost", "pw-fresh", max_first_time_recipients_per_day=2)
    async with server.client("fresh@localhost", "pw-fresh") as client:
        await call(
            client, "Send", {"To": [{"Address": "a@x.com"}, {"Address": "b@x.com"}], "Text": "x"}
        )
        # The same recipients again are not first-time recipients.
        await call(client, "Send", {"To": [{"Address": "A@x.com"}], "Text": "x"})
        code, message = await call_error(
            client, "Send", {"To": [{"Address": "c@x.com"}], "Text": "x"}
        )
    assert (code, message) == ("recipientLimitReached", "outgoing new recipient rate limit reached")


async def test_future_release_limit_is_sixty_days(server: RunningServer) -> None:
    inside = datetime.now(UTC) + timedelta(days=59)
    async with server.client() as client:
        await call(client, "Send", {"To": TO, "Text": "x", "FutureRelease": inside.isoformat()})


@pytest.mark.parametrize(
    "name",
    [
        "Received",
        "Return-Path",
        "DKIM-Signature",
        "ARC-Seal",
        "ARC-Message-Signature",
        "ARC-Authentication-Results",
        "Authentication-Results",
        "received",
        "arc-seal",
    ],
)
async def test_trace_and_authentication_headers_are_refused(
    server: RunningServer, name: str
) -> None:
    # Fields that mail servers on the way add (RFC 5321 §4.4, RFC 6376, RFC 8617,
    # RFC 8601): a copy from the caller would pass for theirs.
    request = {"To": TO, "Text": "x", "Headers": [[name, "forged; by mx.example.com"]]}
    async with server.client() as client:
        code, message = await call_error(client, "Send", request)
    assert (code, message) == (
        "user",
        f'header "{name}" cannot be set in Headers, it is added by mail servers'
        " (trace and authentication header fields)",
    )
    assert await QueueMessage.all().count() == 0


async def test_an_allowed_sender_is_kept(server: RunningServer) -> None:
    # Allowed as From would be: an address of the account, or one on its allowlist.
    senders = ["Assistant <assistant@example.com>", "postroom@localhost"]
    await Account.filter(name="postroom").update(sender_allowlist=["assistant@example.com"])
    async with server.client() as client:
        for sender in senders:
            await call(client, "Send", {"To": TO, "Text": "x", "Headers": [["Sender", sender]]})
    rows = await queue_rows()
    assert len(rows) == 2
    for row, sender in zip(rows, senders, strict=True):
        assert b"\r\nSender: " + sender.encode() + b"\r\n" in row.blob.data


@pytest.mark.parametrize(
    ("headers", "code", "message"),
    [
        (
            [["Sender", "Someone <someone@example.com>"]],
            "badFrom",
            "sender-address not configured for account",
        ),
        ([["sender", "someone@example.com"]], "badFrom", "sender-address not configured"),
        (
            [["Sender", "postroom@localhost"], ["Sender", "postroom@localhost"]],
            "user",
            'header "Sender" may appear only once',
        ),
        ([["Sender", "not an address"]], "badAddress", "parsing sender address"),
        ([["Sender", "a@localhost, b@localhost"]], "badAddress", "not one mailbox"),
    ],
)
async def test_a_sender_is_checked_like_from(
    server: RunningServer, headers: list[list[str]], code: str, message: str
) -> None:
    async with server.client() as client:
        got_code, got_message = await call_error(
            client, "Send", {"To": TO, "Text": "x", "Headers": headers}
        )
    assert (got_code, message in got_message) == (code, True), got_message
    assert await QueueMessage.all().count() == 0

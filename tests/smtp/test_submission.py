"""Submission over real sockets: logins, who may send as whom, and what gets queued."""

from __future__ import annotations

import asyncio
import base64
import re
import smtplib

import aiosmtplib
import pytest

from postroom.store.account import Account
from postroom.store.blob import MessageBlob
from postroom.store.mailbox import StoredMessage
from postroom.store.outgoing import QueueMessage, RecipientRecord
from tests.smtp.conftest import SMTPServer
from tests.smtp.helpers import command, connect, message, parse, queued
from tests.webapi.helpers import add_account

USER, PASSWORD = "sender@localhost", "sender-password"


@pytest.fixture
async def sender(smtp_server: SMTPServer) -> Account:
    """An account without fromid login, so MAIL FROM is queued as given."""
    return await add_account("sender", USER, PASSWORD)


async def logged_in(server: SMTPServer) -> aiosmtplib.SMTP:
    client = await connect(server.addresses.submission_port)
    await client.login(USER, PASSWORD)
    return client


async def refused_at_data(client: aiosmtplib.SMTP, data: bytes) -> tuple[int, str]:
    await client.mail(USER)
    await client.rcpt("someone@example.org")
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await client.data(data)
    return refused.value.code, refused.value.message


async def test_submission_is_queued_like_send(smtp_server: SMTPServer, sender: Account) -> None:
    client = await logged_in(smtp_server)
    data = message(sender=USER, subject="=?utf-8?q?gr=C3=BC=C3=9Fe?= all", message_id="<x@y>")
    recipients = ["to@example.org", "cc@example.net"]
    errors, reply = await client.sendmail(USER, recipients, data)
    await client.quit()
    assert errors == {}
    rows = await queued()
    assert re.fullmatch(rf"2\.0\.0 queued as {rows[0].id} \(recipients: 2\)", reply)
    assert [r.recipient_address for r in rows] == recipients
    for row in rows:
        assert (row.sender_localpart, row.sender_domain, row.from_id) == (
            "sender",
            "localhost",
            None,
        )
        assert row.message_id == "<x@y>"
        assert row.subject == "=?utf-8?q?gr=C3=BC=C3=9Fe?= all"  # raw, as mox keeps it
        assert row.extra == {} and row.require_tls is None
        assert bytes(row.blob.data) == data  # complete messages are queued unchanged
        assert row.size == len(bytes(row.msg_prefix)) + len(data)
    # One Received prefix for all, without "for" clause: one blob, one BaseID.
    assert rows[0].base_id == rows[1].base_id == rows[0].id
    assert bytes(rows[0].msg_prefix) == bytes(rows[1].msg_prefix)
    prefix = bytes(rows[0].msg_prefix).decode()
    assert re.fullmatch(
        r"Received: from client\.example \(\[127\.0\.0\.1\]\)\r\n"
        r"\tby localhost with ESMTPA id [a-z2-7]+;\r\n\t.+\r\n",
        prefix,
    ), prefix


async def test_one_recipient_gets_a_for_clause(smtp_server: SMTPServer, sender: Account) -> None:
    client = await logged_in(smtp_server)
    await client.sendmail(USER, ["to@example.org"], message(sender=USER))
    await client.quit()
    [row] = await queued()
    assert b" for <to@example.org>;" in bytes(row.msg_prefix)


async def test_missing_message_id_and_date_are_added(
    smtp_server: SMTPServer, sender: Account
) -> None:
    client = await logged_in(smtp_server)
    data = message(sender=USER, message_id=None, date=False)
    await client.sendmail(USER, ["to@example.org"], data)
    await client.quit()
    [row] = await queued()
    # Postroom's policy: the generated ID keeps its <> (mox queues it without).
    assert re.fullmatch(r"<[A-Za-z0-9_-]{22}@localhost>", row.message_id)
    queued_message = parse(bytes(row.blob.data))
    assert queued_message["Message-Id"] == row.message_id
    assert queued_message["Date"] is not None
    assert bytes(row.blob.data).endswith(data)


@pytest.mark.parametrize(
    ("headers", "extra"),
    [
        ("X-Mox-Extra-user-id: 123\r\n", {"User-Id": "123"}),
        ("x-mox-extra-Foo_bar:  v  \r\n", {"Foo_bar": "v"}),
        ("X-MOX-EXTRA-abc: 1\r\n", {"Abc": "1"}),
        ("X-Mox-Extra-: empty\r\n", {"": "empty"}),
        ("X-Mox-Extra-Folded: one\r\n two\r\n", {"Folded": "one two"}),
        ("X-Postroom-Extra-order: 7\r\nx-mox-extra-b: 8\r\n", {"Order": "7", "B": "8"}),
        ("X-Mox-Extra-Plain: =?utf-8?q?x?=\r\n", {"Plain": "=?utf-8?q?x?="}),
        ("X-Mox-Extras: no\r\nX-Mox-Extr-a: no\r\n", {}),
    ],
)
async def test_extra_headers_become_extra(
    smtp_server: SMTPServer, sender: Account, headers: str, extra: dict[str, str]
) -> None:
    client = await logged_in(smtp_server)
    data = message(sender=USER, headers=headers)
    await client.sendmail(USER, ["a@example.org", "b@example.org"], data)
    await client.quit()
    rows = await queued()
    assert [r.extra for r in rows] == [extra, extra]
    assert bytes(rows[0].blob.data) == data  # the headers stay in the message


@pytest.mark.parametrize(
    ("headers", "reply"),
    [
        ("X-Mox-Extra-dup: 1\r\nX-Mox-Extra-Dup: 2\r\n", '5.6.0 duplicate x-mox-extra- key "Dup"'),
        (
            "X-Mox-Extra-a: 1\r\nX-Postroom-Extra-A: 2\r\n",
            '5.6.0 duplicate x-postroom-extra- key "A"',
        ),
    ],
)
async def test_duplicate_extra_key_is_refused(
    smtp_server: SMTPServer, sender: Account, headers: str, reply: str
) -> None:
    client = await logged_in(smtp_server)
    code, text = await refused_at_data(client, message(sender=USER, headers=headers))
    await client.quit()
    assert (code, text) == (554, reply)
    assert await QueueMessage.all().count() == 0


async def test_oversized_extra_is_refused(smtp_server: SMTPServer, sender: Account) -> None:
    headers = "".join(f"X-Mox-Extra-k{i}: {'v' * 900}\r\n" for i in range(80))
    client = await logged_in(smtp_server)
    code, text = await refused_at_data(client, message(sender=USER, headers=headers))
    await client.quit()
    assert (code, text) == (554, "5.6.0 extra headers refused: NUL, or more than 65536 bytes")


async def test_tls_required_no(smtp_server: SMTPServer, sender: Account) -> None:
    client = await logged_in(smtp_server)
    await client.sendmail(
        USER, ["a@example.org"], message(sender=USER, headers="TLS-Required: No\r\n")
    )
    await client.quit()
    [row] = await queued()
    assert row.require_tls is False


@pytest.mark.parametrize(
    ("data", "code", "text"),
    [
        (message(sender="other@example.org"), 550, "5.7.1 message from address must belong to"),
        (b"Subject: no from\r\n\r\nbody\r\n", 550, "5.6.0 message needs one From header"),
        (b"From: <sender@localhost>, <x@localhost>\r\n\r\nx\r\n", 550, "5.6.0 message needs one"),
        (b"From: sender@localhost\r\nSubject: x\r\n", 554, "5.6.0 message requires both header"),
        (b"From: sender@localhost\r\nno colon here\r\n\r\nx\r\n", 554, "5.6.0 malformed message"),
        (b" continued\r\nFrom: sender@localhost\r\n\r\nx\r\n", 554, "5.6.0 malformed message"),
    ],
)
async def test_bad_messages_are_refused_at_data(
    smtp_server: SMTPServer, sender: Account, data: bytes, code: int, text: str
) -> None:
    client = await logged_in(smtp_server)
    got = await refused_at_data(client, data)
    assert (await client.noop()).code == 250
    await client.quit()
    assert (got[0], got[1].startswith(text)) == (code, True), got


async def test_cannot_send_as_someone_else(smtp_server: SMTPServer, sender: Account) -> None:
    await add_account("victim", "victim@localhost", "victim-password")
    client = await logged_in(smtp_server)
    for address in ("victim@localhost", "ceo@example.com", "sender@localhost.example"):
        assert await command(client, f"MAIL FROM:<{address}>".encode()) == (
            550,
            "5.7.1 must match authenticated user",
        )
    assert (await command(client, b"MAIL FROM:<>"))[0] == 550
    # Its own address with a catch-all suffix is its own.
    assert (await command(client, b"MAIL FROM:<Sender+news@LOCALHOST>"))[0] == 250
    await client.quit()


async def test_sender_allowlist(smtp_server: SMTPServer, sender: Account) -> None:
    await Account.filter(id=sender.id).update(sender_allowlist=["@example.com"])
    client = await logged_in(smtp_server)
    data = message(sender="news@example.com")
    errors, _ = await client.sendmail("news@example.com", ["a@example.org"], data)
    await client.quit()
    assert errors == {}
    [row] = await queued()
    assert (row.sender_localpart, row.sender_domain) == ("news", "example.com")


async def test_mail_needs_a_login(smtp_server: SMTPServer, sender: Account) -> None:
    client = await connect(smtp_server.addresses.submission_port)
    # Loopback listener: AUTH is offered without TLS.
    assert client.supports_extension("auth")
    assert await command(client, f"MAIL FROM:<{USER}>".encode()) == (
        530,
        "5.7.0 authentication required",
    )
    assert (await command(client, b"RCPT TO:<a@example.org>"))[0] == 503
    await client.quit()


@pytest.mark.parametrize(
    ("password", "settings", "code", "text"),
    [
        ("wrong", {}, 535, "5.7.8 authentication credentials invalid"),
        (PASSWORD, {"submission_disabled": True}, 535, "5.7.13 submission disabled"),
        (PASSWORD, {"login_disabled": "unpaid"}, 535, "5.7.13 login disabled"),
    ],
)
async def test_refused_logins(
    smtp_server: SMTPServer,
    sender: Account,
    password: str,
    settings: dict[str, object],
    code: int,
    text: str,
) -> None:
    if settings:
        await Account.filter(id=sender.id).update(**settings)
    client = await connect(smtp_server.addresses.submission_port)
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as refused:
        await client.auth_plain(USER, password)
    assert (refused.value.code, refused.value.message.startswith(text)) == (code, True)
    assert (await command(client, f"MAIL FROM:<{USER}>".encode()))[0] == 530
    await client.quit()


async def test_auth_plain_with_challenge_and_login_mechanism(
    smtp_server: SMTPServer, sender: Account
) -> None:
    port = smtp_server.addresses.submission_port

    def run() -> list[tuple[int, bytes]]:
        replies = []
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo("client.example")
            replies.append(client.docmd("AUTH", "PLAIN"))
            token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
            replies.append(client.docmd(token))
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo("client.example")
            client.user, client.password = USER, PASSWORD
            replies.append(client.auth("LOGIN", client.auth_login, initial_response_ok=False))
            client.sendmail(USER, ["a@example.org"], message(sender=USER))
        return replies

    replies = await asyncio.to_thread(run)
    assert [code for code, _ in replies] == [334, 235, 235]
    assert await QueueMessage.all().count() == 1


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"AUTH PLAIN !!!", 501),
        (b"AUTH PLAIN " + base64.b64encode(b"no-nul-separators"), 501),
        (b"AUTH PLAIN " + base64.b64encode(b"other\0sender@localhost\0" + PASSWORD.encode()), 535),
        (b"AUTH PLAIN " + base64.b64encode(b"\0sender@localhost\0\xff"), 535),
        (b"AUTH PLAIN " + base64.b64encode(b"\0not an address\0x"), 535),
        (b"AUTH CRAM-MD5", 504),
    ],
)
async def test_malformed_auth(
    smtp_server: SMTPServer, sender: Account, line: bytes, code: int
) -> None:
    client = await connect(smtp_server.addresses.submission_port)
    assert (await command(client, line))[0] == code
    await client.login(USER, PASSWORD)  # the session is still usable
    await client.quit()


async def test_auth_not_during_a_transaction(smtp_server: SMTPServer, sender: Account) -> None:
    client = await logged_in(smtp_server)
    await client.mail(USER)
    # RFC 4954 §4: no AUTH in a mail transaction (here: already authenticated, 503 too).
    assert (await command(client, b"AUTH PLAIN =="))[0] == 503
    await client.quit()


async def test_send_limits_at_data(smtp_server: SMTPServer, sender: Account) -> None:
    await Account.filter(id=sender.id).update(max_outgoing_messages_per_day=2)
    client = await logged_in(smtp_server)
    await client.sendmail(USER, ["a@example.org", "b@example.org"], message(sender=USER))
    code, text = await refused_at_data(client, message(sender=USER))
    assert (code, text) == (
        451,
        "4.7.1 max number of messages (2) over past 24h reached, try increasing per-account"
        " setting MaxOutgoingMessagesPerDay",
    )
    await client.quit()
    # Account settings are read at login.
    await Account.filter(id=sender.id).update(
        max_outgoing_messages_per_day=0, max_first_time_recipients_per_day=2
    )
    client = await logged_in(smtp_server)
    code, text = await refused_at_data(client, message(sender=USER))
    await client.quit()
    assert (code, text) == (
        451,
        "4.7.1 max number of new/first-time recipients (2) over past 24h reached, try"
        " increasing per-account setting MaxFirstTimeRecipientsPerDay",
    )
    assert await RecipientRecord.all().count() == 2
    assert await QueueMessage.all().count() == 2


async def test_sent_copy_for_accounts_that_ask_for_one(
    smtp_server: SMTPServer, sender: Account
) -> None:
    await add_account("keeper", "keeper@localhost", PASSWORD, submission_save_sent=True)
    for login in (USER, "keeper@localhost"):
        client = await connect(smtp_server.addresses.submission_port)
        await client.login(login, PASSWORD)
        await client.sendmail(login, ["to@example.org"], message(sender=login, subject=login))
        await client.quit()
    rows = await queued()
    assert [r.source for r in rows] == ["smtp", "smtp"]
    (copy,) = await StoredMessage.filter(mailbox__special_use="sent").prefetch_related("mailbox")
    assert copy.mailbox.account_id == (await Account.get(name="keeper")).id
    assert copy.subject == "keeper@localhost" and copy.flags == ["\\seen", "$notjunk"]
    # The copy is the message as submitted: no Received field of ours.
    stored = await MessageBlob.get(id=copy.blob_id)
    assert not stored.data.startswith(b"Received:")


async def test_concurrent_submissions_do_not_pass_the_message_limit(
    smtp_server: SMTPServer, sender: Account
) -> None:
    # The limit is checked in the transaction that records the submission, so
    # submissions that group commit batches together cannot all pass it.
    concurrent, limit = 10, 3
    await Account.filter(id=sender.id).update(max_outgoing_messages_per_day=limit)
    clients = [await logged_in(smtp_server) for _ in range(concurrent)]

    async def submit(client: aiosmtplib.SMTP, index: int) -> tuple[int, str]:
        await client.mail(USER)
        await client.rcpt(f"r{index}@example.org")
        try:
            response = await client.data(message(sender=USER))
        except aiosmtplib.SMTPDataError as exc:
            return exc.code, exc.message
        return response.code, "queued"

    replies = await asyncio.gather(*(submit(c, i) for i, c in enumerate(clients)))
    for client in clients:
        await client.quit()
    refusal = (
        451,
        f"4.7.1 max number of messages ({limit}) over past 24h reached, try increasing"
        " per-account setting MaxOutgoingMessagesPerDay",
    )
    assert sorted(replies) == sorted([(250, "queued")] * limit + [refusal] * (concurrent - limit))
    assert await QueueMessage.all().count() == limit
    assert await RecipientRecord.all().count() == limit

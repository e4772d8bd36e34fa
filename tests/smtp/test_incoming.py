"""The incoming listener over real sockets: which recipients it takes, what it stores."""

from __future__ import annotations

import asyncio
import re
import smtplib

import aiosmtplib
import pytest

from postroom.store.account import Account, Alias, Domain
from postroom.store.mailbox import StoredMessage
from postroom.store.provision import create_domain
from tests.smtp.conftest import SMTPServer
from tests.smtp.helpers import command, connect, full_text, mailbox_name, message, parse, stored
from tests.webapi.helpers import add_account


async def test_delivers_to_a_login_address_with_trace_fields(smtp_server: SMTPServer) -> None:
    client = await connect(smtp_server.addresses.smtp_port)
    data = message(sender="someone@example.org", to="postroom@localhost", subject="Re: hi")
    errors, reply = await client.sendmail("someone@example.org", ["postroom@localhost"], data)
    await client.quit()
    assert errors == {}
    assert reply.startswith("2.0.0 ")
    [row] = await stored()
    assert mailbox_name(row) == "Inbox"
    assert (row.mail_from, row.rcpt_to, row.remote_ip) == (
        "someone@example.org",
        "postroom@localhost",
        "127.0.0.1",
    )
    assert (row.message_id, row.subject) == ("<m1@client.example>", "Re: hi")
    assert bytes(row.blob.data) == data
    assert row.size == len(full_text(row))
    prefix = bytes(row.prefix).decode()
    # RFC 5321 §4.4: Return-Path first, then the time stamp line with a "for" clause.
    assert prefix.startswith("Return-Path: <someone@example.org>\r\nReceived: from client.example")
    assert re.search(
        r"from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby localhost with ESMTP id [a-z2-7]+"
        r" for <postroom@localhost>;\r\n\t\d+ \w{3} \d{4} ",
        prefix,
    ), prefix
    assert parse(full_text(row))["Subject"] == "Re: hi"


@pytest.mark.parametrize(
    "recipient",
    [
        "postroom@localhost",
        "PostRoom@LOCALHOST",
        "postroom+anything@localhost",
        "POSTROOM+Tag+More@localhost",
    ],
)
async def test_accepts_every_spelling_of_a_login_address(
    smtp_server: SMTPServer, recipient: str
) -> None:
    client = await connect(smtp_server.addresses.smtp_port)
    await client.sendmail("a@example.org", [recipient], message(to=recipient))
    await client.quit()
    [row] = await stored()
    assert row.rcpt_to == recipient.split("@")[0] + "@localhost"


async def test_one_blob_for_all_recipients_of_a_message(smtp_server: SMTPServer) -> None:
    await add_account("other", "other@localhost", "secret-password")
    client = await connect(smtp_server.addresses.smtp_port)
    recipients = ["postroom@localhost", "other@localhost", "postroom+x@localhost"]
    errors, _ = await client.sendmail("a@example.org", recipients, message())
    await client.quit()
    assert errors == {}
    rows = await StoredMessage.all().order_by("id")
    assert [r.rcpt_to for r in rows] == recipients
    assert len({r.blob_id for r in rows}) == 1  # type: ignore[attr-defined]
    assert len({r.account_id for r in rows}) == 2  # type: ignore[attr-defined]
    # Each copy has its own Received field naming its recipient.
    for row in rows:
        assert f"for <{row.rcpt_to}>;".encode() in bytes(row.prefix)


async def test_alias_with_local_members_delivers_to_each_account(smtp_server: SMTPServer) -> None:
    await add_account("other", "other@localhost", "secret-password")
    domain = await Domain.get(name="localhost")
    await Alias.create(
        domain=domain,
        localpart="team",
        members=["postroom@localhost", "other@localhost", "Postroom+dup@localhost"],
    )
    client = await connect(smtp_server.addresses.smtp_port)
    errors, _ = await client.sendmail("a@example.org", ["team@localhost"], message())
    await client.quit()
    assert errors == {}
    assert len(await stored("postroom")) == 1  # one copy per account, not per member
    [copy] = await stored("other")
    assert copy.rcpt_to == "team@localhost"


async def test_alias_with_a_remote_member_is_refused(smtp_server: SMTPServer) -> None:
    domain = await Domain.get(name="localhost")
    await Alias.create(
        domain=domain, localpart="list", members=["postroom@localhost", "x@example.com"]
    )
    client = await connect(smtp_server.addresses.smtp_port)
    await client.mail("a@example.org")
    code, text = await command(client, b"RCPT TO:<list@localhost>")
    await client.quit()
    assert (code, text.split(" ")[0]) == (550, "5.3.3")
    assert "its domain forwards no mail" in text


@pytest.mark.parametrize(
    ("recipient", "code", "enhanced"),
    [
        ("someone@example.com", 550, "5.7.1"),  # not ours: no relaying
        ("postroom@localhost.example", 550, "5.7.1"),
        ("nobody@localhost", 550, "5.1.1"),
        ("nobody+postroom@localhost", 550, "5.1.1"),
        ("not-an-address", 501, "5.1.3"),
        ("x@[127.0.0.1]", 501, "5.1.3"),
    ],
)
async def test_refuses_other_recipients(
    smtp_server: SMTPServer, recipient: str, code: int, enhanced: str
) -> None:
    client = await connect(smtp_server.addresses.smtp_port)
    await client.mail("a@example.org")
    reply = await command(client, f"RCPT TO:<{recipient}>".encode())
    # The transaction goes on with the recipients that were accepted.
    await command(client, b"RCPT TO:<postroom@localhost>")
    await client.data(message())
    await client.quit()
    assert (reply[0], reply[1].split(" ")[0]) == (code, enhanced)
    assert [r.rcpt_to for r in await stored()] == ["postroom@localhost"]


async def test_disabled_domain_is_refused_for_now(smtp_server: SMTPServer) -> None:
    await Domain.filter(name="localhost").update(disabled=True)
    client = await connect(smtp_server.addresses.smtp_port)
    await client.mail("a@example.org")
    code, text = await command(client, b"RCPT TO:<postroom@localhost>")
    await client.quit()
    assert (code, text.split(" ")[0]) == (450, "4.2.1")


async def test_an_authenticated_session_still_cannot_relay(smtp_server: SMTPServer) -> None:
    client = await connect(smtp_server.addresses.smtp_port)
    assert not client.supports_extension("auth")
    # A client that tries anyway is refused: logins belong to the submission ports.
    code, text = await command(client, b"AUTH PLAIN AHBvc3Ryb29tQGxvY2FsaG9zdABwb3N0cm9vbQ==")
    assert (code, text.split(" ")[0]) == (503, "5.5.1")
    await client.mail("postroom@localhost")
    code, text = await command(client, b"RCPT TO:<someone@example.com>")
    await client.quit()
    assert (code, text.split(" ")[0]) == (550, "5.7.1")


async def test_smtplib_null_sender_and_extensions(smtp_server: SMTPServer) -> None:
    port = smtp_server.addresses.smtp_port
    max_size = smtp_server.config.smtp.max_message_bytes

    def run() -> dict[str, str]:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo("bounce.example")
            features = dict(client.esmtp_features)
            # A bounce has the null reverse-path (RFC 5321 §4.5.5).
            client.sendmail("<>", ["postroom@localhost"], message(sender="mailer-daemon@x.example"))
            return features

    features = await asyncio.to_thread(run)
    assert features["size"] == str(max_size)
    assert "8bitmime" in features and "smtputf8" in features
    assert "auth" not in features and "starttls" not in features
    [row] = await stored()
    assert row.mail_from == ""
    assert bytes(row.prefix).startswith(b"Return-Path: <>\r\n")


async def test_smtputf8_recipient_and_header(smtp_server: SMTPServer) -> None:
    await create_domain("exämple.org", ["+"])
    await add_account("jörg", "jörg@exämple.org", "secret-password")
    client = await connect(smtp_server.addresses.smtp_port)
    data = message(to="jörg@exämple.org", subject="grüße")
    await client.sendmail(
        "a@example.org", ["jörg+x@xn--exmple-cua.org"], data, mail_options=["SMTPUTF8"]
    )
    await client.quit()
    [row] = await stored("jörg")
    assert row.rcpt_to == "jörg+x@exämple.org"
    assert row.subject == "grüße"
    assert b" with UTF8SMTP id " in bytes(row.prefix)


async def test_oversize_message_is_refused_at_data_with_552(
    smtp_server: SMTPServer, database_url: str
) -> None:
    limit = smtp_server.config.smtp.max_message_bytes
    client = await connect(smtp_server.addresses.smtp_port)
    await client.mail("a@example.org")
    await client.rcpt("postroom@localhost")
    body = ("x" * 998 + "\r\n") * (limit // 1000 + 1)
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await client.data(message(body=body))
    assert refused.value.code == 552
    # The session survives the refusal.
    assert (await client.noop()).code == 250
    # A SIZE announced at MAIL is checked at once (RFC 1870 §6).
    code, _ = await command(client, f"MAIL FROM:<a@example.org> SIZE={limit + 1}".encode())
    assert code == 552
    await client.quit()
    assert await stored() == []


async def test_auth_parameter_of_mail_is_ignored(smtp_server: SMTPServer) -> None:
    # RFC 4954 §5: relays send AUTH=<> with MAIL; it is accepted and grants nothing.
    client = await connect(smtp_server.addresses.smtp_port)
    assert (await command(client, b"MAIL FROM:<a@example.org> AUTH=<> SIZE=100"))[0] == 250
    assert (await command(client, b"RCPT TO:<x@example.com>"))[0] == 550
    await client.quit()


async def test_a_failure_while_storing_is_answered_and_the_session_goes_on(
    smtp_server: SMTPServer,
) -> None:
    await add_account("leaving", "leaving@localhost", "secret-password")
    client = await connect(smtp_server.addresses.smtp_port)
    await client.mail("a@example.org")
    await client.rcpt("leaving@localhost")
    await Account.filter(name="leaving").delete()  # gone between RCPT and DATA
    with pytest.raises(aiosmtplib.SMTPDataError) as failed:
        await client.data(message())
    assert (failed.value.code, failed.value.message.split(" ")[0]) == (451, "4.3.0")
    # The transaction was reset: a new one works.
    errors, _ = await client.sendmail("a@example.org", ["postroom@localhost"], message())
    await client.quit()
    assert errors == {}
    assert len(await stored()) == 1

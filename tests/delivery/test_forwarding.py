"""Mail from other servers forwarded to alias members elsewhere, over real sockets: in at
the incoming listener, out through the queue to a scripted MTA, from an SRS address;
bounces that come back to it are passed on to the original sender."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import pytest

from postroom.clock import ManualClock
from postroom.config import load_config
from postroom.localserve.bootstrap import seed_database
from postroom.mail import is_srs, parse_address
from postroom.server import Runtime
from postroom.store.account import Account, Alias, Domain
from postroom.store.mailbox import StoredMessage
from postroom.store.outgoing import QueueMessage, RetiredMessage, Suppression
from tests.delivery.harness import START
from tests.delivery.mta import MTA, Behaviour, Fleet

ORIGINAL = (
    b"From: <alice@origin.test>\r\nTo: <list@localhost>\r\nSubject: Team meeting\r\n"
    b"Message-Id: <meeting@origin.test>\r\n\r\nAt ten.\r\n"
)


@pytest.fixture
async def relay(mtas: Fleet) -> MTA:
    return await mtas.add(Behaviour(refuse={"gone@example.test": "550 5.1.1 no such user"}))


@pytest.fixture
async def server(
    database_url: str, tmp_path: Path, mtas: Fleet, relay: MTA
) -> AsyncIterator[Runtime]:
    path = tmp_path / "postroom.toml"
    path.write_text(
        f'database_url = "{database_url}"\ndata_dir = "."\nhostname = "postroom.test"\n'
        "[http]\nport = 0\n[smtp]\nport = 0\nsubmission_port = 0\n"
        f'[transports.relay]\nhost = "{relay.address}"\nport = {mtas.port}\ntls = "none"\n'
        '[[routes]]\ntransport = "relay"\n'
    )
    runtime = Runtime(
        load_config(path, env={}), clock=ManualClock(START), prepare=seed_database,
        run_queue=False,
    )  # fmt: skip
    addresses = await runtime.start()
    _ports[id(runtime)] = addresses.smtp_port
    domain = await Domain.get(name="localhost")
    await Alias.create(
        domain=domain,
        localpart="list",
        members=["postroom@localhost", "bob@example.test", "gone@example.test"],
    )
    yield runtime
    await runtime.stop()


async def _forwarding_account(name: str | None) -> None:
    account = await Account.get(name=name) if name else None
    await Domain.filter(name="localhost").update(forward_account_id=account.id if account else None)


_ports: dict[int, int] = {}
"""The incoming listener's port of each running server."""


def _port(server: Runtime) -> int:
    return _ports[id(server)]


async def _send(server: Runtime, sender: str, recipients: list[str], data: bytes) -> None:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=_port(server), start_tls=False)
    await client.connect()
    errors, _ = await client.sendmail(sender, recipients, data)
    await client.quit()
    assert errors == {}


async def _run_queue(server: Runtime) -> int:
    assert server.queue_runner is not None
    return await server.queue_runner.run_once()


async def test_alias_members_elsewhere_get_a_forward_from_an_srs_address(
    server: Runtime, relay: MTA
) -> None:
    await _forwarding_account("postroom")
    await _send(server, "alice@origin.test", ["list@localhost"], ORIGINAL)

    # The local member's copy is stored at once; the others are queued as the
    # forwarding account's, from the alias domain's SRS address.
    [local] = await StoredMessage.filter(rcpt_to="list@localhost").prefetch_related("blob")
    assert bytes(local.blob.data) == ORIGINAL  # type: ignore[attr-defined]
    rows = await QueueMessage.all().order_by("id")
    assert sorted(row.recipient_address for row in rows) == [
        "bob@example.test",
        "gone@example.test",
    ]
    assert {row.source for row in rows} == {"forward"}
    assert {row.account_id for row in rows} == {  # type: ignore[attr-defined]
        (await Account.get(name="postroom")).id
    }

    assert await _run_queue(server) == 1  # one transaction for both
    [received] = relay.messages
    assert received.recipients == ["bob@example.test"]  # gone@ was refused at RCPT
    sender = parse_address(received.mail_from)
    assert sender.domain == "localhost"
    assert is_srs(sender.localpart)
    assert sender.localpart.endswith("=origin.test=alice")
    # Our trace field, then the message as it came; no Return-Path on a forward.
    assert received.data.startswith(b"Received: from ")
    assert received.data.endswith(ORIGINAL)
    assert b"Return-Path" not in received.data

    # The refused member: the original sender hears of it by a DSN from the null
    # reverse-path, queued like the forward (not in the forwarding account's Inbox).
    failed = await RetiredMessage.get(recipient_address="gone@example.test")
    assert not failed.success
    [report] = await QueueMessage.all()
    assert (report.recipient_address, report.sender_localpart, report.sender_domain) == (
        "alice@origin.test",
        "",
        "",
    )
    assert await StoredMessage.filter(dsn=True).count() == 0
    assert await _run_queue(server) == 1
    dsn = relay.messages[-1]
    assert (dsn.mail_from, dsn.recipients) == ("<>", ["alice@origin.test"])
    assert b"multipart/report" in dsn.data
    assert b"Final-Recipient: rfc822;gone@example.test" in dsn.data
    # A forward failure does not end up on the forwarding account's suppression list.
    assert await _suppressed() == []


async def _suppressed() -> list[str]:
    return [row.base_address for row in await Suppression.all()]


async def test_a_bounce_to_the_srs_address_goes_back_to_the_original_sender(
    server: Runtime, relay: MTA
) -> None:
    await _forwarding_account("postroom")
    await _send(server, "alice@origin.test", ["list@localhost"], ORIGINAL)
    await _run_queue(server)
    srs_address = relay.messages[0].mail_from
    relay.messages.clear()
    await QueueMessage.all().delete()  # the DSN about gone@, tested above

    bounce = (
        b"From: <mailer-daemon@example.test>\r\nTo: <" + srs_address.encode() + b">\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n\r\nbob's mailbox is full.\r\n"
    )
    await _send(server, "", [srs_address], bounce)
    # Nothing stored here: the bounce is passed on, still from the null reverse-path.
    assert await StoredMessage.filter(rcpt_to=srs_address).count() == 0
    assert await _run_queue(server) == 1
    [passed_on] = relay.messages
    assert (passed_on.mail_from, passed_on.recipients) == ("<>", ["alice@origin.test"])
    assert passed_on.data.endswith(bounce)


async def test_a_forward_of_a_report_keeps_the_null_sender_and_is_never_reported(
    server: Runtime, relay: MTA
) -> None:
    await _forwarding_account("postroom")
    await _send(server, "", ["list@localhost"], ORIGINAL)
    assert await _run_queue(server) == 1
    [received] = relay.messages
    assert received.mail_from == "<>"
    # gone@ refused it, and a report about a report is never sent (RFC 3461 §6.2).
    assert await QueueMessage.all().count() == 0


@pytest.mark.parametrize(
    "localpart",
    [
        "SRS0=aaaaaa=aa=origin.test=alice",  # not made with our secret
        "SRS0=broken",
    ],
)
async def test_srs_addresses_we_did_not_make_are_refused(server: Runtime, localpart: str) -> None:
    await _forwarding_account("postroom")
    # Make the server's secret, as the first forward does.
    await _send(server, "alice@origin.test", ["list@localhost"], ORIGINAL)
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=_port(server), start_tls=False)
    await client.connect()
    await client.mail("")
    with pytest.raises(aiosmtplib.SMTPRecipientRefused) as refused:
        await client.rcpt(f"{localpart}@localhost")
    await client.quit()
    assert refused.value.code == 550
    assert refused.value.message.startswith("5.1.1 invalid or expired return address")


async def test_without_a_forwarding_account_the_alias_is_refused_whole(server: Runtime) -> None:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=_port(server), start_tls=False)
    await client.connect()
    await client.mail("alice@origin.test")
    with pytest.raises(aiosmtplib.SMTPRecipientRefused) as refused:
        await client.rcpt("list@localhost")
    await client.quit()
    assert refused.value.code == 550
    assert "its domain forwards no mail" in refused.value.message
    assert await StoredMessage.all().count() == 0
    assert await QueueMessage.all().count() == 0


async def test_a_message_that_went_round_too_often_is_not_forwarded(server: Runtime) -> None:
    await _forwarding_account("postroom")
    looped = b"Received: from a.example by b.example; Mon, 23 Nov 2026 10:00:00 +0000\r\n" * 100
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=_port(server), start_tls=False)
    await client.connect()
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await client.sendmail("alice@origin.test", ["list@localhost"], looped + ORIGINAL)
    await client.quit()
    assert (refused.value.code, refused.value.message[:5]) == (554, "5.4.6")
    assert await StoredMessage.all().count() == 0
    assert await QueueMessage.all().count() == 0
    # One hop fewer goes through.
    await _send(
        server, "alice@origin.test", ["list@localhost"], looped[: -len(looped) // 100] + ORIGINAL
    )
    assert await QueueMessage.all().count() == 2

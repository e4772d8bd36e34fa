"""Reports about sent mail matched to the message: by fromid, envelope id and Message-ID,
with the outgoing event, the result history and the suppression list (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from postroom.dsn import Action, DSNRecipient, DSNReport, compose_dsn, parse_bounce
from postroom.localserve.reports import ReportKind, ReturnedMessage, compose_report
from postroom.queue.bounces import record_fromid_mail, record_report
from postroom.store.db import Database
from postroom.store.outgoing import DeliveryEvent, RetiredMessage, Suppression
from tests.queue.harness import OK, REJECTED, QueueHarness, queue_harness


@pytest.fixture
async def harness(database: Database) -> AsyncIterator[QueueHarness]:
    async with queue_harness(database) as h:
        yield h


async def deliver(
    harness: QueueHarness, recipients: list[str], *, fromid: bool = True
) -> list[RetiredMessage]:
    queued = await harness.queue(recipients, fromid=fromid)
    await harness.runner.run_once()
    return [await RetiredMessage.get(id=q.queue_msg_id) for q in queued]


def dsn(
    recipients: list[tuple[str, Action, str, str]],
    *,
    envelope_id: str = "",
    returned_message_id: str = "<m@localhost>",
) -> bytes:
    data = compose_dsn(
        DSNReport(
            reporting_mta="mx.example.org",
            from_address="mailer-daemon@mx.example.org",
            to_address="sender@localhost",
            subject="Delivery Status Notification",
            text="Your message could not be delivered.",
            date=datetime(2026, 3, 1, 13, 0, tzinfo=UTC),
            arrival_date=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
            recipients=[
                DSNRecipient(final_recipient=r, action=a, status=s, diagnostic=d)
                for r, a, s, d in recipients
            ],
            original_message_id=returned_message_id,
            original_headers=f"Message-Id: {returned_message_id}\r\nSubject: test\r\n".encode(),
        )
    )
    if envelope_id:
        data = data.replace(
            b"Reporting-MTA:", f"Original-Envelope-Id: {envelope_id}\r\nReporting-MTA:".encode(), 1
        )
    return data


async def events() -> list[tuple[int, str, dict[str, Any]]]:
    return [(e.queue_msg_id, e.event, e.details) for e in await DeliveryEvent.all().order_by("id")]


async def receive(
    harness: QueueHarness, data: bytes, *, fromid: str = "", account_id: int = 0
) -> bool:
    bounce = parse_bounce(data)
    now = harness.clock.now()
    if fromid:
        return await harness.committer.run(
            lambda batch: record_fromid_mail(batch, fromid=fromid, bounce=bounce, now=now)
        )
    assert bounce is not None
    return await harness.committer.run(
        lambda batch: record_report(batch, account_id=account_id, bounce=bounce, now=now)
    )


async def test_failure_dsn_by_fromid_fails_and_suppresses(harness: QueueHarness) -> None:
    (message,) = await deliver(harness, ["bob@example.org"])
    await DeliveryEvent.all().delete()
    report = dsn(
        [("bob@example.org", Action.FAILED, "5.1.1", "550 5.1.1 <bob@example.org>: no such user")]
    )
    assert await receive(harness, report, fromid=message.from_id.upper())  # case-insensitive
    ((queue_msg_id, event, details),) = await events()
    assert (queue_msg_id, event) == (message.id, "failed")
    assert details["DSN"] is True and details["Suppressing"] is True
    assert (details["SMTPCode"], details["SMTPEnhancedCode"]) == (550, "5.1.1")
    assert details["Error"] == "550 5.1.1 <bob@example.org>: no such user"
    assert details["BounceReason"] == "userunknown"
    retired = await RetiredMessage.get(id=message.id)
    assert retired.success  # the queue's own outcome stays; the report is added to the history
    last = retired.results[-1]
    assert (last["Success"], last["Code"], last["Secode"]) == (False, 550, "1.1")
    (entry,) = await Suppression.all()
    assert entry.base_address == "bob@example.org"
    assert entry.reason == 'delivery failure from DSN with smtp code 550, enhanced code "1.1"'


async def test_delayed_and_delivered_reports_do_not_suppress(harness: QueueHarness) -> None:
    (message,) = await deliver(harness, ["carol@example.org"])
    await DeliveryEvent.all().delete()
    delayed = dsn([("carol@example.org", Action.DELAYED, "4.2.2", "452 4.2.2 mailbox full")])
    delivered = dsn([("carol@example.org", Action.RELAYED, "2.0.0", "")])
    assert await receive(harness, delayed, fromid=message.from_id)
    assert await receive(harness, delivered, fromid=message.from_id)
    assert [(e, d["SMTPCode"], d["SMTPEnhancedCode"]) for _, e, d in await events()] == [
        ("delayed", 452, "4.2.2"),
        ("relayed", 0, ""),
    ]
    assert await Suppression.all().count() == 0
    results = (await RetiredMessage.get(id=message.id)).results
    assert [r["Success"] for r in results[-2:]] == [False, True]


async def test_mail_that_is_not_a_report_is_unrecognized(harness: QueueHarness) -> None:
    (message,) = await deliver(harness, ["dave@example.org"])
    await DeliveryEvent.all().delete()
    reply = b"From: <dave@example.org>\r\nSubject: Re: test\r\n\r\nThanks, got it.\r\n"
    assert await receive(harness, reply, fromid=message.from_id)
    ((_, event, details),) = await events()
    assert event == "unrecognized" and details["DSN"] is False
    assert (await RetiredMessage.get(id=message.id)).results[-1][
        "Error"
    ] == "incoming message not a dsn"
    assert not await receive(harness, reply, fromid="nosuchfromid")


async def test_a_report_listing_several_recipients_is_matched_to_ours(
    harness: QueueHarness,
) -> None:
    (message,) = await deliver(harness, ["erin@example.org"])
    await DeliveryEvent.all().delete()
    report = dsn(
        [
            ("someone@example.org", Action.DELIVERED, "2.0.0", ""),
            ("erin@example.org", Action.FAILED, "5.2.1", "550 5.2.1 mailbox disabled"),
        ]
    )
    assert await receive(harness, report, fromid=message.from_id)
    ((_, event, details),) = await events()
    assert (event, details["SMTPEnhancedCode"]) == ("failed", "5.2.1")
    # Neither block is ours: mox's rule, a report with other than one recipient.
    other = dsn(
        [
            ("x@example.org", Action.FAILED, "5.1.1", ""),
            ("y@example.org", Action.FAILED, "5.1.1", ""),
        ]
    )
    await DeliveryEvent.all().delete()
    assert await receive(harness, other, fromid=message.from_id)
    ((_, event, details),) = await events()
    assert event == "unrecognized" and details["DSN"] is True
    assert (await RetiredMessage.get(id=message.id)).results[-1]["Error"] == (
        "incoming dsn has 2 recipients, expecting 1"
    )


async def test_without_fromid_match_by_envelope_id_then_message_id(harness: QueueHarness) -> None:
    first, second = await deliver(harness, ["f@example.org", "g@example.net"], fromid=False)
    assert not first.from_id and first.base_id == second.base_id
    await DeliveryEvent.all().delete()
    account = harness.account.id
    by_envid = dsn(
        [("g@example.net", Action.FAILED, "5.7.1", "550 5.7.1 blocked")],
        envelope_id=str(first.base_id),
        returned_message_id="<other@elsewhere>",
    )
    assert await receive(harness, by_envid, account_id=account)
    by_message_id = dsn([("F@example.org", Action.DELAYED, "4.4.1", "")])
    assert await receive(harness, by_message_id, account_id=account)
    assert [(i, e) for i, e, _ in await events()] == [(second.id, "failed"), (first.id, "delayed")]
    # A message delivered in a transaction of its own was sent with its own ID as ENVID.
    (single,) = await deliver(harness, ["k@example.com"], fromid=False)
    assert single.base_id == 0
    own = dsn([("k@example.com", Action.FAILED, "5.1.1", "")], envelope_id=str(single.id))
    assert await receive(harness, own, account_id=account)
    assert (await events())[-1][:2] == (single.id, "failed")
    # Another account's message is never matched, and neither is an unknown id.
    assert not await receive(harness, by_message_id, account_id=account + 1)
    unknown = dsn([("f@example.org", Action.FAILED, "5.1.1", "")], returned_message_id="<nope@x>")
    assert not await receive(harness, unknown, account_id=account)


async def test_complaint_suppresses_with_reason_complaint(harness: QueueHarness) -> None:
    (message,) = await deliver(harness, ["Heidi+news@example.org"])
    await DeliveryEvent.all().delete()
    report = compose_report(
        ReportKind.COMPLAINT,
        ReturnedMessage(
            mail_from=f"sender+{message.from_id}@localhost",
            recipient="Heidi+news@example.org",
            header=b"Message-Id: <m@localhost>\r\nSubject: test\r\n",
            message_id="<m@localhost>",
            arrived=harness.clock.now(),
        ),
        harness.clock.now(),
    )
    assert await receive(harness, report, fromid=message.from_id)
    ((_, event, details),) = await events()
    assert event == "complained" and details["Suppressing"] is True
    (entry,) = await Suppression.all()
    assert (entry.base_address, entry.reason, entry.manual) == (
        "heidi@example.org",
        "complaint",
        False,
    )


async def test_repeated_failures_and_hard_bounces_suppress(harness: QueueHarness) -> None:
    # Two failed deliveries to the same address, then a DSN with a code that is not on
    # the immediate list: the third failure in a row suppresses (docs/architecture.md).
    harness.transport.script = lambda recipient: REJECTED
    await deliver(harness, ["ivan@example.org"])
    await deliver(harness, ["ivan@example.org"])
    assert await Suppression.all().count() == 0
    harness.transport.script = lambda recipient: OK
    (message,) = await deliver(harness, ["ivan@example.org"])
    report = dsn([("ivan@example.org", Action.FAILED, "5.0.0", "554 5.0.0 rejected")])
    assert await receive(harness, report, fromid=message.from_id)
    (entry,) = await Suppression.all()
    assert entry.reason == "delivery failure from DSN and three consecutive failures"

    # A bounce in prose, without any code, that says the user does not exist.
    (other,) = await deliver(harness, ["judy@example.org"])
    prose = (
        b"From: MAILER-DAEMON@mx.example.org\r\nTo: <sender@localhost>\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n\r\n"
        b"I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        b"<judy@example.org>: user unknown\r\n"
    )
    assert await receive(harness, prose, fromid=other.from_id)
    entry = await Suppression.get(base_address="judy@example.org")
    assert entry.reason == "delivery failure from DSN: userunknown"

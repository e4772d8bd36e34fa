"""localserve's simulated reports, end to end: a Send to `bounce…`, `complaint…` or
`delayed…` is delivered, then a real report comes back over SMTP to the message's fromid
address, is parsed and matched, and ends as an outgoing webhook and a suppression."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from postroom.clock import ManualClock
from postroom.dsn import BounceKind, parse_bounce
from postroom.localserve.reports import ReportKind, ReportSender, ReturnedMessage, compose_report
from postroom.store.mailbox import StoredMessage
from postroom.store.outgoing import DeliveryEvent, Suppression

__all__ = ["receiver"]  # a fixture, used by name
from tests.hooks.conftest import START, Hooked, receiver, start_hooked
from tests.hooks.receiver import Receiver


@pytest.fixture
async def local(database_url: str, tmp_path: Path, receiver: Receiver) -> AsyncIterator[Hooked]:
    clock = ManualClock(START)
    reports = ReportSender(clock, delay_seconds=0)
    runtime, addresses = await start_hooked(database_url, tmp_path, receiver, clock, reports)
    reports.connect(addresses.smtp_host, addresses.smtp_port)
    try:
        yield Hooked(runtime, addresses, clock, receiver)
    finally:
        await reports.close()
        await runtime.stop()


async def dsn_events(count: int) -> list[DeliveryEvent]:
    """The events reports caused, once `count` have arrived (reports come asynchronously)."""
    for _ in range(200):
        events = [e for e in await DeliveryEvent.all().order_by("id") if e.details.get("DSN")]
        if len(events) >= count:
            return events
        await asyncio.sleep(0.05)
    everything = [(e.queue_msg_id, e.event, e.details) for e in await DeliveryEvent.all()]
    raise AssertionError(f"expected {count} report events, got {everything}")


async def test_bounce_complaint_and_delay_come_back_as_webhooks(local: Hooked) -> None:
    await local.configure(incoming_url=local.receiver.url + "/in")
    bounced, complained, delayed, ordinary = await local.send(
        "bounce@example.com", "complaint-1@example.org", "delayed@example.net", "x@example.edu"
    )
    assert await local.deliver() == 4
    events = await dsn_events(3)
    await local.hooks.run_once()

    payloads: dict[int, list[dict[str, Any]]] = {}
    for request in local.receiver.on("/out"):
        payloads.setdefault(request.json()["QueueMsgID"], []).append(request.json())
    assert [p["Event"] for p in payloads[ordinary]] == ["delivered"]
    # Each reported message's `delivered` hook was superseded by the report's, unless it
    # was sent before the report came (docs/webhooks.md): the report's event is the last one.
    *_, failed = payloads[bounced]
    assert {
        k: failed[k] for k in ("Event", "DSN", "Suppressing", "SMTPCode", "SMTPEnhancedCode")
    } == {
        "Event": "failed",
        "DSN": True,
        "Suppressing": True,
        "SMTPCode": 550,
        "SMTPEnhancedCode": "5.1.1",
    }
    assert failed["BounceReason"] == "userunknown"
    assert "User unknown" in failed["Error"]
    complaint = payloads[complained][-1]
    assert (complaint["Event"], complaint["Suppressing"], complaint["BounceReason"]) == (
        "complained",
        True,
        "feedback",
    )
    delay = payloads[delayed][-1]
    assert (delay["Event"], delay["SMTPCode"], delay["SMTPEnhancedCode"], delay["Suppressing"]) == (
        "delayed",
        451,
        "4.2.2",
        False,
    )
    assert {e.queue_msg_id for e in events} == {bounced, complained, delayed}

    # The reports are in the mailbox like any mail, but get no incoming webhook: they
    # are about our own messages (docs/webhooks.md). The four delivered copies do get one.
    incoming = [r.json()["Subject"] for r in local.receiver.on("/in")]
    assert incoming == ["Order shipped"] * 4
    reports = [
        m
        for m in await StoredMessage.all()
        if m.subject.startswith(("Undelivered", "Delayed", "Abuse"))
    ]
    assert len(reports) == 3

    entries = {s.base_address: s.reason for s in await Suppression.all()}
    assert entries == {
        "bounce@example.com": 'delivery failure from DSN with smtp code 550, enhanced code "1.1"',
        "complaint-1@example.org": "complaint",
    }


def test_simulated_reports_read_as_what_they_simulate() -> None:
    message = ReturnedMessage(
        mail_from="postroom+abc@localhost",
        recipient="bounce@example.com",
        header=b"Message-Id: <m1@localhost>\r\nSubject: hi\r\n",
        message_id="<m1@localhost>",
        arrived=START,
    )
    bounce = parse_bounce(compose_report(ReportKind.BOUNCE, message, START))
    assert bounce is not None and bounce.kind is BounceKind.DSN
    (result,) = bounce.recipients
    assert (result.action, result.status, result.reply_code, result.hard) == (
        "failed",
        "5.1.1",
        550,
        True,
    )
    assert bounce.returned_message_id == "<m1@localhost>"
    delay = parse_bounce(compose_report(ReportKind.DELAYED, message, START))
    assert delay is not None and delay.recipients[0].action == "delayed"
    complaint = parse_bounce(compose_report(ReportKind.COMPLAINT, message, START))
    assert complaint is not None and complaint.kind is BounceKind.FEEDBACK
    assert complaint.feedback_type == "abuse"
    assert complaint.recipients[0].recipient == "bounce@example.com"

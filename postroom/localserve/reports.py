"""Simulated reports: localserve answers mail to special recipients with the report a
real receiving system would send back later, so developers see the whole loop of
bounce → webhook → suppression without a real mail server.

    bounce…@any      a failure DSN (RFC 3464): 550 5.1.1, user unknown
    complaint…@any   a spam complaint (RFC 5965 ARF feedback report, type abuse)
    delayed…@any     a delay DSN (RFC 3464, action delayed): 451 4.2.2, mailbox full

The message itself is accepted (so the queue reports `delivered`); then, after a short
delay, the report is sent from the null reverse-path to the message's MAIL FROM — its
fromid address — over SMTP to localserve's own incoming listener: the normal incoming
path, the same one a real bounce takes.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib

from postroom.clock import Clock
from postroom.dsn import Action, DSNRecipient, DSNReport, compose_dsn
from postroom.mail import Address, format_date
from postroom.smtp.headers import message_summary

log = logging.getLogger(__name__)

REPORTING_HOST = "localhost"
MAILER_DAEMON = "mailer-daemon@localhost"


class ReportKind(enum.StrEnum):
    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    DELAYED = "delayed"


def report_kind(localpart: str) -> ReportKind | None:
    """The report a recipient localpart asks for, e.g. `bounce-1` → BOUNCE."""
    lowered = localpart.lower()
    return next((kind for kind in ReportKind if lowered.startswith(kind.value)), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnedMessage:
    """What the report is about: the envelope and the header of the accepted message."""

    mail_from: str
    recipient: str
    header: bytes
    message_id: str
    arrived: datetime


def compose_report(kind: ReportKind, message: ReturnedMessage, now: datetime) -> bytes:
    if kind is ReportKind.COMPLAINT:
        return compose_complaint(message, now)
    failed = kind is ReportKind.BOUNCE
    recipient = DSNRecipient(
        final_recipient=message.recipient,
        action=Action.FAILED if failed else Action.DELAYED,
        status="5.1.1" if failed else "4.2.2",
        diagnostic=(
            f"550 5.1.1 <{message.recipient}>: Recipient address rejected: User unknown"
            if failed
            else f"451 4.2.2 <{message.recipient}>: Mailbox full, try again later"
        ),
        remote_mta=REPORTING_HOST,
        last_attempt=now,
        will_retry_until=None if failed else now + timedelta(days=5),
    )
    text = (
        f"This is a simulated report from postroom localserve.\n\n"
        f"Your message to <{message.recipient}> "
        + (
            "could not be delivered: the mailbox does not exist.\n"
            if failed
            else "has not been delivered yet: the mailbox is full. Delivery will be retried.\n"
        )
    )
    return compose_dsn(
        DSNReport(
            reporting_mta=REPORTING_HOST,
            from_address=MAILER_DAEMON,
            to_address=message.mail_from,
            subject="Undelivered Mail Returned to Sender"
            if failed
            else "Delayed Mail (still being retried)",
            text=text,
            date=now,
            arrival_date=message.arrived,
            recipients=[recipient],
            original_message_id=message.message_id,
            original_headers=message.header,
        )
    )


def compose_complaint(message: ReturnedMessage, now: datetime) -> bytes:
    """An RFC 5965 feedback report: multipart/report with the human-readable part, the
    machine-readable `message/feedback-report` (§3.1, §3.2) and the reported message's
    header (§2, item d: `text/rfc822-headers` is allowed instead of the whole message)."""
    boundary = secrets.token_hex(20)
    header = message.header.rstrip(b"\r\n") + b"\r\n"
    fields = [
        ("Feedback-Type", "abuse"),
        ("User-Agent", "postroom-localserve/1.0"),
        ("Version", "1"),
        ("Original-Mail-From", f"<{message.mail_from}>"),
        ("Original-Rcpt-To", f"<{message.recipient}>"),
        ("Arrival-Date", format_date(message.arrived)),
        ("Reported-Domain", message.recipient.rpartition("@")[2]),
    ]
    report = "".join(f"{name}: {value}\r\n" for name, value in fields)
    top = "".join(
        f"{name}: {value}\r\n"
        for name, value in [
            ("From", f"<abuse@{REPORTING_HOST}>"),
            ("To", f"<{message.mail_from}>"),
            ("Subject", "Abuse report (simulated by postroom localserve)"),
            ("Message-Id", f"<{secrets.token_urlsafe(16)}@{REPORTING_HOST}>"),
            ("Date", format_date(now)),
            ("MIME-Version", "1.0"),
            (
                "Content-Type",
                f'multipart/report; report-type="feedback-report"; boundary="{boundary}"',
            ),
        ]
    )
    body = (
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"This is a simulated spam complaint about a message to <{message.recipient}>.\r\n"
        f"--{boundary}\r\nContent-Type: message/feedback-report\r\n\r\n{report}"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    ).encode()
    return top.encode() + b"\r\n" + body + header + f"--{boundary}--\r\n".encode()


class ReportSender:
    """Sends simulated reports to the incoming listener, each after `delay_seconds`.

    The listener's address is known only once it is bound: `connect` sets it, and
    reports scheduled before that wait for it.
    """

    def __init__(self, clock: Clock, *, delay_seconds: float = 1.0) -> None:
        self._clock = clock
        self._delay_seconds = delay_seconds
        self._target: asyncio.Future[tuple[str, int]] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def connect(self, host: str, port: int) -> None:
        self._future().set_result((host, port))

    def _future(self) -> asyncio.Future[tuple[str, int]]:
        if self._target is None:
            self._target = asyncio.get_running_loop().create_future()
        return self._target

    def schedule(self, kind: ReportKind, message: ReturnedMessage) -> None:
        task = asyncio.get_running_loop().create_task(self._send(kind, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, kind: ReportKind, message: ReturnedMessage) -> None:
        await asyncio.sleep(self._delay_seconds)
        host, port = await self._future()
        data = compose_report(kind, message, self._clock.now())
        try:
            # RFC 5321 §4.5.5: reports are sent from the null reverse-path, so they
            # are never answered by another report.
            async with aiosmtplib.SMTP(
                hostname=host, port=port, local_hostname=REPORTING_HOST, timeout=30
            ) as client:
                await client.sendmail("", [message.mail_from], data)
            log.info("localserve: sent a simulated %s report to %s", kind, message.mail_from)
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning(
                "localserve: simulated %s report to %s failed: %s", kind, message.mail_from, exc
            )

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def returned_message(
    sender: Address | None, recipient: Address, data: bytes, arrived: datetime
) -> ReturnedMessage | None:
    """The report's view of an accepted message; None for mail from the null sender
    (reports are never sent about reports)."""
    if sender is None:
        return None
    end = data.find(b"\r\n\r\n")
    header = data[: end + 2] if end != -1 else data
    message_id, _ = message_summary(data)
    return ReturnedMessage(
        mail_from=str(sender),
        recipient=str(recipient),
        header=header,
        message_id=message_id,
        arrived=arrived,
    )

"""Composing delivery status notifications (RFC 3464) for our own senders.

A DSN is a `multipart/report; report-type=delivery-status` (RFC 6522 §3) with a
human-readable part, a `message/delivery-status` part with per-message and
per-recipient fields (RFC 3464 §2.2, §2.3), and the original message's header
(`text/rfc822-headers`, RFC 6522 §4). Pure: values in, bytes out.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from postroom.mail import format_date


class Action(enum.StrEnum):
    """RFC 3464 §2.3.3 action values."""

    FAILED = "failed"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    RELAYED = "relayed"
    EXPANDED = "expanded"


@dataclass(frozen=True, slots=True, kw_only=True)
class DSNRecipient:
    final_recipient: str
    action: Action
    status: str
    """RFC 3463 status, e.g. `5.1.1`."""
    diagnostic: str = ""
    """The SMTP reply that decided it, e.g. `550 5.1.1 no such user`, or ""."""
    remote_mta: str = ""
    last_attempt: datetime | None = None
    will_retry_until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DSNReport:
    reporting_mta: str
    """Our host name."""
    from_address: str
    """Who the DSN is from, e.g. `postmaster@mail.example.com`."""
    to_address: str
    """The original MAIL FROM: who gets the DSN."""
    subject: str
    text: str
    """The human-readable explanation (lines separated by \\n)."""
    date: datetime
    arrival_date: datetime
    recipients: Sequence[DSNRecipient]
    original_message_id: str = ""
    original_headers: bytes = b""
    """The header section of the message the report is about."""


def _field_lines(fields: Sequence[tuple[str, str]]) -> str:
    return "".join(f"{name}: {value}\r\n" for name, value in fields if value)


def _status_block(recipient: DSNRecipient) -> str:
    fields = [
        ("Final-Recipient", f"rfc822;{recipient.final_recipient}"),
        ("Action", recipient.action.value),
        ("Status", recipient.status),
        ("Remote-MTA", f"dns;{recipient.remote_mta}" if recipient.remote_mta else ""),
        ("Diagnostic-Code", f"smtp; {recipient.diagnostic}" if recipient.diagnostic else ""),
        (
            "Last-Attempt-Date",
            format_date(recipient.last_attempt) if recipient.last_attempt else "",
        ),
        (
            "Will-Retry-Until",
            format_date(recipient.will_retry_until) if recipient.will_retry_until else "",
        ),
    ]
    return _field_lines(fields)


def compose_dsn(report: DSNReport) -> bytes:
    boundary = secrets.token_hex(20)
    message_id = f"<{secrets.token_urlsafe(16)}@{report.reporting_mta}>"
    headers = _field_lines(
        [
            ("From", f"<{report.from_address}>"),
            ("To", f"<{report.to_address}>"),
            ("Subject", report.subject),
            ("Message-Id", message_id),
            ("References", report.original_message_id),
            ("Date", format_date(report.date)),
            ("MIME-Version", "1.0"),
            (
                "Content-Type",
                f'multipart/report; report-type="delivery-status"; boundary="{boundary}"',
            ),
        ]
    )
    text = report.text if report.text.endswith("\n") else report.text + "\n"
    per_message = _field_lines(
        [
            ("Reporting-MTA", f"dns; {report.reporting_mta}"),
            ("Arrival-Date", format_date(report.arrival_date)),
        ]
    )
    status = per_message + "".join("\r\n" + _status_block(r) for r in report.recipients)
    original = report.original_headers.rstrip(b"\r\n") + b"\r\n"
    parts = [
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + text.replace("\r\n", "\n").replace("\n", "\r\n"),
        "Content-Type: message/delivery-status\r\n\r\n" + status,
    ]
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts).encode("utf-8")
    body += (
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n".encode()
        + original
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return headers.encode("utf-8") + b"\r\n" + body

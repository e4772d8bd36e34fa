"""A broken header costs that header, never the report, and
every exception the parser swallows is logged with the report's Message-ID."""

from __future__ import annotations

import logging

import pytest

from postroom.dsn import BounceKind, parse_bounce
from tests.dsn.corpus import CORPUS

# The shape of tests/data/bounces/lhost-postfix-02.eml: a Postfix RFC 3464 report
# whose returned message's Subject is a truncated encoded-word.
TRUNCATED_SUBJECT_DSN = b"""\
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: <bounces+abc123@example.com>
Subject: Undelivered Mail Returned to Sender
Message-Id: <20261207.42@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1
    <bob@example.org>... User Unknown (in reply to RCPT TO command)

--B
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Mon,  7 Dec 2026 12:00:00 +0000

Final-Recipient: rfc822; bob@example.org
Original-Recipient: rfc822;bob@example.org
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>... User Unknown

--B
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: sender@example.com
To: bob@example.org
Subject: =?utf-8?b?a?=
Message-Id: <returned.1@example.com>

Hello.

--B--
"""


def test_truncated_encoded_word_in_returned_subject_still_fails_the_recipient() -> None:
    assert (CORPUS / "lhost-postfix-02.eml").is_file()
    bounce = parse_bounce(TRUNCATED_SUBJECT_DSN)
    assert bounce is not None
    assert bounce.kind == BounceKind.DSN
    [recipient] = bounce.recipients
    assert (recipient.recipient, recipient.action, recipient.status) == (
        "bob@example.org",
        "failed",
        "5.1.1",
    )
    assert recipient.hard
    # The broken header is kept undecoded; the rest of the returned header is read.
    assert bounce.returned_subject == "=?utf-8?b?a?="
    assert bounce.returned_message_id == "<returned.1@example.com>"


def test_truncated_encoded_word_in_the_report_subject_still_parses() -> None:
    data = TRUNCATED_SUBJECT_DSN.replace(
        b"Subject: Undelivered Mail Returned to Sender", b"Subject: =?utf-8?b?a?="
    )
    bounce = parse_bounce(data)
    assert bounce is not None and bounce.recipients[0].status == "5.1.1"


def test_swallowed_decoding_error_is_logged_with_the_message_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="postroom.dsn"):
        parse_bounce(TRUNCATED_SUBJECT_DSN)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings, "the undecodable Subject was not logged"
    assert all("<20261207.42@mx.example.net>" in r.getMessage() for r in warnings)
    assert any("subject" in r.getMessage().lower() for r in warnings)


def test_caller_message_id_is_logged_when_given(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="postroom.dsn"):
        parse_bounce(TRUNCATED_SUBJECT_DSN, message_id="queue-77")
    assert any("queue-77" in r.getMessage() for r in caplog.records)

"""parse_bounce on small hand-written reports: RFC 3464, RFC 6533 global DSNs,
RFC 5965 feedback, RFC 3834 auto-replies, plain-text bounces and garbage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import postroom.dsn
from postroom.dsn import (
    Action,
    BounceKind,
    DSNRecipient,
    DSNReport,
    Reason,
    compose_dsn,
    parse_bounce,
)

RFC3464 = b"""\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: <bounces+abc123@example.com>
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Original-Envelope-Id: 4711
Arrival-Date: Mon, 2 Mar 2026 10:00:00 +0000

Final-Recipient: rfc822; bob@example.org
Original-Recipient: rfc822;Bob@Example.org
Action: failed
Status: 5.0.0
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected:
    User unknown in virtual mailbox table
Last-Attempt-Date: Mon, 2 Mar 2026 10:00:05 +0000

Final-Recipient: rfc822; carol@example.org
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--B
Content-Type: text/rfc822-headers

From: shop@example.com
To: bob@example.org, carol@example.org
Subject: =?utf-8?q?Your_order_=E2=9C=93?=
Message-ID: <order-1@example.com>

--B--
"""


def test_public_names() -> None:
    assert sorted(postroom.dsn.__all__) == [
        "Action",
        "Bounce",
        "BounceKind",
        "DSNRecipient",
        "DSNReport",
        "Reason",
        "RecipientResult",
        "compose_dsn",
        "parse_bounce",
    ]


def test_rfc3464_report() -> None:
    bounce = parse_bounce(RFC3464)
    assert bounce is not None
    assert bounce.kind is BounceKind.DSN
    assert bounce.envelope_id == "4711"
    assert bounce.reporting_mta == "mx.example.net"
    assert bounce.returned_message_id == "<order-1@example.com>"
    assert bounce.returned_subject == "Your order ✓"
    bob, carol = bounce.recipients
    # The field says only 5.0.0; the server's reply carries the specific code.
    assert (bob.recipient, bob.original_recipient) == ("bob@example.org", "Bob@Example.org")
    assert (bob.action, bob.status, bob.enhanced_code, bob.reply_code) == (
        "failed",
        "5.1.1",
        "5.1.1",
        550,
    )
    assert bob.diagnostic.startswith("550 5.1.1 <bob@example.org>: Recipient address rejected:")
    assert bob.remote_mta == "mx.example.org"
    assert bob.last_attempt == datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)
    assert (bob.reason, bob.hard) == (Reason.USER_UNKNOWN, True)
    assert (carol.action, carol.status, carol.reply_code) == ("delayed", "4.2.2", 452)
    assert (carol.reason, carol.hard) == (Reason.MAILBOX_FULL, False)


def test_global_dsn_with_utf8_addresses() -> None:
    data = (
        b"From: postmaster@mx.example.net\r\n"
        b"Subject: Delivery Status Notification (Failure)\r\n"
        b'Content-Type: multipart/report; report-type=global-delivery-status; boundary="g"\r\n'
        b"\r\n--g\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNot delivered.\r\n"
        b"--g\r\nContent-Type: message/global-delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.net\r\n\r\n"
        b"Original-Recipient: utf-8; j\\x{E9}r\\x{F4}me@example.org\r\n"
        b"Final-Recipient: utf-8; \xc3\xa9l\xc3\xa8ve@\xc3\xa9cole.example\r\n"
        b"Action: failed\r\nStatus: 5.2.2\r\n"
        b"Diagnostic-Code: smtp; 552 5.2.2 mailbox over quota\r\n"
        b"--g--\r\n"
    )
    bounce = parse_bounce(data)
    assert bounce is not None and bounce.kind is BounceKind.DSN
    (result,) = bounce.recipients
    assert result.recipient == "élève@école.example"
    assert result.original_recipient == "jérôme@example.org"
    assert (result.status, result.reason, result.hard) == ("5.2.2", Reason.MAILBOX_FULL, False)


def test_arf_feedback_report() -> None:
    data = b"""\
From: feedback@isp.example
Subject: FW: Your newsletter
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="f"

--f
Content-Type: text/plain

This is an email abuse report.
--f
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <bounces+x@example.com>
Original-Rcpt-To: <dave@isp.example>

--f
Content-Type: message/rfc822

From: news@example.com
To: dave@isp.example
Subject: Weekly news
Message-ID: <news-7@example.com>

Hello
--f--
"""
    bounce = parse_bounce(data)
    assert bounce is not None
    assert (bounce.kind, bounce.feedback_type) == (BounceKind.FEEDBACK, "abuse")
    assert bounce.returned_message_id == "<news-7@example.com>"
    (result,) = bounce.recipients
    assert (result.recipient, result.status, result.action) == ("dave@isp.example", "", "")
    assert (result.reason, result.hard) == (Reason.FEEDBACK, False)


def _plain(body: str, subject: str = "Undelivered Mail Returned to Sender") -> bytes:
    return (
        f"From: MAILER-DAEMON@mx.example.com\nTo: shop@example.com\nSubject: {subject}\n\n" + body
    ).encode()


@pytest.mark.parametrize(
    ("body", "recipients", "status", "reason", "hard"),
    [
        pytest.param(
            "This is the mail system at host mx.example.com.\n\n"
            "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1\n"
            "    <bob@example.org>: Recipient address rejected: User unknown (in reply to\n"
            "    RCPT TO command)\n",
            ["bob@example.org"],
            "5.1.1",
            Reason.USER_UNKNOWN,
            True,
            id="postfix",
        ),
        pytest.param(
            "This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            "  carol@example.org\n"
            "    host mx.example.org [192.0.2.2]\n"
            "    SMTP error from remote mail server after RCPT TO:<carol@example.org>:\n"
            "    552 5.2.2 Mailbox full\n",
            ["carol@example.org"],
            "5.2.2",
            Reason.MAILBOX_FULL,
            False,
            id="exim",
        ),
        pytest.param(
            "Hi. This is the qmail-send program at mx.example.com.\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            "<dan@example.org>:\n"
            "192.0.2.3 does not like recipient.\n"
            "Remote host said: 550 sorry, no mailbox here by that name. (#5.1.1)\n\n"
            "<erin@example.net>:\n"
            "Sorry, I couldn't find any host named example.net. (#5.1.2)\n\n"
            "--- Below this line is a copy of the message.\n\n"
            "Message-ID: <m1@example.com>\nSubject: Hi\nTo: dan@example.org\n\nHello\n",
            ["dan@example.org", "erin@example.net"],
            "5.1.1",
            Reason.USER_UNKNOWN,
            True,
            id="qmail",
        ),
        pytest.param(
            "Your message could not be delivered.\n\n"
            "frank@example.org\n"
            "The recipient's mailbox is full and can't accept messages now.\n",
            ["frank@example.org"],
            "5.0.922",  # no enhanced code anywhere: the README's pseudo code
            Reason.MAILBOX_FULL,
            False,
            id="no-codes",
        ),
    ],
)
def test_plain_text_bounces(
    body: str, recipients: list[str], status: str, reason: Reason, hard: bool
) -> None:
    bounce = parse_bounce(_plain(body))
    assert bounce is not None and bounce.kind is BounceKind.BOUNCE
    assert [r.recipient for r in bounce.recipients] == recipients
    first = bounce.recipients[0]
    assert (first.status, first.reason, first.hard, first.action) == (
        status,
        reason,
        hard,
        "failed",
    )


def test_qmail_second_recipient_and_inline_returned_headers() -> None:
    body = (
        "<dan@example.org>:\nRemote host said: 550 no such user (#5.1.1)\n\n"
        "<erin@example.net>:\nSorry, I couldn't find any host named example.net. (#5.1.2)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        "Message-ID: <m1@example.com>\nSubject: Hi there\nTo: dan@example.org\n\nHello\n"
    )
    bounce = parse_bounce(_plain(body, subject="failure notice"))
    assert bounce is not None
    erin = bounce.recipients[1]
    assert (erin.status, erin.reason, erin.hard) == ("5.1.2", Reason.HOST_UNKNOWN, True)
    assert (bounce.returned_message_id, bounce.returned_subject) == ("<m1@example.com>", "Hi there")


def test_user_unknown_refused_at_data_is_filtered() -> None:
    # RFC 5321 §3.3: mailboxes are refused at RCPT; a refusal after DATA is a filter's.
    body = (
        "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 Unknown user\n"
        "    bob@example.org (in reply to end of DATA command)\n"
    )
    bounce = parse_bounce(_plain(body))
    assert bounce is not None
    (result,) = bounce.recipients
    assert (result.status, result.reason, result.hard) == ("5.0.910", Reason.FILTERED, False)


def test_auto_reply() -> None:
    data = (
        b"From: Grace <grace@example.org>\nTo: shop@example.com\n"
        b"Auto-Submitted: auto-replied\nSubject: Out of office\n\n"
        b"I am away until Monday.\n"
    )
    bounce = parse_bounce(data)
    assert bounce is not None and bounce.kind is BounceKind.AUTOREPLY
    (result,) = bounce.recipients
    assert (result.recipient, result.status, result.reason, result.hard) == (
        "grace@example.org",
        "",
        Reason.VACATION,
        False,
    )


def test_compose_parse_round_trip() -> None:
    when = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    report = DSNReport(
        reporting_mta="mail.example.com",
        from_address="postmaster@mail.example.com",
        to_address="shop@example.com",
        subject="Delivery failed",
        text="Your message could not be delivered.",
        date=when,
        arrival_date=when,
        recipients=[
            DSNRecipient(
                final_recipient="henry@example.org",
                action=Action.FAILED,
                status="5.7.1",
                diagnostic="554 5.7.1 Service unavailable;"
                " client host blocked using zen.spamhaus.org",
                remote_mta="mx.example.org",
                last_attempt=when,
            )
        ],
        original_message_id="<sent-1@example.com>",
        original_headers=b"Message-ID: <sent-1@example.com>\r\nSubject: Receipt\r\n",
    )
    bounce = parse_bounce(compose_dsn(report))
    assert bounce is not None and bounce.kind is BounceKind.DSN
    assert (bounce.returned_message_id, bounce.returned_subject) == (
        "<sent-1@example.com>",
        "Receipt",
    )
    (result,) = bounce.recipients
    assert (result.recipient, result.action, result.status, result.reply_code) == (
        "henry@example.org",
        "failed",
        "5.7.1",
        554,
    )
    assert (result.remote_mta, result.last_attempt) == ("mx.example.org", when)
    assert (result.reason, result.hard) == (Reason.BLOCKED, False)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"From: alice@example.org\nTo: bob@example.org\nSubject: lunch?\n\nSee you at noon.\n",
        b"Content-Type: multipart/report; boundary=x\n\n--x\nContent-Type: message/delivery-"
        b"status\n\nReporting-MTA: dns; x\n--x--\n",
    ],
    ids=["empty", "binary", "personal-mail", "dsn-without-recipients"],
)
def test_not_a_bounce(data: bytes) -> None:
    assert parse_bounce(data) is None


def test_report_wrapped_by_a_filter_is_read() -> None:
    # A content filter forwards the real DSN as a message/rfc822 attachment.
    data = (
        b"From: filter@example.net\nTo: shop@example.com\nSubject: Returned mail\n"
        b'Content-Type: multipart/mixed; boundary="outer"\n\n'
        b"--outer\nContent-Type: text/plain\n\nThe following addresses had errors.\n"
        b"--outer\nContent-Type: message/rfc822\n\n" + RFC3464 + b"\n"
        b"--outer--\n"
    )
    bounce = parse_bounce(data)
    assert bounce is not None and bounce.kind is BounceKind.DSN
    assert [r.status for r in bounce.recipients] == ["5.1.1", "4.2.2"]
    assert bounce.returned_message_id == "<order-1@example.com>"


def test_mailto_unsubscribe_request_is_opt_out_feedback() -> None:
    # RFC 2369 List-Unsubscribe mailto: answered by the recipient's mail client.
    data = (
        b"From: ivy@example.org\nTo: unsubscribe-7@example.com\nSubject: unsubscribe\n"
        b"Auto-Submitted: auto-replied\nX-Apple-Unsubscribe: true\n\n"
        b"Apple Mail sent this email to unsubscribe from the message.\n"
    )
    bounce = parse_bounce(data)
    assert bounce is not None
    assert (bounce.kind, bounce.feedback_type) == (BounceKind.FEEDBACK, "opt-out")
    (result,) = bounce.recipients
    assert (result.recipient, result.reason, result.hard) == (
        "ivy@example.org",
        Reason.FEEDBACK,
        False,
    )


def test_multipart_with_a_lost_boundary_is_read_as_text() -> None:
    # The boundary parameter sits on an unfolded line, so the part never splits.
    data = (
        b"From: post_master@sms.example.net\nTo: shop@example.com\nSubject: Re: hi\n"
        b'Content-Type: multipart/mixed; boundary="o"\n\n'
        b'--o\nContent-Type: multipart/alternative;\nboundary="i"\n\n'
        b"--i\nContent-Type: text/plain\n\nError: Invalid user address\n\n"
        b"Error message below:\n550 - Requested action not taken: no such user here\n\n"
        b"Message details:\n  RCPT TO: 5550100@sms.example.net\n--i--\n--o--\n"
    )
    bounce = parse_bounce(data)
    assert bounce is not None
    (result,) = bounce.recipients
    assert (result.recipient, result.reason, result.hard) == (
        "5550100@sms.example.net",
        Reason.USER_UNKNOWN,
        True,
    )

"""Reason classification and status codes on the wording real servers use.

Each diagnostic is the kind of reply a common MTA or provider sends (Postfix,
Exim, qmail, Sendmail, Exchange Online, Gmail, Yahoo, ...), not a corpus file.
"""

from __future__ import annotations

import pytest

from postroom.dsn import Reason
from postroom.dsn.outcome import Evidence, recipient_outcome
from postroom.dsn.reasons import classify, is_hard, normalize_text
from postroom.dsn.status import choose_status, find_enhanced, find_reply_code, pseudo_status


@pytest.mark.parametrize(
    ("diagnostic", "reason"),
    [
        (
            "550 5.1.1 <x@y.example>: Recipient address rejected: User unknown in virtual mailbox table",  # noqa: E501
            Reason.USER_UNKNOWN,
        ),
        (
            "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos",  # noqa: E501
            Reason.USER_UNKNOWN,
        ),
        (
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
            Reason.USER_UNKNOWN,
        ),
        (
            "554 delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com",  # noqa: E501
            Reason.USER_UNKNOWN,
        ),
        ("550 Requested action not taken: mailbox unavailable", Reason.USER_UNKNOWN),
        ("511 sorry, no mailbox here by that name (#5.1.1 - chkuser)", Reason.USER_UNKNOWN),
        ("550 No Such User Here", Reason.USER_UNKNOWN),
        ("User unknown in local recipient table", Reason.USER_UNKNOWN),
        ("550 Invalid recipient <x@y.example> (#5.1.1)", Reason.USER_UNKNOWN),
        ("Unrouteable address", Reason.HOST_UNKNOWN),
        ("552 5.2.2 The email account that you tried to reach is over quota", Reason.MAILBOX_FULL),
        ("452 4.2.2 Mailbox full", Reason.MAILBOX_FULL),
        (
            "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded",  # noqa: E501
            Reason.MAILBOX_FULL,
        ),
        (
            "Host or domain name not found. Name service error for name=example.invalid type=A: Host not found",  # noqa: E501
            Reason.HOST_UNKNOWN,
        ),
        (
            "550 5.1.2 Host unknown (Name server: example.invalid: host not found)",
            Reason.HOST_UNKNOWN,
        ),
        ("all relevant MX records point to non-existent hosts", Reason.HOST_UNKNOWN),
        (
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
            Reason.BLOCKED,
        ),
        ("550 5.7.606 Access denied, banned sending IP [192.0.2.1]", Reason.BLOCKED),
        (
            "550 SC-001 (BAY004-MC1F5) Unfortunately, messages from 192.0.2.1 weren't sent. Please contact your Internet service provider",  # noqa: E501
            Reason.BLOCKED,
        ),
        ("553 sorry, your IP is listed in our DNSBL", Reason.BLOCKED),
        (
            "550-5.7.1 [192.0.2.1] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked.",  # noqa: E501
            Reason.SPAM_DETECTED,
        ),
        ("554 5.7.1 Message rejected: spam detected", Reason.SPAM_DETECTED),
        ("554 5.7.0 Virus found in message", Reason.VIRUS_DETECTED),
        ("retry timeout exceeded", Reason.EXPIRED),
        ("554 5.7.1 <x@y.example>: Relay access denied", Reason.NO_RELAYING),
        (
            "450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.1]",
            Reason.REQUIRE_PTR,
        ),
        ("550-5.2.1 The email account that you tried to reach is disabled.", Reason.SUSPEND),
        (
            "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",  # noqa: E501
            Reason.AUTH_FAILURE,
        ),
        (
            "550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification",  # noqa: E501
            Reason.AUTH_FAILURE,
        ),
        (
            "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
            Reason.AUTH_FAILURE,
        ),
        ("421 Too many concurrent SMTP connections; please try again later", Reason.TOO_MANY_CONN),
        (
            "452-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered",  # noqa: E501
            Reason.SPEEDING,
        ),
        ("552 5.3.4 Message size exceeds fixed limit", Reason.MESSAGE_TOO_BIG),
        ("552 5.2.3 Message exceeds maximum fixed size", Reason.EXCEED_LIMIT),
        ("550 5.7.1 Message rejected due to local policy", Reason.POLICY_VIOLATION),
        ("554 5.4.14 Hop count exceeded - possible mail loop", Reason.NETWORK_ERROR),
        ("451 4.4.0 DNS resolution failed", Reason.NETWORK_ERROR),
        ("421 4.4.2 Connection timed out", Reason.EXPIRED),
        ("550 5.7.1 Sender address rejected: Domain not found", Reason.REJECTED),
        (
            "553 5.1.8 <a@b.example>... Domain of sender address a@b.example does not exist",
            Reason.REJECTED,
        ),
        ("550 5.7.1 Unable to relay for x@y.example", Reason.NO_RELAYING),
        ("530 5.7.0 Must issue a STARTTLS command first", Reason.FAILED_STARTTLS),
        ("550 5.7.1 Recipient address rejected: Mailbox is inactive", Reason.SUSPEND),
        ("550 5.1.6 Recipient addresses in this domain no longer accept mail", Reason.HAS_MOVED),
        ("556 5.1.10 Recipient address has null MX", Reason.NOT_ACCEPT),
        ("550 5.2.1 Mailbox disabled, not accepting messages", Reason.SUSPEND),
        ("550 Mailbox unavailable or access denied", Reason.USER_UNKNOWN),
        ("550 5.7.1 Email rejected per DMARC policy for example.com", Reason.AUTH_FAILURE),
        ("554 5.7.5 Permanent error evaluating DMARC policy", Reason.AUTH_FAILURE),
        (
            "550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Spam message rejected",  # noqa: E501
            Reason.SPAM_DETECTED,
        ),
        ("550 High probability of spam", Reason.SPAM_DETECTED),
        ("552 Message rejected due to content restrictions", Reason.CONTENT_ERROR),
        ("554 5.6.0 Message contains invalid header", Reason.CONTENT_ERROR),
        ("550 5.1.1 User unknown; rejecting", Reason.USER_UNKNOWN),
        ("550 mailbox not found", Reason.USER_UNKNOWN),
        ("550 Address rejected", Reason.USER_UNKNOWN),
        ("551 User not local; please try <bob@new.example>", Reason.HAS_MOVED),
        ("This address no longer accepts mail.", Reason.HAS_MOVED),
        ("#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", Reason.USER_UNKNOWN),
        (
            "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException",
            Reason.MAILBOX_FULL,
        ),
        ("550 5.4.5 Daily user sending quota exceeded.", Reason.SPEEDING),
        ("retry time not reached for any host after a long failure period", Reason.EXPIRED),
        ("554 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1", Reason.BLOCKED),
        (
            "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.1",
            Reason.BLOCKED,
        ),
        (
            "Amazon SES did not send the message to this address because it is on the suppression list for your account.",  # noqa: E501
            Reason.SUPPRESSED,
        ),
        (
            "554 30 Sorry, your message to x@yahoo.com cannot be delivered. This account has been disabled or discontinued [#102].",  # noqa: E501
            Reason.SUSPEND,
        ),
        (
            "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/errors/550-bl23.html",  # noqa: E501
            Reason.BLOCKED,
        ),
        (
            "550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus",
            Reason.BLOCKED,
        ),
        ("mail for example.org loops back to myself", Reason.NETWORK_ERROR),
        (
            "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",  # noqa: E501
            Reason.BLOCKED,
        ),
        ("550 5.7.1 Mail rejected by Outlook.com for policy reasons.", Reason.POLICY_VIOLATION),
        ("552 5.3.4 Message size exceeds fixed maximum message size", Reason.MESSAGE_TOO_BIG),
        ("Message is too large", Reason.MESSAGE_TOO_BIG),
        (
            "554 5.7.1 The message from (<a@b>) with the subject of (hi) matches a profile the Internet community may consider spam.",  # noqa: E501
            Reason.SPAM_DETECTED,
        ),
        (
            "550 5.1.1 <x@y>: Recipient address rejected: undeliverable address: host mx[192.0.2.1] said: 550 unknown user",  # noqa: E501
            Reason.USER_UNKNOWN,
        ),
        ("452 4.3.1 Insufficient system resources", Reason.SYSTEM_FULL),
        (
            "The recipient's e-mail address was not found in the recipient's e-mail system.",
            Reason.USER_UNKNOWN,
        ),
        ("User kijitora (kijitora@example.jp) not listed in Domino Directory", Reason.USER_UNKNOWN),
        ("kijitora wasn't found at example.com.", Reason.USER_UNKNOWN),
        ("550 5.7.1 RESOLVER.RST.AuthRequired; authentication required", Reason.SECURITY_ERROR),
        (
            "552 5.3.4 RESOLVER.RST.RecipSizeLimit; message too large for this recipient",
            Reason.MESSAGE_TOO_BIG,
        ),
        ("550 5.5.0 Adresse destinataire invalide. Invalid recipient.", Reason.USER_UNKNOWN),
        ("550 Empfänger unbekannt", Reason.USER_UNKNOWN),
        ("550 Postfach voll", Reason.MAILBOX_FULL),
        ("552 boîte aux lettres pleine", Reason.MAILBOX_FULL),
        ("550 Mailbox not found or access denied: нет такого пользователя", Reason.USER_UNKNOWN),
        ("550 用户不存在", Reason.USER_UNKNOWN),
        ("552 邮箱空间不足", Reason.MAILBOX_FULL),
    ],
)
def test_reason_from_diagnostic(diagnostic: str, reason: Reason) -> None:
    got = classify(
        enhanced_code=find_enhanced(diagnostic),
        reply_code=find_reply_code(diagnostic),
        texts=[normalize_text(diagnostic)],
    )
    assert got is reason


@pytest.mark.parametrize(
    ("reason", "status", "hard"),
    [
        (Reason.USER_UNKNOWN, "4.1.1", True),
        (Reason.HOST_UNKNOWN, "5.1.2", True),
        (Reason.HAS_MOVED, "5.1.6", True),
        (Reason.NOT_ACCEPT, "5.1.10", True),
        (Reason.NOT_ACCEPT, "4.0.932", False),
        (Reason.MAILBOX_FULL, "5.2.2", False),
        (Reason.BLOCKED, "5.7.1", False),
        (Reason.FEEDBACK, "", False),
    ],
)
def test_hard_is_about_the_address(reason: Reason, status: str, hard: bool) -> None:
    assert is_hard(reason, status) is hard


def test_user_unknown_refused_for_policy_is_filtered() -> None:
    # RFC 3463 §3.8: X.7.x is a policy refusal, whatever words come with it.
    text = "550 5.7.1 <a@example.org>: Recipient address rejected: User unknown"
    got = classify(enhanced_code="5.7.1", reply_code=550, texts=[normalize_text(text)])
    assert got is Reason.FILTERED


def test_gave_up_code_yields_to_the_recipients_own_error() -> None:
    own = normalize_text("Deferred: Connection refused by mx.example.org")
    general = normalize_text("The message has been in the queue too long")
    assert classify(enhanced_code="4.4.7", reply_code=0, texts=[own]) is Reason.BLOCKED
    # The report's general text does not outrank the code.
    got = classify(enhanced_code="4.4.7", reply_code=0, texts=["", "", general])
    assert got is Reason.EXPIRED


@pytest.mark.parametrize(
    ("text", "enhanced", "reply"),
    [
        ("550 5.1.1 <a@example.org>: user unknown", "5.1.1", 550),
        ("550-5.1.1 The email account that you tried to reach does not exist", "5.1.1", 550),
        # A relay's generic prefix: the code next to the server's reply wins.
        ("5.1.0 - Unknown address error 550-'5.2.2 <a@b>... Mailbox Full'", "5.2.2", 550),
        ("5.0.0 then 5.1.1 no such user", "5.1.1", 0),
        # Not codes: an IPv4 address, a version number, an out-of-range subject.
        ("host 192.0.2.25 said no (Exim 4.92)", "", 0),
        ("9.9.9 and 5.9.1", "", 0),
        # A transcript's success replies count only when nothing failed.
        ("250 2.1.5 Ok ... 451 4.3.0 temporary failure", "4.3.0", 451),
        ("250 2.6.0 Message received", "2.6.0", 250),
    ],
)
def test_codes_in_text(text: str, enhanced: str, reply: int) -> None:
    assert find_enhanced(text) == enhanced
    assert find_reply_code(text) == reply


@pytest.mark.parametrize(
    ("field", "text", "reply", "chosen"),
    [
        ("5.0.0", "5.1.1", 550, "5.1.1"),  # generic field, specific reply
        ("4.4.7", "4.7.1", 450, "4.7.1"),  # "gave up" hides the last real error
        ("4.4.1", "4.4.7", 550, "4.4.1"),  # text code contradicts its own reply code
        ("5.1.1", "5.0.0", 550, "5.1.1"),  # generic text code
        ("5.1.1", "", 0, "5.1.1"),
        ("", "5.2.2", 552, "5.2.2"),
        ("bogus", "", 0, ""),
    ],
)
def test_choose_status(field: str, text: str, reply: int, chosen: str) -> None:
    assert choose_status(field, text, reply) == chosen


@pytest.mark.parametrize(
    ("reason", "status_class", "code"),
    [
        (Reason.USER_UNKNOWN, "5", "5.0.911"),
        (Reason.MAILBOX_FULL, "4", "4.0.922"),
        (Reason.EXPIRED, "5", "5.0.947"),
        (Reason.FILTERED, "5", "5.0.910"),
        (Reason.FILTERED, "4", "4.0.924"),  # the README's one exception
        (Reason.UNDEFINED, "5", "5.0.900"),
    ],
)
def test_pseudo_status(reason: Reason, status_class: str, code: str) -> None:
    assert pseudo_status(reason, status_class) == code


@pytest.mark.parametrize(
    ("diagnostic", "reason"),
    [
        (
            "SMTP error from remote mail server after initial connection:"
            " 554 5.7.1 Your access to this mail system has been rejected",
            Reason.BLOCKED,
        ),
        (
            "Connected to 192.0.2.1 but my name was rejected."
            " Remote host said: 501 5.0.0 Invalid domain name",
            Reason.BLOCKED,
        ),
        (
            "host mx.example.org refused to talk to me: 550 no PTR record for 192.0.2.1",
            Reason.REQUIRE_PTR,
        ),
        # Past HELO the wording decides again.
        (
            "said: 550 5.1.1 <a@example.org>: User unknown (in reply to RCPT TO command)",
            Reason.USER_UNKNOWN,
        ),
    ],
)
def test_refusals_before_mail_from_are_of_the_client(diagnostic: str, reason: Reason) -> None:
    evidence = Evidence(
        recipient="a@example.org",
        action="failed",
        reply_code=find_reply_code(diagnostic),
        enhanced_code=find_enhanced(diagnostic),
        diagnostic=diagnostic,
        texts=(diagnostic,),
    )
    assert recipient_outcome(evidence).reason is reason

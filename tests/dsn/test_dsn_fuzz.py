"""Hypothesis fuzzing: parse_bounce never raises, whatever arrives.

The tests drive `read_bounce`, which is `parse_bounce` without its last-resort
`except Exception`, so a reader that raises fails here. Three sources of input:
random bytes, random sequences of pieces that steer the reader into report
structures, and real corpus bounces with random damage.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postroom.dsn import Bounce, BounceKind, parse_bounce
from postroom.dsn.parse import read_bounce
from tests.dsn.corpus import CORPUS

FUZZ = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CORPUS_FILES = sorted(CORPUS.glob("*.eml")) if CORPUS.is_dir() else []
# Pieces of bounces: report types, RFC 3464 fields, addresses, codes, boundaries.
PIECES = st.sampled_from(
    [
        b"\r\n", b"\n", b"\n\n", b" ", b"\t", b":", b";", b"<", b">", b"@", b"(", b")", b"...",
        b"--b", b"--b--", b"Content-Type: ", b"multipart/report; boundary=b",
        b"report-type=delivery-status", b"message/delivery-status",
        b"message/global-delivery-status", b"message/feedback-report", b"message/rfc822",
        b"text/rfc822-headers", b"Content-Transfer-Encoding: base64", b"quoted-printable",
        b"Final-Recipient: ", b"Original-Recipient: ", b"rfc822;", b"utf-8;", b"\\x{E9}",
        b"\\x{110000}", b"Action: ", b"failed", b"delayed", b"Status: ", b"5.1.1", b"4.4.7",
        b"9.9.9", b"Diagnostic-Code: smtp; ", b"550 ", b"452-", b"Remote-MTA: dns; ",
        b"Last-Attempt-Date: ", b"Mon, 32 Foo 99999 25:61:61 +9999", b"Original-Envelope-Id: ",
        b"Feedback-Type: abuse", b"Original-Rcpt-To: ", b"Auto-Submitted: auto-replied",
        b"From: MAILER-DAEMON@x", b"Subject: Undelivered Mail", b"Message-ID: <a@b>",
        b"bob@example.org", b"<bob@example.org>:", b"User unknown", b"mailbox full",
        b"--- Below this line is a copy of the message.", b"\xff", b"\xc3\xa9", b"\x00",
        b"=?utf-8?b?", b"?=",
    ]
)  # fmt: skip
STRUCTURED = st.lists(st.one_of(PIECES, st.binary(max_size=6)), max_size=80).map(b"".join)


def _check(result: Bounce | None) -> None:
    if result is None:
        return
    assert result.recipients
    for recipient in result.recipients:
        if result.kind in (BounceKind.FEEDBACK, BounceKind.AUTOREPLY):
            assert recipient.status == "" and not recipient.hard
        else:
            assert recipient.status[:1] in ("2", "4", "5")


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    _check(read_bounce(data))


@FUZZ
@given(STRUCTURED)
def test_structured_pieces_never_raise(data: bytes) -> None:
    _check(read_bounce(data))


@st.composite
def damaged_corpus_email(draw: st.DrawFn) -> bytes:
    """A corpus bounce with a few slices deleted, replaced or duplicated."""
    data = bytearray(Path(draw(st.sampled_from(CORPUS_FILES))).read_bytes())
    for _ in range(draw(st.integers(1, 5))):
        if not data:
            break
        start = draw(st.integers(0, len(data) - 1))
        end = min(len(data), start + draw(st.integers(0, 200)))
        action = draw(st.sampled_from(["delete", "replace", "duplicate", "truncate"]))
        if action == "delete":
            del data[start:end]
        elif action == "replace":
            data[start:end] = draw(st.one_of(PIECES, st.binary(max_size=20)))
        elif action == "duplicate":
            data[start:start] = data[start:end]
        else:
            del data[start:]
    return bytes(data)


@FUZZ
@given(damaged_corpus_email() if CORPUS_FILES else st.just(b""))
def test_damaged_corpus_emails_never_raise(data: bytes) -> None:
    _check(read_bounce(data))


def test_fuzz_sees_the_corpus() -> None:
    # The damaged-corpus fuzz means something only with the corpus present.
    assert len(CORPUS_FILES) > 100, f"bounce corpus missing at {CORPUS}"


def test_safety_net_changes_nothing_on_the_corpus() -> None:
    for path in CORPUS_FILES:
        data = path.read_bytes()
        assert parse_bounce(data) == read_bounce(data), path.name

"""A time budget for parsing: no message up to 1 MB may take 100 ms of CPU time.

A bounce arrives from anyone, unauthenticated, so a regex that backtracks on
some input is a denial of service. The inputs here are the shapes
that make backtracking regexes blow up: long runs of one separator character,
the same text base64-encoded, phrase fragments repeated, many header-like
lines, one line with no line break, addresses with no end, deep multiparts,
plus hypothesis-generated repetitions of drawn fragments.

The budget is CPU time of the parse alone (`time.thread_time`), so a loaded
machine does not fail it; an input over budget is parsed up to twice more and
the fastest run counts, which absorbs a garbage collection or a cold cache but
not a super-linear regex (that one is over budget every time, by far).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postroom.dsn.parse import read_bounce

BUDGET_SECONDS = 0.100
MB = 1 << 20
_HEAD = (
    b"From: MAILER-DAEMON@example.org\r\nTo: sender@example.com\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\n"
)


def parse_seconds(data: bytes) -> float:
    """The least CPU time of up to three parses of `data`; stops once under budget."""
    best = float("inf")
    for _ in range(3):
        start = time.thread_time()
        read_bounce(data)
        best = min(best, time.thread_time() - start)
        if best <= BUDGET_SECONDS:
            break
    return best


def fill(piece: bytes, size: int = MB) -> bytes:
    return (piece * (size // len(piece) + 1))[:size]


def wrap(data: bytes, width: int = 76) -> bytes:
    return b"\r\n".join(data[i : i + width] for i in range(0, len(data), width))


def plain(body: bytes) -> bytes:
    return _HEAD + b"\r\n" + body


def base64_body(body: bytes) -> bytes:
    """A text/plain bounce whose body is `body` base64-encoded (decoded when read)."""
    return _HEAD + b"Content-Transfer-Encoding: base64\r\n\r\n" + wrap(base64.b64encode(body))


def report(status: bytes, text: bytes = b"Delivery failed.") -> bytes:
    """An RFC 6522 multipart/report with `status` as its delivery-status part."""
    return (
        _HEAD + b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\n" + text + b"\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\n" + status + b"\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: hi\r\n\r\nbody\r\n--b--\r\n"
    )


_RECIPIENT = b"Final-Recipient: rfc822; bob@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
# Fragments of the texts the parser's regexes look for, each repeated to 1 MB.
FRAGMENTS = [
    b"=", b"-", b"*", b"==-_*#", b"\r", b"\r\r\n", b" ", b"\t ", b"a", b"@", b"a@", b"a@b ",
    b"a.", b".@", b"@@", b"<", b"<br", b"=?utf-8?b?", b"=?", b"?=", b"5.5.5.", b"550 ",
    b"550-", b"\\x{", b"to ", b"to:", b"said:", b" said ", b"original ", b"user unknown ",
    b"user", b"recipient", b"address", b"benutzer", b"relaying to ", b"mail for ",
    b"mailbox ", b"rcpt to:", b"<<< ", b">>> ", b"a@b (", b"a@b --", b"a@b on ", b"a@b... ",
    b"x" * 75 + b"\r\n", b"Received: x\r\n", b"X-A: y\r\n", b"a@b:\r\n", b"--b\r\n",
    b"Status: 5.1.1\r\n", _RECIPIENT, b"!\r\n ", b"mailer-daemon ", b"a*", b"a*1*", b"; a=",
    b"a,", b'"', b"(",
]  # fmt: skip


def adversarial() -> Iterator[tuple[str, bytes]]:
    for piece in FRAGMENTS:
        yield f"body {piece!r}", plain(fill(piece))
        yield f"base64 body {piece!r}", base64_body(fill(piece, MB * 7 // 10))
        yield f"status {piece!r}", report(_RECIPIENT + b"Diagnostic-Code: smtp; " + fill(piece))
        yield f"text of a report {piece!r}", report(_RECIPIENT, fill(piece))
        yield f"header {piece!r}", b"To: " + fill(piece) + b"\r\n\r\nx"
        yield f"subject {piece!r}", _HEAD + b"Subject: " + fill(piece) + b"\r\n\r\nx"
    yield "lines of =", plain(wrap(fill(b"=", MB * 9 // 10)))
    yield "base64 of base64 of =", base64_body(base64.b64encode(fill(b"=", MB // 2)))
    yield "address then spaces", plain(b"a@b" + fill(b" ") + b"x")
    yield "label then spaces", plain(b"To:" + fill(b" ") + b"x@")
    for piece in (b"a*", b"a*1*", b"; a=", b"--b\r\n"):
        # RFC 2231 parameter names (`name*0*=`) scanned by the Content-Type reader.
        yield (
            f"content-type parameters {piece!r}",
            (b"Content-Type: multipart/report; boundary=b; " + fill(piece) + b"\r\n\r\nx"),
        )
    yield (
        "nested multiparts",
        b"Content-Type: multipart/mixed; boundary=a\r\n\r\n"
        + fill(b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n"),
    )
    yield (
        "distinct nested boundaries",
        b"".join(
            b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
            for i in range(17000)
        ),
    )


CASES = list(adversarial())


def test_input_that_froze_the_listeners_is_fast() -> None:
    # The input that once froze the listeners: 11 KB of "=" once base64-decoded took 16 s.
    assert parse_seconds(base64_body(b"=" * 8000)) <= BUDGET_SECONDS
    assert parse_seconds(plain(b"=" * 11000)) <= BUDGET_SECONDS


@pytest.mark.parametrize("data", [data for _, data in CASES], ids=[name for name, _ in CASES])
def test_adversarial_input_within_budget(data: bytes) -> None:
    assert len(data) <= MB + 4096
    assert parse_seconds(data) <= BUDGET_SECONDS


_SHAPES = st.sampled_from([plain, base64_body, report, lambda body: body])


@settings(database=None, deadline=None, max_examples=40, suppress_health_check=list(HealthCheck))
@given(
    shape=_SHAPES,
    fragments=st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.binary(min_size=1, max_size=12)),
        min_size=1,
        max_size=4,
    ),
    size=st.integers(1, MB * 7 // 10),
)
def test_generated_repetitions_within_budget(
    shape: object, fragments: list[bytes], size: int
) -> None:
    assert callable(shape)
    data = shape(fill(b"".join(fragments), size))
    assert isinstance(data, bytes)
    assert parse_seconds(data) <= BUDGET_SECONDS

"""The pure parts of `postroom.smtp`: header reading, Extra, fromid plans, trace fields,
and the reply table."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import postroom.smtp
from postroom.mail import Address
from postroom.smtp import codes
from postroom.smtp.errors import (
    DuplicateExtraKeyError,
    FromHeaderError,
    HeaderSectionError,
    MissingBodyError,
)
from postroom.smtp.headers import (
    HeaderField,
    canonical_key,
    collect_extra,
    parse_header_section,
    split_message,
    tls_required_no,
)
from postroom.smtp.message import read_submitted
from postroom.smtp.outgoing import FromIDPlan, plan_fromids
from postroom.smtp.received import Stamp, protocol_keyword, received_field

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_public_names() -> None:
    assert sorted(postroom.smtp.__all__) == [
        "IncomingPolicy",
        "Listener",
        "LocalDelivery",
        "OwnAddresses",
        "RecipientDelivery",
        "Refusal",
        "SMTPServices",
        "codes",
        "incoming_listener",
        "load_tls_context",
        "plaintext_auth_allowed",
        "submission_listener",
    ]


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("x-mox-extra-user-id", "X-Mox-Extra-User-Id"),
        ("X-MOX-EXTRA-abc", "X-Mox-Extra-Abc"),
        ("x-mox-extra-Foo_bar", "X-Mox-Extra-Foo_bar"),
        ("x-mox-extra-", "X-Mox-Extra-"),
        ("message-id", "Message-Id"),
        ("x-mox-extra-a.b", "X-Mox-Extra-A.b"),
        ("x-mox-extra-a b", "x-mox-extra-a b"),  # not a token: unchanged (Go)
        ("x-mox-extra-ü", "x-mox-extra-ü"),
    ],
)
def test_canonical_key_is_gos(name: str, canonical: str) -> None:
    assert canonical_key(name) == canonical


def test_header_section_is_unfolded_and_trimmed() -> None:
    section = b"Subject:  one\r\n\t two \r\n  three\r\nX-A:\r\nFrom:x@y\nTo : z@y\r\n"
    assert parse_header_section(section) == [
        HeaderField("Subject", "one two three"),
        HeaderField("X-A", ""),
        HeaderField("From", "x@y"),
        HeaderField("To", "z@y"),
    ]


@pytest.mark.parametrize(
    "section",
    [b" starts folded\r\n", b"no colon\r\n", b": no name\r\n", b"Two words: x\r\n"],
)
def test_broken_header_sections(section: bytes) -> None:
    with pytest.raises(HeaderSectionError):
        parse_header_section(section)


@pytest.mark.parametrize(
    ("data", "header", "body"),
    [
        (b"A: 1\r\n\r\nbody\r\n", b"A: 1\r\n", b"body\r\n"),
        (b"A: 1\n\nbody\n", b"A: 1\n", b"body\n"),
        (b"\r\nonly body\r\n", b"", b"only body\r\n"),
        (b"A: 1\r\n\r\n", b"A: 1\r\n", b""),
    ],
)
def test_split_message(data: bytes, header: bytes, body: bytes) -> None:
    assert split_message(data) == (header, body)


def test_message_without_body_section() -> None:
    with pytest.raises(MissingBodyError):
        split_message(b"A: 1\r\nB: 2\r\n")


def test_extra_keys_collide_across_spellings() -> None:
    fields = [HeaderField("X-Mox-Extra-k", "1"), HeaderField("x-postroom-extra-K", "2")]
    with pytest.raises(DuplicateExtraKeyError) as duplicate:
        collect_extra(fields)
    assert (duplicate.value.prefix, duplicate.value.key) == ("X-Postroom-Extra-", "K")


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], False), (["No"], True), (["no", "NO"], True), (["no", "yes"], False), ([""], False)],
)
def test_tls_required_no(values: list[str], expected: bool) -> None:
    fields = [HeaderField("TLS-Required", v) for v in values]
    assert tls_required_no(fields) is expected


def test_read_submitted_adds_missing_fields() -> None:
    data = b"From: Alice <alice@example.org>\r\nSubject: s\r\n\r\nbody\r\n"
    submitted = read_submitted(data, hostname="mail.example.org", now=NOW)
    assert submitted.from_address == Address(localpart="alice", domain="example.org")
    assert re.fullmatch(r"<[A-Za-z0-9_-]{22}@mail\.example\.org>", submitted.message_id)
    assert submitted.data == (
        f"Message-Id: {submitted.message_id}\r\nDate: 2 Jan 2026 03:04:05 +0000\r\n".encode() + data
    )
    assert (submitted.has_8bit, submitted.non_ascii_header) == (False, False)


@pytest.mark.parametrize(
    "from_field",
    [
        "",
        "From: a@example.org\r\nFrom: b@example.org\r\n",
        "From: a@example.org, b@example.org\r\n",
        "From: undisclosed:;\r\n",
        "From: <a@[192.0.2.1]>\r\n",
    ],
)
def test_submitted_message_needs_one_from_address(from_field: str) -> None:
    with pytest.raises(FromHeaderError):
        read_submitted(f"{from_field}Subject: x\r\n\r\n".encode(), hostname="h", now=NOW)


SENDER = Address(localpart="alice", domain="example.org")


@pytest.mark.parametrize(
    ("localpart", "plan"),
    [
        ("alice", FromIDPlan(sender=SENDER, separator="+")),
        ("alice+", FromIDPlan(sender=Address(localpart="alice+", domain="example.org"))),
        ("alice+Order-1", FromIDPlan(sender=SENDER, separator="+", chosen="order-1")),
        ("alice+a+b", FromIDPlan(sender=SENDER, separator="+", chosen="a+b")),
    ],
)
def test_fromid_plans(localpart: str, plan: FromIDPlan) -> None:
    assert plan_fromids(Address(localpart=localpart, domain="example.org"), "+") == plan


@pytest.mark.parametrize(
    ("extended", "smtputf8", "tls", "authenticated", "keyword"),
    [
        (False, False, False, False, "SMTP"),
        (True, False, False, False, "ESMTP"),
        (True, False, True, False, "ESMTPS"),
        (True, False, True, True, "ESMTPSA"),
        (True, False, False, True, "ESMTPA"),
        (True, True, True, True, "UTF8SMTPSA"),
    ],
)
def test_protocol_keywords(
    extended: bool, smtputf8: bool, tls: bool, authenticated: bool, keyword: str
) -> None:
    got = protocol_keyword(
        extended=extended, smtputf8=smtputf8, tls=tls, authenticated=authenticated
    )
    assert got == keyword


@pytest.mark.parametrize(
    ("helo", "client_ip", "source"),
    [
        ("mx.example.org", "192.0.2.1", "mx.example.org ([192.0.2.1])"),
        ("[192.0.2.1]", "192.0.2.1", "[192.0.2.1] ([192.0.2.1])"),
        ("bad name (x)", "192.0.2.1", "[192.0.2.1]"),
        ("", "2001:db8::1", "[IPv6:2001:db8::1]"),
        ("x", "::ffff:192.0.2.1", "x ([192.0.2.1])"),
    ],
)
def test_received_field(helo: str, client_ip: str, source: str) -> None:
    stamp = Stamp(
        helo=helo,
        client_ip=client_ip,
        hostname="mail.example.com",
        protocol="ESMTP",
        id="abc",
        received=NOW,
    )
    assert (
        received_field(stamp, "bob@example.com")
        == (
            f"Received: from {source}\r\n\tby mail.example.com with ESMTP id abc"
            " for <bob@example.com>;\r\n\t2 Jan 2026 03:04:05 +0000\r\n"
        ).encode()
    )
    assert b" for " not in received_field(stamp, None)


def test_every_reply_is_well_formed() -> None:
    replies = [v for v in vars(codes).values() if isinstance(v, codes.Reply)]
    assert len(replies) > 30
    for reply in replies:
        # RFC 3463 §2: the class of the enhanced code matches the reply code's.
        assert str(reply.code)[0] == reply.enhanced[0], reply
        assert re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", reply.enhanced), reply
        line = reply.line(key="a\r\nb", limit=1, first=2, count=3)
        assert line.isascii() and "\r" not in line and "\n" not in line


def test_no_reply_literals_outside_codes() -> None:
    package = Path(postroom.smtp.__file__).parent
    literal = re.compile(r"""["'][2-5]\d\d[ -]""")
    for module in package.glob("*.py"):
        if module.name != "codes.py":
            assert not literal.search(module.read_text(encoding="utf-8")), module.name


def test_reply_values_cannot_break_the_line() -> None:
    assert codes.DUPLICATE_MOX_EXTRA.line(key='a"\r\nb') == (
        '554 5.6.0 duplicate x-mox-extra- key "a\\"\\r\\nb"'
    )
    assert dataclasses.is_dataclass(codes.Reply)

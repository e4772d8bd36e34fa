"""Header checks and rendering: address lists, Subject, Date, folding (RFC 5322, RFC 2047)."""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
from datetime import UTC, datetime, timedelta, timezone

import pytest

from postroom.mail import (
    ForbiddenHeaderError,
    HeaderNameError,
    HeaderTooLongError,
    HeaderValueError,
    NameAddr,
    check_header_value,
    check_request_header,
    format_address_header,
    format_date,
    format_subject,
    parse_address,
)
from postroom.mail.headers import format_header


def parsed(field: str) -> str:
    """The header value as a reader sees it: unfolded and RFC 2047-decoded."""
    message = email.message_from_bytes(field.encode("utf-8") + b"\r\n", policy=email.policy.default)
    (name,) = message.keys()
    return str(message[name])


def lines(field: str) -> list[str]:
    assert field.endswith("\r\n")
    return field[:-2].split("\r\n")


def octets(line: str) -> int:
    return len(line.encode("utf-8"))


def na(address: str, name: str = "") -> NameAddr:
    return NameAddr(name=name, address=parse_address(address))


@pytest.mark.parametrize("value", ["\x00", "a\tb", "a\nb", "a\rb", "\x1f", "a\x7f"])
def test_control_characters_refused(value: str) -> None:
    with pytest.raises(HeaderValueError) as info:
        check_header_value(value)
    assert str(info.value) == "checking header values: control characters not allowed"


@pytest.mark.parametrize("value", ["", "plain text", "jörg ☃", "\u2028x", "a\x80b"])
def test_other_characters_allowed(value: str) -> None:
    check_header_value(value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("X A", 'invalid header name "X A"'),
        ("X:A", 'invalid header name "X:A"'),
        ("", 'invalid header name ""'),
        ("Übel", 'invalid header name "Übel"'),
    ],
)
def test_request_header_names(name: str, message: str) -> None:
    with pytest.raises(HeaderNameError) as info:
        check_request_header(name, "v")
    assert str(info.value) == message


@pytest.mark.parametrize(
    "name",
    [
        "From",
        "to",
        "CC",
        "Bcc",
        "Reply-To",
        "Subject",
        "Date",
        "Message-ID",
        "references",
        "In-Reply-To",
    ],
)
def test_request_headers_that_duplicate_fields(name: str) -> None:
    with pytest.raises(ForbiddenHeaderError) as info:
        check_request_header(name, "v")
    expected = f'header "{name}" cannot be set in Headers, use the request field instead'
    assert str(info.value) == expected


@pytest.mark.parametrize("name", ["MIME-Version", "content-type", "Content-Transfer-Encoding"])
def test_request_headers_that_break_structure(name: str) -> None:
    with pytest.raises(ForbiddenHeaderError) as info:
        check_request_header(name, "v")
    assert str(info.value) == f'header "{name}" cannot be set in Headers, it is set by the composer'


@pytest.mark.parametrize(
    ("name", "value"),
    [("X-A", ""), ("List-Unsubscribe", "<https://x.example/u>"), ("User-Agent", "me/1")],
)
def test_request_headers_allowed(name: str, value: str) -> None:
    check_request_header(name, value)


def test_request_header_control_character_before_name_check() -> None:
    with pytest.raises(HeaderValueError):
        check_request_header("X\tA", "v")
    with pytest.raises(HeaderValueError):
        check_request_header("X-A", "a\r\nBcc: x@example.org")


@pytest.mark.parametrize(
    ("entry", "smtputf8", "expected"),
    [
        (na("mox@example.org"), False, "<mox@example.org>"),
        # Go's mail.Address.String() quotes every printable ASCII name.
        (na("mox@example.org", "Mox"), False, '"Mox" <mox@example.org>'),
        (na("mox@example.org", "Mox Sender"), False, '"Mox Sender" <mox@example.org>'),
        (na("mox@example.org", 'a "q" \\ b'), False, '"a \\"q\\" \\\\ b" <mox@example.org>'),
        (na("x@x.org", "Jörg Ölsen"), False, "=?utf-8?q?J=C3=B6rg_=C3=96lsen?= <x@x.org>"),
        # RFC 2047 §5(3): phrase specials force base64.
        (na("x@x.org", "Jörg, Ö"), False, "=?utf-8?b?SsO2cmcsIMOW?= <x@x.org>"),
        (na("x@bücher.de", "X"), False, '"X" <x@xn--bcher-kva.de>'),
        (na("x@bücher.de", "X"), True, '"X" <x@bücher.de>'),
        (na('"a b"@x.org'), False, '<"a b"@x.org>'),
        (na("jörg@bücher.de"), True, "<jörg@bücher.de>"),
    ],
)
def test_single_address(entry: NameAddr, smtputf8: bool, expected: str) -> None:
    field = format_address_header("To", [entry], smtputf8)
    assert field == f"To: {expected}\r\n"


@pytest.mark.parametrize(
    ("name", "decoded"),
    [("Jörg Ölsen", "Jörg Ölsen"), ("Jörg, Ö", "Jörg, Ö"), ("Mox", "Mox")],
)
def test_display_names_decode_back(name: str, decoded: str) -> None:
    field = format_address_header("From", [na("x@x.org", name)], False)
    assert field.isascii()
    message = email.message_from_bytes(field.encode() + b"\r\n", policy=email.policy.default)
    (address,) = message["From"].addresses
    assert address.display_name == decoded
    assert address.addr_spec == "x@x.org"


def test_long_encoded_name_uses_several_words() -> None:
    field = format_address_header("From", [na("x@x.org", "ö" * 60)], False)
    words = field[len("From: ") : -len(" <x@x.org>\r\n")].split(" ")
    assert len(words) > 1
    assert all(len(word) <= 75 for word in words)
    # RFC 2047 §6.2: whitespace between adjacent encoded-words is dropped. (The
    # stdlib's newer address parser keeps it, so use the conforming decoder.)
    phrase = " ".join(words)
    assert str(email.header.make_header(email.header.decode_header(phrase))) == "ö" * 60


def test_address_list_folds_like_mox() -> None:
    # Each rendered address is 30 characters; mox folds before the one that
    # would take the line past 77.
    entries = [na(f"{c * 16}@example.org") for c in "abcde"]
    a, b, c, d, e = (f"<{x * 16}@example.org>" for x in "abcde")
    expected = f"To: {a}, {b},\r\n\t{c}, {d},\r\n\t{e}\r\n"
    assert format_address_header("To", entries, False) == expected


def test_address_list_parses_back() -> None:
    entries = [na(f"user{i}@example.org", f"User {i}") for i in range(20)]
    field = format_address_header("Cc", entries, False)
    assert all(octets(line) <= 77 for line in lines(field))
    message = email.message_from_bytes(field.encode() + b"\r\n", policy=email.policy.default)
    addresses = message["Cc"].addresses
    assert [a.addr_spec for a in addresses] == [f"user{i}@example.org" for i in range(20)]
    assert [a.display_name for a in addresses] == [f"User {i}" for i in range(20)]


def test_huge_display_name_is_folded_under_998() -> None:
    name = " ".join(["word"] * 500)
    field = format_address_header("To", [na("x@x.org", name)], False)
    assert all(octets(line) <= 998 for line in lines(field))
    assert field.replace("\r\n", "", field.count("\r\n") - 1) == f'To: "{name}" <x@x.org>\r\n'


def test_unfoldable_display_name_is_an_error() -> None:
    with pytest.raises(HeaderTooLongError) as info:
        format_address_header("To", [na("x@x.org", "x" * 2000)], False)
    assert str(info.value) == 'header "To" has a line longer than 998 octets that cannot be folded'


def test_display_name_control_characters() -> None:
    with pytest.raises(HeaderValueError):
        format_address_header("To", [na("x@x.org", "a\tb")], False)


@pytest.mark.parametrize(
    ("subject", "smtputf8", "expected"),
    [
        ("hello", False, "hello"),
        ("hello wörld", False, "hello =?utf-8?q?w=C3=B6rld?="),
        ("hello wörld", True, "hello wörld"),
        ("a_b=c?d", False, "a_b=c?d"),
        ("grüße an alle", False, "=?utf-8?q?gr=C3=BC=C3=9Fe?= an alle"),
        # RFC 2047 §6.2 drops the space between adjacent encoded-words; we keep
        # it by encoding it into the second word.
        ("wörld wörld", False, "=?utf-8?q?w=C3=B6rld?= =?utf-8?q?_w=C3=B6rld?="),
        # Text that looks like an encoded-word is encoded, so it reads literally.
        ("=?utf-8?q?x?=", False, "=?utf-8?q?=3D=3Futf-8=3Fq=3Fx=3F=3D?="),
    ],
)
def test_subject(subject: str, smtputf8: bool, expected: str) -> None:
    assert format_subject(subject, smtputf8) == f"Subject: {expected}\r\n"


@pytest.mark.parametrize(
    "subject",
    [
        "hello wörld",
        "wörld wörld",
        "a  b   c",
        "  leading",
        "ö ö  ö   x ö",
        "=?utf-8?q?x?=",
        "word " * 40 + "end",
        "ö" * 200,
        "wörds " * 50,
        "x" * 2000,
        "ü" * 1000 + " tail",
    ],
)
def test_subject_reads_back_unchanged(subject: str) -> None:
    field = format_subject(subject, False)
    assert field.isascii()
    assert all(octets(line) <= 998 for line in lines(field))
    assert parsed(field) == subject.lstrip(" ")


def test_subject_folds_at_77() -> None:
    subject = " ".join(f"word{i}" for i in range(40))
    field = format_subject(subject, False)
    assert len(lines(field)) > 1
    assert all(octets(line) <= 77 for line in lines(field))
    # The fold replaces a space with CRLF SP: unfolding restores the subject.
    assert field[:-2].replace("\r\n", "") == f"Subject: {subject}"


def test_subject_with_control_character() -> None:
    with pytest.raises(HeaderValueError):
        format_subject("a\tb", False)


def test_format_header_hard_folds_long_values() -> None:
    value = " ".join(["token"] * 400)
    field = format_header("X-Long", value)
    assert all(octets(line) <= 998 for line in lines(field))
    assert field[:-2].replace("\r\n", "") == f"X-Long: {value}"
    assert parsed(field) == value


def test_format_header_unfoldable() -> None:
    with pytest.raises(HeaderTooLongError):
        format_header("X-Long", "x" * 1000)


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (
            datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=1))),
            "2 Jan 2024 03:04:05 +0100",
        ),
        (datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC), "31 Dec 2024 23:59:59 +0000"),
        (
            datetime(2026, 7, 9, 10, 0, 0, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
            "9 Jul 2026 10:00:00 -0530",
        ),
        (datetime(5, 3, 1, 0, 0, 0, tzinfo=UTC), "1 Mar 0005 00:00:00 +0000"),
        # Go truncates offset seconds towards zero.
        (
            datetime(2024, 1, 1, tzinfo=timezone(-timedelta(minutes=17, seconds=30))),
            "1 Jan 2024 00:00:00 -0017",
        ),
    ],
)
def test_format_date(dt: datetime, expected: str) -> None:
    assert format_date(dt) == expected


def test_format_date_reads_back() -> None:
    dt = datetime(2024, 2, 29, 13, 14, 15, tzinfo=timezone(timedelta(hours=-7)))
    # The stdlib reads it back to the same instant and offset (RFC 5322 §3.3).
    assert email.utils.parsedate_to_datetime(format_date(dt)) == dt


def test_format_date_needs_an_offset() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_date(datetime(2024, 1, 1))

"""Reading received messages: header fields, readable parts, structure and part contents."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from postroom.mail import (
    PartNotFoundError,
    PartStructure,
    parse_address_list,
    parse_message,
    part_content,
)
from postroom.mail.charset import decode_text
from postroom.mail.contenttype import parse_media_type
from postroom.mail.mimetree import MAX_DEPTH
from postroom.mail.parse import MAX_TEXT_BYTES, parse_date
from postroom.mail.transfer import decode_base64, decode_quoted_printable
from postroom.mail.worddecoder import decode_words


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize(
    ("value", "media", "params"),
    [
        ('Text/Plain; Charset="UTF-8"', "text/plain", {"charset": "UTF-8"}),
        ("multipart/mixed;\r\n boundary=abc", "multipart/mixed", {"boundary": "abc"}),
        ('a/b; x="q\\"uote;d"; y=2', "a/b", {"x": 'q"uote;d', "y": "2"}),
        # Unquoted values with spaces, stray semicolons, a parameter without a value.
        ("a/b;; name=my file.pdf ; junk; k=v", "a/b", {"name": "my file.pdf", "k": "v"}),
        # The first of duplicate parameters wins (Go refuses the whole value).
        ("a/b; k=1; K=2", "a/b", {"k": "1"}),
        # RFC 2231 §4: charset and language, percent-encoded octets.
        ("attachment; filename*=UTF-8''%C3%BC%20x.txt", "attachment", {"filename": "ü x.txt"}),
        ("a/b; n*=iso-8859-1'de'caf%E9", "a/b", {"n": "café"}),
        # RFC 2231 §3: continuations, encoded and not, in any order; the extended form wins.
        ("a/b; n*1=bc; n*0*=utf-8''%C3%A4; n*2*=%C3%B6; n=plain", "a/b", {"n": "äbcö"}),
        # A gap ends the continuations.
        ("a/b; n*0=a; n*2=c", "a/b", {"n": "a"}),
        ("a/b; n*=x'en'%FF%ZZ", "a/b", {"n": "\ufffd%ZZ"}),
        ('a/b; q="unterminated', "a/b", {"q": "unterminated"}),
        ("", "", {}),
        (";=;==;", "", {}),
    ],
)
def test_media_type(value: str, media: str, params: dict[str, str]) -> None:
    parsed = parse_media_type(value)
    assert (parsed.value, parsed.params) == (media, params)


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("=?utf-8?q?h=C3=A9llo_w?= =?UTF-8?B?w7ZybGQ=?=", "héllo wörld"),
        ("a =?iso-8859-1?q?caf=E9?= b", "a café b"),
        ("=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab"),
        ("=?utf-8*de?q?hi?=", "hi"),
        ("=?utf-8?b?w7Y?=", "ö"),
        ("plain =? text ?=", "plain =? text ?="),
        ("=?utf-8?x?unknown encoding?=", "=?utf-8?x?unknown encoding?="),
        ("=?no-such-charset?q?ok?=", "ok"),
        ("=?utf-8?q?=FF?=", "\ufffd"),
    ],
)
def test_encoded_words(value: str, decoded: str) -> None:
    assert decode_words(value) == decoded


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("John Doe <john@example.com>", [("John Doe", "john@example.com", True)]),
        ('"Doe, J." <J@Example.COM>', [("Doe, J.", "J@example.com", True)]),
        ("j@example.com (John (the) Doe)", [("John (the) Doe", "j@example.com", True)]),
        ("=?utf-8?q?J=C3=B6rg?= <j@xn--bcher-kva.example>", [("Jörg", "j@bücher.example", True)]),
        ('"=?utf-8?b?w7Y=?=" <o@x.example>', [("ö", "o@x.example", True)]),
        ('"john doe"@example.com', [("", '"john doe"@example.com', True)]),
        ("<@relay.example:user@x.example>", [("", "user@x.example", True)]),
        ("< john . doe @ example.com >", [("", "john.doe@example.com", True)]),
        ("team: a@b.example, c@d.example;, e@f.example", [
            ("", "a@b.example", True), ("", "c@d.example", True), ("", "e@f.example", True),
        ]),
        ("Undisclosed recipients:;", []),
        ("Name user@host.example", [("Name", "user@host.example", True)]),
        ("name <unclosed@x.example", [("name", "unclosed@x.example", True)]),
        # Postroom's policy 12: kept as written instead of failing the header.
        ("x <not valid@example.com>", [("x", "not valid@example.com", False)]),
        ("user@[192.0.2.1]", [("", "user@[192.0.2.1]", False)]),
        ("broken@@x", [("", "broken@@x", False)]),
        ("localpart-only", [("", "localpart-only", False)]),
        ("Name <>, , ,", []),
        ("", []),
    ],
)  # fmt: skip
def test_address_list(value: str, expected: list[tuple[str, str, bool]]) -> None:
    found = [(a.name, a.address, a.parsed is not None) for a in parse_address_list(value)]
    assert found == expected


def test_transfer_decoding() -> None:
    chunks = base64.b64encode(b"hello") + b"\r\n" + base64.b64encode(b"world!")
    assert decode_base64(chunks) == b"helloworld!"
    assert decode_base64(b"aGVs\r\n bG8\r\n") == b"hello"
    assert decode_base64(b"aGVsbG8g!!d29y\nbGQ=") == b"hello world"
    assert decode_base64(b"a") == b""
    # RFC 2045 §6.7: soft line breaks, trailing whitespace dropped, bad escapes kept.
    qp = b"a=3Db  \r\nc=\r\nd=\ne=ZZ=C3=A9\t\r\n"
    assert decode_quoted_printable(qp) == b"a=b\r\ncde=ZZ\xc3\xa9\r\n"


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("utf-8", "h\ufffdllo"),
        ("", "h\ufffdllo"),
        ("us-ascii", "h\ufffdllo"),
        ("ISO-8859-1", "héllo"),
        ('"windows-1252"', "héllo"),
        ("x-unknown", "h\ufffdllo"),
        ("base64", "h\ufffdllo"),
        ("idna", "h\ufffdllo"),
    ],
)
def test_charsets(charset: str, text: str) -> None:
    assert decode_text(b"h\xe9llo", charset) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 1 Jul 2003 10:52:37 +0200", datetime(2003, 7, 1, 8, 52, 37, tzinfo=UTC)),
        ("1 Jul 2003 10:52:37 -0000", datetime(2003, 7, 1, 10, 52, 37, tzinfo=UTC)),
        ("Tue, 01 Jul 03 10:52 EST", datetime(2003, 7, 1, 15, 52, tzinfo=UTC)),
        ("Tue, 1 Jul 2003 10:52:37 +9900", None),
        ("Tue, 31 Feb 2003 10:52:37 +0000", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_date_keeps_its_offset() -> None:
    date = parse_date("Tue, 1 Jul 2003 10:52:37 +0200")
    assert date is not None
    assert date.tzinfo == timezone(timedelta(hours=2))


def mixed(*parts: str, subtype: str = "mixed") -> bytes:
    body = "".join(f"--b\n{part}\n" for part in parts)
    return crlf(f"Content-Type: multipart/{subtype}; boundary=b\n\n{body}--b--\n")


@pytest.mark.parametrize(
    ("data", "text", "html"),
    [
        (crlf("\nbody\n"), "body\n", ""),
        (crlf("Content-Type: text/html\n\n<p>x</p>"), "", "<p>x</p>"),
        (crlf("Content-Type: image/gif\n\nGIF89a"), "", ""),
        # Alternative: the first of each kind.
        (mixed("\nt1", "Content-Type: text/html\n\nh1", "\nt2", subtype="alternative"), "t1", "h1"),
        # Not alternative: the first readable child only.
        (mixed("Content-Type: text/html\n\nh1", "\nt1"), "", "h1"),
        (mixed("Content-Type: image/png\n\nx", "\nt1"), "t1", ""),
        # Direct children first, then depth first into each child.
        (
            crlf(
                "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
                "Content-Type: multipart/alternative; boundary=i\n\n"
                "--i\n\ninner\n--i\nContent-Type: text/html\n\n<i>inner</i>\n--i--\n"
                "--o\nContent-Type: application/pdf\n\n%PDF\n--o--\n"
            ),
            "inner",
            "<i>inner</i>",
        ),
        # A part that starts with indented text has no header: the line is not lost.
        (mixed("  indented\nsecond"), "  indented\nsecond", ""),
        # An attached text file is not the message's text (mox would take it).
        (mixed("Content-Disposition: attachment\n\nfile", "\nbody"), "body", ""),
        (crlf("Content-Disposition: Attachment; filename=a.txt\n\nfile"), "", ""),
        # message/rfc822 is a leaf: its text is not the message's.
        (mixed("Content-Type: message/rfc822\n\nSubject: inner\n\ninner text"), "", ""),
    ],
)
def test_readable_parts(data: bytes, text: str, html: str) -> None:
    parsed = parse_message(data)
    assert (parsed.text, parsed.html) == (text, html)


def test_text_is_cut_at_one_mebibyte_of_utf8() -> None:
    # "é" is two octets: the cut falls inside one, which is dropped whole.
    body = ("x" + "é" * MAX_TEXT_BYTES).encode("utf-8")
    parsed = parse_message(b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body)
    assert parsed.text == "x" + "é" * ((MAX_TEXT_BYTES - 1) // 2)
    # Counted before CRLF becomes LF.
    parsed = parse_message(b"\r\n" + b"\r\n" * MAX_TEXT_BYTES)
    assert parsed.text == "\n" * (MAX_TEXT_BYTES // 2)


def test_structure_of_odd_messages() -> None:
    # LF line ends, a continued header, a header without a body separator.
    data = (
        b"Content-Type: multipart/digest;\n boundary=d\n\n--d\n\nSubject: in digest\n\nx\n"
        b"--d\nContent-Type: text/plain\nContent-Id: <c>\n--d--\n"
    )
    structure = parse_message(data).structure
    digest_part = PartStructure(
        content_type="message/rfc822", decoded_size=len(b"Subject: in digest\n\nx")
    )
    empty_part = PartStructure(content_type="text/plain", content_id="<c>")
    assert structure.content_type_params == {"boundary": "d"}
    assert structure.parts == (digest_part, empty_part)
    # A multipart without a boundary cannot be split: it stays one leaf.
    data = b"Content-Type: multipart/mixed\r\n\r\n--x\r\nhello\r\n"
    structure = parse_message(data).structure
    assert (structure.content_type, structure.decoded_size, structure.parts) == (
        "multipart/mixed",
        len(b"--x\r\nhello\r\n"),
        (),
    )
    assert part_content(data, []) == b"--x\r\nhello\r\n"
    # A malformed Content-Type is text/plain (RFC 2045 §5.2), and so is no header at all.
    assert parse_message(b"Content-Type: nonsense\r\n\r\nx").structure.content_type == "text/plain"
    assert parse_message(b"").structure == PartStructure(content_type="text/plain")
    # Garbage before any header: the whole message is the body.
    assert parse_message(b"not a header\r\nSubject: x\r\n\r\nbody").text == (
        "not a header\nSubject: x\n\nbody"
    )


def test_nesting_is_limited() -> None:
    depth = MAX_DEPTH + 10
    data = (
        b"".join(
            b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
            for i in range(depth)
        )
        + b"\r\ninnermost"
    )
    structure = parse_message(data).structure
    levels = 0
    while structure.parts:
        (structure,) = structure.parts
        levels += 1
    assert levels == MAX_DEPTH
    assert structure.content_type == "multipart/mixed"
    assert part_content(data, [0] * MAX_DEPTH).endswith(b"innermost")


def test_part_content_errors() -> None:
    data = mixed("\none", "\ntwo")
    assert part_content(data, [1]) == b"two"
    with pytest.raises(PartNotFoundError, match=r"^part 2 at index 0 not found$"):
        part_content(data, [2])
    with pytest.raises(PartNotFoundError, match=r"^part 0 at index 1 not found$") as info:
        part_content(data, [0, 0])
    assert (info.value.index, info.value.position) == (0, 1)

"""Text parts, file parts, base64 input, Message-IDs and the errors compose_message raises."""

from __future__ import annotations

import base64
import email
import email.policy
import re
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from postroom.mail import (
    Attachment,
    AttachmentError,
    ForbiddenHeaderError,
    HeaderNameError,
    HeaderValueError,
    MailError,
    MessageIDError,
    MessageSpec,
    MessageTooLargeError,
    NameAddr,
    check_message_id,
    compose_message,
    decode_base64_attachment,
    new_message_id,
    parse_address,
)

MAX = 10 * 1024 * 1024


def make_spec(**fields: Any) -> MessageSpec:
    defaults: dict[str, Any] = {
        "from_": NameAddr(name="", address=parse_address("mox@example.org")),
        "to": [NameAddr(name="", address=parse_address("rcpt@example.org"))],
        "message_id": "<id@example.org>",
        "date": datetime(2024, 1, 2, tzinfo=UTC),
        "text": "hello",
        "user_agent": "postroom/0.1.0",
    }
    return MessageSpec(**(defaults | fields))


def compose_and_read(**fields: Any) -> tuple[bytes, EmailMessage]:
    data = compose_message(make_spec(**fields), max_size=MAX).data
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return data, message


def only_file(message: EmailMessage) -> EmailMessage:
    parts = [p for p in message.walk() if p.get_content_disposition()]
    assert len(parts) == 1
    part = parts[0]
    assert isinstance(part, EmailMessage)
    return part


@pytest.mark.parametrize(
    ("text", "smtputf8", "charset", "encoding", "content"),
    [
        ("hello", False, "us-ascii", "7bit", "hello\r\n"),
        ("hello\n", False, "us-ascii", "7bit", "hello\r\n"),
        ("a\nb\n\n", False, "us-ascii", "7bit", "a\r\nb\r\n\r\n"),
        ("héllo", False, "utf-8", "8bit", "héllo\r\n"),
        ("hello", True, "us-ascii", "8bit", "hello\r\n"),
        ("x" * 76, False, "us-ascii", "7bit", "x" * 76 + "\r\n"),
        ("x" * 77, False, "us-ascii", "quoted-printable", "x" * 77 + "\r\n"),
        ("ü" * 39, False, "utf-8", "quoted-printable", "ü" * 39 + "\r\n"),
        # Unlike mox, CRLF input is a line break, not doubled.
        ("a\r\nb", False, "us-ascii", "7bit", "a\r\nb\r\n"),
        # A bare CR and a NUL are not allowed in 7bit/8bit data (RFC 2045 §2.7).
        ("a\rb", False, "us-ascii", "quoted-printable", "a\rb\r\n"),
        ("a\x00b", False, "us-ascii", "quoted-printable", "a\x00b\r\n"),
        # Trailing whitespace survives quoted-printable (RFC 2045 §6.7 (3)).
        ("x" * 80 + " \ny\t", False, "us-ascii", "quoted-printable", "x" * 80 + " \r\ny\t\r\n"),
        ("=" * 100, False, "us-ascii", "quoted-printable", "=" * 100 + "\r\n"),
    ],
)
def test_text_part(text: str, smtputf8: bool, charset: str, encoding: str, content: str) -> None:
    data, message = compose_and_read(text=text, smtputf8=smtputf8)
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == charset
    assert message["Content-Transfer-Encoding"] == encoding
    assert message.get_content() == content
    body = data.split(b"\r\n\r\n", 1)[1]
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))


def test_html_part_charset() -> None:
    data, message = compose_and_read(text="", html="<p>grüße</p>")
    assert b"Content-Type: text/html; charset=utf-8\r\n" in data
    assert message.get_content() == "<p>grüße</p>\r\n"


def test_empty_content_type_is_sniffed() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 10
    _, message = compose_and_read(
        attached_files=[Attachment(name="x", content_type="", content_id="", data=png)]
    )
    assert only_file(message).get_content_type() == "image/png"


def test_unknown_data_gets_octet_stream_never_an_empty_type() -> None:
    data, message = compose_and_read(
        attached_files=[Attachment(name="x", content_type="", content_id="", data=b"\x00\x01")]
    )
    assert b"Content-Type: application/octet-stream\r\n" in data
    assert not re.search(rb"Content-Type: *\r\n", data)
    assert only_file(message).get_content_type() == "application/octet-stream"


def test_given_content_type_is_kept() -> None:
    data, _ = compose_and_read(
        attached_files=[
            Attachment(name="x", content_type="Text/CSV; header=present", content_id="", data=b"a")
        ]
    )
    assert b"Content-Type: Text/CSV; header=present\r\n" in data


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("report.pdf", "filename=report.pdf"),
        ("my report.pdf", 'filename="my report.pdf"'),
        ('a"b\\c', 'filename="a\\"b\\\\c"'),
        ("", 'filename=""'),
        ("über.txt", "filename*=utf-8''%C3%BCber.txt"),
        ("a b'%*.txt", 'filename="a b\'%*.txt"'),
        ("日本 語.txt", "filename*=utf-8''%E6%97%A5%E6%9C%AC%20%E8%AA%9E.txt"),
    ],
)
def test_file_names(name: str, disposition: str) -> None:
    data, message = compose_and_read(
        attached_files=[Attachment(name=name, content_type="text/plain", content_id="", data=b"a")]
    )
    assert f"Content-Disposition: attachment; {disposition}\r\n".encode() in data
    assert only_file(message).get_filename() == name


def test_very_long_file_name_uses_rfc2231_continuations() -> None:
    name = "ドキュメント" * 60 + ".pdf"
    data, message = compose_and_read(
        attached_files=[Attachment(name=name, content_type="", content_id="", data=b"%PDF-")]
    )
    assert b"filename*0*=utf-8''" in data
    assert b";\r\n\tfilename*1*=" in data
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert only_file(message).get_filename() == name


def test_content_id_only_when_given() -> None:
    data, message = compose_and_read(
        inline_files=[Attachment(name="a", content_type="image/png", content_id="x", data=b"")]
    )
    assert b"Content-Id: x\r\n" in data
    assert only_file(message)["Content-Id"] == "x"
    data, _ = compose_and_read(
        inline_files=[Attachment(name="a", content_type="image/png", content_id="", data=b"")]
    )
    assert b"Content-Id" not in data


def test_base64_body_is_wrapped_at_76() -> None:
    content = bytes(range(256)) * 10
    data, message = compose_and_read(
        attached_files=[Attachment(name="b", content_type="", content_id="", data=content)]
    )
    assert only_file(message).get_content() == content
    body = data.split(b"Content-Type: application/octet-stream\r\n\r\n", 1)[1]
    lines = body.split(b"\r\n\r\n--", 1)[0].split(b"\r\n")
    assert {len(line) for line in lines[:-1]} == {76}
    assert 0 < len(lines[-1]) <= 76


def test_original_base64_text_is_used_rewrapped() -> None:
    content = b"hello world, this is some content for a test of base64 re-wrapping" * 3
    given = base64.b64encode(content).decode()
    # A client that wrapped at 20 characters with CRLF.
    wrapped = "\r\n".join(given[i : i + 20] for i in range(0, len(given), 20))
    attachment = Attachment(
        name="a.txt",
        content_type="text/plain",
        content_id="",
        data=decode_base64_attachment(wrapped),
        base64_lines=wrapped,
    )
    data, message = compose_and_read(attached_files=[attachment])
    expected = "".join(given[i : i + 76] + "\r\n" for i in range(0, len(given), 76))
    assert expected.encode() in data
    assert only_file(message).get_content() == content.decode()


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("", b""),
        ("aGk=", b"hi"),
        ("aGVs\r\nbG8=", b"hello"),
        ("aGVs\nbG8=\n", b"hello"),
        ("AAEC", b"\x00\x01\x02"),
    ],
)
def test_decode_base64(text: str, content: bytes) -> None:
    assert decode_base64_attachment(text) == content


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("aGk", "length 3 is not a multiple of 4, padding missing?"),
        ("a", "length 1 is not a multiple of 4, padding missing?"),
        ("=aGk", "leading padding not allowed"),
        ("aG=k", "discontinuous padding not allowed"),
        ("aG k=", "illegal base64 data at input byte 2"),
        ("aGk=\t", "illegal base64 data at input byte 4"),
        ("aG-k", "illegal base64 data at input byte 2"),
        ("aGk=aGk=", "excess data after padding"),
        ("aGé=", "illegal base64 data at input byte 2"),
    ],
)
def test_decode_base64_errors(text: str, detail: str) -> None:
    with pytest.raises(AttachmentError) as info:
        decode_base64_attachment(text)
    assert str(info.value) == f"parsing attachment as base64: {detail}"


def test_new_message_id() -> None:
    ids = {new_message_id("mail.example.org") for _ in range(100)}
    assert len(ids) == 100
    for message_id in ids:
        assert re.fullmatch(r"<[A-Za-z0-9_-]{22}@mail\.example\.org>", message_id)
        check_message_id(message_id)


@pytest.mark.parametrize("value", ["", "abc", "<abc", "abc>", "<", ">"])
def test_message_id_needs_angle_brackets(value: str) -> None:
    with pytest.raises(MessageIDError) as info:
        check_message_id(value)
    assert str(info.value) == "missing <> in message-id"


def test_message_id_control_characters() -> None:
    with pytest.raises(HeaderValueError):
        check_message_id("<a\tb>")
    check_message_id("<>")


FILE = Attachment(name="a", content_type="", content_id="", data=b"a")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"subject": "a\tb"}, HeaderValueError),
        ({"message_id": "abc"}, MessageIDError),
        ({"message_id": "<a\rb>"}, HeaderValueError),
        ({"references": ["<a>", "<b\n>"]}, HeaderValueError),
        ({"headers": [("X-A", "a\r\nBcc: x@example.org")]}, HeaderValueError),
        ({"headers": [("X A", "v")]}, HeaderNameError),
        ({"headers": [("Bcc", "x@example.org")]}, ForbiddenHeaderError),
        ({"headers": [("Content-Type", "text/html")]}, ForbiddenHeaderError),
        ({"user_agent": "a\nb"}, HeaderValueError),
        ({"from_": NameAddr(name="a\tb", address=parse_address("a@x.org"))}, HeaderValueError),
        ({"bcc": [NameAddr(name="\x00", address=parse_address("a@x.org"))]}, HeaderValueError),
        ({"attached_files": [replace(FILE, name="a\nb")]}, HeaderValueError),
        (
            {"inline_files": [replace(FILE, content_type="x\x7f")]},
            HeaderValueError,
        ),
        (
            {"alternative_files": [replace(FILE, content_id="<\t>")]},
            HeaderValueError,
        ),
        ({"headers": [("X-Long", "x" * 1000)]}, MailError),
    ],
)
def test_compose_errors(fields: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        compose_message(make_spec(**fields), max_size=MAX)


def test_long_custom_header_is_folded() -> None:
    value = " ".join(["token"] * 300)
    data, message = compose_and_read(headers=[("X-Long", value)])
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert message["X-Long"] == value


def test_size_limit() -> None:
    spec = make_spec()
    size = len(compose_message(spec, max_size=MAX).data)
    assert len(compose_message(spec, max_size=size).data) == size
    with pytest.raises(MessageTooLargeError) as info:
        compose_message(spec, max_size=size - 1)
    assert str(info.value) == "message too large"


@pytest.mark.parametrize(
    ("fields", "has_8bit"),
    [
        ({}, False),
        ({"text": "grüße"}, True),
        ({"text": "ü" * 100}, False),
        ({"headers": [("X-Name", "Zoë")]}, True),
        ({"attached_files": [FILE]}, False),
    ],
)
def test_has_8bit(fields: dict[str, Any], has_8bit: bool) -> None:
    assert compose_message(make_spec(**fields), max_size=MAX).has_8bit is has_8bit

"""Composing messages: header order, MIME structure, read back with the stdlib email parser."""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage, Message
from typing import Any

import pytest

from postroom.mail import (
    Attachment,
    ComposedMessage,
    MessageSpec,
    NameAddr,
    compose_message,
    parse_address,
)

DATE = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=1)))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2
MAX = 10 * 1024 * 1024


def na(address: str, name: str = "") -> NameAddr:
    return NameAddr(name=name, address=parse_address(address))


def make_spec(**fields: Any) -> MessageSpec:
    defaults: dict[str, Any] = {
        "from_": na("mox@example.org", "Mox"),
        "to": [na("rcpt@example.org")],
        "subject": "hi",
        "message_id": "<id@example.org>",
        "date": DATE,
        "text": "hello",
        "user_agent": "postroom/0.1.0",
    }
    return MessageSpec(**(defaults | fields))


def compose(**fields: Any) -> ComposedMessage:
    composed = compose_message(make_spec(**fields), max_size=MAX)
    check_wire_form(composed.data)
    return composed


def check_wire_form(data: bytes) -> None:
    """Invariants of every composed message (RFC 5322 §2.1, §2.1.1; RFC 2045 §2.7)."""
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 998 for line in lines)
    assert not re.search(rb"(?im)^bcc:", data)


def read(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert not message.defects
    return message


def tree(part: Message) -> Any:
    """The MIME structure as nested (type, [children]) tuples, leaves as their type."""
    if part.is_multipart():
        children = part.get_payload()
        assert isinstance(children, list)
        subtrees = []
        for child in children:
            assert isinstance(child, Message)
            subtrees.append(tree(child))
        return (part.get_content_type(), subtrees)
    return part.get_content_type()


def leaves(message: EmailMessage) -> list[EmailMessage]:
    parts = [part for part in message.walk() if not part.is_multipart()]
    assert all(isinstance(part, EmailMessage) for part in parts)
    return parts


def header_names(data: bytes) -> list[str]:
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8")
    return re.findall(r"(?m)^([^\s:]+):", head)


def test_text_only_exact_bytes() -> None:
    composed = compose()
    assert composed.data == (
        b'From: "Mox" <mox@example.org>\r\n'
        b"To: <rcpt@example.org>\r\n"
        b"Subject: hi\r\n"
        b"Date: 2 Jan 2024 03:04:05 +0100\r\n"
        b"Message-Id: <id@example.org>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"User-Agent: postroom/0.1.0\r\n"
        b"Content-Transfer-Encoding: 7bit\r\n"
        b"Content-Type: text/plain; charset=us-ascii\r\n"
        b"\r\n"
        b"hello\r\n"
    )
    assert composed.has_8bit is False


def test_header_order_with_everything() -> None:
    composed = compose(
        reply_to=[na("reply@example.org")],
        cc=[na("cc@example.org")],
        bcc=[na("hidden@example.org")],
        references=["<r1@x>", "<r2@x>"],
        headers=[("X-B", "2"), ("X-A", "")],
    )
    assert header_names(composed.data) == [
        "From",
        "Reply-To",
        "To",
        "Cc",
        "Subject",
        "Date",
        "Message-Id",
        "References",
        "In-Reply-To",
        "MIME-Version",
        "X-B",
        "X-A",
        "User-Agent",
        "Content-Transfer-Encoding",
        "Content-Type",
    ]
    assert b"References: <r1@x>\r\n\t<r2@x>\r\nIn-Reply-To: <r2@x>\r\n" in composed.data
    assert b"X-A: \r\n" in composed.data
    assert b"hidden@example.org" not in composed.data
    message = read(composed.data)
    assert message["Reply-To"].addresses[0].addr_spec == "reply@example.org"
    assert message["Cc"].addresses[0].addr_spec == "cc@example.org"
    assert email.utils.parsedate_to_datetime(message["Date"]) == DATE


@pytest.mark.parametrize("name", ["User-Agent", "user-agent", "X-Mailer", "x-mailer"])
def test_request_user_agent_replaces_ours(name: str) -> None:
    composed = compose(headers=[(name, "client/2")])
    assert b"postroom/0.1.0" not in composed.data
    assert f"{name}: client/2\r\n".encode() in composed.data


def test_empty_subject_left_out() -> None:
    assert "Subject" not in header_names(compose(subject="").data)


def test_non_ascii_headers() -> None:
    composed = compose(
        from_=na("mox@example.org", "Jörg"),
        to=[na("x@bücher.de", "Zoë")],
        subject="hello wörld",
    )
    assert b"Subject: hello =?utf-8?q?w=C3=B6rld?=\r\n" in composed.data
    assert b"To: =?utf-8?q?Zo=C3=AB?= <x@xn--bcher-kva.de>\r\n" in composed.data
    assert composed.has_8bit is False
    message = read(composed.data)
    assert message["Subject"] == "hello wörld"
    assert message["From"].addresses[0].display_name == "Jörg"


def test_smtputf8_headers() -> None:
    composed = compose(to=[na("jörg@bücher.de", "Zoë")], subject="hello wörld", smtputf8=True)
    assert "To: =?utf-8?q?Zo=C3=AB?= <jörg@bücher.de>\r\n".encode() in composed.data
    assert "Subject: hello wörld\r\n".encode() in composed.data
    assert b"Content-Transfer-Encoding: 8bit\r\n" in composed.data
    assert composed.has_8bit is True


# (fields, expected tree)
STRUCTURES: list[tuple[str, dict[str, Any], Any]] = [
    ("text", {}, "text/plain"),
    ("html", {"text": "", "html": "<p>hi</p>"}, "text/html"),
    (
        "text+html",
        {"html": "<p>hi</p>"},
        ("multipart/alternative", ["text/plain", "text/html"]),
    ),
    (
        "text+inline",
        {"inline_files": [Attachment(name="a.png", content_type="", content_id="<a>", data=PNG)]},
        ("multipart/related", ["text/plain", "image/png"]),
    ),
    (
        "text+attached",
        {"attached_files": [Attachment(name="a.txt", content_type="", content_id="", data=b"x")]},
        ("multipart/mixed", ["text/plain", "text/plain"]),
    ),
    (
        "html+alternative file",
        {
            "text": "",
            "html": "<p>hi</p>",
            "alternative_files": [
                Attachment(name="a.ics", content_type="text/calendar", content_id="", data=b"B")
            ],
        },
        ("multipart/alternative", ["text/html", "text/calendar"]),
    ),
    (
        "attachment only",
        {
            "text": "",
            "attached_files": [Attachment(name="a", content_type="", content_id="", data=b"\0")],
        },
        ("multipart/mixed", ["application/octet-stream"]),
    ),
]


@pytest.mark.parametrize(("fields", "expected"), [(f, e) for _, f, e in STRUCTURES])
def test_structure(fields: dict[str, Any], expected: Any) -> None:
    assert tree(read(compose(**fields).data)) == expected


def test_everything() -> None:
    composed = compose(
        text="plain text",
        html="<p>html</p>",
        alternative_files=[
            Attachment(name="invite.ics", content_type="text/calendar", content_id="", data=b"C")
        ],
        inline_files=[
            Attachment(name="logo.png", content_type="", content_id="<logo@x>", data=PNG),
            Attachment(name="über.gif", content_type="", content_id="", data=b"GIF89a\x01"),
        ],
        attached_files=[
            Attachment(name="report.pdf", content_type="", content_id="", data=b"%PDF-1.4\n"),
            Attachment(name="my notes.txt", content_type="", content_id="", data=b"n\n"),
            Attachment(name="", content_type="application/x-thing", content_id="", data=b"t"),
        ],
    )
    message = read(composed.data)
    assert tree(message) == (
        "multipart/mixed",
        [
            (
                "multipart/related",
                [
                    ("multipart/alternative", ["text/plain", "text/html", "text/calendar"]),
                    "image/png",
                    "image/gif",
                ],
            ),
            "application/pdf",
            "text/plain",
            "application/x-thing",
        ],
    )
    text, html, ics, png, gif, pdf, notes, thing = leaves(message)
    assert text.get_content() == "plain text\r\n"
    assert html.get_content() == "<p>html</p>\r\n"
    assert ics.get_content_disposition() == "inline"
    assert png.get_content_disposition() == "inline"
    assert png["Content-Id"] == "<logo@x>"
    assert png.get_filename() == "logo.png"
    assert png.get_content() == PNG
    assert gif.get_filename() == "über.gif"
    assert gif["Content-Id"] is None
    assert pdf.get_content_disposition() == "attachment"
    assert pdf.get_filename() == "report.pdf"
    assert notes.get_filename() == "my notes.txt"
    assert thing.get_filename() == ""
    assert thing.get_content() == b"t"
    assert b'Content-Disposition: attachment; filename="my notes.txt"\r\n' in composed.data
    assert b"Content-Disposition: inline; filename*=utf-8''%C3%BCber.gif\r\n" in composed.data
    assert b'Content-Disposition: attachment; filename=""\r\n' in composed.data


def test_multipart_layout_like_go() -> None:
    data = compose(html="<p>hi</p>").data
    match = re.search(rb'Content-Type: multipart/alternative; boundary="([0-9a-f]{60})"\r\n', data)
    assert match is not None
    boundary = match.group(1)
    body = data.split(b"\r\n\r\n", 1)[1]
    assert body == (
        b"--" + boundary + b"\r\n"
        b"Content-Transfer-Encoding: 7bit\r\n"
        b"Content-Type: text/plain; charset=us-ascii\r\n"
        b"\r\n"
        b"hello\r\n"
        b"\r\n--" + boundary + b"\r\n"
        b"Content-Transfer-Encoding: 7bit\r\n"
        b"Content-Type: text/html; charset=us-ascii\r\n"
        b"\r\n"
        b"<p>hi</p>\r\n"
        b"\r\n--" + boundary + b"--\r\n"
    )


def test_boundaries_differ() -> None:
    data = compose(
        html="<p>x</p>",
        inline_files=[Attachment(name="a", content_type="", content_id="", data=PNG)],
    ).data
    boundaries = re.findall(rb'boundary="([0-9a-f]{60})"', data)
    assert len(boundaries) == len(set(boundaries)) == 2


def test_file_part_headers_sorted() -> None:
    data = compose(
        inline_files=[Attachment(name="a.png", content_type="", content_id="<c>", data=PNG)]
    ).data
    assert (
        b"Content-Disposition: inline; filename=a.png\r\n"
        b"Content-Id: <c>\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"Content-Type: image/png\r\n"
        b"\r\n"
    ) in data


def test_bcc_only_message_has_no_recipient_headers() -> None:
    composed = compose(to=[], bcc=[na("hidden@example.org")])
    assert "To" not in header_names(composed.data)
    assert b"hidden" not in composed.data


def test_no_body_at_all_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="text or html"):
        compose_message(make_spec(text=""), max_size=MAX)


def test_spec_is_a_value() -> None:
    spec = make_spec()
    assert replace(spec, subject="other").subject == "other"
    assert compose_message(spec, max_size=MAX).data == compose_message(spec, max_size=MAX).data

"""Hypothesis fuzzing of the pure parsers and the composer."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postroom.mail import (
    AddressError,
    Attachment,
    HeaderValueError,
    MessageSpec,
    NameAddr,
    compose_message,
    format_subject,
    parse_address,
)

FUZZ = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAILISH = st.text(alphabet='aZ09.@"\\ -_+xn[]:ü\u3002\u00df\t\x00', max_size=40)
ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


def check_parse(text: str) -> None:
    try:
        address = parse_address(text)
    except AddressError as exc:
        assert exc.address == text
        assert exc.reason
        return
    # Whatever we accept renders to something we accept again, unchanged.
    assert parse_address(str(address)) == address
    assert parse_address(address.smtp_path(False)) == address
    assert address.ascii_domain.isascii()


@FUZZ
@given(st.text())
def test_parse_address_only_raises_address_error(text: str) -> None:
    check_parse(text)


@FUZZ
@given(MAILISH)
def test_parse_address_mailish_text(text: str) -> None:
    check_parse(text)


@FUZZ
@given(
    st.lists(st.text(alphabet=ATEXT, min_size=1, max_size=8), min_size=1, max_size=4),
    st.lists(LABEL, min_size=1, max_size=4),
    st.sampled_from(["org", "example", "xn--bcher-kva", "co"]),
)
def test_valid_addresses_parse(atoms: list[str], labels: list[str], tld: str) -> None:
    localpart = ".".join(atoms)
    domain = ".".join([*labels, tld])
    address = parse_address(f"{localpart}@{domain.upper()}")
    assert address.localpart == localpart
    assert address.ascii_domain == domain


def message_spec(text: str, html: str, subject: str, name: str) -> MessageSpec:
    return MessageSpec(
        from_=NameAddr(name=name, address=parse_address("mox@example.org")),
        to=[NameAddr(name=name, address=parse_address("rcpt@bücher.de"))],
        subject=subject,
        message_id="<id@example.org>",
        date=datetime(2024, 1, 2, tzinfo=UTC),
        text=text,
        html=html,
        attached_files=[Attachment(name=name, content_type="", content_id="", data=b"x")],
        user_agent="postroom/0.1.0",
    )


def expected_body(text: str) -> str:
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def check_wire_form(data: bytes) -> None:
    lines = data[:-2].split(b"\r\n")
    assert data.endswith(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 998 for line in lines)


@FUZZ
@given(text=st.text(min_size=1), html=st.text())
def test_compose_text_reads_back(text: str, html: str) -> None:
    composed = compose_message(message_spec(text, html, "s", "n"), max_size=10**7)
    check_wire_form(composed.data)
    message = email.message_from_bytes(composed.data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content() == expected_body(text)
    if html:
        html_body = message.get_body(preferencelist=("html",))
        assert html_body is not None
        assert html_body.get_content() == expected_body(html)


HEADER_TEXT = st.text(st.characters(blacklist_categories=["Cs"]))


@FUZZ
@given(subject=HEADER_TEXT, name=HEADER_TEXT)
def test_compose_any_header_text(subject: str, name: str) -> None:
    try:
        composed = compose_message(message_spec("t", "", subject, name), max_size=10**7)
    except HeaderValueError:
        assert any(c < " " or c == "\x7f" for c in subject + name)
        return
    check_wire_form(composed.data)
    message = email.message_from_bytes(composed.data, policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "rcpt@xn--bcher-kva.de"


@FUZZ
@given(st.text(st.characters(blacklist_categories=["Cc", "Cs"])))
def test_subject_reads_back(subject: str) -> None:
    field = format_subject(subject, False)
    message = email.message_from_bytes(field.encode() + b"\r\n", policy=email.policy.default)
    # Readers drop whitespace before the first word, as after any header colon.
    assert message["Subject"] == subject.lstrip(" ")

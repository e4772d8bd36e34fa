"""Hypothesis fuzzing of the received-message reader: no input makes it raise anything
but a mail error, and what it reports agrees with itself and with the composer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postroom.mail import (
    Attachment,
    MailError,
    MessageSpec,
    NameAddr,
    PartNotFoundError,
    PartStructure,
    compose_message,
    parse_address,
    parse_address_list,
    parse_message,
    part_content,
)

FUZZ = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Pieces that steer random messages into the parser's interesting states.
PIECES = st.sampled_from(
    [
        b"\r\n", b"\n", b"\r\n\r\n", b" ", b"\t", b":", b";", b"=", b'"', b"(", b")", b"<", b">",
        b"@", b",", b"--b", b"--b--", b"--c", b"=?", b"?=", b"=?utf-8?q?", b"=?x?b?", b"*0*",
        b"'", b"%C3", b"=C3=A9", b"Content-Type: ", b"multipart/mixed; boundary=b",
        b"multipart/alternative; boundary=c", b"multipart/digest; boundary=b", b"text/plain",
        b"text/html; charset=iso-8859-1", b"message/rfc822", b"Content-Transfer-Encoding: ",
        b"base64", b"quoted-printable", b"Content-Disposition: attachment; filename*=",
        b"From: ", b"To: ", b"Date: ", b"Subject: ", b"References: ", b"In-Reply-To: ",
        b"\xff", b"\xc3\xa9", b"\x00",
    ]
)  # fmt: skip
MIMEISH = st.lists(st.one_of(PIECES, st.binary(max_size=8)), max_size=60).map(b"".join)
PATHS = st.lists(st.integers(min_value=-1, max_value=3), max_size=4)


def leaves(structure: PartStructure, path: tuple[int, ...] = ()) -> Iterator[tuple[int, ...]]:
    yield path
    for index, part in enumerate(structure.parts):
        yield from leaves(part, (*path, index))


def check_reader(data: bytes, path: list[int]) -> None:
    parsed = parse_message(data)
    assert len(parsed.text.encode("utf-8")) <= 1024 * 1024
    # Every part the structure lists can be fetched, at the size it says.
    for part_path in leaves(parsed.structure):
        content = part_content(data, part_path)
        part = parsed.structure
        for index in part_path:
            part = part.parts[index]
        if part.decoded_size or not part.content_type.startswith("multipart/"):
            assert len(content) == part.decoded_size
    try:
        part_content(data, path)
    except PartNotFoundError as exc:
        assert str(exc).startswith(f"part {exc.index} at index {exc.position} ")


@FUZZ
@given(st.binary(max_size=2000), PATHS)
def test_any_octets(data: bytes, path: list[int]) -> None:
    try:
        check_reader(data, path)
    except MailError:
        raise AssertionError("the reader raised for odd input") from None


@FUZZ
@given(MIMEISH, PATHS)
def test_mime_like_octets(data: bytes, path: list[int]) -> None:
    check_reader(data, path)


@FUZZ
@given(st.text(max_size=200))
def test_any_address_header(value: str) -> None:
    for address in parse_address_list(value):
        assert address.address
        if address.parsed is not None:
            assert address.address == str(address.parsed)


TEXT = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1)
PHRASE = st.text(st.characters(blacklist_categories=["Cs", "Cc"]))


@FUZZ
@given(text=TEXT, html=st.text(st.characters(blacklist_categories=["Cs"])), subject=PHRASE)
def test_reads_what_the_composer_writes(text: str, html: str, subject: str) -> None:
    name = subject[:20]
    spec = MessageSpec(
        from_=NameAddr(name=name, address=parse_address("mox@bücher.example")),
        to=[NameAddr(name="", address=parse_address("rcpt@example.org"))],
        subject=subject,
        message_id="<id@example.org>",
        date=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        text=text,
        html=html,
        attached_files=[Attachment(name=name or "f", content_type="", content_id="", data=b"x")],
        user_agent="postroom/0.1.0",
    )
    parsed = parse_message(compose_message(spec, max_size=10**7).data)
    lines = text.replace("\r\n", "\n")
    assert parsed.text == (lines if lines.endswith("\n") else lines + "\n")
    if html:
        html_lines = html.replace("\r\n", "\n")
        assert parsed.html == (html_lines if html_lines.endswith("\n") else html_lines + "\n")
    # Readers drop whitespace before the first word, as after any header colon.
    assert parsed.subject == subject.strip(" ")
    (sender,) = parsed.from_
    # A name written as atoms comes back with its whitespace runs as single spaces.
    assert " ".join(sender.name.split()) == " ".join(name.split())
    assert sender.address == "mox@bücher.example"
    assert parsed.date == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parsed.structure.parts[-1].filename == (name or "f")

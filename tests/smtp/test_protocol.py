"""Odd and malformed input over a raw socket: every line gets a reply, the session lives on."""

from __future__ import annotations

import asyncio
import base64

import pytest

from tests.smtp.conftest import SMTPServer

LOGIN = base64.b64encode(b"\0postroom@localhost\0postroom")


class RawSession:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> RawSession:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        session = cls(reader, writer)
        assert (await session.reply())[0] == 220
        return session

    async def reply(self) -> tuple[int, list[str]]:
        lines = []
        while True:
            line = await asyncio.wait_for(self.reader.readline(), 30)
            assert line, "connection closed"
            lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
            if line[3:4] != b"-":
                return int(line[:3]), lines

    async def send(self, line: bytes) -> tuple[int, list[str]]:
        self.writer.write(line + b"\r\n")
        await self.writer.drain()
        return await self.reply()

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@pytest.mark.parametrize(
    ("setup", "line", "code"),
    [
        ([], b"FOO bar", 500),
        ([], b"\xff\xfe\x00", 500),
        ([], b"HELO", 501),
        ([], b"MAIL FROM:<a@example.org>", 503),  # no EHLO yet
        ([b"EHLO x"], b"MAIL FROM:", 501),
        ([b"EHLO x"], b"MAIL FROM:<<<>", 553),
        ([b"EHLO x"], b"MAIL FROM:<a@[192.0.2.1]>", 501),
        ([b"EHLO x"], b"MAIL FROM:<a\x01b@example.org>", 501),
        ([b"EHLO x"], b"MAIL FROM:<a@example.org> BODY=9BIT", 501),
        ([b"EHLO x"], b"MAIL FROM:<a@example.org> SMTPUTF8=yes", 501),
        ([b"EHLO x"], b"MAIL FROM:<a@example.org> UNKNOWN=1", 555),
        ([b"EHLO x"], b"MAIL FROM:<a@example.org> SIZE=x", 501),
        ([b"EHLO x"], b"RCPT TO:<postroom@localhost>", 503),
        ([b"EHLO x"], b"DATA", 503),
        ([b"EHLO x", b"MAIL FROM:<postroom@localhost>"], b"MAIL FROM:<postroom@localhost>", 503),
        ([b"EHLO x", b"MAIL FROM:<postroom@localhost>"], b"RCPT TO:<postroom@localhost> X=1", 555),
        ([b"EHLO x", b"MAIL FROM:<postroom@localhost>"], b"RCPT TO:<>", 501),
        ([b"EHLO x", b"MAIL FROM:<postroom@localhost>"], b"RCPT TO:<\xc3\xa4@\xff.org>", 501),
        ([b"EHLO x"], b"VRFY postroom@localhost", 252),
        ([b"EHLO x"], b"EXPN list", 502),
        ([b"EHLO x"], b"STARTTLS", 454),  # RFC 3207 §4: no certificate here
        ([b"EHLO x"], b"MAIL FROM:<" + b"a" * 600 + b"@example.org>", 500),
    ],
)
async def test_malformed_commands_are_answered(
    smtp_server: SMTPServer, setup: list[bytes], line: bytes, code: int
) -> None:
    submission = smtp_server.addresses.submission_port
    for port in (smtp_server.addresses.smtp_port, submission):
        session = await RawSession.open(port)
        for earlier in setup:
            assert (await session.send(earlier))[0] == 250
            if port == submission and earlier.startswith(b"EHLO"):
                assert (await session.send(b"AUTH PLAIN " + LOGIN))[0] == 235
        got, lines = await session.send(line)
        assert got == code, (port, lines)
        assert (await session.send(b"NOOP"))[0] == 250
        await session.close()


async def test_very_long_line_in_data_is_refused_after_the_data(smtp_server: SMTPServer) -> None:
    session = await RawSession.open(smtp_server.addresses.smtp_port)
    await session.send(b"EHLO x")
    await session.send(b"MAIL FROM:<a@example.org>")
    await session.send(b"RCPT TO:<postroom@localhost>")
    assert (await session.send(b"DATA"))[0] == 354
    # RFC 5321 §4.5.3.1.6: at most 1000 octets per line.
    session.writer.write(b"Subject: x\r\n\r\n" + b"y" * 5000 + b"\r\n.\r\n")
    code, _ = await session.reply()
    assert code == 500
    assert (await session.send(b"NOOP"))[0] == 250
    await session.close()


async def test_auth_exchange_is_answered_when_aborted_or_garbled(
    smtp_server: SMTPServer,
) -> None:
    session = await RawSession.open(smtp_server.addresses.submission_port)
    await session.send(b"EHLO x")
    assert (await session.send(b"AUTH PLAIN"))[0] == 334
    assert (await session.send(b"*"))[0] == 501  # RFC 4954 §4: the client cancels
    assert (await session.send(b"AUTH LOGIN"))[0] == 334
    assert (await session.send(b"not base64!"))[0] == 501
    assert (await session.send(b"AUTH LOGIN " + base64.b64encode(b"postroom@localhost")))[0] == 334
    assert (await session.send(base64.b64encode(b"postroom")))[0] == 235
    assert (await session.send(b"AUTH PLAIN =="))[0] == 503  # already logged in
    await session.close()


async def test_pipelined_commands_get_replies_in_order(smtp_server: SMTPServer) -> None:
    session = await RawSession.open(smtp_server.addresses.smtp_port)
    await session.send(b"EHLO x")
    session.writer.write(
        b"MAIL FROM:<a@example.org>\r\nRCPT TO:<nobody@localhost>\r\n"
        b"RCPT TO:<postroom@localhost>\r\nDATA\r\n"
    )
    codes = [(await session.reply())[0] for _ in range(4)]
    assert codes == [250, 550, 250, 354]
    session.writer.write(b"Subject: x\r\n\r\nbody\r\n..leading dot\r\n.\r\n")
    assert (await session.reply())[0] == 250
    assert (await session.send(b"QUIT"))[0] == 221
    await session.close()

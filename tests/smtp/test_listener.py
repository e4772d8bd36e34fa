"""Listener life cycle: ports from the runtime, and a stop that lets transactions finish."""

from __future__ import annotations

import asyncio

import aiosmtplib
import pytest

from postroom.config import Config
from postroom.localserve.command import banner
from postroom.server import RuntimeAddresses
from postroom.server.http import bind_tcp
from postroom.smtp import incoming_listener, plaintext_auth_allowed
from tests.smtp.conftest import SMTPServer
from tests.smtp.helpers import connect, message, stored


async def test_runtime_reports_the_ports_it_got(smtp_server: SMTPServer) -> None:
    addresses = smtp_server.addresses
    ports = {addresses.http_port, addresses.smtp_port, addresses.submission_port}
    assert len(ports) == 3 and 0 not in ports
    assert addresses.smtp_address == f"127.0.0.1:{addresses.smtp_port}"
    for port in (addresses.smtp_port, addresses.submission_port):
        client = await connect(port)
        await client.quit()


def test_banner_names_smtp_and_submission() -> None:
    addresses = RuntimeAddresses(
        http_host="127.0.0.1",
        http_port=1080,
        smtp_host="::1",
        smtp_port=1025,
        submission_port=1587,
    )
    text = banner(Config(), addresses)
    assert (
        "  webapi          http://127.0.0.1:1080/webapi/v0/\n"
        "  smtp            [::1]:1025\n"
        "  submission      [::1]:1587\n"
        "  login           postroom@localhost\n"
    ) in text


@pytest.mark.parametrize(
    ("listen", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.1", False),
        ("localhost", False),
    ],
)
def test_plaintext_auth_only_on_loopback(listen: str, allowed: bool) -> None:
    assert plaintext_auth_allowed(listen) is allowed


async def test_stop_finishes_open_transactions_and_closes_idle_sessions(
    smtp_server: SMTPServer,
) -> None:
    listener = incoming_listener(smtp_server.services, bind_tcp("127.0.0.1", 0))
    await listener.start()
    idle = await connect(listener.port)
    busy = await connect(listener.port)
    await busy.mail("a@example.org")
    await busy.rcpt("postroom@localhost")

    stopping = asyncio.create_task(listener.stop(timeout_seconds=30))
    # stop() closes the socket and idle sessions before it first waits.
    await asyncio.sleep(0)
    assert listener.stopping
    response = await idle.execute_command(b"NOOP")
    assert (response.code, response.message) == (
        421,
        "4.3.2 service shutting down, try again later",
    )
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await connect(listener.port)

    # The open transaction completes, and its reply means committed.
    response = await busy.data(message())
    assert response.code == 250
    await asyncio.wait_for(stopping, 30)
    assert listener.session_count == 0
    assert len(await stored()) == 1


async def test_stop_cuts_off_what_does_not_finish(smtp_server: SMTPServer) -> None:
    listener = incoming_listener(smtp_server.services, bind_tcp("127.0.0.1", 0))
    await listener.start()
    stuck = await connect(listener.port)
    await stuck.mail("a@example.org")
    await listener.stop(timeout_seconds=0.05)
    assert listener.session_count == 0
    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await stuck.rcpt("postroom@localhost")

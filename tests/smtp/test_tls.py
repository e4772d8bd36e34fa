"""TLS with a generated certificate: STARTTLS, implicit TLS, and AUTH only when encrypted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import pytest

from postroom.config import ConfigError
from postroom.server import Runtime
from postroom.server.http import bind_tcp
from postroom.smtp import Listener, submission_listener
from tests.conftest import make_config
from tests.smtp.conftest import Certificates, SMTPServer
from tests.smtp.helpers import command, connect, message, queued, stored

LOGIN = ("postroom@localhost", "postroom")


async def started(listener: Listener) -> AsyncIterator[Listener]:
    await listener.start()
    try:
        yield listener
    finally:
        await listener.stop()


@pytest.fixture
async def remote_submission(tls_server: SMTPServer) -> AsyncIterator[Listener]:
    """A submission listener as the runtime builds one on a non-loopback address."""
    sock = bind_tcp("127.0.0.1", 0)
    listener = submission_listener(tls_server.services, sock, plaintext_auth=False)
    async for running in started(listener):
        yield running


@pytest.fixture
async def remote_submission_without_tls(smtp_server: SMTPServer) -> AsyncIterator[Listener]:
    sock = bind_tcp("127.0.0.1", 0)
    listener = submission_listener(smtp_server.services, sock, plaintext_auth=False)
    async for running in started(listener):
        yield running


async def test_auth_only_after_starttls_on_a_non_loopback_listener(
    remote_submission: Listener, certificates: Certificates
) -> None:
    client = await connect(
        remote_submission.port, tls_context=certificates.client_context, hostname="localhost"
    )
    assert client.supports_extension("starttls")
    assert not client.supports_extension("auth")
    assert (await command(client, b"AUTH PLAIN AHBvc3Ryb29tQGxvY2FsaG9zdABwb3N0cm9vbQ=="))[0] == 538
    assert (await command(client, b"MAIL FROM:<postroom@localhost>"))[0] == 530
    await client.starttls()
    await client.ehlo()  # RFC 3207 §4.2: the server forgets everything said before
    assert client.supports_extension("auth")
    assert not client.supports_extension("starttls")
    await client.login(*LOGIN)
    errors, _ = await client.sendmail("postroom@localhost", ["a@example.org"], message())
    await client.quit()
    assert errors == {}
    [row] = await queued()
    assert b" with ESMTPSA id " in bytes(row.msg_prefix)


async def test_no_auth_at_all_without_tls_on_a_non_loopback_listener(
    remote_submission_without_tls: Listener,
) -> None:
    client = await connect(remote_submission_without_tls.port)
    assert not client.supports_extension("auth")
    assert not client.supports_extension("starttls")
    with pytest.raises(aiosmtplib.SMTPException):
        await client.login(*LOGIN)
    assert (await command(client, b"AUTH LOGIN"))[0] == 538
    assert (await command(client, b"MAIL FROM:<postroom@localhost>"))[0] == 530
    await client.quit()
    assert await queued() == []


async def test_implicit_tls_submission(tls_server: SMTPServer, certificates: Certificates) -> None:
    port = tls_server.addresses.submissions_port
    assert port not in (0, tls_server.addresses.submission_port)
    client = await connect(
        port, tls_context=certificates.client_context, use_tls=True, hostname="localhost"
    )
    # Already encrypted: AUTH at once, no STARTTLS.
    assert client.supports_extension("auth")
    assert not client.supports_extension("starttls")
    await client.login(*LOGIN)
    await client.sendmail("postroom@localhost", ["a@example.org"], message())
    await client.quit()
    [row] = await queued()
    assert b" with ESMTPSA id " in bytes(row.msg_prefix)


async def test_incoming_starttls(tls_server: SMTPServer, certificates: Certificates) -> None:
    client = await connect(
        tls_server.addresses.smtp_port,
        tls_context=certificates.client_context,
        hostname="localhost",
    )
    await client.starttls()
    assert not client.supports_extension("auth")
    await client.sendmail("a@example.org", ["postroom@localhost"], message())
    await client.quit()
    [row] = await stored()
    assert b" with ESMTPS id " in bytes(row.prefix)


async def test_no_submissions_listener_without_certificate(smtp_server: SMTPServer) -> None:
    assert smtp_server.addresses.submissions_port == 0


def test_certificate_and_key_go_together(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"smtp\.tls_cert_file and smtp\.tls_key_file"):
        make_config("sqlite://x", tmp_path, **{"smtp.tls_cert_file": "cert.pem"})


async def test_unreadable_certificate_stops_start_up(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("not a certificate")
    config = make_config(
        database_url,
        tmp_path,
        **{
            "smtp.tls_cert_file": str(tmp_path / "cert.pem"),
            "smtp.tls_key_file": str(tmp_path / "cert.pem"),
        },
    )
    runtime = Runtime(config)
    with pytest.raises(ConfigError, match=r"smtp\.tls_cert_file, smtp\.tls_key_file: cannot load"):
        await runtime.start()

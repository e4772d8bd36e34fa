"""A running Postroom with its SMTP listeners on free loopback ports, with or without a
certificate (from a per-session trustme CA)."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme

from postroom.config import Config
from postroom.localserve import DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.localserve.bootstrap import seed_database
from postroom.server import Runtime, RuntimeAddresses
from postroom.smtp import SMTPServices
from tests.conftest import make_config

MAX_MESSAGE_BYTES = 200_000
"""Small, so that the size limit is tested without sending 100 MiB."""


@dataclass(frozen=True, slots=True)
class SMTPServer:
    runtime: Runtime
    config: Config
    addresses: RuntimeAddresses

    @property
    def services(self) -> SMTPServices:
        assert self.runtime.smtp is not None
        return self.runtime.smtp

    def http(
        self, login: str = DEFAULT_LOGIN, password: str = DEFAULT_PASSWORD
    ) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.addresses.http_url, auth=(login, password))


@dataclass(frozen=True, slots=True)
class Certificates:
    cert_file: Path
    key_file: Path
    client_context: ssl.SSLContext
    """Trusts the CA that issued the server certificate (for localhost and 127.0.0.1)."""


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    ca = trustme.CA()
    server_cert = ca.issue_cert("localhost", "127.0.0.1")
    directory = tmp_path_factory.mktemp("tls")
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    server_cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    server_cert.private_key_pem.write_to_path(str(key_file))
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    return Certificates(cert_file=cert_file, key_file=key_file, client_context=client_context)


async def _start(config: Config) -> tuple[Runtime, RuntimeAddresses]:
    runtime = Runtime(config, prepare=seed_database)
    return runtime, await runtime.start()


@pytest.fixture
async def smtp_server(database_url: str, tmp_path: Path) -> AsyncIterator[SMTPServer]:
    """Postroom with localserve's account postroom@localhost, without TLS."""
    config = make_config(database_url, tmp_path, **{"smtp.max_message_bytes": MAX_MESSAGE_BYTES})
    runtime, addresses = await _start(config)
    try:
        yield SMTPServer(runtime=runtime, config=config, addresses=addresses)
    finally:
        await runtime.stop()


@pytest.fixture
async def tls_server(
    database_url: str, tmp_path: Path, certificates: Certificates
) -> AsyncIterator[SMTPServer]:
    """As `smtp_server`, with a certificate: STARTTLS, and implicit TLS on its own port."""
    config = make_config(
        database_url,
        tmp_path,
        **{
            "smtp.tls_cert_file": str(certificates.cert_file),
            "smtp.tls_key_file": str(certificates.key_file),
            "smtp.submissions_port": 0,
            "smtp.max_message_bytes": MAX_MESSAGE_BYTES,
        },
    )
    runtime, addresses = await _start(config)
    try:
        yield SMTPServer(runtime=runtime, config=config, addresses=addresses)
    finally:
        await runtime.stop()

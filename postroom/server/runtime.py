"""A running Postroom process: the database, the group-commit writer, the HTTP server and
the SMTP listeners.

Start-up order is bottom-up and shutdown top-down: the SMTP listeners and then the HTTP
server stop accepting and finish in-flight transactions and requests first, then the
writer commits what it holds, then the database closes. So an accepted (answered) Send
or SMTP message is always committed.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from postroom import __version__
from postroom.auth import FailedLoginLimiter, LoginVerifier
from postroom.clock import Clock, SystemClock
from postroom.config import Config, ConfigError
from postroom.server.app import build_app
from postroom.server.http import HTTPServer, bind_tcp
from postroom.smtp import (
    Listener,
    SMTPServices,
    incoming_listener,
    load_tls_context,
    plaintext_auth_allowed,
    submission_listener,
)
from postroom.store.db import Database, open_database
from postroom.store.groupcommit import GroupCommitter
from postroom.webapi import WebapiServices

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeAddresses:
    """Where the started services listen (with real port numbers when 0 was asked for)."""

    http_host: str
    http_port: int
    smtp_host: str
    """Address the SMTP listeners are bound to."""
    smtp_port: int
    """Incoming SMTP."""
    submission_port: int
    submissions_port: int = 0
    """Submission with implicit TLS; 0 when no certificate is configured (not served)."""

    @property
    def http_url(self) -> str:
        return f"http://{_host_port(self.http_host, self.http_port)}"

    @property
    def smtp_address(self) -> str:
        """`host:port` of incoming SMTP."""
        return _host_port(self.smtp_host, self.smtp_port)

    @property
    def submission_address(self) -> str:
        return _host_port(self.smtp_host, self.submission_port)


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Runtime:
    """Starts and stops one process's services. `prepare` runs once the database is open."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        prepare: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        self._prepare = prepare
        self._stack = contextlib.AsyncExitStack()
        self.database: Database | None = None
        self.webapi: WebapiServices | None = None
        self.smtp: SMTPServices | None = None

    async def start(self) -> RuntimeAddresses:
        try:
            return await self._start()
        except BaseException:
            await self._stack.aclose()
            raise

    async def _start(self) -> RuntimeAddresses:
        config = self.config
        tls_context = load_tls_context(config.smtp)
        self.database = await self._stack.enter_async_context(
            open_database(config.effective_database_url())
        )
        if self._prepare is not None:
            await self._prepare()
        committer = GroupCommitter(self.database)
        committer.start()
        self._stack.push_async_callback(committer.stop)
        services = self.webapi = WebapiServices(
            config=config,
            clock=self.clock,
            committer=committer,
            verifier=LoginVerifier(FailedLoginLimiter(self.clock), self.database.reader),
            reader=self.database.reader,
            user_agent=f"postroom/{__version__}",
        )
        sock = bind_tcp(config.http.listen, config.http.port)
        http = HTTPServer(build_app(services), sock)
        await http.start()
        self._stack.push_async_callback(http.stop)
        # Started after HTTP and so stopped before it: the exit stack unwinds in reverse.
        smtp = self.smtp = SMTPServices(
            config=config,
            clock=self.clock,
            committer=committer,
            verifier=services.verifier,
            reader=self.database.reader,
            tls_context=tls_context,
        )
        listen = config.smtp.listen
        incoming = await self._serve(
            incoming_listener(smtp, _bind("smtp.port", listen, config.smtp.port))
        )
        submission = await self._serve(
            submission_listener(
                smtp,
                _bind("smtp.submission_port", listen, config.smtp.submission_port),
                plaintext_auth=plaintext_auth_allowed(listen),
            )
        )
        submissions_port = 0
        if tls_context is not None:
            sock = _bind("smtp.submissions_port", listen, config.smtp.submissions_port)
            submissions = submission_listener(smtp, sock, plaintext_auth=False, implicit_tls=True)
            submissions_port = (await self._serve(submissions)).port
        return RuntimeAddresses(
            http_host=config.http.listen,
            http_port=http.port,
            smtp_host=listen,
            smtp_port=incoming.port,
            submission_port=submission.port,
            submissions_port=submissions_port,
        )

    async def _serve(self, listener: Listener) -> Listener:
        await listener.start()
        self._stack.push_async_callback(listener.stop)
        return listener

    async def stop(self) -> None:
        await self._stack.aclose()


def _bind(key: str, host: str, port: int) -> socket.socket:
    try:
        return bind_tcp(host, port)
    except OSError as exc:
        raise ConfigError(f"{key}: cannot listen on {host}:{port}: {exc.strerror}") from exc

"""A running Postroom process: the database, the group-commit writer, the HTTP server and
the SMTP listeners.

Start-up order is bottom-up and shutdown top-down: the SMTP listeners and then the HTTP
server stop accepting and finish in-flight transactions and requests first, then the
writer commits what it holds, then the database closes. So an accepted (answered) Send
or SMTP message is always committed.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from postroom import __version__
from postroom.admin import AdminServices, create_admin_routes
from postroom.auth import FailedLoginLimiter, LoginVerifier
from postroom.clock import Clock, SystemClock
from postroom.config import Config, ConfigError
from postroom.hooks import AddressPolicy, HookRunner, HookRunnerSettings, HTTPSender, Sender
from postroom.queue.outbound import OutboundTransport
from postroom.queue.relay import SMTPRelayTransport
from postroom.queue.runner import QueueRunner, RunnerSettings
from postroom.queue.transport import Transport
from postroom.resolver import DNSResolver, Resolver
from postroom.server.app import build_app
from postroom.server.cleanup import PeriodicCleanup
from postroom.server.http import HTTPServer, bind_tcp
from postroom.server.process import ChildProcess, ParentLink
from postroom.smtp import (
    IncomingPolicy,
    Listener,
    SMTPServices,
    incoming_listener,
    load_tls_context,
    plaintext_auth_allowed,
    submission_listener,
)
from postroom.store.db import Database, open_database
from postroom.store.groupcommit import GroupCommitter
from postroom.store.reader import Reader
from postroom.webapi import WebapiServices

log = logging.getLogger(__name__)


class Role(enum.StrEnum):
    """What a process serves (`postroom serve --role`); a process may have several."""

    API = "api"
    """HTTP: the webapi, the admin and account APIs and pages."""
    SMTP = "smtp"
    """The SMTP listeners: incoming, submission, submissions."""
    WORKER = "worker"
    """Delivering the queue, sending webhooks, cleanup."""


ALL_ROLES = frozenset(Role)

SMTPProcessCommand = Callable[[str], Sequence[str]]
"""argv of a child process serving the SMTP role, given where its inherited descriptors
are (`server.process`)."""


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
        transport: Callable[[RuntimeAddresses], Transport] | None = None,
        incoming_policy: Callable[[Reader], IncomingPolicy] | None = None,
        run_queue: bool = True,
        hook_sender: Sender | None = None,
        hook_settings: HookRunnerSettings | None = None,
        hook_resolver: Resolver | None = None,
        run_hooks: bool = True,
        roles: frozenset[Role] = ALL_ROLES,
        smtp_process: SMTPProcessCommand | None = None,
        smtp_sockets: Mapping[str, socket.socket] | None = None,
        parent: ParentLink | None = None,
    ) -> None:
        """`transport` builds the delivery transport once the listeners are bound (None:
        the configured relay host, or no delivery); `incoming_policy` replaces whom the
        incoming listener takes mail for; `run_queue=False` leaves delivering to the
        caller (tests drive `queue_runner.run_once()` with a manual clock). Likewise
        `hook_sender` replaces the HTTP client that posts webhooks, `hook_settings` the
        webhook runner's limits and timeouts, `hook_resolver` the DNS it resolves
        receivers' names with, and `run_hooks=False` leaves sending
        webhooks to the caller (`hook_runner.run_once()`)."""
        self.config = config
        self.clock = clock or SystemClock()
        self._prepare = prepare
        self._transport = transport
        self._incoming_policy = incoming_policy
        self._run_queue = run_queue
        self._hook_sender = hook_sender
        self._hook_resolver = hook_resolver
        webhooks = config.webhooks
        self._hook_settings = hook_settings or HookRunnerSettings(
            max_concurrent=webhooks.max_concurrent,
            per_url=webhooks.per_url,
            timeout=timedelta(seconds=webhooks.timeout_seconds),
            # The lease outlives the longest attempt (the HTTP timeout), with room to
            # record the outcome.
            lease=timedelta(seconds=max(120, 4 * webhooks.timeout_seconds)),
        )
        self._run_hooks = run_hooks and webhooks.enabled
        self.roles = roles
        self._smtp_process = smtp_process
        self._smtp_sockets = smtp_sockets
        self._parent = parent
        self.smtp_child: ChildProcess | None = None
        """The child process serving SMTP, with `smtp_process`."""
        self.queue_runner: QueueRunner | None = None
        self.hook_runner: HookRunner | None = None
        self._stack = contextlib.AsyncExitStack()
        self.database: Database | None = None
        self.webapi: WebapiServices | None = None
        self.admin: AdminServices | None = None
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
            queued=self._queued,
        )
        self.admin = AdminServices(
            config=config,
            clock=self.clock,
            committer=committer,
            reader=self.database.reader,
            dialect=self.database.dialect.value,
            verifier=services.verifier,
            queued=self._queued,
            hooks_queued=self._hooks_queued,
        )
        http_port = 0
        if Role.API in self.roles:
            sock = bind_tcp(config.http.listen, config.http.port)
            app = build_app(services)
            # The admin and account APIs are served next to the webapi, on the same port.
            app.router.routes.extend(create_admin_routes(self.admin))
            http = HTTPServer(app, sock, max_header_bytes=config.http.max_header_bytes)
            await http.start()
            self._stack.push_async_callback(http.stop)
            http_port = http.port
        # Started after HTTP and so stopped before it: the exit stack unwinds in reverse.
        smtp = self.smtp = SMTPServices(
            config=config,
            clock=self.clock,
            # A child process leaves writing to its parent (`server.process`).
            committer=self._parent or committer,
            verifier=services.verifier,
            reader=self.database.reader,
            tls_context=tls_context,
            queued=self._queued,
            hooks_queued=self._hooks_queued,
            incoming_policy=(
                self._incoming_policy(self.database.reader) if self._incoming_policy else None
            ),
        )
        ports = await self._start_smtp(smtp, committer) if Role.SMTP in self.roles else {}
        addresses = RuntimeAddresses(
            http_host=config.http.listen,
            http_port=http_port,
            smtp_host=config.smtp.listen,
            smtp_port=ports.get("incoming", 0),
            submission_port=ports.get("submission", 0),
            submissions_port=ports.get("submissions", 0),
        )
        if Role.WORKER in self.roles:
            self._start_workers(committer, addresses)
        return addresses

    async def _start_smtp(self, smtp: SMTPServices, committer: GroupCommitter) -> dict[str, int]:
        """Serve SMTP here or in the child process; return the listeners' ports by name."""
        sockets = dict(self._smtp_sockets or self._bind_smtp())
        if self._smtp_process is not None:
            # Kept open here after the child stopped: a restarted child serves them again.
            self._stack.callback(_close_all, list(sockets.values()))
            child = self.smtp_child = ChildProcess(
                "smtp",
                self._smtp_process,
                sockets,
                committer=committer,
                queued=self._queued,
                hooks_queued=self._hooks_queued,
            )
            await child.start()
            self._stack.push_async_callback(child.stop)
            return {name: sock.getsockname()[1] for name, sock in sockets.items()}
        plaintext_auth = plaintext_auth_allowed(self.config.smtp.listen)
        listeners = [incoming_listener(smtp, sockets.pop("incoming"))]
        listeners.append(
            submission_listener(smtp, sockets.pop("submission"), plaintext_auth=plaintext_auth)
        )
        if "submissions" in sockets:
            listeners.append(
                submission_listener(
                    smtp, sockets.pop("submissions"), plaintext_auth=False, implicit_tls=True
                )
            )
        if sockets:
            raise ValueError(f"unknown SMTP listeners {sorted(sockets)}")
        for listener in listeners:
            await self._serve(listener)
        return {listener.name: listener.port for listener in listeners}

    def _bind_smtp(self) -> dict[str, socket.socket]:
        smtp = self.config.smtp
        sockets = {
            "incoming": _bind("smtp.port", smtp.listen, smtp.port),
            "submission": _bind("smtp.submission_port", smtp.listen, smtp.submission_port),
        }
        if smtp.tls_cert_file:
            sockets["submissions"] = _bind(
                "smtp.submissions_port", smtp.listen, smtp.submissions_port
            )
        return sockets

    def _start_workers(self, committer: GroupCommitter, addresses: RuntimeAddresses) -> None:
        assert self.database is not None
        config = self.config
        # Webhooks start before delivery and stop after it, so the events of the last
        # deliveries still find a running hook runner (what it does not send is sent
        # after the next start: hooks and outbox events are in the database).
        self._start_hooks(committer, self.database.reader)
        # Delivery starts last and stops first, while the listeners it may deliver to
        # (localserve's own) are still up.
        transport = self._delivery_transport(addresses)
        if transport is not None:
            runner = self.queue_runner = QueueRunner(
                committer,
                self.database.reader,
                transport,
                self.clock,
                RunnerSettings(
                    hostname=config.hostname,
                    max_deliveries=config.delivery.max_concurrent,
                    per_domain=config.delivery.per_domain,
                    lease=timedelta(seconds=config.delivery.lease_seconds),
                ),
            )
            if isinstance(transport, SMTPRelayTransport):
                self._stack.push_async_callback(transport.close)
            if self._run_queue:
                runner.start()
                self._stack.push_async_callback(runner.stop)
        else:
            log.warning("no delivery transport configured: queued messages stay queued")
        cleanup = PeriodicCleanup(committer, self.clock)
        cleanup.start()
        self._stack.push_async_callback(cleanup.stop)

    def _start_hooks(self, committer: GroupCommitter, reader: Reader) -> None:
        sender = self._hook_sender
        if sender is None:
            http_sender = HTTPSender(
                user_agent=f"postroom/{__version__} (webhook)",
                timeout_seconds=self._hook_settings.timeout.total_seconds(),
                resolver=self._hook_resolver
                or DNSResolver(timeout_seconds=self.config.delivery.dns_timeout_seconds),
                policy=AddressPolicy.of(self.config.webhooks),
                max_connections=self._hook_settings.max_concurrent,
            )
            self._stack.push_async_callback(http_sender.close)
            sender = http_sender
        runner = self.hook_runner = HookRunner(
            committer, reader, sender, self.clock, self._hook_settings
        )
        if self._run_hooks:
            runner.start()
            self._stack.push_async_callback(runner.stop)

    def _hooks_queued(self) -> None:
        if self.hook_runner is not None:
            self.hook_runner.wake()
        if self._parent is not None:
            self._parent.hooks_queued()

    def _delivery_transport(self, addresses: RuntimeAddresses) -> Transport | None:
        if self._transport is not None:
            return self._transport(addresses)
        if not self.config.delivery.enabled:
            return None
        outbound = OutboundTransport(
            self.config,
            self.clock,
            resolver=DNSResolver(timeout_seconds=self.config.delivery.dns_timeout_seconds),
        )
        self._stack.push_async_callback(outbound.close)
        return outbound

    def _queued(self) -> None:
        if self.queue_runner is not None:
            self.queue_runner.wake()
        if self._parent is not None:
            self._parent.queued()

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


def _close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()

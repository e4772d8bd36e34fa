"""The outbound stack a server delivers through, built from the configuration:
DKIM signing, then routing to a transport: direct MX delivery (the default), the
legacy `delivery.relay_host`, or a named smarthost or drop transport.
"""

from __future__ import annotations

import random
import ssl
from pathlib import Path

from postroom.clock import Clock
from postroom.config import Config, TransportConfig
from postroom.queue.direct import SMTP_PORT, DirectTransport
from postroom.queue.dkim import DKIMSigningTransport
from postroom.queue.dkimkeys import DKIMKeyStore
from postroom.queue.relay import SMTPRelayTransport
from postroom.queue.routes import DropTransport, RoutingTransport
from postroom.queue.session import SessionSettings, SMTPTimeouts, TLSMode
from postroom.queue.transport import Delivery, RecipientOutcome, Transport
from postroom.resolver import Resolver

DKIM_DIRECTORY = "dkim"
"""Under the data directory: one folder of key files per domain (`queue.dkimkeys`)."""


def dkim_keys(config: Config) -> DKIMKeyStore:
    return DKIMKeyStore(Path(config.data_dir) / DKIM_DIRECTORY)


def session_settings(config: Config, verify_context: ssl.SSLContext | None) -> SessionSettings:
    delivery = config.delivery
    return SessionSettings(
        local_hostname=config.hostname,
        timeouts=SMTPTimeouts(
            greeting_seconds=delivery.greeting_timeout_seconds,
            command_seconds=delivery.command_timeout_seconds,
            data_seconds=delivery.data_timeout_seconds,
        ),
        verify_context=verify_context,
    )


class OutboundTransport:
    """Signs, routes and delivers; `close` ends the connections kept for reuse."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        *,
        resolver: Resolver,
        verify_context: ssl.SSLContext | None = None,
        direct_port: int = SMTP_PORT,
        sign: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        """`verify_context` replaces the system's trust anchors; `direct_port` other
        than 25 and `sign=False` are for tests and benchmarks."""
        settings = session_settings(config, verify_context)
        self.direct = DirectTransport(
            resolver,
            settings,
            monotonic=clock.monotonic,
            port=direct_port,
            idle_seconds=config.delivery.idle_connection_seconds,
            rng=rng,
        )
        # A smarthost's connections are kept for the next message: as many as can be busy.
        self._max_idle = config.delivery.max_concurrent
        self._relays: list[SMTPRelayTransport] = []
        named: dict[str, Transport] = {"direct": self.direct}
        for name, transport in config.transports.items():
            named[name] = self._named(transport, settings)
        default: Transport = self.direct
        if config.delivery.relay_host:
            relay = SMTPRelayTransport(
                config.delivery.relay_host,
                config.delivery.relay_port,
                local_hostname=config.hostname,
                settings=settings,
                enforce_require_tls=True,
                max_idle=self._max_idle,
            )
            self._relays.append(relay)
            default = relay
        routing = RoutingTransport(named, config.routes, default)
        self._transport: Transport = (
            DKIMSigningTransport(routing, dkim_keys(config), clock) if sign else routing
        )

    def _named(self, transport: TransportConfig, settings: SessionSettings) -> Transport:
        if transport.kind == "drop":
            return DropTransport()
        if transport.kind == "direct":
            return self.direct
        relay = SMTPRelayTransport(
            transport.host,
            transport.effective_port,
            local_hostname=settings.local_hostname,
            tls=TLSMode(transport.tls),
            username=transport.username,
            password=transport.read_password(),
            settings=settings,
            enforce_require_tls=True,
            max_idle=self._max_idle,
        )
        self._relays.append(relay)
        return relay

    async def deliver(self, delivery: Delivery) -> list[RecipientOutcome]:
        return await self._transport.deliver(delivery)

    async def close(self) -> None:
        await self.direct.close()
        for relay in self._relays:
            await relay.close()

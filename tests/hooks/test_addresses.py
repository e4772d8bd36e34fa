"""Webhook URLs may not reach link-local, multicast, unspecified or cloud metadata
addresses, nor loopback and private ones unless allowed: refused when set (over HTTP)
and again when connecting, after DNS resolution (DNS rebinding)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from postroom.clock import ManualClock
from postroom.config import Config
from postroom.hooks import AddressPolicy, WebhookSettings, configure_webhooks
from postroom.localserve import DEFAULT_ACCOUNT
from postroom.localserve.bootstrap import seed_database
from postroom.queue import operations
from postroom.queue.filters import QueueFilter
from postroom.resolver import Resolver, StaticResolver
from postroom.server import Runtime
from postroom.store.webhook import Webhook
from tests.admin.helpers import admin_client, call, enable_admin, fail
from tests.conftest import RunningServer, make_config, running_server
from tests.hooks.conftest import START, Hooked, receiver
from tests.hooks.receiver import Receiver

__all__ = ["receiver"]  # a fixture, used by name

ALWAYS_REFUSED = {
    "http://169.254.169.254/latest/meta-data/": "a cloud metadata address",
    "http://[fd00:ec2::254]/": "a cloud metadata address",
    "http://100.100.100.200/": "a cloud metadata address",
    "http://169.254.1.1/": "a link-local address",
    "http://[fe80::1]/": "a link-local address",
    "http://224.0.0.1/": "a multicast address",
    "http://[ff02::1]/": "a multicast address",
    "http://0.0.0.0:1080/": "an unspecified address",
    "http://[::]/": "an unspecified address",
    "http://[::ffff:169.254.169.254]/": "a cloud metadata address",
}
PRIVATE = [
    "http://127.0.0.1:1080/admin/api/v0/AccountCreate",
    "http://[::1]:22/",
    "http://localhost:8080/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fd12:3456::1]/",
]
PRIVATE_REFUSAL = "a loopback or private address (see webhooks.allow_private_addresses)"


@pytest.fixture
async def strict_server(database_url: str, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """A server as `serve` runs by default: private webhook addresses refused."""
    overrides = {"webhooks.allow_private_addresses": False}
    async with running_server(database_url, tmp_path, **overrides) as server:
        yield server


async def test_refused_when_set_by_default(strict_server: RunningServer) -> None:
    server = strict_server
    await enable_admin(server)
    refused = {**ALWAYS_REFUSED, **{url: PRIVATE_REFUSAL for url in PRIVATE}}
    async with admin_client(server) as admin:
        for url, reason in refused.items():
            for field in ("OutgoingURL", "IncomingURL"):
                request = {"Name": DEFAULT_ACCOUNT, field: url}
                message = await fail(admin, "AccountWebhooksSet", request, "user")
                assert message == f"webhook URL {url!r} is refused: its host is {reason}"
        ok = await call(
            admin,
            "AccountWebhooksSet",
            {"Name": DEFAULT_ACCOUNT, "OutgoingURL": "https://hooks.example/x"},
        )
        assert ok["Account"]["Webhooks"]["OutgoingURL"] == "https://hooks.example/x"
    # The account API (an account setting its own webhooks) refuses the same.
    async with server.client() as account:
        request = {"OutgoingURL": "http://169.254.169.254/"}
        await fail(account, "WebhooksSet", request, "user", api="account")


async def test_private_addresses_allowed_by_the_setting(server: RunningServer) -> None:
    # tests.conftest.make_config turns the setting on, as localserve does.
    await enable_admin(server)
    async with admin_client(server) as admin:
        for url in PRIVATE:
            await call(admin, "AccountWebhooksSet", {"Name": DEFAULT_ACCOUNT, "OutgoingURL": url})
        for url in ALWAYS_REFUSED:
            request = {"Name": DEFAULT_ACCOUNT, "OutgoingURL": url}
            await fail(admin, "AccountWebhooksSet", request, "user")


@pytest.mark.parametrize(
    ("address", "reason"),
    [("127.0.0.1", PRIVATE_REFUSAL), ("169.254.169.254", "a cloud metadata address")],
)
async def test_refused_when_connecting_after_resolution(
    database_url: str, tmp_path: Path, address: str, reason: str
) -> None:
    # The name looked harmless when set; at sending time it resolves to a refused
    # address (DNS rebinding). No connection is made; the attempt fails like others.
    connections: list[int] = []

    async def count(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        writer.close()

    listener = await asyncio.start_server(count, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    resolver = StaticResolver(a={"hooks.example": [address]})
    config = make_config(database_url, tmp_path, **{"webhooks.allow_private_addresses": False})
    try:
        async with _resolving(config, resolver, Receiver()) as hooked:
            clock = hooked.clock
            url = f"http://hooks.example:{port}/out"
            await configure_webhooks(
                hooked.committer,
                DEFAULT_ACCOUNT,
                WebhookSettings(outgoing_url=url),
                policy=AddressPolicy(allow_private=False),
            )
            await hooked.send("someone@example.com")
            # Dropping the message emits `canceled`: one hook, no delivery needed.
            assert await operations.drop(hooked.committer, QueueFilter(), clock.now()) == 1
            assert await hooked.hooks.run_once() == 1
            (hook,) = await Webhook.all()
            (result,) = hook.results
            assert result["Code"] == 0
            assert f"refused: hooks.example resolves to {address}, {reason}" in str(result["Error"])
            # Retried later like any failed attempt.
            assert hook.attempts == 1 and hook.next_attempt > clock.now()
            assert ("A", "hooks.example") in resolver.queries
    finally:
        listener.close()
        await listener.wait_closed()
    assert connections == []


async def test_allowed_private_address_is_connected_to_after_resolution(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    # The control for the test above: the same name through the same resolver seam
    # reaches the loopback receiver when private addresses are allowed.
    port = receiver.url.rsplit(":", 1)[1]
    resolver = StaticResolver(a={"hooks.example": ["127.0.0.1"]})
    config = make_config(database_url, tmp_path)
    async with _resolving(config, resolver, receiver) as hooked:
        clock = hooked.clock
        await hooked.configure(outgoing_url=f"http://hooks.example:{port}/out")
        await hooked.send("someone@example.com")
        assert await operations.drop(hooked.committer, QueueFilter(), clock.now()) == 1
        assert await hooked.hooks.run_once() == 1
        assert len(receiver.on("/out")) == 1
        assert receiver.on("/out")[0].headers["host"] == f"hooks.example:{port}"


@asynccontextmanager
async def _resolving(
    config: Config, resolver: Resolver, receiver: Receiver
) -> AsyncIterator[Hooked]:
    """A runtime whose webhook sender resolves names through `resolver`; both runners
    are driven by the test."""
    clock = ManualClock(START)
    runtime = Runtime(
        config,
        clock=clock,
        prepare=seed_database,
        run_queue=False,
        run_hooks=False,
        hook_resolver=resolver,
    )
    addresses = await runtime.start()
    try:
        yield Hooked(runtime, addresses, clock, receiver)
    finally:
        await runtime.stop()

"""Routes and transports: smarthosts with STARTTLS and AUTH, the drop transport, the
queue's change-transport operation, fallback routes after failed attempts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from postroom.config import ConfigError, load_config
from postroom.queue import operations
from postroom.queue.filters import QueueFilter
from postroom.store.db import Database
from postroom.store.outgoing import QueueMessage, RetiredMessage
from tests.delivery.harness import (
    TIMEOUTS,
    Certificates,
    DeliveryHarness,
    delivery_harness,
    events,
)
from tests.delivery.mta import MTA, Behaviour, Fleet


def _toml(port: int, password_file: Path) -> str:
    return f"""
hostname = "postroom.sender.test"
[transports.relay]
host = "127.0.0.2"
port = {port}
username = "postroom"
password_file = "{password_file}"
[transports.sink]
kind = "drop"
[transports.fallback]
host = "127.0.0.3"
port = {port}
tls = "none"
[[routes]]
recipient_domain = ".relayed.test"
transport = "relay"
[[routes]]
account = "someone-else"
transport = "sink"
[[routes]]
recipient_domain = "flaky.test"
minimum_attempts = 1
transport = "fallback"
"""


@pytest.fixture
async def routed(
    database: Database, mtas: Fleet, tmp_path: Path, certs: Certificates
) -> AsyncIterator[tuple[DeliveryHarness, MTA, MTA]]:
    relay = await mtas.add(Behaviour(tls=certs.server("127.0.0.2"), logins={"postroom": "s3cret"}))
    fallback = await mtas.add()
    secret = tmp_path / "relay-password"
    secret.write_text("s3cret\n")
    path = tmp_path / "postroom.toml"
    path.write_text(_toml(mtas.port, secret))
    config = load_config(path, env={}, overrides={**TIMEOUTS, "data_dir": str(tmp_path)})
    async with delivery_harness(
        database, mtas, tmp_path, config=config, verify_context=certs.client
    ) as h:
        yield h, relay, fallback


async def test_route_to_a_smarthost_with_starttls_and_auth(
    routed: tuple[DeliveryHarness, MTA, MTA],
) -> None:
    harness, relay, _ = routed
    (queued,) = await harness.queue(["someone@shop.relayed.test"])
    await harness.runner.run_once()
    (received,) = relay.messages
    assert received.tls and received.login == "postroom"
    assert received.recipients == ["someone@shop.relayed.test"]
    assert harness.resolver.queries == []  # no MX lookup for a smarthost
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_smarthost_refusing_the_password(
    routed: tuple[DeliveryHarness, MTA, MTA],
) -> None:
    harness, relay, _ = routed
    relay.behaviour.logins["postroom"] = "changed"
    (queued,) = await harness.queue(["someone@relayed.test"])
    await harness.runner.run_once()
    row = await QueueMessage.get(id=queued.queue_msg_id)
    assert row.results[-1]["Code"] == 535
    assert relay.messages == []
    # A credentials problem is ours to fix: retried, never a bounce or a suppression.
    assert [e[1] for e in await events()] == ["delayed"]


async def test_change_transport_operation_uses_the_named_transport(
    routed: tuple[DeliveryHarness, MTA, MTA],
) -> None:
    harness, relay, fallback = routed
    (queued,) = await harness.queue(["someone@example.test"])
    assert await operations.set_transport(harness.committer, QueueFilter(), "sink") == 1
    await harness.runner.run_once()
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert retired.success and retired.transport == "sink"
    assert relay.messages == [] and fallback.messages == []


async def test_unknown_transport_is_a_temporary_failure(
    routed: tuple[DeliveryHarness, MTA, MTA],
) -> None:
    harness, _, _ = routed
    (queued,) = await harness.queue(["someone@example.test"])
    await operations.set_transport(harness.committer, QueueFilter(), "nonexistent")
    await harness.runner.run_once()
    row = await QueueMessage.get(id=queued.queue_msg_id)
    assert row.results[-1]["Error"] == 'cannot find transport "nonexistent"'


async def test_fallback_route_after_a_failed_attempt(
    routed: tuple[DeliveryHarness, MTA, MTA],
) -> None:
    harness, _, fallback = routed
    busy = await harness.fleet.add(Behaviour(greeting="421 4.3.2 busy"))
    harness.publish_mx("flaky.test", (10, "mx.flaky.test", busy))
    (queued,) = await harness.queue(["someone@flaky.test"])
    await harness.runner.run_once()
    assert busy.connections == 1 and fallback.messages == []
    harness.clock.advance(timedelta(minutes=8))
    await harness.runner.run_once()
    assert busy.connections == 1 and len(fallback.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[transports.x]\nkind = 'smarthost'\n", "transports.x.host: a smarthost transport needs"),
        ("[transports.x]\nkind = 'carrier-pigeon'\n", "transports.x.kind ("),
        ("[transports.x]\nhost = 'h'\ntls = 'maybe'\n", "transports.x.tls ("),
        ("[transports.x]\nhost = 'h'\npassword = 'p'\n", "set username too"),
        ("[transports.x]\nkind = 'drop'\nport = 70000\n", "transports.x.port ("),
        ("[[routes]]\ntransport = 'nope'\n", "routes[0].transport: no transport 'nope'"),
        ("[[routes]]\nrecipient_domain = 'Bad Domain'\ntransport = 'direct'\n", "routes[0]."),
        ("[[routes]]\naccount = 'a'\n", "routes[0].transport: every route names a transport"),
        ("routes = 'direct'\n", "routes ("),
        ("[transports.Relay]\nkind = 'drop'\n", "transports.Relay ("),
    ],
)
def test_bad_transport_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "postroom.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert message in str(caught.value)


def test_password_stays_out_of_repr(tmp_path: Path) -> None:
    path = tmp_path / "postroom.toml"
    path.write_text("[transports.x]\nhost = 'h'\nusername = 'u'\npassword = 'hunter2'\n")
    config = load_config(path, env={})
    assert "hunter2" not in repr(config)
    assert config.transports["x"].read_password() == "hunter2"


def test_queue_transport_command_knows_the_configured_names(tmp_path: Path) -> None:
    (tmp_path / "postroom.toml").write_text('data_dir = "."\n[transports.sink]\nkind = "drop"\n')

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "postroom.cli", "queue", "transport", *args]
        return subprocess.run(
            [*command, "--dir", str(tmp_path)], capture_output=True, text=True, check=False
        )

    unknown = run("sinc")
    assert unknown.returncode == 2
    assert "no transport 'sinc' in the config (known: direct, sink)" in unknown.stdout
    assert run("sink").returncode == 0


async def test_smarthost_connections_are_kept_for_every_concurrent_delivery(
    database: Database, mtas: Fleet, tmp_path: Path
) -> None:
    """As many connections to a smarthost stay open for the next messages as deliveries
    can run at once: none is closed and opened again while all of them are busy."""
    smarthost = await mtas.add()
    path = tmp_path / "postroom.toml"
    path.write_text('hostname = "postroom.sender.test"\n')
    overrides = {
        **TIMEOUTS,
        "data_dir": str(tmp_path),
        "delivery.relay_host": "127.0.0.2",
        "delivery.relay_port": mtas.port,
        "delivery.max_concurrent": 24,
    }
    config = load_config(path, env={}, overrides=overrides)
    async with delivery_harness(database, mtas, tmp_path, config=config) as harness:
        for round in range(2):
            await harness.queue([f"someone@d{n}.round{round}.test" for n in range(24)])
            await harness.runner.run_once()
    assert len(smarthost.messages) == 48
    assert smarthost.connections == 24

"""The server's own outbound stack, built from its configuration: a Send through the
webapi leaves signed with the From domain's DKIM keys, through the configured route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from postroom.clock import ManualClock
from postroom.config import load_config
from postroom.localserve import DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.localserve.bootstrap import seed_database
from postroom.queue.dkimkeys import DKIMKeyStore
from postroom.server import Runtime
from postroom.store.outgoing import RetiredMessage
from tests.delivery.dkimcheck import verify
from tests.delivery.harness import START
from tests.delivery.mta import MTA, Fleet


async def _runtime(database_url: str, directory: Path, extra: str) -> tuple[Runtime, str]:
    path = directory / "postroom.toml"
    path.write_text(
        f'database_url = "{database_url}"\ndata_dir = "."\nhostname = "postroom.test"\n'
        "[http]\nport = 0\n[smtp]\nport = 0\nsubmission_port = 0\n" + extra
    )
    runtime = Runtime(
        load_config(path, env={}), clock=ManualClock(START), prepare=seed_database,
        run_queue=False,
    )  # fmt: skip
    addresses = await runtime.start()
    return runtime, addresses.http_url


@pytest.fixture
async def relay(mtas: Fleet) -> MTA:
    return await mtas.add()


@pytest.fixture
async def runtime(
    database_url: str, tmp_path: Path, mtas: Fleet, relay: MTA
) -> AsyncIterator[tuple[Runtime, str]]:
    DKIMKeyStore(tmp_path / "dkim").generate("localhost", now=datetime.now(UTC))
    runtime, url = await _runtime(
        database_url,
        tmp_path,
        f'[transports.relay]\nhost = "{relay.address}"\nport = {mtas.port}\ntls = "none"\n'
        '[transports.sink]\nkind = "drop"\n'
        '[[routes]]\nrecipient_domain = "dropped.test"\ntransport = "sink"\n'
        '[[routes]]\ntransport = "relay"\n',
    )
    yield runtime, url
    await runtime.stop()


async def _send(url: str, recipient: str) -> int:
    async with httpx.AsyncClient(base_url=url, auth=(DEFAULT_LOGIN, DEFAULT_PASSWORD)) as client:
        response = await client.post(
            "/webapi/v0/Send",
            json={"To": [{"Address": recipient}], "Subject": "Signed", "Text": "Hello"},
        )
    assert response.status_code == 200, response.text
    return int(response.json()["Submissions"][0]["QueueMsgID"])


async def test_send_leaves_signed_through_the_route(
    runtime: tuple[Runtime, str], relay: MTA, tmp_path: Path
) -> None:
    server, url = runtime
    queued = await _send(url, "someone@example.test")
    dropped = await _send(url, "someone@dropped.test")
    assert server.queue_runner is not None
    assert await server.queue_runner.run_once() == 2
    (received,) = relay.messages
    assert received.recipients == ["someone@example.test"]
    keys = DKIMKeyStore(tmp_path / "dkim").keys("localhost")
    published = {key.dns_name: [key.dns_record] for key in keys}
    assert len(verify(received.data, published)) == 2
    for queue_msg_id in (queued, dropped):
        assert (await RetiredMessage.get(id=queue_msg_id)).success

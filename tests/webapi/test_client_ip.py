"""The client's IP address over real HTTP: the peer, or behind `http.trusted_proxies` the
rightmost X-Forwarded-For address that is not a trusted proxy (docs/operations.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunningServer, running_server
from tests.webapi.helpers import queue_rows

SEND = "/webapi/v0/Send"
REQUEST = json.dumps({"To": [{"Address": "a@example.com"}], "Text": "x"})


async def _received_from(server: RunningServer, forwarded_for: list[str]) -> str:
    """Send one message with these X-Forwarded-For headers; the IP its Received names."""
    headers = [("X-Forwarded-For", value) for value in forwarded_for]
    async with server.client() as client:
        response = await client.post(SEND, data={"request": REQUEST}, headers=headers)
    assert response.status_code == 200, response.text
    prefix = bytes((await queue_rows())[-1].msg_prefix)
    assert prefix.startswith(b"Received: from ["), prefix
    return prefix.split(b"[", 1)[1].split(b"]", 1)[0].decode()


async def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(
    still_server: RunningServer,
) -> None:
    server = still_server
    assert server.config.http.trusted_proxies == ()
    assert await _received_from(server, ["203.0.113.9"]) == "127.0.0.1"
    # The failed-login limiter sees the peer however the header varies: a different
    # login and a different forged address each time are still one client.
    statuses = []
    for attempt in range(12):
        async with server.client(f"nobody{attempt}@localhost", "wrong") as client:
            response = await client.post(
                SEND,
                data={"request": REQUEST},
                headers={"X-Forwarded-For": f"198.51.100.{attempt}"},
            )
        statuses.append(response.status_code)
    assert statuses == [401] * 10 + [429, 429]


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ([], "127.0.0.1"),
        (["203.0.113.9"], "203.0.113.9"),
        # The client wrote the left part; our proxies appended the right part.
        (["1.2.3.4, 203.0.113.9"], "203.0.113.9"),
        (["1.2.3.4", "203.0.113.9, 10.0.0.2"], "203.0.113.9"),
        (["203.0.113.9, 10.1.2.3, 10.0.0.2"], "203.0.113.9"),
        (["::ffff:203.0.113.9"], "203.0.113.9"),
        (["2001:db8::1"], "2001:db8::1"),
        # Malformed entries stop the walk at the last address that can be believed.
        (["garbage"], "127.0.0.1"),
        (["203.0.113.9, not-an-ip, 10.0.0.2"], "10.0.0.2"),
        (["203.0.113.9:4711"], "127.0.0.1"),
        ([", ,"], "127.0.0.1"),
        # Only trusted proxies all the way: the leftmost of them.
        (["10.0.0.7, 10.0.0.2"], "10.0.0.7"),
    ],
)
async def test_behind_trusted_proxies_the_last_untrusted_hop_is_the_client(
    database_url: str, tmp_path: Path, forwarded_for: list[str], client: str
) -> None:
    overrides = {"http.trusted_proxies": ("127.0.0.1", "10.0.0.0/8")}
    async with running_server(database_url, tmp_path, **overrides) as server:
        assert await _received_from(server, forwarded_for) == client


async def test_limiter_behind_a_proxy_counts_the_real_client(
    database_url: str, tmp_path: Path
) -> None:
    overrides = {"http.trusted_proxies": ("127.0.0.1",)}
    async with running_server(database_url, tmp_path, **overrides) as server:
        statuses = []
        for attempt in range(12):
            # A forged left part varies; the hop our proxy appended does not.
            forwarded = f"198.51.100.{attempt}, 203.0.113.9"
            async with server.client(f"nobody{attempt}@localhost", "wrong") as client:
                response = await client.post(
                    SEND, data={"request": REQUEST}, headers={"X-Forwarded-For": forwarded}
                )
            statuses.append(response.status_code)
        assert statuses == [401] * 10 + [429, 429]
        # Another client behind the same proxy is not blocked.
        async with server.client() as client:
            response = await client.post(
                SEND, data={"request": REQUEST}, headers={"X-Forwarded-For": "203.0.113.10"}
            )
        assert response.status_code == 200, response.text

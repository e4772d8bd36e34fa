"""The HTTP listener bounds each request's head (`http.max_header_bytes`): a larger one
is answered 431 and its connection closed while it streams in, before authentication,
so that header octets cannot fill the server's memory."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from postroom.server.headerlimit import bounded_headers_protocol
from tests.conftest import RunningServer, running_server

LIMIT = 8 * 1024


@pytest.fixture
async def bounded(database_url: str, tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with running_server(database_url, tmp_path, **{"http.max_header_bytes": LIMIT}) as run:
        yield run


async def _connect(server: RunningServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    url = urlsplit(server.url)
    assert url.hostname is not None and url.port is not None
    return await asyncio.open_connection(url.hostname, url.port)


def _request(header_value_bytes: int) -> bytes:
    return (
        b"GET /webapi/v0/ HTTP/1.1\r\nHost: localhost\r\nX-Padding: "
        + b"a" * header_value_bytes
        + b"\r\n\r\n"
    )


async def _response_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status_line = await reader.readline()
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers


async def test_head_over_the_limit_is_refused_while_it_streams(bounded: RunningServer) -> None:
    reader, writer = await _connect(bounded)
    response = asyncio.create_task(_response_head(reader))
    writer.write(b"GET /webapi/v0/ HTTP/1.1\r\nHost: localhost\r\nX-Padding: ")
    offered = 64 * 1024 * 1024
    sent = 0
    # The head never ends: 64 MB are offered, and the server answers long before.
    with contextlib.suppress(ConnectionError):
        while sent < offered and not response.done():
            writer.write(b"a" * 65536)
            await writer.drain()
            sent += 65536
    status, headers = await asyncio.wait_for(response, 30)
    body = await reader.read()
    writer.close()
    assert status == 431
    assert headers["connection"] == "close"
    assert json.loads(body)["Code"] == "requestTooLarge"
    assert sent < offered


async def test_head_over_the_limit_in_one_read_is_refused(bounded: RunningServer) -> None:
    reader, writer = await _connect(bounded)
    writer.write(_request(LIMIT + 100))
    status, _ = await _response_head(reader)
    writer.close()
    assert status == 431


async def test_head_within_the_limit_is_served(bounded: RunningServer) -> None:
    reader, writer = await _connect(bounded)
    writer.write(_request(LIMIT - 200))
    status, _ = await _response_head(reader)
    writer.close()
    assert status == 200


async def test_each_request_on_a_connection_has_its_own_bound(bounded: RunningServer) -> None:
    reader, writer = await _connect(bounded)
    for _ in range(3):
        writer.write(_request(LIMIT * 2 // 3))
        status, headers = await _response_head(reader)
        await reader.readexactly(int(headers["content-length"]))
        assert status == 200
    writer.close()


async def test_the_default_bound_refuses_a_large_field(server: RunningServer) -> None:
    reader, writer = await _connect(server)
    writer.write(_request(server.config.http.max_header_bytes + 1))
    status, _ = await _response_head(reader)
    writer.close()
    assert status == 431


def test_the_protocol_is_uvicorns_httptools_protocol() -> None:
    # The subclass hooks these parser callbacks; a uvicorn that renamed them would
    # silently drop the bound, so this fails first.
    protocol = bounded_headers_protocol(LIMIT)
    assert issubclass(protocol, HttpToolsProtocol)
    for callback in ("on_message_begin", "on_headers_complete", "data_received"):
        assert callable(getattr(HttpToolsProtocol, callback))

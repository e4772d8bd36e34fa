"""Request body limits over HTTP: `http.max_request_bytes` for every encoding, file parts
up to `smtp.max_message_bytes`, 413 with a JSON error, and no body read before the caller
is authenticated (docs/operations.md, "Request limits")."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from postroom.store.outgoing import QueueMessage
from tests.admin.helpers import admin_client, enable_admin
from tests.conftest import DEFAULT_LOGIN, DEFAULT_PASSWORD, RunningServer, running_server
from tests.webapi.helpers import queue_rows

SEND = "/webapi/v0/Send"
REQUEST_LIMIT = 64 * 1024
FILE_LIMIT = 512 * 1024
REQUEST = {"To": [{"Address": "a@example.com"}], "Text": "x"}


@pytest.fixture
async def small(database_url: str, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """A server with small limits, so that tests need not send megabytes."""
    overrides = {"http.max_request_bytes": REQUEST_LIMIT, "smtp.max_message_bytes": FILE_LIMIT}
    async with running_server(database_url, tmp_path, **overrides) as running:
        yield running


def _assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "Code": "requestTooLarge",
        "Message": f"request body larger than {limit} bytes",
    }


def _padded(size: int) -> str:
    """A valid Send request of about `size` bytes of JSON."""
    return json.dumps({**REQUEST, "Text": "x" * size})


async def test_json_and_form_bodies_over_the_limit_are_413(small: RunningServer) -> None:
    async with small.client() as client:
        fits = await client.post(
            SEND, content=_padded(REQUEST_LIMIT - 200), headers={"Content-Type": "application/json"}
        )
        assert fits.status_code == 200, fits.text
        response = await client.post(
            SEND, content=_padded(REQUEST_LIMIT), headers={"Content-Type": "application/json"}
        )
        _assert_too_large(response, REQUEST_LIMIT)
        response = await client.post(SEND, data={"request": _padded(REQUEST_LIMIT)})
        _assert_too_large(response, REQUEST_LIMIT)
    assert await QueueMessage.all().count() == 1


async def test_a_streamed_body_is_stopped_at_the_limit(small: RunningServer) -> None:
    # No Content-Length (chunked): the limit is found while counting the stream.
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"To": [{"Address": "a@example.com"}], "Text": "'
        for _ in range(16):
            yield b"x" * 8192

    async with small.client() as client:
        response = await client.post(
            SEND, content=chunks(), headers={"Content-Type": "application/json"}
        )
    _assert_too_large(response, REQUEST_LIMIT)


async def test_multipart_file_parts_may_add_the_message_limit(small: RunningServer) -> None:
    attachment = b"\x89PNG" + b"a" * (300 * 1024)
    async with small.client() as client:
        response = await client.post(
            SEND,
            files=[
                ("request", (None, json.dumps(REQUEST))),
                ("attachedfile", ("big.bin", attachment, "application/octet-stream")),
            ],
        )
        assert response.status_code == 200, response.text
        response = await client.post(
            SEND,
            files=[
                ("request", (None, json.dumps(REQUEST))),
                (
                    "attachedfile",
                    ("huge.bin", b"a" * (REQUEST_LIMIT + FILE_LIMIT), "application/octet-stream"),
                ),
            ],
        )
        _assert_too_large(response, REQUEST_LIMIT + FILE_LIMIT)
        # The `request` field itself stays within http.max_request_bytes.
        response = await client.post(SEND, files=[("request", (None, _padded(REQUEST_LIMIT)))])
        _assert_too_large(response, REQUEST_LIMIT)
    rows = await queue_rows()
    assert len(rows) == 1
    assert len(rows[0].blob.data) > len(attachment)


async def _raw_exchange(server: RunningServer, head: str) -> bytes:
    """Send only a request's head (announcing a large body), return the answer."""
    url = urlsplit(server.url)
    assert url.hostname is not None and url.port is not None
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(head.encode())
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), timeout=30)
    finally:
        writer.close()


@pytest.mark.parametrize("authorization", ["", "Authorization: Basic bm9ib2R5Ondyb25n\r\n"])
async def test_no_body_is_read_before_authentication(
    small: RunningServer, authorization: str
) -> None:
    # The body is announced but never sent: the answer cannot wait for it.
    head = (
        f"POST {SEND} HTTP/1.1\r\nHost: x\r\n{authorization}"
        "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
    )
    answer = await _raw_exchange(small, head)
    assert answer.startswith(b"HTTP/1.1 401 "), answer


async def test_a_declared_length_over_the_limit_is_refused_unread(small: RunningServer) -> None:
    credentials = base64.b64encode(f"{DEFAULT_LOGIN}:{DEFAULT_PASSWORD}".encode()).decode()
    head = (
        f"POST {SEND} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {credentials}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {60 * 1024 * 1024}\r\n\r\n"
    )
    answer = await _raw_exchange(small, head)
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert b'"Code":"requestTooLarge"' in answer.replace(b" ", b"")


async def test_admin_api_bodies_are_limited_too(small: RunningServer) -> None:
    await enable_admin(small)
    async with admin_client(small) as client:
        response = await client.post(
            "/admin/api/v0/DomainList",
            content=json.dumps({"Pad": "x" * REQUEST_LIMIT}),
            headers={"Content-Type": "application/json"},
        )
    _assert_too_large(response, REQUEST_LIMIT)

"""A small HTTP/1.1 load generator: N keep-alive connections sending one prepared request.

Kept deliberately cheap (raw asyncio streams, pre-encoded bytes, minimal parsing) so
that on a small machine the client takes as little CPU from the server as possible.
"""

from __future__ import annotations

import asyncio
import base64
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    seconds: float
    ok: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    first_failure: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> str:
        return (
            f"{self.rate:8.0f} req/s   p50 {self.percentile(0.5) * 1000:6.1f} ms"
            f"   p99 {self.percentile(0.99) * 1000:6.1f} ms   ({self.ok} ok, {self.failed} failed)"
        )


def build_request(url: str, body: bytes, content_type: str, login: str | None) -> bytes:
    parts = urlsplit(url)
    headers = [
        f"POST {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
    ]
    if login:
        headers.append("Authorization: Basic " + base64.b64encode(login.encode()).decode())
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


async def _connection(
    host: str, port: int, request: bytes, deadline: float, result: LoadResult
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            elapsed = time.perf_counter() - started
            if status_line.split(b" ", 2)[1:2] == [b"200"]:
                result.ok += 1
                result.latencies.append(elapsed)
            else:
                result.failed += 1
                if not result.first_failure:
                    result.first_failure = (status_line + body).decode(errors="replace")
    finally:
        writer.close()


async def run_load(
    url: str, request: bytes, *, connections: int, seconds: float, warmup: float = 1.0
) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if warmup > 0:
        await run_load(url, request, connections=connections, seconds=warmup, warmup=0)
    result = LoadResult(seconds=seconds)
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(_connection(host, port, request, deadline, result) for _ in range(connections))
    )
    return result


def median(values: list[float]) -> float:
    return statistics.median(values)


async def run_requests(url: str, requests: list[bytes], *, connections: int) -> int:
    """Send each prepared request once, over `connections` keep-alive connections;
    return how many did not get a 200."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    todo = iter(requests)
    failed = 0

    async def connection() -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for request in todo:
                writer.write(request)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                if status_line.split(b" ", 2)[1:2] != [b"200"]:
                    failed += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return failed

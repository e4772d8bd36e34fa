"""A webhook receiver on loopback: a small HTTP/1.1 server on asyncio streams that
records every request and answers as each test scripts it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    """Lower-case names."""
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    delay_seconds: float = 0.0
    body: bytes = b"ok"


@dataclass
class Receiver:
    script: Callable[[Received], Answer] = lambda request: Answer()
    requests: list[Received] = field(default_factory=list)
    server: asyncio.Server | None = None
    writers: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def on(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            for writer in list(self.writers):
                writer.close()
            await self.server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                _, path, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, value = header.decode("latin-1").split(":", 1)
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                request = Received(path=path, headers=headers, body=body, at=time.monotonic())
                self.requests.append(request)
                answer = self.script(request)
                if answer.delay_seconds:
                    await asyncio.sleep(answer.delay_seconds)
                # RFC 9110 §15.3.5, §15.4.5: 204 and 304 answers have no content.
                body = b"" if answer.status in (204, 304) else answer.body
                writer.write(
                    f"HTTP/1.1 {answer.status} Status\r\nContent-Length: {len(body)}\r\n"
                    "Content-Type: text/plain\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self.writers.discard(writer)
            writer.close()

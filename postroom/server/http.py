"""Serving the HTTP application with uvicorn on a socket we bind ourselves.

Binding first lets port 0 pick a free port whose number we can print, and lets the
runtime own signal handling (uvicorn's own handlers are switched off).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator

import uvicorn
from starlette.types import ASGIApp

from postroom.server.headerlimit import bounded_headers_protocol


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The runtime handles SIGINT/SIGTERM and tells us to stop.
        yield


def bind_tcp(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP (not 0): asyncio only sets TCP_NODELAY on sockets that
    # say so, and without it Nagle plus delayed ACKs stall every response by ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class HTTPServer:
    """uvicorn serving `app` on an already-bound socket."""

    def __init__(self, app: ASGIApp, sock: socket.socket, *, max_header_bytes: int) -> None:
        config = uvicorn.Config(
            app,
            http=bounded_headers_protocol(max_header_bytes),
            lifespan="off",
            log_level="warning",
            access_log=False,
            server_header=False,
            # Postroom reads X-Forwarded-For itself, from http.trusted_proxies only
            # (postroom.rpc.client_ip); uvicorn's default trusts it from loopback.
            proxy_headers=False,
            timeout_graceful_shutdown=30,
        )
        self._server = _Server(config)
        self._socket = sock
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        port: int = self._socket.getsockname()[1]
        return port

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started:
            if self._task.done():
                await self._task
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop accepting, let in-flight requests finish, then return."""
        self._server.should_exit = True
        if self._task is not None:
            await self._task
            self._task = None

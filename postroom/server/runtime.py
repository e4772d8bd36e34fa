"""A running Postroom process: the database, the group-commit writer and the HTTP server.

Start-up order is bottom-up and shutdown top-down: the HTTP server stops accepting
and finishes in-flight requests first, then the writer commits what it holds, then
the database closes. So an accepted (answered) Send is always committed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from postroom import __version__
from postroom.auth import FailedLoginLimiter, LoginVerifier
from postroom.clock import Clock, SystemClock
from postroom.config import Config
from postroom.server.app import build_app
from postroom.server.http import HTTPServer, bind_tcp
from postroom.store.db import Database, open_database
from postroom.store.groupcommit import GroupCommitter
from postroom.webapi import WebapiServices

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeAddresses:
    """Where the started services listen (with real port numbers when 0 was asked for)."""

    http_host: str
    http_port: int

    @property
    def http_url(self) -> str:
        host = f"[{self.http_host}]" if ":" in self.http_host else self.http_host
        return f"http://{host}:{self.http_port}"


class Runtime:
    """Starts and stops one process's services. `prepare` runs once the database is open."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        prepare: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        self._prepare = prepare
        self._stack = contextlib.AsyncExitStack()
        self.database: Database | None = None
        self.webapi: WebapiServices | None = None

    async def start(self) -> RuntimeAddresses:
        try:
            return await self._start()
        except BaseException:
            await self._stack.aclose()
            raise

    async def _start(self) -> RuntimeAddresses:
        config = self.config
        self.database = await self._stack.enter_async_context(
            open_database(config.effective_database_url())
        )
        if self._prepare is not None:
            await self._prepare()
        committer = GroupCommitter(self.database)
        committer.start()
        self._stack.push_async_callback(committer.stop)
        services = self.webapi = WebapiServices(
            config=config,
            clock=self.clock,
            committer=committer,
            verifier=LoginVerifier(FailedLoginLimiter(self.clock), self.database.reader),
            reader=self.database.reader,
            user_agent=f"postroom/{__version__}",
        )
        sock = bind_tcp(config.http.listen, config.http.port)
        http = HTTPServer(build_app(services), sock)
        await http.start()
        self._stack.push_async_callback(http.stop)
        return RuntimeAddresses(http_host=config.http.listen, http_port=http.port)

    async def stop(self) -> None:
        await self._stack.aclose()

"""Shared fixtures: a fresh, migrated database per test, on SQLite or PostgreSQL.

The suite runs against one database kind per process: SQLite by default, PostgreSQL
when POSTROOM_TEST_DATABASE_URL is set (CI runs the suite once each way). Each kind
is migrated once per session into a template, and every test gets its own copy:
a file copy for SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from postroom.clock import Clock, ManualClock
from postroom.config import Config, load_config
from postroom.localserve import DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.localserve.bootstrap import seed_database
from postroom.server import Runtime
from postroom.store.db import Database, migrate_database, open_database
from postroom.webapi import WebapiServices

POSTGRES_URL_VARIABLE = "POSTROOM_TEST_DATABASE_URL"


@dataclass(frozen=True, slots=True)
class DatabaseFactory:
    """Makes empty databases of the kind this test run uses."""

    postgres_url: str | None
    template: str
    workdir: Path
    _counter: Iterator[int] = field(default_factory=itertools.count)

    @property
    def kind(self) -> str:
        return "postgres" if self.postgres_url else "sqlite"

    async def new_url(self, *, migrated: bool = True) -> str:
        number = next(self._counter)
        if self.postgres_url is None:
            path = self.workdir / f"test-{os.getpid()}-{number}.db"
            if migrated:
                shutil.copyfile(self.template, path)
            return f"sqlite://{path}"
        name = f"postroom_test_{os.getpid()}_{number}"
        template = f" TEMPLATE {self.template}" if migrated else ""
        await _postgres_admin(self.postgres_url, f"CREATE DATABASE {name}{template}")
        return _with_database(self.postgres_url, name)

    async def drop(self, url: str) -> None:
        if self.postgres_url is None:
            for suffix in ("", "-wal", "-shm"):
                Path(urlsplit(url).path + suffix).unlink(missing_ok=True)
            return
        name = urlsplit(url).path.lstrip("/")
        await _postgres_admin(self.postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def _postgres_admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    workdir = tmp_path_factory.mktemp("databases")
    postgres_url = os.environ.get(POSTGRES_URL_VARIABLE) or None
    if postgres_url is None:
        template = workdir / "template.db"
        asyncio.run(migrate_database(f"sqlite://{template}"))
        yield DatabaseFactory(postgres_url=None, template=str(template), workdir=workdir)
        return
    name = f"postroom_template_{os.getpid()}"

    async def create_template() -> None:
        await _postgres_admin(postgres_url, f"DROP DATABASE IF EXISTS {name}")
        await _postgres_admin(postgres_url, f"CREATE DATABASE {name}")
        await migrate_database(_with_database(postgres_url, name))

    asyncio.run(create_template())
    yield DatabaseFactory(postgres_url=postgres_url, template=name, workdir=workdir)
    asyncio.run(_postgres_admin(postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
async def database_url(database_factory: DatabaseFactory) -> AsyncIterator[str]:
    """The URL of a fresh database at the newest migration, dropped after the test."""
    url = await database_factory.new_url()
    yield url
    await database_factory.drop(url)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A fresh, open database at the newest migration."""
    async with open_database(database_url) as db:
        yield db


@dataclass(frozen=True, slots=True)
class RunningServer:
    """A started Postroom (HTTP on a free loopback port) on a fresh database."""

    url: str
    runtime: Runtime
    config: Config

    @property
    def webapi(self) -> WebapiServices:
        assert self.runtime.webapi is not None
        return self.runtime.webapi

    def client(
        self, login: str = DEFAULT_LOGIN, password: str = DEFAULT_PASSWORD
    ) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, auth=(login, password), timeout=30)


def make_config(database_url: str, data_dir: Path, **overrides: object) -> Config:
    settings: dict[str, object] = {
        "database_url": database_url,
        "data_dir": str(data_dir),
        "http.port": 0,
        "smtp.port": 0,
        "smtp.submission_port": 0,
        # Queued mail stays queued unless a test delivers it (no DNS, no MX hosts here).
        "delivery.enabled": False,
        # Test receivers listen on loopback (hooks.addresses).
        "webhooks.allow_private_addresses": True,
        **overrides,
    }
    return load_config(None, env={}, overrides=settings)


@asynccontextmanager
async def running_server(
    database_url: str, tmp_path: Path, *, clock: Clock | None = None, **overrides: object
) -> AsyncIterator[RunningServer]:
    config = make_config(database_url, tmp_path, **overrides)
    runtime = Runtime(config, clock=clock, prepare=seed_database)
    addresses = await runtime.start()
    try:
        yield RunningServer(url=addresses.http_url, runtime=runtime, config=config)
    finally:
        await runtime.stop()


@pytest.fixture
async def server(database_url: str, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """Postroom with localserve's default domain and account (postroom@localhost)."""
    async with running_server(database_url, tmp_path) as running:
        yield running


@pytest.fixture
async def still_server(database_url: str, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """The same on a clock that stands still, for tests of time windows (such as the
    failed-login limits) that must not see a window end halfway."""
    clock = ManualClock(datetime(2026, 5, 1, 9, 0, 30, tzinfo=UTC))
    async with running_server(database_url, tmp_path, clock=clock) as running:
        yield running

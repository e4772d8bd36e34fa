"""Fixtures for delivery tests: scripted loopback MTAs and a queue delivering to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from postroom.store.db import Database
from tests.delivery.harness import Certificates, DeliveryHarness, certificates, delivery_harness
from tests.delivery.mta import Fleet, fleet


@pytest.fixture(scope="session")
def certs() -> Certificates:
    return certificates()


@pytest.fixture
async def mtas() -> AsyncIterator[Fleet]:
    async with fleet() as f:
        yield f


@pytest.fixture
async def harness(
    database: Database, mtas: Fleet, tmp_path: Path, certs: Certificates
) -> AsyncIterator[DeliveryHarness]:
    async with delivery_harness(database, mtas, tmp_path, verify_context=certs.client) as h:
        yield h

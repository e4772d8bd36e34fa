"""Group commit: units share a transaction, fail alone, and answer only after the commit."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.store.account import Account
from postroom.store.db import Database
from postroom.store.errors import StoreError
from postroom.store.groupcommit import GroupCommitter


class UnitFailedError(Exception):
    pass


async def test_a_failing_unit_leaves_nothing_and_others_commit(database: Database) -> None:
    committer = GroupCommitter(database)
    committer.start()

    async def good(name: str, connection: BaseDBAsyncClient) -> int:
        account = await Account.create(using_db=connection, name=name)
        return account.id

    async def bad(connection: BaseDBAsyncClient) -> None:
        await Account.create(using_db=connection, name="partial-1")
        await Account.create(using_db=connection, name="partial-2")
        raise UnitFailedError

    try:
        results = await asyncio.gather(
            committer.run(lambda c: good("a", c)),
            committer.run(bad),
            committer.run(lambda c: good("b", c)),
            return_exceptions=True,
        )
    finally:
        await committer.stop()
    assert isinstance(results[1], UnitFailedError)
    assert sorted(await Account.all().values_list("name", flat=True)) == ["a", "b"]


async def test_concurrent_units_are_batched(database: Database) -> None:
    committer = GroupCommitter(database, max_batch=10)
    committer.start()
    try:
        ids = await asyncio.gather(
            *(
                committer.run(lambda c, n=n: Account.create(using_db=c, name=f"u{n}"))
                for n in range(50)
            )
        )
    finally:
        await committer.stop()
    assert len({account.id for account in ids}) == 50
    assert await Account.all().count() == 50
    assert committer.commits < 50


async def test_run_after_stop_is_refused(database: Database) -> None:
    committer = GroupCommitter(database)
    committer.start()
    await committer.stop()
    with pytest.raises(StoreError):
        await committer.run(lambda c: Account.create(using_db=c, name="late"))

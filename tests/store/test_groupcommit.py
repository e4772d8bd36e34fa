"""Group commit: units share a transaction, fail alone, and answer only after the commit."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from urllib.parse import urlsplit

import pytest
from tortoise.exceptions import IntegrityError

from postroom.store.account import Account, AdminSetting
from postroom.store.db import Database, Dialect
from postroom.store.errors import StoreError
from postroom.store.groupcommit import Batch, GroupCommitter
from postroom.store.mailbox import Mailbox


class UnitFailedError(Exception):
    pass


async def test_a_failing_unit_leaves_nothing_and_others_commit(database: Database) -> None:
    committer = GroupCommitter(database)
    committer.start()

    async def good(name: str, batch: Batch) -> int:
        account = await Account.create(using_db=batch.connection, name=name)
        return account.id

    async def bad(batch: Batch) -> None:
        await Account.create(using_db=batch.connection, name="partial-1")
        await Account.create(using_db=batch.connection, name="partial-2")
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
                committer.run(lambda b, n=n: Account.create(using_db=b.connection, name=f"u{n}"))
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
        await committer.run(lambda b: Account.create(using_db=b.connection, name="late"))


async def test_batch_values_are_loaded_once_per_transaction(database: Database) -> None:
    committer = GroupCommitter(database)
    committer.start()
    loads: list[int] = []

    async def load(connection: object) -> str:
        loads.append(1)
        return "value"

    async def unit(batch: Batch) -> str:
        return await batch.once("key", load)

    try:
        values = await asyncio.gather(*(committer.run(unit) for _ in range(20)))
    finally:
        await committer.stop()
    assert values == ["value"] * 20
    assert len(loads) == committer.commits < 20


async def test_on_sqlite_a_transaction_holds_the_write_lock_from_its_start(
    database: Database,
) -> None:
    """Another process cannot commit between a unit's read and its write, which would
    make the write fail with SQLITE_BUSY at once (a deferred BEGIN cannot be upgraded
    past a newer commit): the transaction begins with BEGIN IMMEDIATE."""
    if database.dialect is not Dialect.SQLITE:
        pytest.skip("SQLite's locking")
    path = urlsplit(database.url).path
    committer = GroupCommitter(database)
    committer.start()

    def write_elsewhere() -> str:
        with contextlib.closing(sqlite3.connect(path, timeout=0.05)) as other:
            try:
                other.execute("UPDATE id_block SET next_id = next_id + 1")
                other.commit()
            except sqlite3.OperationalError as exc:
                return str(exc)
            return "committed"

    async def unit(batch: Batch) -> str:
        await Account.filter(name="a").using_db(batch.connection).count()
        elsewhere = await asyncio.to_thread(write_elsewhere)
        await Account.create(using_db=batch.connection, name="a")
        return elsewhere

    try:
        elsewhere = await committer.run(unit)
    finally:
        await committer.stop()
    assert elsewhere == "database is locked"
    assert await Account.filter(name="a").count() == 1
    # Once the transaction ended, the other process writes as usual.
    assert await asyncio.to_thread(write_elsewhere) == "committed"


async def test_deletes_in_a_group_are_checked_when_it_ends(database: Database) -> None:
    """A group's deletes run as one statement at its end, assuming every row is there;
    when one is gone, every unit runs again alone, where the answer is exact."""
    await AdminSetting.create(name="present", value="")
    committer = GroupCommitter(database)
    committer.start()
    answers: dict[str, list[bool]] = {"present": [], "gone": []}

    async def delete(name: str, batch: Batch) -> bool:
        deleted = await batch.delete_row("admin_setting", {"name": name})
        answers[name].append(deleted)
        return deleted

    async def insert(batch: Batch) -> None:
        await AdminSetting.create(using_db=batch.connection, name="inserted", value="")

    try:
        present, gone, _ = await asyncio.gather(
            committer.run(lambda b: delete("present", b)),
            committer.run(lambda b: delete("gone", b)),
            committer.run(insert),
        )
    finally:
        await committer.stop()
    assert (present, gone) == (True, False)
    # Assumed in the group, then asked when run alone.
    assert answers == {"present": [True, True], "gone": [True, False]}
    assert await AdminSetting.all().values_list("name", flat=True) == ["inserted"]


async def test_a_unit_alone_deletes_at_once(database: Database) -> None:
    await AdminSetting.create(name="present", value="")
    committer = GroupCommitter(database)
    committer.start()

    async def delete_twice(batch: Batch) -> tuple[bool, bool]:
        first = await batch.delete_row("admin_setting", {"name": "present"})
        return first, await batch.delete_row("admin_setting", {"name": "present"})

    try:
        assert await committer.run(delete_twice) == (True, False)
    finally:
        await committer.stop()
    assert await AdminSetting.all().count() == 0


async def test_group_transactions_enforce_foreign_keys(database: Database) -> None:
    """Deleting an account in a group transaction deletes its mailboxes (ON DELETE
    CASCADE), and a row that refers to no account is refused: SQLite enforces foreign
    keys only on connections that ask for it."""
    account = await Account.create(name="owner")
    await Mailbox.create(account=account, name="Inbox")
    committer = GroupCommitter(database)
    committer.start()

    async def delete_account(batch: Batch) -> None:
        await Account.filter(id=account.id).using_db(batch.connection).delete()

    async def orphan(batch: Batch) -> None:
        await Mailbox.create(using_db=batch.connection, account_id=account.id, name="Orphan")

    try:
        await committer.run(delete_account)
        with pytest.raises(IntegrityError):
            await committer.run(orphan)
    finally:
        await committer.stop()
    assert await Mailbox.all().count() == 0

"""ID blocks: disjoint between writers, above existing rows, and undone on rollback."""

from __future__ import annotations

import asyncio

from tortoise.transactions import in_transaction

from postroom.store.account import Account
from postroom.store.db import Database
from postroom.store.ids import IdAllocator
from postroom.store.outgoing import RetiredMessage
from tests.store.test_migrations import NOW


async def test_two_writers_never_share_an_id(database: Database) -> None:
    first, second = (
        IdAllocator("message_blob", block_size=5),
        IdAllocator("message_blob", block_size=5),
    )
    taken: list[int] = []
    for _ in range(4):
        for allocator in (first, second):
            async with in_transaction("default") as connection:
                taken.extend(await allocator.take(connection, 3))
    assert len(taken) == len(set(taken)) == 24


async def test_a_new_space_starts_after_existing_rows(database: Database) -> None:
    # Queue and retired rows share one ID space: a retired row's ID counts too.
    await RetiredMessage.create(
        id=41, queued=NOW, account_id=(await _account()).id, sender_localpart="a",
        sender_domain="x", recipient_localpart="b", recipient_domain="y",
        recipient_address="b@y", size=1, message_id="<m>", success=True,
        last_activity=NOW, keep_until=NOW,
    )  # fmt: skip
    async with in_transaction("default") as connection:
        ids = await IdAllocator("queue_message").take(connection, 2)
    assert ids == [42, 43]


async def test_rolled_back_ids_are_handed_out_again(database: Database) -> None:
    allocator = IdAllocator("message_blob", block_size=10)
    checkpoint = allocator.checkpoint()
    try:
        async with in_transaction("default") as connection:
            lost = await allocator.take(connection, 15)
            raise RuntimeError("roll back")
    except RuntimeError:
        allocator.restore(checkpoint)
    async with in_transaction("default") as connection:
        again = await allocator.take(connection, 15)
    assert again == lost


async def test_concurrent_writers_get_disjoint_blocks(database: Database) -> None:
    allocators = [IdAllocator("queue_message", block_size=3) for _ in range(4)]

    async def take(allocator: IdAllocator) -> list[int]:
        ids: list[int] = []
        for _ in range(5):
            async with in_transaction("default") as connection:
                ids.extend(await allocator.take(connection, 2))
        return ids

    results = await asyncio.gather(*(take(a) for a in allocators))
    flat = [i for ids in results for i in ids]
    assert len(flat) == len(set(flat)) == 40


async def _account() -> Account:
    return await Account.create(name="ids")

"""Setting the admin password (`postroom quickstart`, localserve's first start)."""

from __future__ import annotations

import asyncio

from postroom.admin import validate
from postroom.auth import ADMIN_PASSWORD_HASH, read_setting, write_setting
from postroom.store.groupcommit import Batch, GroupCommitter


async def set_admin_password(committer: GroupCommitter, password: str) -> None:
    """Set the password of `admin` on the admin API, replacing any earlier one."""
    password_hash = await asyncio.to_thread(validate.password_hash, password, "", required=True)

    async def unit(batch: Batch) -> None:
        await write_setting(batch, ADMIN_PASSWORD_HASH, password_hash)

    await committer.run(unit)


async def has_admin_password(committer: GroupCommitter) -> bool:
    async def unit(batch: Batch) -> bool:
        return bool(await read_setting(batch, ADMIN_PASSWORD_HASH))

    return await committer.run(unit)

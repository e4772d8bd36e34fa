"""Creating domains and accounts with everything an account needs (its mailboxes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from postroom.store.account import Account, Domain, LoginAddress
from postroom.store.mailbox import Mailbox

# RFC 6154 §2: special-use roles of the default mailboxes (Inbox is special by name).
DEFAULT_MAILBOXES = (
    ("Inbox", ""),
    ("Sent", "sent"),
    ("Drafts", "drafts"),
    ("Archive", "archive"),
    ("Junk", "junk"),
    ("Trash", "trash"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewAddress:
    domain: Domain
    localpart: str
    fromid_login: bool = False


async def create_domain(name: str, catchall_separators: Sequence[str] = ()) -> Domain:
    return await Domain.create(name=name, catchall_separators=list(catchall_separators))


async def create_account(
    *,
    name: str,
    password_hash: str,
    addresses: Sequence[NewAddress],
    full_name: str = "",
    keep_retired_messages_seconds: int = 0,
    keep_retired_webhooks_seconds: int = 0,
    connection: BaseDBAsyncClient | None = None,
) -> Account:
    """Create an account with its login addresses and default mailboxes, atomically: in
    a transaction of its own, or in the caller's `connection` (a group-commit unit)."""
    if connection is not None:
        return await _create_account(
            connection,
            name=name,
            password_hash=password_hash,
            addresses=addresses,
            full_name=full_name,
            keep_retired_messages_seconds=keep_retired_messages_seconds,
            keep_retired_webhooks_seconds=keep_retired_webhooks_seconds,
        )
    async with in_transaction("default") as own:
        return await _create_account(
            own,
            name=name,
            password_hash=password_hash,
            addresses=addresses,
            full_name=full_name,
            keep_retired_messages_seconds=keep_retired_messages_seconds,
            keep_retired_webhooks_seconds=keep_retired_webhooks_seconds,
        )


async def _create_account(
    connection: BaseDBAsyncClient,
    *,
    name: str,
    password_hash: str,
    addresses: Sequence[NewAddress],
    full_name: str,
    keep_retired_messages_seconds: int,
    keep_retired_webhooks_seconds: int,
) -> Account:
    account = await Account.create(
        using_db=connection,
        name=name,
        full_name=full_name,
        password_hash=password_hash,
        keep_retired_messages_seconds=keep_retired_messages_seconds,
        keep_retired_webhooks_seconds=keep_retired_webhooks_seconds,
    )
    for address in addresses:
        await LoginAddress.create(
            using_db=connection,
            account=account,
            domain=address.domain,
            localpart=address.localpart.lower(),
            fromid_login=address.fromid_login,
        )
    for mailbox_name, special_use in DEFAULT_MAILBOXES:
        await Mailbox.create(
            using_db=connection, account=account, name=mailbox_name, special_use=special_use
        )
    return account

"""Per-account daily send limits: messages (recipients) and first-time recipients per 24 hours.

Counted from `RecipientRecord` rows, which every submission of an account with a
limit writes (webapi and SMTP alike; mox counts only SMTP submissions). A limit of
0 means no limit.

The authoritative check runs in the write transaction that records the submission
(`check_and_record`, called by `queue.submit.enqueue`), so that check and record are
one atomic step: Sends that group commit batches into one transaction see each
other's records, and on PostgreSQL the account row is locked (SELECT … FOR UPDATE)
so that transactions of other processes wait instead of passing the limit too. On
SQLite the write transaction holds the database's write lock from its start (BEGIN
IMMEDIATE, `store.db`). `check_send_limits` is an early refusal before composing,
outside any transaction: it keeps an account that is over its limit off the writer,
but it alone cannot stop concurrent submissions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from postroom.queue.errors import MessageLimitError, RecipientLimitError
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.outgoing import RecipientRecord
from postroom.store.records import AccountRecord

WINDOW = timedelta(hours=24)

# Addresses per IN list: within every database's limit on statement parameters.
_CHUNK = 500


def has_limits(account: AccountRecord) -> bool:
    return (
        account.max_outgoing_messages_per_day > 0 or account.max_first_time_recipients_per_day > 0
    )


async def check_send_limits(
    account: AccountRecord, recipients: Sequence[str], now: datetime
) -> None:
    """Raise if sending to `recipients` (lower-cased addresses) would exceed a limit,
    judged from committed records only (see the module docstring)."""
    start = now - WINDOW
    in_window = RecipientRecord.filter(account_id=account.id, created__gte=start)
    max_messages = account.max_outgoing_messages_per_day
    if max_messages > 0 and await in_window.count() + len(recipients) > max_messages:
        raise MessageLimitError(max_messages)
    max_first = account.max_first_time_recipients_per_day
    if max_first <= 0:
        return
    window_addresses = set(await in_window.distinct().values_list("address", flat=True))
    candidates = window_addresses | set(recipients)
    known_before = set(
        await RecipientRecord.filter(
            account_id=account.id, address__in=list(candidates), created__lt=start
        )
        .distinct()
        .values_list("address", flat=True)
    )
    first_time = {str(a) for a in candidates} - {str(a) for a in known_before}
    if len(first_time) > max_first:
        raise RecipientLimitError(max_first)


@dataclass(slots=True, kw_only=True)
class _Window:
    """One account's records of the past 24 hours as the transaction sees them: those
    committed before it, plus those its units have added (inserted only when the
    transaction ends, so no query would find them)."""

    start: datetime
    count: int
    addresses: set[str]
    """Distinct addresses in the window."""
    first_time: set[str] = field(default_factory=set)
    """Addresses in the window without a record before it (with a first-time limit)."""


async def check_and_record(
    batch: Batch, account: AccountRecord, recipients: Sequence[str], now: datetime
) -> None:
    """In the write transaction: raise `MessageLimitError` or `RecipientLimitError` if
    sending to `recipients` (lower-cased addresses) would exceed a limit of `account`,
    else record them. Nothing is written when it raises, so a unit may catch the error
    and the rest of its batch still commits."""
    max_messages = account.max_outgoing_messages_per_day
    max_first = account.max_first_time_recipients_per_day

    async def load(connection: BaseDBAsyncClient) -> _Window:
        return await _load_window(connection, account.id, now - WINDOW, max_first > 0)

    window = await batch.once(f"send-limits:{account.id}", load)
    if max_messages > 0 and window.count + len(recipients) > max_messages:
        raise MessageLimitError(max_messages)
    fresh: set[str] = set()
    if max_first > 0:
        new = set(recipients) - window.addresses
        fresh = new - await _known_before(batch.connection, account.id, window.start, new)
        if len(window.first_time) + len(fresh) > max_first:
            raise RecipientLimitError(max_first)
    window.count += len(recipients)
    window.addresses.update(recipients)
    window.first_time.update(fresh)
    when = sql.encode_datetime(batch.connection, now)
    for address in recipients:
        batch.insert(
            "recipient_record", ("account_id", "address", "created"), (account.id, address, when)
        )


async def _load_window(
    connection: BaseDBAsyncClient, account_id: int, start: datetime, first_time: bool
) -> _Window:
    if sql.dialect(connection) == "postgres":
        # Serializes the account's submissions across processes until commit; the
        # queries below (READ COMMITTED: each sees what committed before it) then count
        # the records of every transaction that held the lock before this one.
        await sql.fetch(connection, "SELECT id FROM account WHERE id = ? FOR UPDATE", [account_id])
    since = sql.encode_datetime(connection, start)
    rows = await sql.fetch(
        connection,
        "SELECT address, COUNT(*) AS n FROM recipient_record"
        " WHERE account_id = ? AND created >= ? GROUP BY address",
        [account_id, since],
    )
    window = _Window(
        start=start,
        count=sum(int(r["n"]) for r in rows),
        addresses={str(r["address"]) for r in rows},
    )
    if first_time:
        window.first_time = window.addresses - await _known_before(
            connection, account_id, start, window.addresses
        )
    return window


async def _known_before(
    connection: BaseDBAsyncClient, account_id: int, start: datetime, addresses: set[str]
) -> set[str]:
    """Those of `addresses` the account sent to before `start`."""
    ordered = sorted(addresses)
    known: set[str] = set()
    for offset in range(0, len(ordered), _CHUNK):
        chunk = ordered[offset : offset + _CHUNK]
        rows = await sql.fetch(
            connection,
            "SELECT DISTINCT address FROM recipient_record WHERE account_id = ? AND created < ?"
            f" AND address IN ({', '.join('?' for _ in chunk)})",
            [account_id, sql.encode_datetime(connection, start), *chunk],
        )
        known.update(str(r["address"]) for r in rows)
    return known

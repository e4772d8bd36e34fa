"""Per-account suppression lists: recipients an account will not send to.

Entries are keyed by base address (`postroom.mail.base_address`), so one entry covers
`john@x`, `John@x` and `john+news@x`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from postroom.mail import Address, base_address
from postroom.queue.errors import SuppressionAbsentError, SuppressionExistsError
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.store.outgoing import Suppression
from postroom.store.reader import Reader


async def base_addresses(addresses: Sequence[Address], reader: Reader) -> list[str]:
    """Suppression keys of `addresses`, with our own domains' catch-all separators applied."""
    names = list({a.domain for a in addresses})
    separators: dict[str, list[str]] = {}
    if names:
        rows = await reader.fetch(
            f"SELECT name, catchall_separators FROM domain WHERE name IN ({_marks(names)})",
            names,
        )
        separators = {row["name"]: sql.decode_json(row["catchall_separators"]) for row in rows}
    return [base_address(a, separators.get(a.domain, [])) for a in addresses]


async def check_recipients(
    account_id: int, addresses: Sequence[Address], reader: Reader
) -> tuple[list[str], frozenset[str]]:
    """The base addresses of `addresses` and which of them the account suppresses.

    One query in the common case: the bases are first computed as for foreign domains
    (`+` only) and looked up together with the domains; only if a recipient's domain is
    ours with other separators does its base change and need a second lookup.
    """
    guesses = [base_address(a, []) for a in addresses]
    names = list({a.domain for a in addresses})
    unique = list(set(guesses))
    rows = await reader.fetch(
        "SELECT 'domain' AS kind, name AS value, CAST(catchall_separators AS TEXT) AS extra"
        f" FROM domain WHERE name IN ({_marks(names)})"
        " UNION ALL SELECT 'suppressed' AS kind, base_address AS value, '' AS extra"
        f" FROM suppression WHERE account_id = ? AND base_address IN ({_marks(unique)})",
        [*names, account_id, *unique],
    )
    separators = {r["value"]: sql.decode_json(r["extra"]) for r in rows if r["kind"] == "domain"}
    suppressed = {r["value"] for r in rows if r["kind"] == "suppressed"}
    bases = [base_address(a, separators.get(a.domain, [])) for a in addresses]
    changed = [b for b, guess in zip(bases, guesses, strict=True) if b != guess]
    if changed:
        suppressed |= await suppressed_among(account_id, changed, reader)
    return bases, frozenset(b for b in bases if b in suppressed)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


async def list_suppressions(account_id: int) -> list[Suppression]:
    return await Suppression.filter(account_id=account_id).order_by("base_address", "id")


async def add_suppression(
    *,
    account_id: int,
    base_address: str,
    original_address: str,
    manual: bool,
    reason: str,
    now: datetime,
    connection: BaseDBAsyncClient | None = None,
) -> Suppression:
    try:
        return await Suppression.create(
            using_db=connection,
            account_id=account_id,
            base_address=base_address,
            original_address=original_address,
            manual=manual,
            reason=reason,
            created=now,
        )
    except IntegrityError as exc:
        raise SuppressionExistsError(base_address) from exc


async def remove_suppression(account_id: int, base_address: str) -> None:
    deleted = await Suppression.filter(account_id=account_id, base_address=base_address).delete()
    if deleted == 0:
        raise SuppressionAbsentError(base_address)


async def is_suppressed(account_id: int, base_address: str) -> bool:
    return await Suppression.exists(account_id=account_id, base_address=base_address)


async def suppressed_among(
    account_id: int, base_addresses: Sequence[str], reader: Reader
) -> frozenset[str]:
    """Which of `base_addresses` are on the account's list."""
    unique = list(set(base_addresses))
    if not unique:
        return frozenset()
    rows = await reader.fetch(
        "SELECT base_address FROM suppression"
        f" WHERE account_id = ? AND base_address IN ({_marks(unique)})",
        [account_id, *unique],
    )
    return frozenset(row["base_address"] for row in rows)


# Automatic suppression, with mox's rules: these replies mean the address
# does not exist or will never take our mail, so one failure is enough.
IMMEDIATE_CODES = frozenset({521, 550, 551, 553, 556})
IMMEDIATE_SECODES = frozenset({"1.1", "1.2", "1.3", "1.6", "2.1", "7.1"})


async def suppress_after_failure(
    batch: Batch,
    *,
    row: Mapping[str, Any],
    code: int,
    secode: str,
    source: str,
    now: datetime,
    hard_reason: str = "",
) -> bool:
    """After a permanent failure with an SMTP code, add the recipient to the sender
    account's suppression list when the failure says so, or when it is the third
    failure in a row for that exact address. True if an entry was added.

    `hard_reason` is set when a bounce parser judged the address itself bad (e.g.
    `userunknown` read from prose): that suppresses at once too, code or not.
    """
    account_id = int(row["account_id"])
    recipient = str(row["recipient_address"])
    immediate = code in IMMEDIATE_CODES or (code // 100 == 5 and secode in IMMEDIATE_SECODES)
    if immediate:
        reason = f'delivery failure from {source} with smtp code {code}, enhanced code "{secode}"'
    elif hard_reason:
        reason = f"delivery failure from {source}: {hard_reason}"
    else:
        previous = await sql.fetch(
            batch.connection,
            "SELECT success FROM retired_message"
            " WHERE account_id = ? AND recipient_address = ? AND id <> ?"
            " ORDER BY last_activity DESC LIMIT 2",
            [account_id, recipient, row["id"]],
        )
        if len(previous) < 2 or any(r["success"] for r in previous):
            return False
        reason = f"delivery failure from {source} and three consecutive failures"
    return await suppress_recipient(batch, row=row, reason=reason, now=now)


async def suppress_recipient(
    batch: Batch, *, row: Mapping[str, Any], reason: str, now: datetime
) -> bool:
    """Add the recipient of the queue (or retired) `row` to its account's suppression
    list, unless its base address is there already. True if an entry was added."""
    separators = await _separators(batch, str(row["recipient_domain"]))
    address = Address(
        localpart=str(row["recipient_localpart"]), domain=str(row["recipient_domain"])
    )
    # RETURNING tells whether a row was added; an INSERT's affected-row count is not
    # reported the same way by both drivers.
    added = await sql.fetch(
        batch.connection,
        "INSERT INTO suppression (created, account_id, base_address, original_address, manual,"
        " reason) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, base_address) DO NOTHING"
        " RETURNING id",
        [
            sql.encode_datetime(batch.connection, now),
            int(row["account_id"]),
            base_address(address, separators),
            str(row["recipient_address"]),
            False,
            reason,
        ],
    )
    return len(added) == 1


async def _separators(batch: Batch, domain: str) -> list[str]:
    rows = await sql.fetch(
        batch.connection, "SELECT catchall_separators FROM domain WHERE name = ?", [domain]
    )
    return list(sql.decode_json(rows[0]["catchall_separators"])) if rows else []

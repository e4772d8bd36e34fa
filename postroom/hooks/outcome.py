"""What happens to a webhook after an attempt (docs/webhooks.md).

Success, or failure of the last allowed attempt: the hook leaves the queue and is
kept as retired for the account's period. Any other failure: the hook stays, due
again after the schedule's wait. Every write is conditional on the lease token; if
the hook is gone meanwhile (superseded or canceled), the attempt's result is added
to its retired record, marked "(superseded)" as mox does.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from postroom.hooks.accounts import account_hooks
from postroom.hooks.claim import ClaimedHook
from postroom.hooks.results import INTERRUPTED, SUPERSEDED, HookResult
from postroom.hooks.schedule import MAX_ATTEMPTS, retry_wait
from postroom.hooks.store import insert_retired, row_results
from postroom.store import sql
from postroom.store.groupcommit import Batch


def previous_results(row: dict[str, Any]) -> list[HookResult]:
    """The row's results, plus one for each attempt claimed but never reported (its
    worker died and the lease ran out)."""
    results = row_results(row)
    missing = int(row["attempts"]) - 1 - len(results)
    if missing > 0:
        start = results[-1].start if results else _as_datetime(row["submitted"])
        results.extend(HookResult(start=start, error=INTERRUPTED) for _ in range(missing))
    return results


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def record_outcome(
    batch: Batch, hook: ClaimedHook, result: HookResult, rng: random.Random
) -> str:
    """Apply one attempt's result; return "delivered", "retry", "failed" or "gone"."""
    row = hook.row
    connection = batch.connection
    results = [*previous_results(row), result]
    attempts = int(row["attempts"])
    if result.success or attempts >= MAX_ATTEMPTS:
        deleted = await sql.execute(
            connection,
            "DELETE FROM webhook WHERE id = ? AND lease_token = ?",
            [row["id"], hook.token],
        )
        if deleted != 1:
            return await _gone(batch, row, result)
        hooks = await account_hooks(batch, int(row["account_id"]))
        retired = {k: v for k, v in row.items() if k not in _NOT_RETIRED}
        insert_retired(
            batch,
            retired,
            results=results,
            success=result.success,
            keep_for=hooks.keep_retired,
            # As mox records it: the last activity is the start of the final attempt.
            now=result.start,
        )
        return "delivered" if result.success else "failed"
    next_attempt = result.start + retry_wait(attempts, rng)
    updated = await sql.execute(
        connection,
        "UPDATE webhook SET next_attempt = ?, lease_token = NULL, results = ?"
        " WHERE id = ? AND lease_token = ?",
        [
            sql.encode_datetime(connection, next_attempt),
            sql.encode_json([r.to_json() for r in results]),
            row["id"],
            hook.token,
        ],
    )
    if updated != 1:
        return await _gone(batch, row, result)
    return "retry"


_NOT_RETIRED = ("next_attempt", "lease_token", "webhook_secret")


async def _gone(batch: Batch, row: dict[str, Any], result: HookResult) -> str:
    """The hook left the queue while it was being sent: note the attempt on its retired
    record, if one is kept."""
    connection = batch.connection
    rows = await sql.fetch(
        connection, "SELECT results FROM retired_webhook WHERE id = ?", [row["id"]]
    )
    if rows:
        results = [*(sql.decode_json(rows[0]["results"]) or [])]
        marked = HookResult(
            start=result.start,
            duration=result.duration,
            url=result.url,
            success=result.success,
            code=result.code,
            error=result.error + SUPERSEDED,
            response=result.response,
        )
        results.append(marked.to_json())
        await sql.execute(
            connection,
            "UPDATE retired_webhook SET results = ? WHERE id = ?",
            [sql.encode_json(results), row["id"]],
        )
    return "gone"

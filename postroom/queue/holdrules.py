"""Hold rules: one meaning everywhere.

A rule has an optional account, sender domain and recipient domain and matches a
message when all its non-empty fields match; a rule with every field empty matches
every message (it pauses the queue). A message is held when any rule matches.
(mox uses OR across fields when queueing and AND when adding a rule; we use AND.)
"""

from __future__ import annotations

from postroom.queue.filters import QueueFilter, queue_where
from postroom.store import sql
from postroom.store.groupcommit import Batch, GroupCommitter
from postroom.store.outgoing import HoldRule


def rule_matches(
    rule: HoldRule, *, account_name: str, sender_domain: str, recipient_domain: str
) -> bool:
    return (
        (not rule.account or rule.account == account_name)
        and (not rule.sender_domain or rule.sender_domain == sender_domain)
        and (not rule.recipient_domain or rule.recipient_domain == recipient_domain)
    )


def any_rule_matches(
    rules: list[HoldRule], *, account_name: str, sender_domain: str, recipient_domain: str
) -> bool:
    return any(
        rule_matches(
            rule,
            account_name=account_name,
            sender_domain=sender_domain,
            recipient_domain=recipient_domain,
        )
        for rule in rules
    )


async def add_hold_rule(
    committer: GroupCommitter,
    *,
    account: str = "",
    sender_domain: str = "",
    recipient_domain: str = "",
) -> tuple[HoldRule, int]:
    """Add a rule and hold the queued messages it matches; return it and how many it held."""

    async def run(batch: Batch) -> tuple[HoldRule, int]:
        connection = batch.connection
        rule = await HoldRule.create(
            using_db=connection,
            account=account,
            sender_domain=sender_domain.lower(),
            recipient_domain=recipient_domain.lower(),
        )
        where = queue_where(
            sql.dialect(connection),
            QueueFilter(
                account=rule.account,
                sender_domain=rule.sender_domain,
                recipient_domain=rule.recipient_domain,
                hold=False,
            ),
        )
        held = await sql.execute(
            connection,
            f"UPDATE queue_message SET hold = ? WHERE {where.sql()}",
            [True, *where.values],
        )
        return rule, held

    return await committer.run(run)


async def list_hold_rules() -> list[HoldRule]:
    return await HoldRule.all().order_by("id")


async def remove_hold_rule(committer: GroupCommitter, rule_id: int) -> bool:
    """Remove a rule. Messages it held stay held until released (removing releases nothing)."""

    async def run(batch: Batch) -> int:
        return await HoldRule.filter(id=rule_id).using_db(batch.connection).delete()

    return await committer.run(run) == 1

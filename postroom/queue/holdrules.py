"""Hold rules: one meaning everywhere.

A rule has an optional account, sender domain and recipient domain and matches a
message when all its non-empty fields match; a rule with every field empty matches
every message (it pauses the queue). A message is held when any rule matches.
(mox uses OR across fields when queueing and AND when adding a rule; we use AND.)
"""

from __future__ import annotations

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

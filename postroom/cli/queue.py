"""`postroom queue …`: inspect and operate the outgoing queue of an instance."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from postroom.cli.instance import add_instance_options, instance_config, run_with_database
from postroom.cli.output import print_cursor, print_rows
from postroom.cli.table import print_table
from postroom.cli.timespec import parse_duration, parse_time
from postroom.queue import operations
from postroom.queue.errors import QueueError
from postroom.queue.filters import Cursor, PageRequest, QueueFilter, RetiredFilter, SortField
from postroom.queue.holdrules import add_hold_rule, list_hold_rules, remove_hold_rule
from postroom.queue.retired import list_retired
from postroom.store.db import Database
from postroom.store.groupcommit import GroupCommitter


def _queue_filter(args: argparse.Namespace) -> QueueFilter:
    return QueueFilter(
        ids=tuple(args.id or ()),
        account=args.account or "",
        sender_domain=args.sender_domain or "",
        recipient_domain=args.recipient_domain or "",
        hold=args.held,
        submitted_before=args.submitted_before,
        submitted_after=args.submitted_after,
        next_attempt_before=getattr(args, "next_attempt_before", None),
        next_attempt_after=getattr(args, "next_attempt_after", None),
        transport=getattr(args, "transport", None),
    )


def _page(args: argparse.Namespace, default_sort: SortField) -> PageRequest:
    try:
        after = Cursor.decode(args.after) if args.after else None
    except QueueError as exc:
        raise SystemExit(f"postroom: {exc}") from None
    return PageRequest(
        limit=args.limit,
        sort=SortField(args.sort) if args.sort else default_sort,
        ascending=not args.desc,
        after=after,
    )


def _list(args: argparse.Namespace) -> int:
    config = instance_config(args)
    page = _page(args, SortField.NEXT_ATTEMPT)
    rows, cursor = run_with_database(
        config, lambda db, c: operations.list_queue(c, _queue_filter(args), page)
    )
    print_rows(
        args,
        rows,
        ("id", "account", "sender", "recipient", "hold", "attempts", "next_attempt", "subject"),
    )
    print_cursor(args, cursor)
    return 0


def _change(args: argparse.Namespace) -> int:
    config = instance_config(args)
    f = _queue_filter(args)
    now = datetime.now(UTC)
    action: str = args.action
    if action == "transport" and args.name not in ("", "direct", *config.transports):
        # The delivery would fail (temporarily) on every attempt until it is fixed.
        known = ", ".join(["direct", *config.transports])
        print(f"postroom: no transport {args.name!r} in the config (known: {known})")
        return 2

    async def work(db: Database, committer: GroupCommitter) -> int:
        if action == "hold":
            return await operations.hold(committer, f)
        if action == "release":
            return await operations.release(committer, f)
        if action == "retry":
            return await operations.set_next_attempt(committer, f, now, now)
        if action == "delay":
            return await operations.add_next_attempt(committer, f, args.by, now)
        if action == "fail":
            return await operations.fail(committer, f, now, config.hostname)
        if action == "drop":
            return await operations.drop(committer, f, now)
        if action == "transport":
            return await operations.set_transport(committer, f, args.name)
        require = {"yes": True, "no": False, "default": None}[args.value]
        return await operations.set_require_tls(committer, f, require)

    count = run_with_database(config, work)
    print(f"{count} message{'s' if count != 1 else ''} changed")
    return 0


def _holdrule(args: argparse.Namespace) -> int:
    config = instance_config(args)
    if args.rule_action == "add":
        rule, held = run_with_database(
            config,
            lambda db, c: add_hold_rule(
                c,
                account=args.account or "",
                sender_domain=args.sender_domain or "",
                recipient_domain=args.recipient_domain or "",
            ),
        )
        print(f"hold rule {rule.id} added; {held} queued message{'s' if held != 1 else ''} held")
        return 0
    if args.rule_action == "remove":
        removed = run_with_database(config, lambda db, c: remove_hold_rule(c, args.rule_id))
        if not removed:
            print(f"postroom: no hold rule {args.rule_id}")
            return 1
        print(f"hold rule {args.rule_id} removed (held messages stay held until released)")
        return 0

    async def rules(db: Database, committer: GroupCommitter) -> list[dict[str, Any]]:
        return [
            {"id": r.id, "account": r.account, "sender_domain": r.sender_domain,
             "recipient_domain": r.recipient_domain}
            for r in await list_hold_rules()
        ]  # fmt: skip

    listed = run_with_database(config, rules)
    if args.json:
        for rule_row in listed:
            print(json.dumps(rule_row))
    else:
        print_table(listed, columns=("id", "account", "sender_domain", "recipient_domain"))
    return 0


def _retired(args: argparse.Namespace) -> int:
    config = instance_config(args)
    f = RetiredFilter(
        ids=tuple(args.id or ()),
        account=args.account or "",
        sender_domain=args.sender_domain or "",
        recipient_domain=args.recipient_domain or "",
        success=args.success,
        submitted_before=args.submitted_before,
        submitted_after=args.submitted_after,
    )
    page = _page(args, SortField.LAST_ACTIVITY)
    rows, cursor = run_with_database(
        config, lambda db, c: list_retired(db.reader, db.dialect.value, f, page)
    )
    print_rows(
        args,
        rows,
        ("id", "account", "recipient", "success", "attempts", "last_activity", "subject"),
    )
    print_cursor(args, cursor)
    return 0


def _filter_options(parser: argparse.ArgumentParser, *, queue: bool) -> None:
    parser.add_argument("--id", type=int, action="append", help="this message ID (repeatable)")
    parser.add_argument("--account", help="messages of this account")
    parser.add_argument("--sender-domain", help="messages from this domain")
    parser.add_argument("--recipient-domain", help="messages to this domain")
    parser.add_argument(
        "--submitted-before", type=parse_time, help="queued before this time (RFC 3339 or now-2h)"
    )
    parser.add_argument("--submitted-after", type=parse_time, help="queued after this time")
    if queue:
        held = parser.add_mutually_exclusive_group()
        held.add_argument("--held", action="store_const", const=True, help="only held messages")
        held.add_argument(
            "--not-held", dest="held", action="store_const", const=False, help="only unheld ones"
        )
        parser.add_argument("--next-attempt-before", type=parse_time, help="due before this time")
        parser.add_argument("--next-attempt-after", type=parse_time, help="due after this time")
        parser.add_argument("--transport", help='messages with this transport ("" for default)')
    else:
        outcome = parser.add_mutually_exclusive_group()
        outcome.add_argument(
            "--delivered", dest="success", action="store_const", const=True,
            help="only delivered messages",
        )  # fmt: skip
        outcome.add_argument(
            "--failed", dest="success", action="store_const", const=False,
            help="only failed or canceled messages",
        )  # fmt: skip


def _list_options(parser: argparse.ArgumentParser, sorts: Sequence[str]) -> None:
    parser.add_argument("--sort", choices=sorts, help=f"sort field (default {sorts[0]})")
    parser.add_argument("--desc", action="store_true", help="newest first")
    parser.add_argument("--limit", type=int, default=100, help="rows per page (default 100)")
    parser.add_argument("--after", help="continue after this page cursor")
    parser.add_argument("--json", action="store_true", help="print JSON lines")


def add_queue_commands(commands: Any) -> None:
    queue = commands.add_parser("queue", help="inspect and operate the outgoing queue")
    actions = queue.add_subparsers(dest="queue_command", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="list queued messages")
    _filter_options(listing, queue=True)
    _list_options(listing, ("next_attempt", "queued"))
    add_instance_options(listing)
    listing.set_defaults(func=_list)

    changes = {
        "hold": "hold matching messages (no delivery until released)",
        "release": "release held messages (overdue ones go at once)",
        "retry": "make matching messages due now",
        "delay": "move the next attempt of matching messages by --by",
        "fail": "give up on matching messages: failure DSN, failed webhook",
        "drop": "remove matching messages without a DSN: canceled webhook",
        "transport": "send matching messages through transport NAME",
        "requiretls": "set RequireTLS of matching messages: yes, no or default",
    }
    for action, help_text in changes.items():
        parser = actions.add_parser(action, help=help_text, description=help_text)
        if action == "transport":
            parser.add_argument("name", help='transport name ("" for default routing)')
        if action == "requiretls":
            parser.add_argument("value", choices=("yes", "no", "default"))
        if action == "delay":
            parser.add_argument("--by", type=parse_duration, required=True, help="e.g. 30m, -1h")
        _filter_options(parser, queue=True)
        add_instance_options(parser)
        parser.set_defaults(func=_change, action=action)

    rules = actions.add_parser("holdrule", help="hold rules: pause matching messages")
    rule_actions = rules.add_subparsers(dest="rule_action", required=True, metavar="ACTION")
    add = rule_actions.add_parser(
        "add",
        help="add a rule and hold the queued messages it matches",
        description="A rule matches a message when all its given fields match;"
        " a rule without fields matches every message (pauses the queue).",
    )
    add.add_argument("--account", help="account name")
    add.add_argument("--sender-domain", help="sender domain")
    add.add_argument("--recipient-domain", help="recipient domain")
    add_instance_options(add)
    add.set_defaults(func=_holdrule)
    rule_list = rule_actions.add_parser("list", help="list hold rules")
    rule_list.add_argument("--json", action="store_true", help="print JSON lines")
    add_instance_options(rule_list)
    rule_list.set_defaults(func=_holdrule)
    remove = rule_actions.add_parser("remove", help="remove a hold rule (releases nothing)")
    remove.add_argument("rule_id", type=int)
    add_instance_options(remove)
    remove.set_defaults(func=_holdrule)

    retired = actions.add_parser("retired", help="list delivered, failed and canceled messages")
    _filter_options(retired, queue=False)
    _list_options(retired, ("last_activity", "queued"))
    add_instance_options(retired)
    retired.set_defaults(func=_retired)

"""`postroom hooks …`: inspect queued and retired webhooks, retry or cancel them."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from postroom.cli.instance import add_instance_options, instance_config, run_with_database
from postroom.cli.output import print_cursor, print_rows
from postroom.cli.timespec import parse_time
from postroom.hooks import (
    HookFilter,
    HookPage,
    HookSort,
    cancel_hooks,
    list_hooks,
    list_retired_hooks,
    retry_hooks,
)
from postroom.queue.errors import QueueError
from postroom.queue.filters import Cursor


def _filter(args: argparse.Namespace) -> HookFilter:
    return HookFilter(
        ids=tuple(args.id or ()),
        account=args.account or "",
        event=args.event or "",
        incoming=args.incoming,
        queue_msg_id=args.queue_msg_id or 0,
        submitted_before=args.submitted_before,
        submitted_after=args.submitted_after,
    )


def _page(args: argparse.Namespace, default: HookSort) -> HookPage:
    try:
        after = Cursor.decode(args.after) if args.after else None
    except QueueError as exc:
        raise SystemExit(f"postroom: {exc}") from None
    sort = HookSort(args.sort) if args.sort else default
    return HookPage(limit=args.limit, sort=sort, ascending=not args.desc, after=after)


def _list(args: argparse.Namespace) -> int:
    config = instance_config(args)
    page = _page(args, HookSort.NEXT_ATTEMPT)
    rows, cursor = run_with_database(
        config, lambda db, c: list_hooks(db.reader, db.dialect.value, _filter(args), page)
    )
    print_rows(
        args, rows, ("id", "account", "event", "queue_msg_id", "attempts", "next_attempt", "url")
    )
    print_cursor(args, cursor)
    return 0


def _retired(args: argparse.Namespace) -> int:
    config = instance_config(args)
    page = _page(args, HookSort.LAST_ACTIVITY)
    rows, cursor = run_with_database(
        config, lambda db, c: list_retired_hooks(db.reader, db.dialect.value, _filter(args), page)
    )
    columns = ("id", "account", "event", "queue_msg_id", "success", "attempts", "last_activity")
    print_rows(args, rows, columns)
    print_cursor(args, cursor)
    return 0


def _change(args: argparse.Namespace) -> int:
    config = instance_config(args)
    now = datetime.now(UTC)
    f = _filter(args)
    if args.action == "retry":
        count = run_with_database(config, lambda db, c: retry_hooks(c, f, now))
    else:
        count = run_with_database(config, lambda db, c: cancel_hooks(c, f, now))
    print(f"{count} webhook{'s' if count != 1 else ''} changed")
    return 0


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", type=int, action="append", help="this webhook ID (repeatable)")
    parser.add_argument("--account", help="webhooks of this account")
    parser.add_argument("--event", help="an outgoing event name (delivered, failed, …) or incoming")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--incoming", action="store_const", const=True, help="only incoming ones")
    kind.add_argument(
        "--outgoing", dest="incoming", action="store_const", const=False, help="only outgoing ones"
    )
    parser.add_argument("--queue-msg-id", type=int, help="webhooks about this queue message")
    parser.add_argument("--submitted-before", type=parse_time, help="queued before this time")
    parser.add_argument("--submitted-after", type=parse_time, help="queued after this time")


def _list_options(parser: argparse.ArgumentParser, sorts: Sequence[str]) -> None:
    parser.add_argument("--sort", choices=sorts, help=f"sort field (default {sorts[0]})")
    parser.add_argument("--desc", action="store_true", help="newest first")
    parser.add_argument("--limit", type=int, default=100, help="rows per page (default 100)")
    parser.add_argument("--after", help="continue after this page cursor")
    parser.add_argument("--json", action="store_true", help="print JSON lines")


def add_hooks_commands(commands: Any) -> None:
    hooks = commands.add_parser("hooks", help="inspect and operate queued and retired webhooks")
    actions = hooks.add_subparsers(dest="hooks_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list queued webhooks")
    _filter_options(listing)
    _list_options(listing, ("next_attempt", "submitted"))
    add_instance_options(listing)
    listing.set_defaults(func=_list)
    retired = actions.add_parser("retired", help="list sent, failed, superseded, canceled ones")
    _filter_options(retired)
    _list_options(retired, ("last_activity", "submitted"))
    add_instance_options(retired)
    retired.set_defaults(func=_retired)
    for action, help_text in {
        "retry": "make matching queued webhooks due now",
        "cancel": "remove matching queued webhooks (kept as retired)",
    }.items():
        parser = actions.add_parser(action, help=help_text, description=help_text)
        _filter_options(parser)
        add_instance_options(parser)
        parser.set_defaults(func=_change, action=action)

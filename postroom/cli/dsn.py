"""`postroom dsn parse PATH…`: read bounce files and print what the parser makes of them.

One JSON line per email file, for checking the parser against real bounces and
for looking at a bounce an instance received. Reads files only; no instance needed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from postroom.dsn import Bounce, parse_bounce


def add_dsn_commands(commands: Any) -> None:
    """Register `dsn parse` on the top-level subcommands (an argparse subparsers object)."""
    dsn = commands.add_parser(
        "dsn",
        help="inspect bounces and delivery status notifications",
        description="Inspect bounces, DSNs and feedback reports.",
    )
    sub = dsn.add_subparsers(dest="dsn_command", required=True, metavar="COMMAND")
    parse = sub.add_parser(
        "parse",
        help="parse bounce emails and print one JSON line per email",
        description="Parse each email file (a directory means its *.eml files, sorted by"
        ' name) and print {"file", "recipients": [{"recipient", "action", "status",'
        ' "replycode", "reason", "hard"}]} per email. A file that is not a bounce gets'
        " an empty recipients list.",
    )
    parse.add_argument("paths", nargs="+", metavar="PATH", help="email file or directory")
    parse.set_defaults(func=_parse_command)


def _parse_command(args: argparse.Namespace) -> int:
    try:
        return print_parsed(args.paths, sys.stdout)
    except BrokenPipeError:
        # The reader went away (`| head`); stop quietly, as line-oriented tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- stays open until exit
        return 0


def email_files(paths: Sequence[str]) -> Iterator[Path]:
    """The files named, with each directory replaced by its `*.eml` files in name order."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix == ".eml" and p.is_file())
        else:
            yield path


def bounce_json(name: str, bounce: Bounce | None) -> dict[str, Any]:
    """The output object for one email: file name and its recipients' results."""
    recipients = [] if bounce is None else bounce.recipients
    return {
        "file": name,
        "recipients": [
            {
                "recipient": result.recipient,
                "action": result.action,
                "status": result.status,
                "replycode": str(result.reply_code) if result.reply_code else "",
                "reason": result.reason.value,
                "hard": result.hard,
            }
            for result in recipients
        ],
    }


def print_parsed(paths: Sequence[str], out: TextIO) -> int:
    """Print one JSON line per email file; 1 if a file could not be read, else 0."""
    status = 0
    for path in email_files(paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"postroom: {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        line = bounce_json(path.name, parse_bounce(data))
        print(json.dumps(line, ensure_ascii=False), file=out)
    return status

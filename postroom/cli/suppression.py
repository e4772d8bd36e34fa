"""`postroom suppression …`: an account's suppression list as CSV, for moving lists
between systems and for backups."""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from postroom.cli.instance import add_instance_options, instance_config
from postroom.config import Config
from postroom.queue.suppression_csv import ImportReport, export_suppressions, import_suppressions
from postroom.store.account import Account
from postroom.store.db import open_database
from postroom.store.groupcommit import GroupCommitter


class _UnknownAccountError(Exception):
    pass


async def _account_id(name: str) -> int:
    account = await Account.get_or_none(name=name)
    if account is None:
        raise _UnknownAccountError(f"postroom: no account named {name!r}")
    return account.id


def _export(args: argparse.Namespace) -> int:
    config = instance_config(args)

    async def main(out: TextIO) -> int:
        async with open_database(config.effective_database_url()):
            return await export_suppressions(await _account_id(args.account), out)

    try:
        if args.file in (None, "-"):
            count = asyncio.run(main(sys.stdout))
        else:
            with open(args.file, "w", encoding="utf-8", newline="") as out:
                count = asyncio.run(main(out))
    except _UnknownAccountError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"exported {count} entries", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    config = instance_config(args)
    show_progress = args.progress if args.progress is not None else sys.stderr.isatty()
    with _open_source(args.file) as (raw, size):
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        lines = _CountingLines(text)
        progress = _progress_printer(lines, size) if show_progress else None
        try:
            report = asyncio.run(_run_import(config, args.account, lines, progress))
        except _UnknownAccountError as exc:
            print(exc, file=sys.stderr)
            return 2
    if progress is not None:
        print(file=sys.stderr)
    for error in report.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    print(
        f"added {report.added}, already listed {report.already_listed},"
        f" bad lines {len(report.errors)} (of {report.lines} lines)"
    )
    # Non-zero when any line was refused, so scripts notice; the good lines are kept.
    return 1 if report.errors else 0


async def _run_import(
    config: Config,
    account: str,
    source: Iterable[str],
    progress: Callable[[ImportReport], None] | None,
) -> ImportReport:
    async with open_database(config.effective_database_url()) as database:
        account_id = await _account_id(account)
        committer = GroupCommitter(database)
        committer.start()
        try:
            return await import_suppressions(
                committer,
                database.reader,
                account_id=account_id,
                source=source,
                now=datetime.now(UTC),
                progress=progress,
            )
        finally:
            await committer.stop()


@contextmanager
def _open_source(name: str) -> Iterator[tuple[BinaryIO, int]]:
    if name == "-":
        yield sys.stdin.buffer, 0
        return
    path = Path(name)
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise SystemExit(f"postroom: {name}: {exc.strerror}") from None
    with raw:
        yield raw, path.stat().st_size


class _CountingLines:
    """The lines of a text file, counting the bytes handed out so far, for progress."""

    def __init__(self, text: TextIO) -> None:
        self.text = text
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.text:
            self.consumed += len(line.encode("utf-8", "replace"))
            yield line


def _progress_printer(lines: _CountingLines, size: int) -> Callable[[ImportReport], None]:
    """A one-line progress bar on stderr, redrawn after every committed chunk."""
    width = 30

    def show(report: ImportReport) -> None:
        done = min(lines.consumed / size, 1.0) if size else 0.0
        filled = int(done * width)
        bar = "#" * filled + "-" * (width - filled)
        percent = f"{done:4.0%}" if size else "    "
        sys.stderr.write(
            f"\r[{bar}] {percent} {report.lines:,} lines, {report.added:,} added,"
            f" {len(report.errors):,} bad"
        )
        sys.stderr.flush()

    return show


def add_suppression_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    parser = commands.add_parser(
        "suppression",
        help="import or export an account's suppression list as CSV",
        description="An account's suppression list as CSV (RFC 4180, with a header row).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    export = actions.add_parser(
        "export",
        help="write the list as CSV",
        description="Write the account's suppression list as CSV with the columns"
        " address, base_address, manual, reason, created.",
    )
    add_instance_options(export)
    export.add_argument("--account", required=True, help="account name")
    export.add_argument("file", nargs="?", help="output file (default: standard output)")
    export.set_defaults(func=_export)

    imports = actions.add_parser(
        "import",
        help="add the addresses of a CSV file to the list",
        description="Add the addresses of a CSV file to the account's suppression list."
        " The header row names an `address` (or `email`) column and optionally `reason`,"
        " `manual` and `created`; without a header the columns are address and reason."
        " Addresses already listed are left as they are. A bad line is reported with its"
        " number and skipped, the others are kept; the exit status is 1 if any line was bad.",
    )
    add_instance_options(imports)
    imports.add_argument("--account", required=True, help="account name")
    imports.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on standard error (default: when it is a terminal)",
    )
    imports.add_argument("file", help="CSV file, or - for standard input")
    imports.set_defaults(func=_import)

"""How list commands print: a readable table, or one JSON object per line with
`--json`, and the cursor of the next page."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Protocol

from postroom.cli.table import print_table


class PageCursor(Protocol):
    def encode(self) -> str: ...


def jsonable(value: Any) -> Any:
    """`value` with datetimes as RFC 3339 text and durations as seconds."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def print_rows(args: argparse.Namespace, rows: Sequence[Any], columns: Sequence[str]) -> None:
    """Dataclass `rows`: all fields as JSON lines with `--json`, else `columns` as a table."""
    if args.json:
        for row in rows:
            print(json.dumps(jsonable(asdict(row)), ensure_ascii=False))
        return
    print_table([{c: jsonable(getattr(row, c)) for c in columns} for row in rows], columns=columns)


def print_cursor(args: argparse.Namespace, cursor: PageCursor | None) -> None:
    """After a table, how to ask for the next page (JSON output leaves paging to scripts)."""
    if cursor is not None and not args.json:
        print(f"\nmore: --after {cursor.encode()}")

"""Running admin API methods from the command line, against an instance's database, as a
global admin: the CLI mirrors the API by calling the same method table."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from typing import Any, TypeVar

from postroom.admin import ADMIN_METHODS, GLOBAL_ADMIN, AdminCall, AdminServices
from postroom.auth import FailedLoginLimiter, LoginVerifier
from postroom.cli.instance import add_instance_options, instance_config
from postroom.cli.table import print_table
from postroom.clock import SystemClock
from postroom.store.db import open_database
from postroom.store.groupcommit import GroupCommitter
from postroom.wire import encode_response

T = TypeVar("T")


def with_services(args: argparse.Namespace, work: Callable[[AdminServices], Awaitable[T]]) -> T:
    """Open the instance's database, run `work` with admin services, close it again."""
    config = instance_config(args)

    async def main() -> T:
        async with open_database(config.effective_database_url()) as database:
            committer = GroupCommitter(database)
            committer.start()
            try:
                clock = SystemClock()
                services = AdminServices(
                    config=config,
                    clock=clock,
                    committer=committer,
                    reader=database.reader,
                    dialect=database.dialect.value,
                    verifier=LoginVerifier(FailedLoginLimiter(clock), database.reader),
                )
                return await work(services)
            finally:
                await committer.stop()

    return asyncio.run(main())


def run_method(args: argparse.Namespace, name: str, request: Any) -> Any:
    """Call admin method `name` with `request` (its request dataclass); an AdminError
    propagates and is printed by the command line's error handler."""
    method = ADMIN_METHODS[name]

    async def work(services: AdminServices) -> Any:
        return await method.handler(AdminCall(services=services, principal=GLOBAL_ADMIN), request)

    return with_services(args, work)


def print_result(
    args: argparse.Namespace,
    result: Any,
    *,
    rows: Sequence[Any] | None = None,
    columns: Sequence[str] = (),
    text: str = "",
) -> None:
    """`--json`: the result as the API answers it. Otherwise a table of `rows` (wire
    objects, cells named by their field names) or `text`."""
    if args.json:
        print(encode_response(result).decode().rstrip("\n"))
        return
    if rows is not None:
        print_table([_cells(row) for row in rows], columns=columns)
    if text:
        print(text)


def _cells(row: Any) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for key, value in asdict(row).items():
        if isinstance(value, list):
            value = ", ".join(
                str(v.get("Address", v)) if isinstance(v, dict) else str(v) for v in value
            )
        elif isinstance(value, dict):
            value = json.dumps(value)
        cells[key] = value
    return cells


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the API's JSON result")
    add_instance_options(parser)

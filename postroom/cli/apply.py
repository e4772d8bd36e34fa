"""`postroom apply FILE.json`: make the database match a provisioning document."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from postroom.admin import GLOBAL_ADMIN, AdminCall, AdminServices
from postroom.admin.provision import parse_document, plan
from postroom.cli.adminrun import with_services
from postroom.cli.instance import add_instance_options


def _apply(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        document: Any = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"postroom: reading {args.file}: {exc}", file=sys.stderr)
        return 2
    specs = parse_document(document)

    async def work(services: AdminServices) -> int:
        call = AdminCall(services=services, principal=GLOBAL_ADMIN)
        changes = await plan(call, specs)
        for change in changes:
            if not args.dry_run:
                await change.run()
            print(change)
        return len(changes)

    count = with_services(args, work)
    verb = "would make" if args.dry_run else "made"
    print(f"{verb} {count} change{'s' if count != 1 else ''}")
    return 0


def add_apply_command(commands: Any) -> None:
    apply = commands.add_parser(
        "apply",
        help="make domains, accounts and aliases match a JSON document",
        description="Make the database match FILE: a JSON object keyed by domain, each with"
        ' an "account" list ({"name", "password" or "password_hash"}) and an "alias" list'
        ' ({"name", "to": comma-separated addresses}). Within those domains, accounts named'
        " <name>@<domain> and aliases that FILE does not list are removed (with their data)."
        " Password hashes may be $6$ (SHA-512-crypt), $2b$ (bcrypt) or $argon2id$."
        " Prints what it created, changed and removed.",
    )
    apply.add_argument("file", help="the document (- for standard input)")
    apply.add_argument("--dry-run", action="store_true", help="only print what would change")
    add_instance_options(apply)
    apply.set_defaults(func=_apply)

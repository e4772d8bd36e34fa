"""`postroom apikey …`: create, list and revoke API keys."""

from __future__ import annotations

import argparse
from typing import Any

from postroom.admin.types import keys as wire
from postroom.cli.adminrun import add_common, print_result, run_method

COLUMNS = ("ID", "Name", "Prefix", "Scope", "Account", "Created", "LastUsed", "Revoked")


def _create(args: argparse.Namespace) -> int:
    request = wire.APIKeyCreateRequest(
        Name=args.name or "",
        Scope="admin" if args.admin else "webapi",
        Account=args.account or "",
    )
    result = run_method(args, "APIKeyCreate", request)
    print_result(
        args,
        result,
        text=f"API key {result.Key.ID} created; its token (shown only now):\n{result.Token}",
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    result = run_method(args, "APIKeyList", wire.APIKeyListRequest(Account=args.account or ""))
    print_result(args, result, rows=result.Keys, columns=COLUMNS)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    result = run_method(args, "APIKeyRevoke", wire.APIKeyRevokeRequest(ID=args.id))
    print_result(args, result, text=f"API key {args.id} revoked")
    return 0


def add_apikey_commands(commands: Any) -> None:
    apikey = commands.add_parser("apikey", help="manage API keys (Authorization: Bearer)")
    actions = apikey.add_subparsers(dest="apikey_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create a key and print its token once")
    owner = create.add_mutually_exclusive_group(required=True)
    owner.add_argument("--account", help="an account's key, for the webapi and account API")
    owner.add_argument("--admin", action="store_true", help="an admin key, for the admin API")
    create.add_argument("--name", help="what the key is for")
    add_common(create)
    create.set_defaults(func=_create)

    listing = actions.add_parser("list", help="list keys (never their tokens)")
    listing.add_argument("--account", help="only this account's keys")
    add_common(listing)
    listing.set_defaults(func=_list)

    revoke = actions.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("id", type=int)
    add_common(revoke)
    revoke.set_defaults(func=_revoke)

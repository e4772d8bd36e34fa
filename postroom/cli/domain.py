"""`postroom domain …`: the admin API's domain methods from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from postroom.admin.types import domains as wire
from postroom.cli.adminrun import add_common, print_result, run_method

COLUMNS = ("Name", "CatchallSeparators", "Disabled", "Aliases", "Accounts", "ForwardAccount")


def _list(args: argparse.Namespace) -> int:
    result = run_method(args, "DomainList", wire.DomainListRequest())
    print_result(args, result, rows=result.Domains, columns=COLUMNS)
    return 0


def _one(args: argparse.Namespace, name: str, request: Any) -> int:
    result = run_method(args, name, request)
    print_result(args, result, rows=[result.Domain], columns=COLUMNS)
    return 0


def _get(args: argparse.Namespace) -> int:
    return _one(args, "DomainGet", wire.DomainGetRequest(Name=args.name))


def _create(args: argparse.Namespace) -> int:
    request = wire.DomainCreateRequest(Name=args.name, CatchallSeparators=args.separator or [])
    return _one(args, "DomainCreate", request)


def _update(args: argparse.Namespace) -> int:
    separators = [] if args.no_separators else args.separator
    request = wire.DomainUpdateRequest(
        Name=args.name,
        CatchallSeparators=separators,
        Disabled=args.disabled,
        ForwardAccount=args.forward_account,
    )
    return _one(args, "DomainUpdate", request)


def _delete(args: argparse.Namespace) -> int:
    result = run_method(
        args, "DomainDelete", wire.DomainDeleteRequest(Name=args.name, Force=args.force)
    )
    text = (
        f"domain {args.name} deleted ({result.AddressesRemoved} addresses,"
        f" {result.AliasesRemoved} aliases removed)"
    )
    print_result(args, result, text=text)
    return 0


def _alias(args: argparse.Namespace) -> int:
    if args.alias_action == "add":
        result = run_method(
            args, "DomainAliasAdd", wire.DomainAliasAddRequest(Domain=args.domain, Alias=args.alias)
        )
        print_result(args, result, text=f"{args.alias} is now another name of {args.domain}")
    else:
        result = run_method(
            args,
            "DomainAliasRemove",
            wire.DomainAliasRemoveRequest(Domain=args.domain, Alias=args.alias),
        )
        print_result(args, result, text=f"{args.alias} removed from {args.domain}")
    return 0


def add_domain_commands(commands: Any) -> None:
    domain = commands.add_parser("domain", help="manage mail domains")
    actions = domain.add_subparsers(dest="domain_command", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="list domains")
    add_common(listing)
    listing.set_defaults(func=_list)

    get = actions.add_parser("get", help="show a domain")
    get.add_argument("name")
    add_common(get)
    get.set_defaults(func=_get)

    create = actions.add_parser("create", help="add a domain")
    create.add_argument("name", help="domain name, e.g. example.com")
    create.add_argument(
        "--separator", action="append", help="catch-all separator, e.g. + (repeatable)"
    )
    add_common(create)
    create.set_defaults(func=_create)

    update = actions.add_parser("update", help="change a domain's settings")
    update.add_argument("name")
    update.add_argument("--separator", action="append", help="new catch-all separators")
    update.add_argument("--no-separators", action="store_true", help="remove all separators")
    switch = update.add_mutually_exclusive_group()
    switch.add_argument("--disable", dest="disabled", action="store_const", const=True)
    switch.add_argument("--enable", dest="disabled", action="store_const", const=False)
    update.add_argument(
        "--forward-account",
        metavar="ACCOUNT",
        help="account whose queue holds mail forwarded for the domain (alias members on"
        ' other servers); "" for none',
    )
    add_common(update)
    update.set_defaults(func=_update)

    delete = actions.add_parser(
        "delete", help="delete a domain (refused while addresses or aliases use it)"
    )
    delete.add_argument("name")
    delete.add_argument(
        "--force", action="store_true", help="also remove its addresses and aliases"
    )
    add_common(delete)
    delete.set_defaults(func=_delete)

    alias = actions.add_parser("alias", help="other names of a domain")
    alias_actions = alias.add_subparsers(dest="alias_action", required=True, metavar="ACTION")
    for action, help_text in (("add", "add another name"), ("remove", "remove another name")):
        parser = alias_actions.add_parser(action, help=help_text)
        parser.add_argument("domain")
        parser.add_argument("alias")
        add_common(parser)
        parser.set_defaults(func=_alias)

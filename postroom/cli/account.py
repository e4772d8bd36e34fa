"""`postroom account …`: the admin API's account, address and alias methods from the
command line."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from postroom.admin.types import accounts as wire
from postroom.admin.types import aliases as alias_wire
from postroom.cli.adminrun import add_common, print_result, run_method

COLUMNS = ("Name", "Role", "Addresses", "LoginDisabled", "SubmissionDisabled", "MaxMessagesPerDay")


def _show(args: argparse.Namespace, name: str, request: Any) -> int:
    result = run_method(args, name, request)
    print_result(args, result, rows=[result.Account], columns=COLUMNS)
    return 0


def _list(args: argparse.Namespace) -> int:
    request = wire.AccountListRequest(
        Domain=args.domain or "", After=args.after or "", Limit=args.limit
    )
    result = run_method(args, "AccountList", request)
    print_result(args, result, rows=result.Accounts, columns=COLUMNS)
    if result.Next and not args.json:
        print(f"\nmore: --after {result.Next}")
    return 0


def _get(args: argparse.Namespace) -> int:
    return _show(args, "AccountGet", wire.AccountGetRequest(Name=args.name))


def _password(args: argparse.Namespace) -> tuple[str, str]:
    if args.password_hash:
        return "", args.password_hash
    if args.password is not None:
        return args.password, ""
    if getattr(args, "prompt", True):
        return getpass.getpass(f"password for {args.name}: "), ""
    return "", ""


def _create(args: argparse.Namespace) -> int:
    password, password_hash = _password(args)
    request = wire.AccountCreateRequest(
        Name=args.name,
        Address=args.address,
        Password=password,
        PasswordHash=password_hash,
        FullName=args.full_name or "",
        FromIDLogin=args.fromid,
    )
    return _show(args, "AccountCreate", request)


def _update(args: argparse.Namespace) -> int:
    login_disabled = args.login_disabled
    if args.login_enabled:
        login_disabled = ""
    request = wire.AccountUpdateRequest(
        Name=args.name,
        FullName=args.full_name,
        Role=args.role,
        AdminDomains=args.admin_domain,
        LoginDisabled=login_disabled,
        SubmissionDisabled=args.submission_disabled,
        SubmissionSaveSent=args.save_sent,
        SenderAllowList=[] if args.no_allow else args.allow,
        MaxMessagesPerDay=args.max_messages_per_day,
        MaxFirstTimeRecipientsPerDay=args.max_first_time_recipients_per_day,
        KeepRetiredMessageSeconds=args.keep_retired_messages,
        KeepRetiredWebhookSeconds=args.keep_retired_webhooks,
    )
    return _show(args, "AccountUpdate", request)


def _set_password(args: argparse.Namespace) -> int:
    password, password_hash = _password(args)
    request = wire.AccountPasswordSetRequest(
        Name=args.name, Password=password, PasswordHash=password_hash
    )
    result = run_method(args, "AccountPasswordSet", request)
    print_result(args, result, text=f"password of {args.name} changed")
    return 0


def _webhooks(args: argparse.Namespace) -> int:
    request = wire.AccountWebhooksSetRequest(
        Name=args.name,
        OutgoingURL=args.outgoing_url,
        OutgoingAuthorization=args.outgoing_authorization,
        OutgoingEvents=args.event,
        IncomingURL=args.incoming_url,
        IncomingAuthorization=args.incoming_authorization,
    )
    return _show(args, "AccountWebhooksSet", request)


def _rotate(args: argparse.Namespace) -> int:
    request = wire.AccountWebhookSecretRotateRequest(Name=args.name)
    result = run_method(args, "AccountWebhookSecretRotate", request)
    print_result(args, result, text=f"new webhook signing secret of {args.name}:\n{result.Secret}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    request = wire.AccountDeleteRequest(Name=args.name, Confirm=args.confirm or "")
    result = run_method(args, "AccountDelete", request)
    print_result(args, result, text=f"account {args.name} and all its data deleted")
    return 0


def _address(args: argparse.Namespace) -> int:
    if args.address_action == "add":
        request: Any = wire.AddressAddRequest(
            Account=args.account, Address=args.address, FromIDLogin=args.fromid
        )
        result = run_method(args, "AddressAdd", request)
        print_result(args, result, text=f"{args.address} added to {args.account}")
    elif args.address_action == "remove":
        result = run_method(args, "AddressRemove", wire.AddressRemoveRequest(Address=args.address))
        print_result(args, result, text=f"{args.address} removed")
    else:
        request = wire.AddressFromIDSetRequest(Address=args.address, FromIDLogin=args.value == "on")
        result = run_method(args, "AddressFromIDSet", request)
        print_result(args, result, text=f"fromid login of {args.address}: {args.value}")
    return 0


def _alias(args: argparse.Namespace) -> int:
    if args.alias_action == "set":
        result = run_method(
            args, "AliasSet", alias_wire.AliasSetRequest(Address=args.address, Members=args.member)
        )
        print_result(args, result, rows=[result.Alias], columns=("Address", "Members"))
    elif args.alias_action == "remove":
        result = run_method(
            args, "AliasRemove", alias_wire.AliasRemoveRequest(Address=args.address)
        )
        print_result(args, result, text=f"alias {args.address} removed")
    else:
        result = run_method(
            args, "AliasList", alias_wire.AliasListRequest(Domain=args.domain or "")
        )
        print_result(args, result, rows=result.Aliases, columns=("Address", "Members"))
    return 0


def _password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--password", help="the password (default: asked for)")
    group.add_argument("--password-hash", help="a crypt hash instead: $6$, $2b$ or $argon2id$")


def add_account_commands(commands: Any) -> None:
    account = commands.add_parser("account", help="manage accounts, their addresses and aliases")
    actions = account.add_subparsers(dest="account_command", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="list accounts by name")
    listing.add_argument("--domain", help="only accounts with an address on this domain")
    listing.add_argument("--limit", type=int, default=100, help="page size (default 100)")
    listing.add_argument("--after", help="continue after this account name")
    add_common(listing)
    listing.set_defaults(func=_list)

    get = actions.add_parser("get", help="show an account and its settings")
    get.add_argument("name")
    add_common(get)
    get.set_defaults(func=_get)

    create = actions.add_parser("create", help="create an account with its first address")
    create.add_argument("name")
    create.add_argument("address", help="first login address, e.g. alice@example.com")
    _password_options(create)
    create.add_argument(
        "--no-password", dest="prompt", action="store_false", help="create without a password"
    )
    create.add_argument("--full-name")
    create.add_argument("--fromid", action="store_true", help="the address is a fromid login")
    add_common(create)
    create.set_defaults(func=_create)

    update = actions.add_parser("update", help="change an account's settings")
    update.add_argument("name")
    update.add_argument("--full-name")
    update.add_argument("--role", choices=("user", "domainadmin", "admin"))
    update.add_argument(
        "--admin-domain", action="append", help="a domain a domainadmin administers (repeatable)"
    )
    logins = update.add_mutually_exclusive_group()
    logins.add_argument("--login-disabled", metavar="REASON", help="refuse logins, saying why")
    logins.add_argument("--login-enabled", action="store_true", help="allow logins again")
    sending = update.add_mutually_exclusive_group()
    sending.add_argument(
        "--submission-disabled", dest="submission_disabled", action="store_const", const=True
    )
    sending.add_argument(
        "--submission-enabled", dest="submission_disabled", action="store_const", const=False
    )
    saving = update.add_mutually_exclusive_group()
    saving.add_argument(
        "--save-sent",
        dest="save_sent",
        action="store_const",
        const=True,
        help="keep SMTP submissions in Sent",
    )
    saving.add_argument("--no-save-sent", dest="save_sent", action="store_const", const=False)
    allow = update.add_mutually_exclusive_group()
    allow.add_argument(
        "--allow",
        action="append",
        help="sender allow-list entry: address, @domain or * (repeatable; replaces the list)",
    )
    allow.add_argument("--no-allow", action="store_true", help="empty the sender allow-list")
    update.add_argument("--max-messages-per-day", type=int, help="0 for no limit")
    update.add_argument("--max-first-time-recipients-per-day", type=int, help="0 for no limit")
    update.add_argument("--keep-retired-messages", type=int, metavar="SECONDS")
    update.add_argument("--keep-retired-webhooks", type=int, metavar="SECONDS")
    add_common(update)
    update.set_defaults(func=_update)

    password = actions.add_parser("password", help="set an account's password")
    password.add_argument("name")
    _password_options(password)
    add_common(password)
    password.set_defaults(func=_set_password)

    webhooks = actions.add_parser("webhooks", help="change an account's webhook settings")
    webhooks.add_argument("name")
    webhooks.add_argument("--outgoing-url", help='URL for delivery events ("" for none)')
    webhooks.add_argument("--outgoing-authorization", help="Authorization header value")
    webhooks.add_argument(
        "--event", action="append", help="subscribed event (repeatable; none: all)"
    )
    webhooks.add_argument("--incoming-url", help='URL for incoming messages ("" for none)')
    webhooks.add_argument("--incoming-authorization", help="Authorization header value")
    add_common(webhooks)
    webhooks.set_defaults(func=_webhooks)

    rotate = actions.add_parser("rotate-secret", help="new webhook signing secret, printed once")
    rotate.add_argument("name")
    add_common(rotate)
    rotate.set_defaults(func=_rotate)

    delete = actions.add_parser("delete", help="delete an account with all its data")
    delete.add_argument("name")
    delete.add_argument("--confirm", metavar="NAME", help="the account name again")
    add_common(delete)
    delete.set_defaults(func=_delete)

    address = actions.add_parser("address", help="an account's login addresses")
    address_actions = address.add_subparsers(dest="address_action", required=True, metavar="ACTION")
    add = address_actions.add_parser("add", help="add a login address")
    add.add_argument("account")
    add.add_argument("address")
    add.add_argument("--fromid", action="store_true", help="a fromid login address")
    remove = address_actions.add_parser("remove", help="remove a login address")
    remove.add_argument("address")
    fromid = address_actions.add_parser("fromid", help="turn fromid login on or off")
    fromid.add_argument("address")
    fromid.add_argument("value", choices=("on", "off"))
    for parser in (add, remove, fromid):
        add_common(parser)
        parser.set_defaults(func=_address)

    alias = actions.add_parser("alias", help="aliases: addresses that expand to other recipients")
    alias_actions = alias.add_subparsers(dest="alias_action", required=True, metavar="ACTION")
    alias_set = alias_actions.add_parser("set", help="create an alias or replace its members")
    alias_set.add_argument("address")
    alias_set.add_argument("member", nargs="+", help="member addresses, local or remote")
    alias_remove = alias_actions.add_parser("remove", help="remove an alias")
    alias_remove.add_argument("address")
    alias_list = alias_actions.add_parser("list", help="list aliases")
    alias_list.add_argument("--domain", help="only this domain's aliases")
    for parser in (alias_set, alias_remove, alias_list):
        add_common(parser)
        parser.set_defaults(func=_alias)

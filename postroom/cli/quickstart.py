"""`postroom quickstart`: make an instance administrable: set the admin password and,
optionally, create the first domain and account."""

from __future__ import annotations

import argparse
import secrets
from typing import Any

from postroom.admin import GLOBAL_ADMIN, AdminCall, AdminServices, set_admin_password
from postroom.admin.access import find_domain
from postroom.admin.accounts import account_create
from postroom.admin.domains import domain_create
from postroom.admin.types.accounts import AccountCreateRequest
from postroom.admin.types.domains import DomainCreateRequest
from postroom.admin.validate import address
from postroom.cli.adminrun import with_services
from postroom.cli.instance import add_instance_options


def _quickstart(args: argparse.Namespace) -> int:
    admin_password = args.admin_password or secrets.token_urlsafe(12)
    account_password = secrets.token_urlsafe(12)

    async def work(services: AdminServices) -> None:
        await set_admin_password(services.committer, admin_password)
        if not args.address:
            return
        call = AdminCall(services=services, principal=GLOBAL_ADMIN)
        parsed = address(args.address)
        if await find_domain(call, parsed.domain) is None:
            await domain_create(
                call, DomainCreateRequest(Name=parsed.domain, CatchallSeparators=["+"])
            )
        await account_create(
            call,
            AccountCreateRequest(
                Name=args.account or parsed.localpart.lower(),
                Address=args.address,
                Password=account_password,
                FromIDLogin=True,
            ),
        )

    with_services(args, work)
    print("Admin API: /admin/api/v0/ with HTTP basic auth")
    print("  username: admin")
    print(f"  password: {admin_password}")
    if args.address:
        print(f"Account {args.account or address(args.address).localpart.lower()}:")
        print(f"  login:    {args.address}")
        print(f"  password: {account_password}")
    print("Passwords are shown only now; store them safely.")
    return 0


def add_quickstart_command(commands: Any) -> None:
    quickstart = commands.add_parser(
        "quickstart",
        help="set the admin password, and optionally create the first account",
        description="Set (or replace) the password of `admin` on the admin API, and with"
        " --address create the address's domain (if needed) and a first account with a"
        " generated password. Prints the passwords once.",
    )
    quickstart.add_argument("--admin-password", help="the admin password (default: generated)")
    quickstart.add_argument("--address", help="first account's login address, e.g. you@example.com")
    quickstart.add_argument("--account", help="first account's name (default: the localpart)")
    add_instance_options(quickstart)
    quickstart.set_defaults(func=_quickstart)

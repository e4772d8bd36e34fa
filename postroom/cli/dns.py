"""`postroom dns records DOMAIN`: the DNS records a sending domain needs, and whether
they are published (`queue.dnsrecords`)."""

from __future__ import annotations

import argparse
import asyncio

from postroom.cli.instance import add_instance_options, instance_config
from postroom.queue.dnsrecords import RecordStatus, domain_records
from postroom.queue.outbound import dkim_keys
from postroom.resolver import DNSResolver


def _records(args: argparse.Namespace) -> int:
    config = instance_config(args)
    resolver = DNSResolver(timeout_seconds=config.delivery.dns_timeout_seconds)
    checks = asyncio.run(
        domain_records(
            args.domain, hostname=config.hostname, keys=dkim_keys(config), resolver=resolver
        )
    )
    for check in checks:
        print(f"{check.purpose}: {check.status.value}")
        print(f"  {check.name}. {check.type} {check.value}")
        for value in check.published:
            print(f"  published: {value}")
        if check.note:
            print(f"  note: {check.note}")
    # Non-zero while something is missing, so a setup script can wait for DNS.
    return 0 if all(c.status is RecordStatus.OK for c in checks) else 1


def add_dns_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dns = commands.add_parser("dns", help="DNS records of sending domains")
    actions = dns.add_subparsers(dest="action", required=True, metavar="ACTION")
    records = actions.add_parser(
        "records",
        help="print the MX, SPF, DKIM and DMARC records DOMAIN needs and check them",
        description="Print the records DOMAIN needs (MX, SPF, one per DKIM selector,"
        " DMARC) and compare them with what DNS answers now. Exits 1 while any is"
        " missing or different.",
    )
    records.add_argument("domain")
    add_instance_options(records)
    records.set_defaults(func=_records)

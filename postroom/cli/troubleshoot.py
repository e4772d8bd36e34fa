"""`postroom troubleshoot ADDRESS`: the delivery path to an address, step by step,
without sending anything (`queue.probe`)."""

from __future__ import annotations

import argparse
import asyncio

from postroom.cli.instance import add_instance_options, instance_config
from postroom.queue.outbound import session_settings
from postroom.queue.probe import probe_path
from postroom.resolver import DNSResolver


def _troubleshoot(args: argparse.Namespace) -> int:
    config = instance_config(args)
    steps = asyncio.run(
        probe_path(
            args.address,
            resolver=DNSResolver(timeout_seconds=config.delivery.dns_timeout_seconds),
            settings=session_settings(config, None),
            routes=config.routes,
            transports=config.transports,
            port=args.port,
        )
    )
    for step in steps:
        print(f"{'ok  ' if step.ok else 'FAIL'} {step.step}: {step.detail}")
    return 0 if steps and all(step.ok for step in steps) else 1


def add_troubleshoot_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    troubleshoot = commands.add_parser(
        "troubleshoot",
        help="show how mail to ADDRESS would go: route, MX, connect, EHLO, STARTTLS",
        description="Resolve the delivery path to ADDRESS and try each step up to"
        " STARTTLS, without sending a message. Exits 1 if any step failed.",
    )
    troubleshoot.add_argument("address")
    troubleshoot.add_argument(
        "--port", type=int, default=25, help="SMTP port of the MX hosts (default 25)"
    )
    add_instance_options(troubleshoot)
    troubleshoot.set_defaults(func=_troubleshoot)

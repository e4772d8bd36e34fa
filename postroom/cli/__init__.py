"""The `postroom` command line: argument parsing and wiring, nothing else."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from postroom import __version__
from postroom.cli.account import add_account_commands
from postroom.cli.apikey import add_apikey_commands
from postroom.cli.apply import add_apply_command
from postroom.cli.dkim import add_dkim_commands
from postroom.cli.dns import add_dns_commands
from postroom.cli.domain import add_domain_commands
from postroom.cli.dsn import add_dsn_commands
from postroom.cli.hooks import add_hooks_commands
from postroom.cli.queue import add_queue_commands
from postroom.cli.quickstart import add_quickstart_command
from postroom.cli.suppression import add_suppression_commands
from postroom.cli.troubleshoot import add_troubleshoot_command
from postroom.config import load_config
from postroom.errors import PostroomError
from postroom.localserve import (
    LocalserveOptions,
    default_directory,
    run_localserve,
    run_smtp_process,
)
from postroom.server import Role, RuntimeAddresses


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be from 0 to 65535, got {value}")
    return value


def _localserve(args: argparse.Namespace) -> int:
    options = LocalserveOptions(
        directory=Path(args.dir) if args.dir else default_directory(),
        http_port=args.http_port,
        smtp_port=args.smtp_port,
        submission_port=args.submission_port,
        simulated_timeout_seconds=args.simulated_timeout,
        webhook_url=args.webhook_url,
    )
    if args.smtp_process is not None:
        return run_smtp_process(options, args.smtp_process)
    return run_localserve(options)


def _serve(args: argparse.Namespace) -> int:
    from postroom.server import (
        ALL_ROLES,
        Role,
        Runtime,
        configure_logging,
        run_until_signalled,
        serve,
        serve_smtp_child,
    )

    config_path = Path(args.config).resolve()
    config = load_config(config_path)
    configure_logging(config)
    if args.smtp_process is not None:
        serve(serve_smtp_child(config, args.smtp_process))
        return 0
    roles = frozenset(Role(role) for role in args.role) if args.role else ALL_ROLES

    def smtp_process(inherit_spec: str) -> list[str]:
        command = [sys.executable, "-m", "postroom.cli", "serve", "--config", str(config_path)]
        return [*command, "--smtp-process", inherit_spec]

    def announce(addresses: RuntimeAddresses) -> None:
        served = []
        if Role.API in roles:
            served.append(f"{addresses.http_url}/webapi/v0/")
        if Role.SMTP in roles:
            served.append(f"smtp {addresses.smtp_address}")
        if Role.WORKER in roles:
            served.append("delivery and webhooks")
        print(f"postroom: serving {', '.join(served)}", flush=True)

    runtime = Runtime(
        config,
        roles=roles,
        smtp_process=smtp_process if config.smtp.child_process and Role.SMTP in roles else None,
    )
    serve(run_until_signalled(runtime, announce=announce))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="postroom", description="Postroom: a self-hosted transactional email server."
    )
    parser.add_argument("--version", action="version", version=f"postroom {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    local = commands.add_parser(
        "localserve",
        help="run everything locally for developing an application, no configuration needed",
        description="Run Postroom on loopback with a ready-made account"
        " (postroom@localhost, password postroom). Creates its directory on first start.",
    )
    local.add_argument("--dir", help="data directory (default: ~/.config/postroom-localserve)")
    local.add_argument("--http-port", type=_port, help="HTTP port (default 1080, 0 picks one)")
    local.add_argument("--smtp-port", type=_port, help="incoming SMTP port (default 1025)")
    local.add_argument("--submission-port", type=_port, help="SMTP submission port (default 1587)")
    local.add_argument(
        "--simulated-timeout",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="how long the SMTP listener stays silent for a ...timeout recipient"
        " before answering 451 (default 3600)",
    )
    local.add_argument(
        "--webhook-url",
        metavar="URL",
        help="POST the default account's outgoing and incoming webhooks to URL"
        ' (kept for later starts; "" turns them off)',
    )
    # Internal: how localserve starts its SMTP child process (postroom.server.process).
    local.add_argument("--smtp-process", metavar="FDS", help=argparse.SUPPRESS)
    local.set_defaults(func=_localserve)

    serve = commands.add_parser(
        "serve",
        help="run the server from a config file",
        description="Run Postroom with a TOML config file; POSTROOM_* variables override it.",
    )
    serve.add_argument("--config", required=True, help="config file (TOML)")
    serve.add_argument(
        "--role",
        action="append",
        choices=[role.value for role in Role],
        help="serve only this part (repeatable): api (HTTP), smtp (the SMTP listeners),"
        " worker (delivery, webhooks, cleanup); default all, in one process",
    )
    # Internal: how serve starts its SMTP child process (smtp.child_process).
    serve.add_argument("--smtp-process", metavar="FDS", help=argparse.SUPPRESS)
    serve.set_defaults(func=_serve)

    add_quickstart_command(commands)
    add_account_commands(commands)
    add_domain_commands(commands)
    add_apikey_commands(commands)
    add_apply_command(commands)
    add_queue_commands(commands)
    add_suppression_commands(commands)
    add_dsn_commands(commands)
    add_hooks_commands(commands)
    add_dkim_commands(commands)
    add_dns_commands(commands)
    add_troubleshoot_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except PostroomError as exc:
        print(f"postroom: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())

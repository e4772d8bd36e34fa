"""A Postroom instance for the direct-delivery benchmark: the real outbound stack (DKIM
signing, routes, MX resolution, SMTP sessions), with DNS answered by a StaticResolver
that points the benchmark's domains at loopback sinks.

    python bench/direct_instance.py DIR SINK_PORT DOMAIN=ADDRESS... [--no-sign]

Prints `webapi http://…` once it is serving; stops on SIGTERM.
"""

from __future__ import annotations

import sys
from pathlib import Path

from postroom.clock import SystemClock
from postroom.config import load_config
from postroom.localserve.bootstrap import seed_database
from postroom.queue.outbound import OutboundTransport
from postroom.resolver import StaticResolver
from postroom.server import Runtime, run_until_signalled, serve


def main(directory: Path, port: int, routes: list[str], sign: bool) -> None:
    config = load_config(directory / "postroom.toml")
    resolver = StaticResolver()
    for route in routes:
        domain, address = route.split("=")
        resolver.mx_records[domain] = [(10, f"mx.{domain}")]
        resolver.a_records[f"mx.{domain}"] = [address]
    runtime = Runtime(
        config,
        prepare=seed_database,
        transport=lambda addresses: OutboundTransport(
            config, SystemClock(), resolver=resolver, direct_port=port, sign=sign
        ),
    )
    serve(
        run_until_signalled(
            runtime,
            announce=lambda addresses: print(
                f"webapi {addresses.http_url}/webapi/v0/ --data-urlencode", flush=True
            ),
        )
    )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--no-sign"]
    main(Path(args[0]), int(args[1]), args[2:], "--no-sign" not in sys.argv)

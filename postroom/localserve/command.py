"""`postroom localserve`: prepare the directory, start everything, print how to use it.

localserve runs as two processes, to use two cores: the main process serves HTTP and
delivers the queue, and a child process it starts (the same command with
`--smtp-process`) serves the SMTP listeners, including the incoming listener that
localserve delivers to. Both write the same SQLite database, each through its own
group committer. See docs/architecture.md, "Processes".
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from postroom.clock import SystemClock
from postroom.config import Config
from postroom.hooks import check_url
from postroom.localserve.bootstrap import (
    ADMIN_PASSWORD,
    DEFAULT_ACCOUNT,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    LOCAL_POLICY,
    LocalserveOptions,
    prepare_directory,
    seed_database,
    set_webhook_url,
)
from postroom.localserve.policy import LocalservePolicy
from postroom.localserve.reports import ReportSender
from postroom.queue.relay import SMTPRelayTransport
from postroom.server import (
    Runtime,
    RuntimeAddresses,
    configure_logging,
    run_until_signalled,
    serve,
    serve_smtp_child,
)

REPORT_DELAY_SECONDS = 1.0
"""How long after accepting a `bounce…`, `complaint…` or `delayed…` message its simulated
report is sent: long enough that the `delivered` event comes first, as in real life."""


def run_localserve(options: LocalserveOptions, out: TextIO = sys.stdout) -> int:
    if options.webhook_url:
        check_url(options.webhook_url, LOCAL_POLICY)
    config = prepare_directory(options)
    configure_logging(config)

    def announce(addresses: RuntimeAddresses) -> None:
        out.write(banner(config, addresses))
        out.flush()

    async def prepare() -> None:
        await seed_database()
        if options.webhook_url is not None:
            await set_webhook_url(options.webhook_url)

    def smtp_process(inherit_spec: str) -> Sequence[str]:
        return [
            sys.executable,
            "-m",
            "postroom.cli",
            "localserve",
            "--dir",
            str(options.directory.expanduser().resolve()),
            "--simulated-timeout",
            repr(options.simulated_timeout_seconds),
            "--smtp-process",
            inherit_spec,
        ]

    runtime = Runtime(
        config,
        prepare=prepare,
        smtp_process=smtp_process,
        transport=lambda addresses: SMTPRelayTransport(
            addresses.smtp_host,
            addresses.smtp_port,
            local_hostname=config.hostname,
            timeout_seconds=config.delivery.timeout_seconds,
            # A connection for each delivery that can run at once, kept between messages.
            max_idle=config.delivery.max_concurrent,
        ),
    )
    serve(run_until_signalled(runtime, announce=announce))
    out.write("postroom: stopped\n")
    out.flush()
    return 0


def run_smtp_process(options: LocalserveOptions, inherit_spec: str) -> int:
    """The child process of `run_localserve`: the SMTP listeners, on the sockets it got
    from its parent (`inherit_spec`, see `server.process`), until the parent stops it
    or goes away."""
    config = prepare_directory(options)
    configure_logging(config)
    serve(_serve_smtp(config, options, inherit_spec))
    return 0


async def _serve_smtp(config: Config, options: LocalserveOptions, inherit_spec: str) -> None:
    # Simulated bounces and complaints go to the incoming listener this process serves.
    reports = ReportSender(SystemClock(), delay_seconds=REPORT_DELAY_SECONDS)
    try:
        await serve_smtp_child(
            config,
            inherit_spec,
            incoming_policy=lambda reader: LocalservePolicy(
                reader,
                account=DEFAULT_ACCOUNT,
                timeout_seconds=options.simulated_timeout_seconds,
                reports=reports,
                clock=SystemClock(),
            ),
            announce=lambda addresses: reports.connect(addresses.smtp_host, addresses.smtp_port),
        )
    finally:
        await reports.close()


EXAMPLE_REQUEST = '{"To": [{"Address": "someone@example.com"}], "Subject": "hi", "Text": "hello"}'


def banner(config: Config, addresses: RuntimeAddresses) -> str:
    url = addresses.http_url
    example_request = EXAMPLE_REQUEST
    return f"""\
postroom localserve is running (Ctrl-C stops it)

  data directory  {config.data_dir}
  webapi          {url}/webapi/v0/
  smtp            {addresses.smtp_address}
  submission      {addresses.submission_address}
  login           {DEFAULT_LOGIN}
  password        {DEFAULT_PASSWORD}
  admin API       {url}/admin/api/v0/  (user admin, password {ADMIN_PASSWORD})

Send a message:

  curl -u {DEFAULT_LOGIN}:{DEFAULT_PASSWORD} {url}/webapi/v0/Send \\
    --data-urlencode 'request={example_request}'

Mail goes to your own mailbox, except to these recipient localparts:
  temperror, permerror, 550, timeout   the delivery fails (as the SMTP reply says)
  bounce, complaint, delayed           delivered, then a bounce, a spam complaint or a
                                       delay notice comes back to the message's fromid

"""

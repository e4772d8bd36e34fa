"""Running a process until SIGINT or SIGTERM, then shutting down cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import uvloop

from postroom.config import Config
from postroom.server.process import ParentLink, inherited_sockets
from postroom.server.runtime import Role, Runtime, RuntimeAddresses
from postroom.smtp import IncomingPolicy
from postroom.store.reader import Reader

log = logging.getLogger(__name__)
T = TypeVar("T")


def serve(main: Coroutine[Any, Any, T]) -> T:
    """Run a server coroutine to completion on uvloop (libuv's event loop, which uvicorn
    already depends on): it roughly halves the per-request cost of the asyncio loop."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def configure_logging(config: Config) -> None:
    logging.basicConfig(
        level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # aiosmtpd logs every SMTP command at INFO; our own SMTP code logs what matters.
    logging.getLogger("mail.log").setLevel(max(logging.WARNING, logging.root.level))


async def run_until_signalled(
    runtime: Runtime,
    *,
    announce: Callable[[RuntimeAddresses], None] | None = None,
    until: Awaitable[object] | None = None,
) -> None:
    """Start the runtime, call `announce`, and stop on the first SIGINT or SIGTERM, or
    when `until` (if given) is done."""
    addresses = await runtime.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    ended = None if until is None else asyncio.ensure_future(until)
    if ended is not None:
        ended.add_done_callback(lambda _: stop.set())
    try:
        if announce is not None:
            announce(addresses)
        await stop.wait()
    finally:
        if ended is not None:
            ended.cancel()
        log.info("shutting down")
        await runtime.stop()
        log.info("stopped")


async def serve_smtp_child(
    config: Config,
    inherit_spec: str,
    *,
    incoming_policy: Callable[[Reader], IncomingPolicy] | None = None,
    announce: Callable[[RuntimeAddresses], None] | None = None,
) -> None:
    """The child process of a Runtime with `smtp_process`: serve the SMTP listeners on
    the sockets inherited from the parent (`inherit_spec`, see `server.process`), write
    through the parent, and stop on SIGTERM or when the parent goes away."""
    inherited = inherited_sockets(inherit_spec)
    parent = await ParentLink.open(inherited.link)
    runtime = Runtime(
        config,
        roles=frozenset({Role.SMTP}),
        smtp_sockets=inherited.listeners,
        parent=parent,
        incoming_policy=incoming_policy,
    )

    def serving(addresses: RuntimeAddresses) -> None:
        if announce is not None:
            announce(addresses)
        parent.ready()

    try:
        await run_until_signalled(runtime, announce=serving, until=parent.wait_closed())
    finally:
        await parent.close()

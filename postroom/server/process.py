"""Running a role in a child process that the parent starts, supervises and stops.

The parent binds the listening sockets and hands them to the child (so port 0 works,
the parent can print the real ports, and a restarted child serves the same ports:
connections made while it is down wait in the listen backlog). Parent and child share
a socketpair, the link, which carries length-prefixed pickles (it is private to the
two processes):

- child to parent: `("ready",)` once it serves; `("queued",)` and `("hooks_queued",)`
  after it queued outgoing messages or webhooks, so that the parent's runners start at
  once instead of at their next poll; `("run", n, work)` to run a unit of work (a
  picklable callable taking a `Batch`) in the parent's group committer.
- parent to child: `("done", n, ok, result or exception)` once that unit committed.

So the parent stays the only writer of the database: with SQLite, two processes that
each commit would take SQLite's one write lock in turn, and a waiter is woken only by
its busy handler's sleeps, which measured slower than one process alone. The child
does the protocol work (parsing, policy, reading the database through its own
connection) and the parent the writing, with every other unit of its group commit.

- The child never outlives the parent: when the parent is gone, even killed with
  SIGKILL, the kernel closes the parent's end of the link; the child sees EOF, fails
  the units it is waiting for, and shuts down. It runs in a session of its own, so a
  Ctrl-C in a terminal reaches only the parent, which then stops the child in its turn
  (SIGTERM) at the right moment.
- A child that exits while it should run is logged as an error and started again,
  after 0.5 s, doubling up to 30 s while it keeps failing.

The child is told where its descriptors are with one argument, `inherit_spec`:
`link=7,incoming=5,submission=6`; `inherited_sockets` reads it back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import pickle
import signal
import socket
import struct
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from postroom.errors import PostroomError
from postroom.store.errors import StoreError
from postroom.store.groupcommit import Batch, Committer

log = logging.getLogger(__name__)
T = TypeVar("T")

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 60.0
"""How long a stopping child may take to finish its SMTP transactions before it is
killed (the SMTP listeners cut off sessions after 30 s)."""
RESTART_DELAY_SECONDS = 0.5
MAX_RESTART_DELAY_SECONDS = 30.0
HEALTHY_SECONDS = 60.0
"""A child that ran this long before it exited is restarted after the shortest delay."""
MAX_FRAME_BYTES = 1 << 30

_LENGTH = struct.Struct("!I")


class ChildStartError(PostroomError):
    """The child process did not start serving."""


def _frame(message: tuple[Any, ...]) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


async def _read_frame(reader: asyncio.StreamReader) -> tuple[Any, ...] | None:
    """The next message, or None at EOF."""
    try:
        (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
        if length > MAX_FRAME_BYTES:
            raise ValueError(f"link frame of {length} bytes")
        message: tuple[Any, ...] = pickle.loads(await reader.readexactly(length))
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    return message


class ChildProcess:
    """A supervised child process serving `sockets`.

    `command(inherit_spec)` gives the child's argv. Units of work the child sends are
    run by `committer`; `queued` and `hooks_queued` are called when the child says it
    queued messages or webhooks.
    """

    def __init__(
        self,
        name: str,
        command: Callable[[str], Sequence[str]],
        sockets: Mapping[str, socket.socket],
        *,
        committer: Committer,
        queued: Callable[[], None] = lambda: None,
        hooks_queued: Callable[[], None] = lambda: None,
        ready_timeout_seconds: float = READY_TIMEOUT_SECONDS,
        stop_timeout_seconds: float = STOP_TIMEOUT_SECONDS,
    ) -> None:
        self.name = name
        self._command = command
        self._sockets = dict(sockets)
        self._committer = committer
        self._queued = queued
        self._hooks_queued = hooks_queued
        self._ready_timeout_seconds = ready_timeout_seconds
        self._stop_timeout_seconds = stop_timeout_seconds
        self._process: asyncio.subprocess.Process | None = None
        self._link: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._units: set[asyncio.Task[None]] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self._started_at = 0.0
        self._stopping = False
        self.restarts = 0
        """How often the child was started again after it exited."""

    @property
    def pid(self) -> int | None:
        """The running child's process ID (None while it is restarted)."""
        process = self._process
        return process.pid if process is not None and process.returncode is None else None

    async def start(self) -> None:
        """Start the child and wait until it serves; raises `ChildStartError`."""
        await self._spawn()
        self._supervisor = asyncio.create_task(self._supervise(), name=f"{self.name}-supervisor")

    async def stop(self) -> None:
        """Ask the child to finish (SIGTERM); kill it if it takes too long."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        process = self._process
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), self._stop_timeout_seconds)
            except TimeoutError:
                log.error("%s process %d did not stop in time: killed", self.name, process.pid)
                process.kill()
                await process.wait()
        await self._close_link()

    async def _spawn(self) -> None:
        parent_end, child_end = socket.socketpair()
        try:
            fds = {"link": child_end.fileno()}
            fds.update((name, sock.fileno()) for name, sock in self._sockets.items())
            spec = ",".join(f"{name}={fd}" for name, fd in fds.items())
            process = await asyncio.create_subprocess_exec(
                *self._command(spec), pass_fds=tuple(fds.values()), start_new_session=True
            )
        except BaseException:
            parent_end.close()
            raise
        finally:
            child_end.close()
        self._process = process
        self._started_at = time.monotonic()
        reader, link = await asyncio.open_connection(sock=parent_end)
        self._link = link
        ready: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._reading = asyncio.create_task(
            self._read(reader, link, ready), name=f"{self.name}-link"
        )
        try:
            serving = await asyncio.wait_for(asyncio.shield(ready), self._ready_timeout_seconds)
        except TimeoutError:
            serving = False
        if not serving:
            if process.returncode is None:
                process.kill()
            code = await process.wait()
            await self._close_link()
            raise ChildStartError(
                f"{self.name} process {process.pid} did not start serving"
                f" ({_describe_exit(code)}; its log says why)"
            )
        log.info("%s process %d serving", self.name, process.pid)

    async def _read(
        self, reader: asyncio.StreamReader, link: asyncio.StreamWriter, ready: asyncio.Future[bool]
    ) -> None:
        try:
            while (message := await _read_frame(reader)) is not None:
                match message:
                    case ("run", int(number), work):
                        task = asyncio.create_task(self._run(link, number, work))
                        self._units.add(task)
                        task.add_done_callback(self._units.discard)
                    case ("queued",):
                        self._queued()
                    case ("hooks_queued",):
                        self._hooks_queued()
                    case ("ready",):
                        if not ready.done():
                            ready.set_result(True)
                    case _:
                        log.error("%s process sent %r: ignored", self.name, message[:1])
        except Exception:
            # A message that does not unpickle: a bug. Closing the link makes the child
            # shut down (failing what it waits for), and the supervisor start it again.
            log.exception("%s process link failed: closing it", self.name)
            link.close()
        finally:
            if not ready.done():
                ready.set_result(False)

    async def _run(self, link: asyncio.StreamWriter, number: int, work: Any) -> None:
        try:
            result = await self._committer.run(work)
            reply = _frame(("done", number, True, result))
        except Exception as exc:
            try:
                reply = _frame(("done", number, False, exc))
            except Exception:  # an exception that does not pickle
                reply = _frame(("done", number, False, StoreError(f"{type(exc).__name__}: {exc}")))
        if not link.is_closing():
            link.write(reply)

    async def _supervise(self) -> None:
        delay = RESTART_DELAY_SECONDS
        while True:
            process = self._process
            assert process is not None
            code = await process.wait()
            await self._close_link()
            if time.monotonic() - self._started_at >= HEALTHY_SECONDS:
                delay = RESTART_DELAY_SECONDS
            log.error(
                "%s process %d exited unexpectedly (%s): starting it again in %.1f s",
                self.name,
                process.pid,
                _describe_exit(code),
                delay,
            )
            while True:
                await asyncio.sleep(delay)
                delay = min(2 * delay, MAX_RESTART_DELAY_SECONDS)
                try:
                    await self._spawn()
                except ChildStartError as exc:
                    log.error("%s: %s; trying again in %.1f s", self.name, exc, delay)
                    continue
                self.restarts += 1
                break

    async def _close_link(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
            self._reading = None
        # Units already handed to the committer finish there; their replies are dropped.
        if self._link is not None:
            self._link.close()
            with contextlib.suppress(OSError):
                await self._link.wait_closed()
            self._link = None


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


@dataclass(slots=True)
class InheritedSockets:
    """What a child got from its parent: the link and the listening sockets by name."""

    link: socket.socket
    listeners: dict[str, socket.socket]


def inherited_sockets(spec: str) -> InheritedSockets:
    """Read back `inherit_spec` (see the module docstring)."""
    fds: dict[str, int] = {}
    for item in spec.split(","):
        name, _, fd = item.partition("=")
        if not name or not fd.isdigit():
            raise ValueError(f"bad inherited descriptor {item!r} in {spec!r}")
        fds[name] = int(fd)
    if "link" not in fds:
        raise ValueError(f"no link descriptor in {spec!r}")
    link = socket.socket(fileno=fds.pop("link"))
    listeners = {name: socket.socket(fileno=fd) for name, fd in fds.items()}
    for sock in listeners.values():
        sock.setblocking(False)
    return InheritedSockets(link=link, listeners=listeners)


class ParentLink:
    """The child's end of the link: a `Committer` that runs units in the parent, tells
    it what was queued, and sees it go away."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._numbers = itertools.count()
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._events: list[str] = []
        self._closed = asyncio.Event()
        self._reading = asyncio.create_task(self._read(reader), name="parent-link")

    @classmethod
    async def open(cls, sock: socket.socket) -> ParentLink:
        reader, writer = await asyncio.open_connection(sock=sock)
        return cls(reader, writer)

    async def run(self, work: Callable[[Batch], Awaitable[T]]) -> T:
        """Run `work` (picklable) in the parent's group committer; its result once
        committed. Raises `StoreError` if the parent goes away first."""
        if self._closed.is_set():
            raise StoreError("the parent process is gone")
        number = next(self._numbers)
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[number] = done
        try:
            self._writer.write(_frame(("run", number, work)))
            # Shielded: the unit may already be committing in the parent.
            result: T = await asyncio.shield(done)
        finally:
            self._waiting.pop(number, None)
        return result

    def ready(self) -> None:
        self._writer.write(_frame(("ready",)))

    def queued(self) -> None:
        self._event("queued")

    def hooks_queued(self) -> None:
        self._event("hooks_queued")

    def _event(self, event: str) -> None:
        # Many events in one loop iteration go out as one.
        if event in self._events:
            return
        if not self._events:
            asyncio.get_running_loop().call_soon(self._flush)
        self._events.append(event)

    def _flush(self) -> None:
        if not self._writer.is_closing():
            self._writer.write(b"".join(_frame((event,)) for event in self._events))
        self._events.clear()

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while (message := await _read_frame(reader)) is not None:
                match message:
                    case ("done", int(number), bool(ok), value):
                        done = self._waiting.get(number)
                        if done is None or done.done():
                            continue
                        if ok:
                            done.set_result(value)
                        else:
                            done.set_exception(value)
                    case _:
                        log.error("parent process sent %r: ignored", message[:1])
        finally:
            self._closed.set()
            for done in self._waiting.values():
                if not done.done():
                    done.set_exception(StoreError("the parent process is gone"))

    async def wait_closed(self) -> None:
        """Return when the parent has gone (closed its end, or exited)."""
        await self._closed.wait()

    async def close(self) -> None:
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reading
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()

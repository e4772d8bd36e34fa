"""localserve serves SMTP from a child process: it works like the listener did, is
started again when it dies, and never outlives localserve (real processes, real
signals; Linux, where /proc lists a process's children)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from tests.localserve.test_localserve import Localserve, localserve

__all__ = ["localserve"]  # a fixture, used by name

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="reads process trees from /proc"
)


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def alive(pid: int) -> bool:
    """Running, and not a zombie (which a container's init may never reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def eventually(check: Callable[[], bool], what: str, timeout_seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not after {timeout_seconds} s: {what}")
        await asyncio.sleep(0.05)


def smtp_port(server: Localserve) -> int:
    match = re.search(r"^\s+smtp\s+127\.0\.0\.1:(\d+)$", server.banner, re.M)
    assert match, server.banner
    return int(match.group(1))


def smtp_child(server: Localserve) -> int:
    (child,) = children(server.process.pid)
    command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
    assert b"--smtp-process" in command
    return child


async def send(server: Localserve, recipient: str) -> None:
    message = EmailMessage()
    message["From"] = "someone@example.org"
    message["To"] = recipient
    message["Subject"] = "over SMTP"
    message.set_content("hello")
    await aiosmtplib.send(
        message, hostname="127.0.0.1", port=smtp_port(server), start_tls=False, timeout=30
    )


def stored_subjects(server: Localserve) -> list[str]:
    database = server.directory / "postroom.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return [row[0] for row in connection.execute("SELECT subject FROM stored_message")]


async def test_smtp_is_served_by_a_child_process(localserve: Localserve) -> None:
    child = smtp_child(localserve)
    assert child != localserve.process.pid
    await send(localserve, "someone@example.com")
    assert stored_subjects(localserve) == ["over SMTP"]
    # The special localparts are answered by the child as by the listener.
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await send(localserve, "permerror@example.com")
    assert refused.value.code == 550
    rest = await localserve.stop()
    assert not alive(child)
    assert "exited unexpectedly" not in rest


async def test_a_child_that_dies_is_started_again(localserve: Localserve) -> None:
    child = smtp_child(localserve)
    os.kill(child, signal.SIGKILL)
    await eventually(lambda: children(localserve.process.pid) not in ([], [child]), "restarted")
    # Connections wait in the listen backlog meanwhile; then the new child takes them.
    await send(localserve, "someone@example.com")
    assert stored_subjects(localserve) == ["over SMTP"]
    assert smtp_child(localserve) != child
    rest = await localserve.stop()
    assert re.search(r"smtp process \d+ exited unexpectedly \(killed by SIGKILL\)", rest), rest


async def test_the_child_does_not_outlive_localserve(localserve: Localserve) -> None:
    child = smtp_child(localserve)
    localserve.process.kill()
    await localserve.process.wait()
    await eventually(lambda: not alive(child), "the child exited")

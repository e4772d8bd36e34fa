"""Running `postroom localserve` for a benchmark: start it on free ports, run its CLI."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def start_localserve(directory: Path) -> tuple[asyncio.subprocess.Process, str]:
    """Start localserve in `directory`; return the process and its HTTP base URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "postroom.cli", "localserve", "--dir", str(directory),
        "--http-port", "0", "--smtp-port", "0", "--submission-port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    seen = b""
    while b"--data-urlencode" not in seen:
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        if not line:
            raise SystemExit("localserve did not start:\n" + seen.decode())
        seen += line
    match = re.search(rb"webapi\s+(http://\S+)/webapi/v0/", seen)
    assert match
    # Keep reading its log, or the pipe fills and the server blocks writing to it.
    asyncio.get_running_loop().create_task(process.stdout.read())
    return process, match.group(1).decode()


def postroom(directory: Path, *args: str) -> str:
    """Run a `postroom` command against the instance in `directory`; return its output."""
    command = [sys.executable, "-m", "postroom.cli", *args, "--dir", str(directory)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout

"""`postroom serve` with `smtp.child_process`: the SMTP listeners run in a child process
that writes through the parent, and `--role` serves a part only (real processes)."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import httpx
import pytest

from postroom.store.db import Dialect, dialect_of


async def start_serve(config: Path, *args: str) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "postroom.cli", "serve", "--config", str(config), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    seen = ""
    while "postroom: serving" not in seen:
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        if not line:
            raise AssertionError("serve exited during start-up:\n" + seen)
        seen += line
    return process, seen


@pytest.fixture
async def config_file(database_url: str, tmp_path: Path) -> Path:
    if dialect_of(database_url) is Dialect.SQLITE:
        # The test database is migrated already; serve migrates what it opens anyway.
        database_url = database_url.split("?")[0]
    path = tmp_path / "postroom.toml"
    path.write_text(
        f'database_url = "{database_url}"\n'
        f'data_dir = "{tmp_path}"\n'
        "[http]\nport = 0\n"
        "[smtp]\nport = 0\nsubmission_port = 0\nchild_process = true\n"
        "[delivery]\nenabled = false\n"
    )
    return path


@pytest.fixture
async def stopped_after() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    processes: list[asyncio.subprocess.Process] = []
    yield processes
    for process in processes:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_smtp_runs_in_a_child_process(
    config_file: Path, stopped_after: list[asyncio.subprocess.Process]
) -> None:
    process, banner = await start_serve(config_file)
    stopped_after.append(process)
    match = re.search(r"serving (http://\S+)/webapi/v0/, smtp 127\.0\.0\.1:(\d+)", banner)
    assert match, banner
    assert re.search(r"smtp process \d+ serving", banner)
    (child,) = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    # The child answers SMTP; it refuses relaying as the incoming listener does.
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=int(match.group(2)), start_tls=False)
    await smtp.connect()
    await smtp.mail("someone@example.org")
    with pytest.raises(aiosmtplib.SMTPRecipientRefused):
        await smtp.rcpt("someone@example.com")
    await smtp.quit()
    # The parent serves HTTP.
    async with httpx.AsyncClient() as client:
        assert (await client.get(match.group(1) + "/webapi/v0/")).status_code == 200
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 60) == 0
    stat = Path(f"/proc/{child}/stat")
    # Gone, or a zombie (which a container's init may never reap).
    assert not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


async def test_a_role_alone(
    config_file: Path, stopped_after: list[asyncio.subprocess.Process]
) -> None:
    process, banner = await start_serve(config_file, "--role", "worker")
    stopped_after.append(process)
    assert "postroom: serving delivery and webhooks" in banner
    # No SMTP role, so no SMTP child either.
    assert not Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 60) == 0

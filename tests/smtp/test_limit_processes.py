"""Daily send limits across processes (real `postroom serve` processes on one database):
two servers, each with its SMTP listeners in a child process that writes through its
parent, take concurrent webapi Sends and SMTP submissions of one account, and together
accept no more than its limit (the account row is locked on PostgreSQL; SQLite's write
transactions hold the database lock)."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import httpx
import pytest

from postroom.store.db import Database, Dialect, dialect_of
from postroom.store.outgoing import QueueMessage, RecipientRecord
from tests.smtp.helpers import message
from tests.smtp.test_child_process import start_serve
from tests.webapi.helpers import add_account

LOGIN, PASSWORD = "limited@localhost", "pw-limited"
LIMIT = 5
PER_SERVER = 6
"""Sends and as many SMTP submissions per server."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def servers(database: Database, tmp_path: Path) -> AsyncIterator[list[tuple[str, int]]]:
    """Two started servers: (webapi URL, submission port) each."""
    url = database.url
    if dialect_of(url) is Dialect.SQLITE:
        url = url.split("?")[0]
    processes: list[asyncio.subprocess.Process] = []
    found: list[tuple[str, int]] = []
    try:
        for index in range(2):
            submission_port = _free_port()
            path = tmp_path / f"postroom{index}.toml"
            path.write_text(
                f'database_url = "{url}"\n'
                f'data_dir = "{tmp_path}"\n'
                "[http]\nport = 0\n"
                f"[smtp]\nport = 0\nsubmission_port = {submission_port}\nchild_process = true\n"
                "[delivery]\nenabled = false\n"
            )
            process, banner = await start_serve(path)
            processes.append(process)
            match = re.search(r"serving (http://\S+)/webapi/v0/", banner)
            assert match, banner
            found.append((match.group(1), submission_port))
        yield found
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def _send(client: httpx.AsyncClient, url: str, index: int) -> str:
    request = {"To": [{"Address": f"web{index}@example.org"}], "Text": "x"}
    response = await client.post(
        f"{url}/webapi/v0/Send", data={"request": json.dumps(request)}, auth=(LOGIN, PASSWORD)
    )
    return "accepted" if response.status_code == 200 else response.json()["Code"]


async def _submit(port: int, index: int) -> str:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=60)
    await client.connect()
    await client.login(LOGIN, PASSWORD)
    try:
        await client.sendmail(LOGIN, [f"smtp{index}@example.org"], message(sender=LOGIN))
    except aiosmtplib.SMTPDataError as exc:
        return f"{exc.code} {exc.message}"
    finally:
        await client.quit()
    return "accepted"


async def test_servers_together_keep_to_the_limit(servers: list[tuple[str, int]]) -> None:
    account = await add_account("limited", LOGIN, PASSWORD, max_outgoing_messages_per_day=LIMIT)
    async with httpx.AsyncClient(timeout=60) as client:
        outcomes = await asyncio.gather(
            *(
                call
                for server, (url, port) in enumerate(servers)
                for i in range(PER_SERVER)
                for call in (
                    _send(client, url, server * PER_SERVER + i),
                    _submit(port, server * PER_SERVER + i),
                )
            )
        )
    total = 2 * 2 * PER_SERVER
    assert outcomes.count("accepted") == LIMIT, outcomes
    refused = [o for o in outcomes if o != "accepted"]
    # The SMTP refusal crossed the link from parent to SMTP child intact.
    smtp_refusal = (
        f"451 4.7.1 max number of messages ({LIMIT}) over past 24h reached, try increasing"
        " per-account setting MaxOutgoingMessagesPerDay"
    )
    assert set(refused) <= {"messageLimitReached", smtp_refusal}, refused
    assert len(refused) == total - LIMIT
    assert await QueueMessage.filter(account_id=account.id).count() == LIMIT
    assert await RecipientRecord.filter(account_id=account.id).count() == LIMIT

"""`bench/deliver.py --direct`: direct delivery with and without DKIM signing.

A sink process runs one aiosmtpd server per domain on 127.0.0.2-5 (one port, as MX
hosts share port 25); `direct_instance.py` runs Postroom with a static resolver that
points d0…d3.bench.test at them. Messages are queued through the webapi while a
hold rule pauses delivery, then released; the clock runs from the first delivery
until the queue is empty.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from aiosmtpd.smtp import SMTP, Envelope, Session
from instance import postroom
from loadgen import build_request, run_requests

from postroom.clock import SystemClock
from postroom.queue.dkim import DKIMSigningTransport
from postroom.queue.dkimkeys import DKIMKeyStore
from postroom.queue.routes import DropTransport

DOMAINS = [f"d{n}.bench.test" for n in range(4)]
SINKS = [f"127.0.0.{n + 2}" for n in range(4)]
HERE = Path(__file__).parent


class _Sink:
    async def handle_DATA(  # noqa: N802 (aiosmtpd finds hooks by this name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        return "250 2.0.0 accepted"


async def run_sinks(port: int) -> None:
    loop = asyncio.get_running_loop()
    for address in SINKS:
        await loop.create_server(lambda: SMTP(_Sink()), address, port)
    print("ready", flush=True)
    await asyncio.Event().wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((SINKS[0], 0))
        port: int = sock.getsockname()[1]
        return port


def _counts(database: Path) -> tuple[int, int]:
    """(rows still queued, rows retired as delivered)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        (queued,) = connection.execute("SELECT COUNT(*) FROM queue_message").fetchone()
        (done,) = connection.execute(
            "SELECT COUNT(*) FROM retired_message WHERE success"
        ).fetchone()
        return int(queued), int(done)


async def _start(command: list[str]) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    assert process.stdout is not None
    seen = b""
    while b"ready" not in seen and b"--data-urlencode" not in seen:
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        if not line:
            raise SystemExit("did not start:\n" + seen.decode())
        seen += line
    asyncio.get_running_loop().create_task(process.stdout.read())
    match = re.search(rb"webapi\s+(http://\S+)/webapi/v0/", seen)
    return process, match.group(1).decode() if match else ""


async def _run(messages: int, connections: int, port: int, sign: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="postroom-bench-direct-") as tmp:
        directory = Path(tmp)
        (directory / "postroom.toml").write_text(
            'data_dir = "."\nhostname = "postroom.bench.test"\nlog_level = "warning"\n'
            "[http]\nport = 0\n[smtp]\nport = 0\nsubmission_port = 0\n"
        )
        DKIMKeyStore(directory / "dkim").generate("localhost", now=datetime.now(UTC))
        command = [sys.executable, str(HERE / "direct_instance.py"), str(directory), str(port)]
        command += [f"{d}={a}" for d, a in zip(DOMAINS, SINKS, strict=True)]
        process, url = await _start(command + ([] if sign else ["--no-sign"]))
        try:
            postroom(directory, "queue", "holdrule", "add")
            requests = [
                build_request(
                    url + "/webapi/v0/Send",
                    urlencode({"request": json.dumps({
                        "To": [{"Address": f"user{n}@{DOMAINS[n % 4]}"}],
                        "Subject": "Your order has shipped",
                        "Text": "Hello,\n\nyour order is on its way.\n" * 10,
                    })}).encode(),
                    "application/x-www-form-urlencoded",
                    "postroom@localhost:postroom",
                )
                for n in range(messages)
            ]  # fmt: skip
            if await run_requests(url, requests, connections=connections):
                raise SystemExit("some Sends failed")
            database = directory / "postroom.db"
            (rule_id,) = re.findall(
                r"^(\d+)", postroom(directory, "queue", "holdrule", "list"), re.M
            )
            postroom(directory, "queue", "holdrule", "remove", rule_id)
            postroom(directory, "queue", "release", "--held")
            while _counts(database)[0] == messages:
                await asyncio.sleep(0.01)
            started = time.perf_counter()
            while _counts(database)[0] > 0:
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - started
            delivered = _counts(database)[1]
        finally:
            process.terminate()
            await process.wait()
    return delivered / elapsed, delivered


def signing_cost(rounds: int = 2000) -> float:
    """Microseconds to sign one message with an ed25519 + RSA-2048 pair, in process."""
    with tempfile.TemporaryDirectory() as tmp:
        store = DKIMKeyStore(Path(tmp))
        store.generate("localhost", now=datetime.now(UTC))
        signer = DKIMSigningTransport(DropTransport(), store, SystemClock())
        message = (
            b"Received: from bench\r\nFrom: Postroom <postroom@localhost>\r\n"
            b"To: <user1@d1.bench.test>\r\nSubject: Your order has shipped\r\n"
            b"Message-Id: <bench@localhost>\r\nDate: Mon, 23 Nov 2026 08:00:00 +0000\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + b"Hello,\r\n\r\nyour order is on its way.\r\n"
            * 10
        )
        signer.sign(message)
        started = time.perf_counter()
        for _ in range(rounds):
            signer.sign(message)
        return (time.perf_counter() - started) / rounds * 1e6


async def measure_direct(args: argparse.Namespace) -> None:
    port = _free_port()
    sinks, _ = await _start([sys.executable, str(HERE / "direct.py"), str(port)])
    try:
        unsigned, n_unsigned = await _run(args.messages, args.connections, port, sign=False)
        signed, n_signed = await _run(args.messages, args.connections, port, sign=True)
    finally:
        sinks.terminate()
        await sinks.wait()
    per_message = signing_cost()
    print(f"{args.messages} messages to 4 domains (loopback sinks), direct delivery, SQLite")
    print(f"with DKIM signing     {signed:8.0f} messages/s  ({n_signed} delivered)")
    print(f"without DKIM signing  {unsigned:8.0f} messages/s  ({n_unsigned} delivered)")
    print(f"ratio                 {signed / unsigned:.2f}x the unsigned rate")
    print(f"signing cost          {per_message:8.0f} µs/message (ed25519 + RSA-2048, in process),"
          f" {per_message * unsigned / 1e6:.2f}x the time per unsigned delivery")  # fmt: skip
    print(f"                      {1e6 / signed - 1e6 / unsigned:8.0f} µs/message"
          " (difference of the end-to-end times per message)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(run_sinks(int(sys.argv[1])))

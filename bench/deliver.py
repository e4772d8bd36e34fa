"""Benchmark: end-to-end delivery rate of `postroom localserve`, with a baseline.

Starts localserve in a temporary directory on free ports, pauses its queue with an
empty hold rule, queues 20,000 messages through the webapi (to recipients at 200
domains, as transactional mail is), releases them, and measures delivered messages
per second until the queue is empty. In the same run it measures a baseline, before
and after: aiosmtplib sending the same message to a bare aiosmtpd sink on loopback over
16 connections, and prints Postroom's rate as a ratio of the baselines' mean.

localserve is two processes: the main one delivers the queue (the SMTP client) and
writes the database; a child serves the SMTP listener the messages are delivered to
and sends each message to the main process to be stored (docs/architecture.md,
"Processes"). The rate measured is of both together.

    python bench/deliver.py [--messages 20000] [--connections 16]

`--direct` measures direct delivery instead: the real outbound stack (DKIM signing,
MX resolution through a static resolver, SMTP sessions kept per domain) delivering to
aiosmtpd sinks for 4 domains on 127.0.0.2-5, in a separate process. It runs twice,
with DKIM signing (ed25519 + RSA-2048, as `postroom dkim generate` makes) and
without, and prints both rates and the cost of signing per message.

    python bench/deliver.py --direct [--messages 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

sys.path.insert(0, str(Path(__file__).parent))

from direct import measure_direct
from instance import postroom, start_localserve
from loadgen import build_request, run_requests

MESSAGE = (
    b"From: <postroom@localhost>\r\nTo: <customer@example.com>\r\n"
    b"Subject: Your order #1234 has shipped\r\nMessage-Id: <bench@localhost>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    + b"Hello,\r\n\r\nyour order is on its way.\r\n"
    * 10
)


def queued_count(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM queue_message").fetchone()
        return int(count)


async def measure_postroom(messages: int, connections: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="postroom-bench-") as tmp:
        directory = Path(tmp)
        process, url = await start_localserve(directory)
        try:
            postroom(directory, "queue", "holdrule", "add")
            requests = [
                build_request(
                    url + "/webapi/v0/Send",
                    urlencode({"request": json.dumps({
                        "To": [{"Address": f"user{n}.b@d{n % 200}.example"}],
                        "Subject": "Your order has shipped",
                        "Text": "Hello,\n\nyour order is on its way.\n" * 10,
                    })}).encode(),
                    "application/x-www-form-urlencoded",
                    "postroom@localhost:postroom",
                )
                for n in range(messages)
            ]  # fmt: skip
            failed = await run_requests(url, requests, connections=connections)
            if failed:
                raise SystemExit(f"{failed} Sends failed")
            database = directory / "postroom.db"
            assert queued_count(database) == messages
            (rule_id,) = re.findall(
                r"^(\d+)", postroom(directory, "queue", "holdrule", "list"), re.M
            )
            postroom(directory, "queue", "holdrule", "remove", rule_id)
            postroom(directory, "queue", "release", "--held")
            # The server notices a release by another process within its poll interval;
            # the clock starts when delivery does.
            while queued_count(database) == messages:
                await asyncio.sleep(0.01)
            started = time.perf_counter()
            while (left := queued_count(database)) > 0:
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - started
            delivered = messages - left
        finally:
            process.terminate()
            await process.wait()
    return delivered / elapsed, delivered


class _Sink:
    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(  # noqa: N802 (aiosmtpd finds hooks by this name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.accepted += 1
        return "250 2.0.0 accepted"


async def measure_baseline(messages: int, connections: int) -> float:
    sink = _Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    todo = iter(range(messages))

    async def client() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await smtp.connect()
        for n in todo:
            await smtp.sendmail("postroom@localhost", [f"user{n}.b@d{n % 200}.example"], MESSAGE)
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    server.close()
    await server.wait_closed()
    assert sink.accepted == messages
    return messages / elapsed


async def measure(args: argparse.Namespace) -> None:
    # The baseline is measured before and after Postroom and the two averaged: on a
    # shared machine the speed of one core drifts by a fifth within a minute.
    before = await measure_baseline(args.messages, args.connections)
    rate, delivered = await measure_postroom(args.messages, args.connections)
    after = await measure_baseline(args.messages, args.connections)
    base = (before + after) / 2
    print(f"{args.messages} messages to 200 domains, SQLite with synchronous=FULL")
    print(f"postroom delivery  {rate:8.0f} messages/s  ({delivered} delivered end to end)")
    print(f"baseline           {base:8.0f} messages/s  (aiosmtplib to a bare aiosmtpd sink,"
          f" {args.connections} connections; {before:.0f} before, {after:.0f} after)")  # fmt: skip
    print(f"ratio              {rate / base:.2f}x the baseline's rate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--messages", type=int, help="messages to deliver (default 20000, --direct 5000)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--direct", action="store_true", help="measure direct delivery")
    args = parser.parse_args()
    if args.messages is None:
        args.messages = 5_000 if args.direct else 20_000
    asyncio.run(measure_direct(args) if args.direct else measure(args))


if __name__ == "__main__":
    main()

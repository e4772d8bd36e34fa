"""Benchmark: webhooks sent per second to a local receiver, with a baseline.

Writes 20,000 delivery events into the outbox of a fresh SQLite database (as 20,000
deliveries would), starts the webhook runner, and measures hooks per second until
every hook has been sent and retired. The receiver is a bare Starlette endpoint
under uvicorn in its own process. In the same run it measures two baselines: bare
httpx POSTs of the same body to the same receiver at the same concurrency, and bare
POSTs with aiohttp (the HTTP client Postroom's sender uses), and prints Postroom's
rate as a ratio of each.

    python bench/hooks.py [--hooks 20000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).parent))

from instance import free_port

from postroom.clock import SystemClock
from postroom.hooks import HookRunner, HookRunnerSettings, HTTPSender, Outgoing
from postroom.localserve.bootstrap import seed_database
from postroom.store.account import Account
from postroom.store.db import migrate_database, open_database
from postroom.store.groupcommit import Batch, GroupCommitter
from postroom.wire import encode_html_safe

RECEIVER = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
async def hook(request):
    await request.body()
    return Response(b"ok")
app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


async def start_receiver() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])
    url = f"http://127.0.0.1:{port}/hook"
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                await client.post(url, content=b"{}")
                return process, url
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise SystemExit("receiver did not start")


async def measure_postroom(url: str, hooks: int, concurrency: int) -> float:
    with tempfile.TemporaryDirectory(prefix="postroom-bench-") as tmp:
        database_url = f"sqlite://{tmp}/postroom.db"
        await migrate_database(database_url)
        async with open_database(database_url) as database:
            await seed_database()
            account = await Account.get()
            account.outgoing_webhook_url = url
            await account.save()
            committer = GroupCommitter(database)
            committer.start()
            now = datetime.now(UTC)

            async def events(batch: Batch) -> None:
                for n in range(hooks):
                    batch.insert(
                        "delivery_event",
                        ("created", "account_id", "queue_msg_id", "event", "details", "message",
                         "processed"),
                        (str(now), account.id, n + 1, "delivered",
                         '{"SMTPCode":250,"SMTPEnhancedCode":"2.0.0"}',
                         '{"FromID":"abc","MessageID":"<m@localhost>","Subject":"Shipped"}',
                         False),
                    )  # fmt: skip

            await committer.run(events)
            sender = HTTPSender(
                user_agent="postroom-bench", timeout_seconds=30, max_connections=concurrency
            )
            runner = HookRunner(
                committer,
                database.reader,
                sender,
                SystemClock(),
                HookRunnerSettings(max_concurrent=concurrency, per_url=concurrency),
            )
            started = time.perf_counter()
            runner.start()
            while True:
                await asyncio.sleep(0.1)
                left = await database.reader.fetch(
                    "SELECT (SELECT COUNT(*) FROM webhook) + (SELECT COUNT(*) FROM"
                    " delivery_event WHERE processed = 0) AS n",
                    [],
                )
                if int(left[0]["n"]) == 0:
                    break
            elapsed = time.perf_counter() - started
            await runner.stop()
            await sender.close()
            await committer.stop()
            assert runner.sent == hooks, runner.sent
    return hooks / elapsed


async def measure_baseline(url: str, hooks: int, concurrency: int) -> float:
    body = encode_html_safe(
        Outgoing(Event="delivered", QueueMsgID=1, WebhookQueued=datetime.now(UTC))
    )
    todo = iter(range(hooks))
    async with httpx.AsyncClient(
        limits=httpx.Limits(max_connections=concurrency), trust_env=False
    ) as client:

        async def worker() -> None:
            for _ in todo:
                response = await client.post(
                    url, content=body, headers={"Content-Type": "application/json"}
                )
                assert response.status_code == 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return hooks / (time.perf_counter() - started)


async def measure_aiohttp(url: str, hooks: int, concurrency: int) -> float:
    body = encode_html_safe(
        Outgoing(Event="delivered", QueueMsgID=1, WebhookQueued=datetime.now(UTC))
    )
    todo = iter(range(hooks))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for _ in todo:
                async with session.post(
                    url, data=body, headers={"Content-Type": "application/json"}
                ) as response:
                    await response.read()
                    assert response.status == 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return hooks / (time.perf_counter() - started)


async def measure(args: argparse.Namespace) -> None:
    process, url = await start_receiver()
    try:
        base = await measure_baseline(url, args.hooks, args.concurrency)
        bare = await measure_aiohttp(url, args.hooks, args.concurrency)
        rate = await measure_postroom(url, args.hooks, args.concurrency)
    finally:
        process.terminate()
        process.wait()
    print(f"{args.hooks} webhooks to one local receiver, {args.concurrency} concurrent, SQLite")
    print(f"postroom webhooks  {rate:8.0f} hooks/s  (outbox event to retired hook, signed)")
    print(f"baseline           {base:8.0f} POSTs/s  (bare httpx to the same receiver)")
    print(f"ratio              {rate / base:.2f}x the baseline's rate")
    print(f"bare aiohttp       {bare:8.0f} POSTs/s  (the HTTP client postroom sends with)")
    print(f"ratio              {rate / bare:.2f}x bare aiohttp's rate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hooks", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()

"""Benchmark: durable Sends per second against `postroom localserve`, with a baseline.

Starts localserve in a temporary directory on a free port, pauses its delivery (an
empty hold rule), drives Send with 16 concurrent keep-alive clients for 15 seconds,
and prints accepted messages per second with p50/p99 latency. In the same run it
measures a bare Starlette endpoint that commits one SQLite insert per request, and
prints Postroom's rate as a ratio of it.

    python bench/send.py [--seconds 15] [--connections 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).parent))

from instance import free_port, postroom, start_localserve
from loadgen import LoadResult, build_request, run_load

SEND_REQUEST = {
    "To": [{"Name": "Customer", "Address": "customer@example.com"}],
    "Subject": "Your order #1234 has shipped",
    "Text": "Hello,\n\nyour order is on its way.\n\nRegards,\nThe shop\n",
    "HTML": "<p>Hello,</p><p>your order is on its way.</p><p>Regards,<br>The shop</p>",
    "Extra": {"order": "1234", "customer": "42"},
}


async def start_baseline(directory: Path) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).parent / "baseline_app.py"),
        str(directory / "baseline.db"),
        str(port),
    )
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return process, f"http://127.0.0.1:{port}"
    raise SystemExit("baseline server did not start")


async def stop(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await process.wait()


async def measure(args: argparse.Namespace) -> None:
    body = urlencode({"request": json.dumps(SEND_REQUEST)}).encode()
    with tempfile.TemporaryDirectory(prefix="postroom-bench-") as tmp:
        directory = Path(tmp)
        baseline, baseline_url = await start_baseline(directory)
        try:
            request = build_request(
                baseline_url + "/insert", body, "application/x-www-form-urlencoded", None
            )
            base = await run_load(
                baseline_url, request, connections=args.connections, seconds=args.seconds
            )
        finally:
            await stop(baseline)
        server, url = await start_localserve(directory / "localserve")
        try:
            # Pause delivery (an empty hold rule), so the figure is the accepting path only.
            postroom(directory / "localserve", "queue", "holdrule", "add")
            request = build_request(
                url + "/webapi/v0/Send",
                body,
                "application/x-www-form-urlencoded",
                "postroom@localhost:postroom",
            )
            send = await run_load(url, request, connections=args.connections, seconds=args.seconds)
        finally:
            await stop(server)
    report(args, send, base)


def report(args: argparse.Namespace, send: LoadResult, base: LoadResult) -> None:
    print(
        f"{args.connections} keep-alive clients, {args.seconds:.0f} s each,"
        " SQLite with synchronous=FULL"
    )
    print(f"postroom Send  {send.summary()}")
    print(f"baseline       {base.summary()}")
    print(f"ratio          {send.rate / base.rate:.2f}x the baseline's rate")
    if send.first_failure:
        print("first failed Send:\n" + send.first_failure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=16)
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()

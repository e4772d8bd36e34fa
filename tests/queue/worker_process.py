"""A queue worker in a process of its own, for the test that kills one mid-delivery.

    python -m tests.queue.worker_process DATABASE_URL SMTP_PORT

It claims what is due and delivers it to 127.0.0.1:SMTP_PORT, printing "claimed"
once its claim is committed. The test kills it with SIGKILL while it waits for the
server's reply to DATA.
"""

from __future__ import annotations

import asyncio
import sys

from postroom.clock import SystemClock
from postroom.queue.relay import SMTPRelayTransport
from postroom.queue.runner import QueueRunner, RunnerSettings
from postroom.store.db import open_database
from postroom.store.groupcommit import GroupCommitter


async def main(url: str, port: int) -> None:
    async with open_database(url) as database:
        committer = GroupCommitter(database)
        committer.start()
        transport = SMTPRelayTransport("127.0.0.1", port, local_hostname="worker.test")
        runner = QueueRunner(
            committer, database.reader, transport, SystemClock(), RunnerSettings(hostname="w")
        )
        print("started", flush=True)
        await runner.run_once()
        print("finished", flush=True)
        await committer.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))

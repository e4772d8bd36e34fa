"""`postroom localserve` as a user runs it: a real process, real curl, real signals."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

README = Path(__file__).parents[2] / "README.md"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8ff3f0300050201feaa4d4e0d0000000049454e44ae426082"
)


@dataclass
class Localserve:
    process: asyncio.subprocess.Process
    url: str
    directory: Path
    banner: str
    log: asyncio.Task[bytes]
    """Reads everything it prints after the banner (a full pipe would block it)."""

    async def stop(self) -> str:
        """SIGTERM, wait for a clean exit, and return what it printed after the banner."""
        self.process.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(self.log, 60)).decode()
        assert await asyncio.wait_for(self.process.wait(), 60) == 0
        return rest


def postroom_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "postroom.cli", *args]


async def start_localserve(directory: Path, *options: str) -> Localserve:
    process = await asyncio.create_subprocess_exec(
        *postroom_command(
            "localserve",
            "--dir",
            str(directory),
            "--http-port",
            "0",
            "--smtp-port",
            "0",
            "--submission-port",
            "0",
            *options,
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        if not line:
            raise AssertionError("localserve exited during start-up:\n" + "".join(lines))
        lines.append(line)
        if "--data-urlencode" in line:
            break
    banner = "".join(lines)
    match = re.search(r"webapi\s+(http://127\.0\.0\.1:(\d+))/webapi/v0/", banner)
    assert match, banner
    assert match.group(2) != "0"
    log = asyncio.get_running_loop().create_task(process.stdout.read())
    return Localserve(
        process=process, url=match.group(1), directory=directory, banner=banner, log=log
    )


@pytest.fixture
async def localserve(tmp_path: Path) -> AsyncIterator[Localserve]:
    server = await start_localserve(tmp_path / "instance")
    yield server
    if server.process.returncode is None:
        server.process.kill()
        await server.process.wait()


def all_messages(directory: Path) -> list[dict[str, object]]:
    """Every message sent: still queued, or delivered/failed (retired), oldest first."""
    rows = []
    for listing in ("list", "retired"):
        output = subprocess.run(
            postroom_command(
                "queue", listing, "--dir", str(directory), "--limit", "10000", "--json"
            ),
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        rows += [json.loads(line) for line in output.splitlines()]
    return sorted(rows, key=lambda row: int(str(row["id"])))


async def run_curl(command: str, url: str, cwd: Path) -> dict[str, object]:
    """Run a curl command line from the docs against `url`, return its JSON answer."""
    command = command.replace("http://localhost:1080", url)
    process = await asyncio.create_subprocess_exec(
        *shlex.split(command),
        "--silent",
        "--show-error",
        "--fail-with-body",
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, (command, stdout, stderr)
    result: dict[str, object] = json.loads(stdout)
    return result


def readme_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)


def readme_curl_commands() -> list[str]:
    """The README's webapi curl commands, each joined into one line."""
    commands = [
        b.replace("\\\n", " ")
        for b in readme_blocks()
        if b.startswith("curl ") and "smtp://" not in b
    ]
    return [" ".join(c.split()) for c in commands]


async def test_banner_and_curl_example(localserve: Localserve) -> None:
    assert "postroom@localhost" in localserve.banner
    assert "password        postroom" in localserve.banner
    # The banner's own curl example works verbatim.
    example = re.search(r"(curl .*?)\n$", localserve.banner, flags=re.S)
    assert example
    command = " ".join(example.group(1).replace("\\\n", " ").split())
    result = await run_curl(command, localserve.url, localserve.directory)
    assert result["Submissions"]
    rest = await localserve.stop()
    assert "stopped" in rest
    (row,) = all_messages(localserve.directory)
    assert row["recipient"] == "someone@example.com"
    assert row["subject"] == "hi"


async def test_readme_tour_commands_work(localserve: Localserve) -> None:
    (localserve.directory / "report.pdf").write_bytes(b"%PDF-1.4 test")
    commands = readme_curl_commands()
    assert len(commands) >= 5
    results = [await run_curl(c, localserve.url, localserve.directory) for c in commands]
    assert all(isinstance(r, dict) for r in results)
    # The SMTP example is a small shell script; run it as written, on our port.
    (script,) = [b for b in readme_blocks() if "curl smtp://" in b]
    submission = re.search(r"^  submission\s+(\S+)$", localserve.banner, flags=re.M)
    assert submission
    script = script.replace("localhost:1587", submission.group(1))
    process = await asyncio.create_subprocess_exec(
        "bash", "-euc", script, cwd=localserve.directory,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr
    await localserve.stop()
    rows = all_messages(localserve.directory)
    subjects = {r["subject"] for r in rows}
    assert subjects >= {"hi", "report", "order 1234", "bounce me", "via SMTP"}
    (smtp_row,) = [r for r in rows if r["subject"] == "via SMTP"]
    assert smtp_row["extra"] == {"Order": "1234"}


async def test_spec_multipart_curl_with_content_id(localserve: Localserve) -> None:
    (localserve.directory / "hi.png").write_bytes(PNG)
    command = (
        "curl -u postroom@localhost:postroom http://localhost:1080/webapi/v0/Send"
        ' --form \'request={"To": [{"Address": "a@example.com"}],'
        ' "HTML": "<img src=cid:hi>"}\''
        " --form 'inlinefile=@hi.png;headers=\"Content-ID: <hi>\"'"
    )
    result = await run_curl(command, localserve.url, localserve.directory)
    assert len(result["Submissions"]) == 1  # type: ignore[arg-type]


async def test_restart_reuses_the_directory(tmp_path: Path) -> None:
    directory = tmp_path / "instance"
    first = await start_localserve(directory)
    async with httpx.AsyncClient(auth=("postroom@localhost", "postroom")) as client:
        response = await client.post(
            first.url + "/webapi/v0/Send",
            json={"To": [{"Address": "a@example.com"}], "Text": "one"},
        )
        assert response.status_code == 200
    await first.stop()
    second = await start_localserve(directory)
    try:
        async with httpx.AsyncClient(auth=("postroom@localhost", "postroom")) as client:
            response = await client.post(
                second.url + "/webapi/v0/Send",
                json={"To": [{"Address": "b@example.com"}], "Text": "two"},
            )
            assert response.status_code == 200
    finally:
        await second.stop()
    assert sorted(r["recipient"] for r in all_messages(directory)) == [
        "a@example.com",
        "b@example.com",
    ]


async def test_sigterm_loses_no_accepted_message(localserve: Localserve) -> None:
    accepted: list[int] = []

    async def sender(client: httpx.AsyncClient) -> None:
        while True:
            try:
                response = await client.post(
                    localserve.url + "/webapi/v0/Send",
                    json={"To": [{"Address": "a@example.com"}], "Text": "x"},
                )
            except httpx.HTTPError:
                return
            if response.status_code != 200:
                return
            accepted.extend(s["QueueMsgID"] for s in response.json()["Submissions"])

    async with httpx.AsyncClient(auth=("postroom@localhost", "postroom")) as client:
        senders = [asyncio.create_task(sender(client)) for _ in range(8)]
        while len(accepted) < 50:
            await asyncio.sleep(0.01)
        await localserve.stop()
        await asyncio.wait_for(asyncio.gather(*senders), 30)
    queued = {r["id"] for r in all_messages(localserve.directory)}
    assert set(accepted) <= queued
    assert len(accepted) >= 50


def test_other_commands_need_an_instance(tmp_path: Path) -> None:
    result = subprocess.run(
        postroom_command("queue", "list", "--dir", str(tmp_path / "missing")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no Postroom instance here" in result.stderr

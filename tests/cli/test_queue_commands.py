"""`postroom queue …` commands, run as a user would, against a real database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from postroom.store.db import Database
from postroom.store.outgoing import DeliveryEvent, HoldRule, QueueMessage
from tests.queue.harness import QueueHarness, queue_harness


@pytest.fixture
async def harness(database: Database) -> AsyncIterator[QueueHarness]:
    async with queue_harness(database) as h:
        yield h


@pytest.fixture
def config_file(database_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "postroom.toml"
    path.write_text(f'data_dir = "."\ndatabase_url = "{database_url}"\n', encoding="utf-8")
    return path


def postroom(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "postroom.cli", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_list_as_table_and_json(harness: QueueHarness, config_file: Path) -> None:
    await harness.queue(["a@x.example"], extra={"k": "v"})
    await harness.queue(["b@y.example"])
    table = postroom(config_file, "queue", "list")
    assert table.returncode == 0, table.stderr
    header, *lines = table.stdout.splitlines()
    assert header.split()[:4] == ["ID", "ACCOUNT", "SENDER", "RECIPIENT"]
    assert len(lines) == 2 and "a@x.example" in lines[0]
    listed = postroom(config_file, "queue", "list", "--json", "--recipient-domain", "x.example")
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["recipient"] == "a@x.example" and row["extra"] == {"k": "v"}


async def test_paging_with_cursor(harness: QueueHarness, config_file: Path) -> None:
    for n in range(5):
        await harness.queue([f"r{n}@d{n}.example"])
    first = postroom(config_file, "queue", "list", "--limit", "2", "--sort", "queued")
    cursor = first.stdout.strip().splitlines()[-1].split("--after ")[1]
    second = postroom(config_file, "queue", "list", "--limit", "2", "--sort", "queued",
                      "--after", cursor, "--json")  # fmt: skip
    first_ids = [int(line.split()[0]) for line in first.stdout.splitlines()[1:3]]
    second_ids = [json.loads(line)["id"] for line in second.stdout.splitlines()]
    assert len(first_ids) == len(second_ids) == 2
    assert first_ids[-1] < second_ids[0] < second_ids[1]
    bad = postroom(config_file, "queue", "list", "--after", "garbage")
    assert bad.returncode != 0 and "invalid page cursor" in bad.stderr


async def test_hold_release_drop_and_rules(harness: QueueHarness, config_file: Path) -> None:
    (queued,) = await harness.queue(["a@x.example"])
    result = postroom(config_file, "queue", "hold", "--id", str(queued.queue_msg_id))
    assert result.stdout.strip() == "1 message changed"
    assert (await QueueMessage.get(id=queued.queue_msg_id)).hold
    assert postroom(config_file, "queue", "release", "--held").stdout.strip() == "1 message changed"
    added = postroom(config_file, "queue", "holdrule", "add", "--recipient-domain", "x.example")
    assert added.stdout.strip() == "hold rule 1 added; 1 queued message held"
    (rule,) = await HoldRule.all()
    assert rule.recipient_domain == "x.example"
    rules = postroom(config_file, "queue", "holdrule", "list", "--json")
    assert json.loads(rules.stdout)["recipient_domain"] == "x.example"
    assert postroom(config_file, "queue", "holdrule", "remove", str(rule.id)).returncode == 0
    assert postroom(config_file, "queue", "holdrule", "remove", "99").returncode == 1
    dropped = postroom(config_file, "queue", "drop", "--account", "sender")
    assert dropped.stdout.strip() == "1 message changed"
    (event,) = await DeliveryEvent.all()
    assert event.event == "canceled"
    retired = postroom(config_file, "queue", "retired", "--failed", "--json")
    assert retired.returncode == 0, retired.stderr
    assert json.loads(retired.stdout)["recipient"] == "a@x.example"


async def test_bad_arguments_are_explained(config_file: Path, database: Database) -> None:
    result = postroom(config_file, "queue", "list", "--submitted-before", "yesterday")
    assert result.returncode == 2
    assert "not a time" in result.stderr
    result = postroom(config_file, "queue", "delay", "--by", "soon")
    assert result.returncode == 2 and "not a duration" in result.stderr

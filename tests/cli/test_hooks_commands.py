"""`postroom hooks list|retired|retry|cancel`, run as a user would, against the database
of a running instance whose receiver is failing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postroom.store.webhook import RetiredWebhook, Webhook
from tests.cli.test_queue_commands import postroom
from tests.hooks.conftest import Hooked, hooked, receiver
from tests.hooks.receiver import Answer

__all__ = ["hooked", "receiver"]  # fixtures, used by name


@pytest.fixture
def config_file(database_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "cli.toml"
    path.write_text(f'data_dir = "."\ndatabase_url = "{database_url}"\n', encoding="utf-8")
    return path


async def failing_hooks(hooked: Hooked, count: int) -> list[Webhook]:
    """`count` delivered-event hooks whose first POST got a 503: queued for a retry."""
    hooked.receiver.script = lambda request: Answer(status=503)
    await hooked.configure()
    await hooked.send(*(f"user{n}@d{n}.example" for n in range(count)))
    await hooked.deliver()
    await hooked.hooks.run_once()
    return list(await Webhook.all().order_by("id"))


async def test_list_retry_and_cancel(hooked: Hooked, config_file: Path) -> None:
    first, second, third = await failing_hooks(hooked, 3)
    table = postroom(config_file, "hooks", "list", "--sort", "submitted")
    assert table.returncode == 0, table.stderr
    header, *rows = table.stdout.splitlines()
    assert header.split()[:3] == ["ID", "ACCOUNT", "EVENT"]
    assert [int(r.split()[0]) for r in rows] == [first.id, second.id, third.id]

    listed = postroom(
        config_file, "hooks", "list", "--json", "--queue-msg-id", str(second.queue_msg_id)
    )
    assert listed.returncode == 0, listed.stderr
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["id"], row["event"], row["attempts"]) == (second.id, "delivered", 1)

    page = postroom(config_file, "hooks", "list", "--sort", "submitted", "--limit", "2")
    cursor = page.stdout.strip().splitlines()[-1].split("--after ")[1]
    rest = postroom(
        config_file, "hooks", "list", "--sort", "submitted", "--json", "--after", cursor
    )
    assert [json.loads(line)["id"] for line in rest.stdout.splitlines()] == [third.id]

    retried = postroom(config_file, "hooks", "retry", "--id", str(first.id))
    assert retried.stdout.strip() == "1 webhook changed"
    # Due now (the instance's real time; the running test server has a manual clock).
    due = (await Webhook.get(id=first.id)).next_attempt
    assert abs(due - datetime.now(UTC)) < timedelta(minutes=1)

    canceled = postroom(config_file, "hooks", "cancel", "--event", "delivered")
    assert canceled.stdout.strip() == "3 webhooks changed"
    assert await Webhook.all().count() == 0
    retired = postroom(config_file, "hooks", "retired", "--json")
    assert sorted(json.loads(line)["id"] for line in retired.stdout.splitlines()) == [
        first.id,
        second.id,
        third.id,
    ]
    assert not any(r.success for r in await RetiredWebhook.all())


async def test_bad_options_are_refused(config_file: Path) -> None:
    bad = postroom(config_file, "hooks", "list", "--after", "not-a-cursor")
    assert bad.returncode != 0 and "cursor" in bad.stderr
    unknown = postroom(config_file, "hooks", "retry", "--submitted-before", "yesterday-ish")
    assert unknown.returncode == 2

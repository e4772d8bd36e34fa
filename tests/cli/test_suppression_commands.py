"""`postroom suppression import|export`, run as a user would, against a real database."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from postroom.store.db import Database
from postroom.store.outgoing import Suppression
from tests.cli.test_queue_commands import config_file, postroom
from tests.queue.harness import QueueHarness, queue_harness

__all__ = ["config_file"]  # a fixture, used by name


@pytest.fixture
async def harness(database: Database) -> AsyncIterator[QueueHarness]:
    async with queue_harness(database) as h:
        yield h


async def listed(account_id: int) -> dict[str, Suppression]:
    return {s.base_address: s for s in await Suppression.filter(account_id=account_id)}


async def test_import_keeps_good_lines_and_reports_bad_ones(
    harness: QueueHarness, config_file: Path, tmp_path: Path
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "Email,Reason,Created\n"
        "alice@example.com,complained,2026-01-02T03:04:05Z\n"
        "not an address,oops,\n"
        "Bob+News@Example.org,,\n"
        "\n"
        "carol@example.net,bad date,yesterday\n"
        "bob@example.org,duplicate base,\n"
        '"dave@example.com","reason, with comma",\n',
        encoding="utf-8",
    )
    result = postroom(config_file, "suppression", "import", "--account", "sender", str(source))
    assert result.returncode == 1
    assert result.stdout.strip() == "added 3, already listed 1, bad lines 2 (of 6 lines)"
    errors = result.stderr.strip().splitlines()
    assert errors[0].startswith(f"{source}: line 3: not an email address: 'not an address'")
    assert errors[1] == f"{source}: line 6: created is not an RFC 3339 time: 'yesterday'"
    entries = await listed(harness.account.id)
    assert set(entries) == {"alice@example.com", "bob@example.org", "dave@example.com"}
    assert entries["alice@example.com"].reason == "complained"
    assert entries["alice@example.com"].created == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert entries["bob@example.org"].original_address == "Bob+News@Example.org"
    assert entries["bob@example.org"].reason == "imported" and entries["bob@example.org"].manual
    assert entries["dave@example.com"].reason == "reason, with comma"

    # A second import of the same file adds nothing and changes nothing.
    again = postroom(config_file, "suppression", "import", "--account", "sender", str(source))
    assert again.stdout.strip() == "added 0, already listed 4, bad lines 2 (of 6 lines)"


async def test_export_round_trips_through_import(
    harness: QueueHarness, config_file: Path, tmp_path: Path
) -> None:
    source = tmp_path / "plain.csv"
    # No header: the columns are address and reason.
    source.write_text("x@example.com,first\ny@example.com\n", encoding="utf-8")
    imported = postroom(config_file, "suppression", "import", "--account", "sender", str(source))
    assert imported.returncode == 0, imported.stderr
    backup = tmp_path / "backup.csv"
    exported = postroom(config_file, "suppression", "export", "--account", "sender", str(backup))
    assert exported.returncode == 0 and exported.stderr == "exported 2 entries\n"
    assert backup.read_bytes().count(b"\r\n") == 3  # RFC 4180 line breaks
    to_stdout = postroom(config_file, "suppression", "export", "--account", "sender")
    assert to_stdout.stdout == backup.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(backup.read_text(encoding="utf-8"))))
    assert [(r["address"], r["base_address"], r["manual"], r["reason"]) for r in rows] == [
        ("x@example.com", "x@example.com", "true", "first"),
        ("y@example.com", "y@example.com", "true", "imported"),
    ]
    await Suppression.filter(account_id=harness.account.id).delete()
    restored = postroom(config_file, "suppression", "import", "--account", "sender", str(backup))
    assert restored.stdout.strip() == "added 2, already listed 0, bad lines 0 (of 2 lines)"
    entries = await listed(harness.account.id)
    assert entries["x@example.com"].created.isoformat() == rows[0]["created"].replace("Z", "+00:00")


async def test_large_import_commits_in_chunks_and_shows_progress(
    harness: QueueHarness, config_file: Path, tmp_path: Path
) -> None:
    source = tmp_path / "large.csv"
    lines = ["address"] + [f"user{n}@bulk.example" for n in range(1, 1201)]
    lines[700] = "broken@"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = postroom(
        config_file, "suppression", "import", "--progress", "--account", "sender", str(source)
    )
    assert result.stdout.strip() == "added 1199, already listed 0, bad lines 1 (of 1200 lines)"
    # One redraw per committed chunk of 500 lines, and one at the end.
    assert len(re.findall(r"\[[#-]{30}\]", result.stderr)) == 3
    assert "100% 1,200 lines, 1,199 added, 1 bad" in result.stderr
    assert f"{source}: line 701: not an email address: 'broken@'" in result.stderr
    assert await Suppression.filter(account_id=harness.account.id).count() == 1199


async def test_unknown_account_and_missing_file(config_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text("a@example.com\n", encoding="utf-8")
    unknown = postroom(config_file, "suppression", "import", "--account", "nobody", str(source))
    assert unknown.returncode == 2 and "no account named 'nobody'" in unknown.stderr
    missing = postroom(
        config_file, "suppression", "import", "--account", "x", str(tmp_path / "absent.csv")
    )
    assert missing.returncode != 0 and "No such file or directory" in missing.stderr

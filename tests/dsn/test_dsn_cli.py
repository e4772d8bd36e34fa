"""`postroom dsn parse`: one JSON line per email file, directories expanded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from postroom.cli import main

BOUNCE = b"""\
From: MAILER-DAEMON@mx.example.com
To: shop@example.com
Subject: Undelivered Mail Returned to Sender

<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>:
    Recipient address rejected: User unknown (in reply to RCPT TO command)
"""
PERSONAL = b"From: alice@example.org\nTo: bob@example.org\nSubject: lunch\n\nNoon?\n"


def test_parse_directory_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "b.eml").write_bytes(BOUNCE)
    (tmp_path / "a.eml").write_bytes(PERSONAL)
    (tmp_path / "notes.txt").write_bytes(BOUNCE)  # not *.eml: skipped in a directory
    single = tmp_path / "notes.txt"
    assert main(["dsn", "parse", str(tmp_path), str(single)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["file"] for line in lines] == ["a.eml", "b.eml", "notes.txt"]
    assert lines[0]["recipients"] == []
    expected = {
        "recipient": "bob@example.org",
        "action": "failed",
        "status": "5.1.1",
        "replycode": "550",
        "reason": "userunknown",
        "hard": True,
    }
    assert lines[1]["recipients"] == [expected] == lines[2]["recipients"]


def test_unreadable_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "b.eml").write_bytes(BOUNCE)
    assert main(["dsn", "parse", str(tmp_path / "missing.eml"), str(tmp_path / "b.eml")]) == 1
    captured = capsys.readouterr()
    assert "missing.eml" in captured.err
    assert [json.loads(line)["file"] for line in captured.out.splitlines()] == ["b.eml"]


def test_entry_point_as_a_subprocess(tmp_path: Path) -> None:
    (tmp_path / "b.eml").write_bytes(BOUNCE)
    result = subprocess.run(
        [sys.executable, "-m", "postroom.cli", "dsn", "parse", str(tmp_path / "b.eml")],
        capture_output=True,
        check=True,
        timeout=60,
    )
    (line,) = result.stdout.decode().splitlines()
    assert json.loads(line)["recipients"][0]["reason"] == "userunknown"

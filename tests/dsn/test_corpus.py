"""The parser scored on real bounces through `postroom dsn parse`'s output, with the
corpus README's four measures."""

from __future__ import annotations

import json

import pytest

from postroom.cli import main
from tests.dsn.corpus import CORPUS, expected_rows, score

pytestmark = pytest.mark.skipif(
    not (CORPUS / "expected.json").is_file(), reason=f"no bounce corpus at {CORPUS}"
)


def test_scorer_counts_missing_recipients_as_wrong() -> None:
    expected = [
        {"file": "a.eml", "index": 1, "status": "5.1.1", "reason": "userunknown",
         "hardbounce": True},
        {"file": "a.eml", "index": 2, "status": "5.0.922", "reason": "mailboxfull",
         "hardbounce": False},
    ]  # fmt: skip
    output = [
        {"file": "a.eml", "recipients": [
            {"status": "5.1.1", "reason": "userunknown", "hard": True}]},
    ]  # fmt: skip
    scores = score(expected, output)
    assert (scores.status_class, scores.reason, scores.hard) == (0.5, 0.5, 0.5)
    assert (scores.status, scores.real_rows) == (1.0, 1)


def test_corpus_scores(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dsn", "parse", str(CORPUS)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == len(list(CORPUS.glob("*.eml")))
    for line in lines:
        for recipient in line["recipients"]:
            assert set(recipient) == {"recipient", "action", "status", "replycode", "reason",
                                      "hard"}  # fmt: skip
    scores = score(expected_rows(), lines)
    with capsys.disabled():
        print(
            f"\nbounce corpus ({scores.rows} rows, {scores.real_rows} with real codes):"
            f" status class {scores.status_class:.3f}, status {scores.status:.3f},"
            f" reason {scores.reason:.3f}, hard {scores.hard:.3f}"
        )
    assert scores.status_class >= 0.95
    assert scores.status >= 0.90
    assert scores.reason >= 0.80
    assert scores.hard >= 0.90

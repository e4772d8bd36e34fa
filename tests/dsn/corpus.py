"""The real-bounce corpus (tests/data/bounces, see its README) and its four measures.

Shared by the corpus test and bench/dsn.py. `POSTROOM_BOUNCE_CORPUS` points at
another copy (for example a held-out split, which is laid out the same way).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(
    os.environ.get(
        "POSTROOM_BOUNCE_CORPUS",
        str(Path(__file__).resolve().parents[1] / "data" / "bounces"),
    )
)
# The README's pseudo codes X.0.9NN are sisimai's own, not RFC 3463 codes.
_PSEUDO = re.compile(r"^[45]\.0\.9\d\d$")


@dataclass(frozen=True, slots=True)
class Scores:
    """The README's measures: fractions of expected rows that are right."""

    status_class: float
    status: float
    """Counted only on rows whose expected status is a real RFC 3463 code."""
    reason: float
    hard: float
    rows: int
    real_rows: int


def expected_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())
    return rows


def score(expected: Sequence[Mapping[str, Any]], output: Iterable[Mapping[str, Any]]) -> Scores:
    """Score parser output lines ({"file", "recipients": [...]}) against expected rows.

    Each expected row is matched to the recipient at the same 1-based position in
    the same file; a missing file or recipient is wrong on every measure.
    """
    by_file = {line["file"]: line["recipients"] for line in output}
    right = {"class": 0, "status": 0, "reason": 0, "hard": 0}
    real_rows = 0
    for row in expected:
        recipients = by_file.get(row["file"], [])
        index = int(row["index"]) - 1
        got = recipients[index] if 0 <= index < len(recipients) else None
        real = bool(row["status"]) and not _PSEUDO.match(row["status"])
        real_rows += real
        if got is None:
            continue
        right["class"] += got["status"][:1] == row["status"][:1]
        right["status"] += real and got["status"] == row["status"]
        right["reason"] += got["reason"] == row["reason"]
        right["hard"] += got["hard"] == row["hardbounce"]
    rows = len(expected)
    return Scores(
        status_class=right["class"] / rows,
        status=right["status"] / real_rows if real_rows else 0.0,
        reason=right["reason"] / rows,
        hard=right["hard"] / rows,
        rows=rows,
        real_rows=real_rows,
    )

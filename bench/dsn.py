"""Benchmark: bounces parsed per second over the real-bounce corpus, with a baseline.

Reads every `*.eml` of the corpus into memory, then for a few seconds parses them
all in a loop with `postroom.dsn.parse_bounce`, and prints bounces per second. In
the same run it measures the stdlib's `email.message_from_bytes` alone over the same
files (the reading that any parser has to do) and prints the ratio.

    python bench/dsn.py [--seconds 5] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import email
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from postroom.dsn import parse_bounce

DEFAULT_CORPUS = Path(
    os.environ.get(
        "POSTROOM_BOUNCE_CORPUS",
        str(Path(__file__).resolve().parents[1] / "tests" / "data" / "bounces"),
    )
)


def rate(work: Callable[[bytes], Any], emails: list[bytes], seconds: float) -> float:
    """Emails per second: whole passes over `emails` until `seconds` have passed."""
    for data in emails:  # one warm-up pass (imports, regex compilation, caches)
        work(data)
    done = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for data in emails:
            work(data)
        done += len(emails)
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="*.eml directory")
    args = parser.parse_args()
    emails = [path.read_bytes() for path in sorted(args.corpus.glob("*.eml"))]
    if not emails:
        raise SystemExit(f"no *.eml files in {args.corpus}")
    size = sum(map(len, emails)) / len(emails)
    parsed = rate(parse_bounce, emails, args.seconds)
    base = rate(email.message_from_bytes, emails, args.seconds)
    print(f"{len(emails)} bounces from {args.corpus}, {size / 1024:.1f} KiB on average")
    print(f"postroom parse_bounce      {parsed:8.0f} bounces/s")
    print(f"email.message_from_bytes   {base:8.0f} bounces/s  (stdlib reading alone)")
    print(f"ratio                      {parsed / base:.2f}x the baseline's rate")


if __name__ == "__main__":
    main()

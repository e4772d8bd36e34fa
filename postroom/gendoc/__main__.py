"""`python -m postroom.gendoc [--check] [--out DIR]`: write the generated docs, or check them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from postroom.gendoc.pages import PAGES, stale_pages, write_pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gendoc.sh",
        description=f"Generate {', '.join(PAGES)} from the code.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a generated file is missing or differs",
    )
    parser.add_argument("--out", default="docs", help="directory of the docs (default: docs)")
    args = parser.parse_args(argv)
    out_dir = Path(args.out)
    if not args.check:
        for path in write_pages(out_dir):
            print(f"wrote {path}")
        return 0
    stale = stale_pages(out_dir)
    for page in stale:
        if page.diff:
            print(f"{out_dir / page.name} differs from the code:\n{page.diff}\n")
        else:
            print(f"{out_dir / page.name} is missing\n")
    if stale:
        print("Run ./gendoc.sh to regenerate.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m postroom.cli`: the same as the `postroom` command."""

from __future__ import annotations

import sys

from postroom.cli import main

sys.exit(main())

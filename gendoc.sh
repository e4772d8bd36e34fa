#!/usr/bin/env bash
# Regenerate the docs that are generated from the code (docs/webapi.md, webhooks.md,
# admin-api.md, account-api.md, openapi.json, config.md, cli.md, rfc-index.md);
# `./gendoc.sh --check` only reports stale ones. See postroom/gendoc.
set -euo pipefail
cd "$(dirname "$0")"
# The active virtualenv first, then the repository's own .venv, then whatever is on PATH.
if [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then
	python="$VIRTUAL_ENV/bin/python"
elif [[ -x .venv/bin/python ]]; then
	python=.venv/bin/python
elif command -v python >/dev/null 2>&1; then
	python=python
else
	python=python3
fi
exec "$python" -m postroom.gendoc "$@"

"""Schemathesis against a live `postroom localserve`: for a bounded number of generated
requests per operation, no 5xx and no answer the OpenAPI document does not describe.

Runs in a child process (schemathesis calls with blocking HTTP), on a fresh directory.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from postroom.localserve import ADMIN_PASSWORD, DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.server.openapi import openapi_text

EXAMPLES_PER_OPERATION = 25
SCHEMA = schemathesis.openapi.from_dict(json.loads(openapi_text()))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def localserve_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("localserve")
    log_path = directory / "output.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "postroom.cli", "localserve"),
                *("--dir", str(directory / "d")),
                *("--http-port", "0", "--smtp-port", "0", "--submission-port", "0"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield _wait_for_url(process, log_path)
    finally:
        process.terminate()
        process.wait(timeout=60)


def _wait_for_url(process: subprocess.Popen[bytes], log_path: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        output = log_path.read_text(encoding="utf-8", errors="replace")
        match = re.search(r"webapi\s+(http://127\.0\.0\.1:\d+)/webapi/v0/", output)
        if match:
            return match.group(1)
        if process.poll() is not None:
            raise AssertionError(f"localserve exited:\n{output}")
        time.sleep(0.1)
    raise AssertionError("localserve did not start within 60 seconds")


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors_and_answers_match_the_document(
    case: schemathesis.Case, localserve_url: str
) -> None:
    # The admin API as localserve's admin, so that its handlers run, not only its 403s.
    admin = case.operation.path.startswith("/admin/")
    auth = ("admin", ADMIN_PASSWORD) if admin else (DEFAULT_LOGIN, DEFAULT_PASSWORD)
    case.call_and_validate(base_url=localserve_url, auth=auth, checks=CHECKS)

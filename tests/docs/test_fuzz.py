"""Schemathesis against a live `postroom localserve`: for a bounded number of generated
requests per operation, no 5xx, no Code `server` (which answers with 400), no 405
without `Allow`, and no answer the OpenAPI document does not describe.

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

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    CheckContext,
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from postroom.localserve import ADMIN_PASSWORD, DEFAULT_LOGIN, DEFAULT_PASSWORD
from postroom.server.openapi import openapi_text

EXAMPLES_PER_OPERATION = 25
DOCUMENT = json.loads(openapi_text())
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)


def _header_names(response: schemathesis.Response) -> set[str]:
    return {name.lower() for name in response.headers}


@schemathesis.check
def no_server_code(
    ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """Every input gets a specific Code: `server` means a handler failed on it."""
    if response.status_code >= 400 and "json" in str(response.headers.get("content-type", "")):
        body = response.json()
        if isinstance(body, dict) and body.get("Code") == "server":
            raise AssertionError(f"Code server for {case.operation.label}: {body}")


@schemathesis.check
def allow_on_405(
    ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """RFC 9110 §15.5.6: a 405 answer names the allowed methods."""
    if response.status_code == 405 and "allow" not in _header_names(response):
        raise AssertionError(f"405 without Allow for {case.operation.label}")


CHECKS = [
    no_server_code,
    allow_on_405,
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
    auth = _auth(case.operation.path)
    case.call_and_validate(base_url=localserve_url, auth=auth, checks=CHECKS)


def _auth(path: str) -> tuple[str, str]:
    # The admin API as localserve's admin, so that its handlers run, not only its 403s.
    return (
        ("admin", ADMIN_PASSWORD)
        if path.startswith("/admin/")
        else (DEFAULT_LOGIN, DEFAULT_PASSWORD)
    )


def test_other_methods_are_405_with_allow(localserve_url: str) -> None:
    with httpx.Client(base_url=localserve_url, timeout=30) as client:
        for path in DOCUMENT["paths"]:
            response = client.request("PUT", path, auth=_auth(path))
            assert response.status_code == 405, (path, response.text)
            assert response.headers["allow"] == "GET, POST", path
            assert response.json()["Code"] == "methodNotAllowed"


@pytest.mark.parametrize("request_field", ["", "null", "[]", "0"])
def test_an_empty_or_non_object_request_is_protocol(
    localserve_url: str, request_field: str
) -> None:
    # The document says minLength 1 and an object; the server agrees for every method.
    with httpx.Client(base_url=localserve_url, timeout=30) as client:
        for path in DOCUMENT["paths"]:
            response = client.post(path, data={"request": request_field}, auth=_auth(path))
            assert response.status_code == 400, (path, response.text)
            assert response.json()["Code"] == "protocol", (path, response.text)

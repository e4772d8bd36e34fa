"""Which localparts simulate which failures."""

from __future__ import annotations

import pytest

from postroom.localserve.failures import Stage, failure_stage, simulated_failure


@pytest.mark.parametrize(
    ("localpart", "code", "timeout"),
    [
        ("x-temperror", 451, False),
        ("PermError", 550, False),
        ("q-timeout", 451, True),
        ("y-554", 554, False),
        ("x-451", 451, False),
        ("code400", 400, False),
        ("code599", 599, False),
    ],
)
def test_special_localparts(localpart: str, code: int, timeout: bool) -> None:
    failure = simulated_failure(localpart)
    assert failure is not None
    assert (failure.code, failure.timeout) == (code, timeout)
    assert failure.enhanced == f"{code // 100}.0.0"


@pytest.mark.parametrize("localpart", ["alice", "x-600", "x-399", "x-25", "temperrors", "1234"])
def test_ordinary_localparts(localpart: str) -> None:
    assert simulated_failure(localpart) is None


@pytest.mark.parametrize(
    ("localpart", "stage"),
    [
        ("rcpttopermerror", Stage.RCPT_TO),
        ("MailFrom-451", Stage.MAIL_FROM),
        ("x-permerror", Stage.DATA),
    ],
)
def test_stages(localpart: str, stage: Stage) -> None:
    assert failure_stage(localpart) is stage

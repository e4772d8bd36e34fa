"""Settings made through the admin API take effect on SMTP submission and the webapi."""

from __future__ import annotations

import json

import aiosmtplib
import httpx
import pytest

from postroom.admin import set_admin_password
from tests.admin.helpers import ADMIN_PASSWORD, call
from tests.smtp.conftest import SMTPServer, smtp_server
from tests.smtp.helpers import connect, message, stored

__all__ = ["smtp_server"]


async def _admin(server: SMTPServer) -> httpx.AsyncClient:
    assert server.runtime.admin is not None
    await set_admin_password(server.runtime.admin.committer, ADMIN_PASSWORD)
    return httpx.AsyncClient(
        base_url=server.addresses.http_url, auth=("admin", ADMIN_PASSWORD), timeout=30
    )


async def test_submission_switch(smtp_server: SMTPServer) -> None:
    async with await _admin(smtp_server) as admin:
        await call(admin, "AccountUpdate", {"Name": "postroom", "SubmissionDisabled": True})
    client = await connect(smtp_server.addresses.submission_port)
    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        await client.login("postroom@localhost", "postroom")
    await client.quit()
    async with await _admin(smtp_server) as admin:
        await call(admin, "AccountUpdate", {"Name": "postroom", "SubmissionDisabled": False})
    client = await connect(smtp_server.addresses.submission_port)
    await client.login("postroom@localhost", "postroom")
    await client.quit()


async def test_first_time_recipient_quota_on_submission_and_send(smtp_server: SMTPServer) -> None:
    async with await _admin(smtp_server) as admin:
        await call(admin, "AccountUpdate", {"Name": "postroom", "MaxFirstTimeRecipientsPerDay": 1})
    client = await connect(smtp_server.addresses.submission_port)
    await client.login("postroom@localhost", "postroom")
    await client.sendmail("postroom@localhost", ["a@example.org"], message(to="a@example.org"))
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await client.sendmail("postroom@localhost", ["b@example.org"], message(to="b@example.org"))
    assert refused.value.code == 451
    await client.quit()
    async with smtp_server.http() as user:
        request = {"To": [{"Address": "c@example.org"}], "Text": "hi"}
        response = await user.post("/webapi/v0/Send", data={"request": json.dumps(request)})
        assert response.json()["Code"] == "recipientLimitReached"


async def test_incoming_mail_to_nested_aliases_reaches_each_account_once(
    smtp_server: SMTPServer,
) -> None:
    async with await _admin(smtp_server) as admin:
        await call(admin, "AccountCreate", {"Name": "other", "Address": "other@localhost"})
        await call(
            admin,
            "AliasSet",
            {"Address": "team@localhost", "Members": ["ops@localhost", "postroom@localhost"]},
        )
        # A loop back to team@ ends where it started.
        await call(
            admin,
            "AliasSet",
            {"Address": "ops@localhost", "Members": ["other@localhost", "team@localhost"]},
        )
    client = await connect(smtp_server.addresses.smtp_port)
    errors, _ = await client.sendmail("a@example.org", ["team@localhost"], message())
    await client.quit()
    assert errors == {}
    for name in ("postroom", "other"):
        assert len(await stored(name)) == 1

"""Aliases: managed by the admin API, expanded when a message is queued, reported as
`expanded`."""

from __future__ import annotations

from postroom.store.account import Account
from postroom.store.outgoing import DeliveryEvent, RetiredMessage
from tests.admin.helpers import admin_client, call, enable_admin, fail
from tests.conftest import RunningServer
from tests.webapi.helpers import call as webapi_call
from tests.webapi.helpers import queue_rows


async def _send(server: RunningServer, *to: str) -> dict[str, object]:
    async with server.client() as client:
        result: dict[str, object] = await webapi_call(
            client,
            "Send",
            {"To": [{"Address": a} for a in to], "Subject": "hi", "Text": "hello"},
        )
        return result


async def test_alias_methods_and_bad_input(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        result = await call(
            admin,
            "AliasSet",
            {"Address": "Team@localhost", "Members": ["postroom@localhost", "x@example.org"]},
        )
        assert result["Alias"]["Address"] == "team@localhost"
        assert result["Alias"]["Members"] == ["postroom@localhost", "x@example.org"]
        await call(admin, "AliasSet", {"Address": "team@localhost", "Members": ["y@example.org"]})
        listed = await call(admin, "AliasList", {"Domain": "localhost"})
        assert [(a["Address"], a["Members"]) for a in listed["Aliases"]] == [
            ("team@localhost", ["y@example.org"])
        ]
        await fail(
            admin,
            "AliasSet",
            {"Address": "postroom@localhost", "Members": ["a@b.example"]},
            "exists",
        )
        await fail(admin, "AliasSet", {"Address": "new@localhost", "Members": []}, "user")
        await fail(
            admin, "AliasSet", {"Address": "new@localhost", "Members": ["bad"]}, "badAddress"
        )
        await fail(
            admin, "AliasSet", {"Address": "me@localhost", "Members": ["me@localhost"]}, "user"
        )
        await fail(
            admin,
            "AliasSet",
            {"Address": "x@elsewhere.example", "Members": ["a@b.example"]},
            "notFound",
        )
        await fail(admin, "AccountCreate", {"Name": "team", "Address": "team@localhost"}, "exists")
        await call(admin, "AliasRemove", {"Address": "team@localhost"})
        await fail(admin, "AliasRemove", {"Address": "team@localhost"}, "notFound")


async def test_sending_to_an_alias_queues_its_members_and_reports_expanded(
    server: RunningServer,
) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        await call(
            admin,
            "AliasSet",
            {
                "Address": "team@localhost",
                "Members": ["postroom@localhost", "ops@localhost", "bob@example.org"],
            },
        )
        await call(
            admin,
            "AliasSet",
            {"Address": "ops@localhost", "Members": ["carol@example.net", "team@localhost"]},
        )
    result = await _send(server, "team@localhost", "dave@example.com")
    submissions = result["Submissions"]
    assert isinstance(submissions, list)
    alias_msg_id = submissions[0]["QueueMsgID"]

    rows = await queue_rows()
    assert sorted(r.recipient_address for r in rows) == [
        "bob@example.org", "carol@example.net", "dave@example.com", "postroom@localhost",
    ]  # fmt: skip
    # fromid mode (postroom@localhost is a fromid login): every member has its own fromid.
    assert len({r.from_id for r in rows}) == 4
    retired = await RetiredMessage.get(id=alias_msg_id)
    assert retired.success and retired.recipient_address == "team@localhost"
    event = await DeliveryEvent.get(queue_msg_id=alias_msg_id)
    assert event.event == "expanded"
    account = await Account.get(name="postroom")
    assert event.account_id == account.id  # type: ignore[attr-defined]


async def test_alias_on_a_domain_alias_and_with_catchall_suffix(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        await call(admin, "DomainAliasAdd", {"Domain": "localhost", "Alias": "example.net"})
        await call(admin, "AliasSet", {"Address": "team@localhost", "Members": ["bob@example.org"]})
    await _send(server, "team+news@example.net")
    assert [r.recipient_address for r in await queue_rows()] == ["bob@example.org"]

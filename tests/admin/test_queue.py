"""Queue, retired, hold-rule, webhook and suppression methods for admins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postroom.localserve.bootstrap import seed_database
from postroom.server import Runtime
from postroom.store.outgoing import QueueMessage
from tests.admin.helpers import admin_client, call, enable_admin, fail
from tests.conftest import RunningServer, make_config
from tests.webapi.helpers import call as webapi_call


async def _send(server: RunningServer, *to: str) -> None:
    async with server.client() as client:
        for address in to:
            await webapi_call(
                client, "Send", {"To": [{"Address": address}], "Subject": "s", "Text": "t"}
            )


async def test_list_pages_and_filters(server: RunningServer) -> None:
    await enable_admin(server)
    await _send(server, "a@one.example", "b@two.example", "c@two.example")
    async with admin_client(server) as admin:
        ids, after = [], ""
        while True:
            page = await call(
                admin, "QueueList", {"Page": {"Limit": 2, "After": after, "Sort": "queued"}}
            )
            ids += [m["ID"] for m in page["Messages"]]
            after = page["Next"]
            if not after:
                break
        assert len(ids) == 3 == len(set(ids))
        two = await call(admin, "QueueList", {"Filter": {"RecipientDomain": "two.example"}})
        assert sorted(m["Recipient"] for m in two["Messages"]) == ["b@two.example", "c@two.example"]
        await fail(admin, "QueueList", {"Page": {"Sort": "size"}}, "user")
        await fail(admin, "QueueList", {"Page": {"After": "garbage"}}, "user")
        await fail(admin, "QueueList", {"Filter": {"Hold": "yes"}}, "protocol")


async def test_hold_release_delay_transport_and_drop(server: RunningServer) -> None:
    await enable_admin(server)
    await _send(server, "a@one.example", "b@two.example")
    one = {"Filter": {"RecipientDomain": "one.example"}}
    async with admin_client(server) as admin:
        assert (await call(admin, "QueueHold", one))["Count"] == 1
        held = await call(admin, "QueueList", {"Filter": {"Hold": True}})
        assert [m["Recipient"] for m in held["Messages"]] == ["a@one.example"]
        assert (await call(admin, "QueueRelease", one))["Count"] == 1
        assert (await call(admin, "QueueDelay", {**one, "Minutes": 30}))["Count"] == 1
        assert (await call(admin, "QueueRequireTLSSet", {**one, "RequireTLS": False}))["Count"] == 1
        assert (await call(admin, "QueueDrop", one))["Count"] == 1
        left = await call(admin, "QueueList", {})
        assert [m["Recipient"] for m in left["Messages"]] == ["b@two.example"]
        retired = await call(admin, "RetiredList", {"Filter": {"RecipientDomain": "one.example"}})
        assert [m["Success"] for m in retired["Messages"]] == [False]


async def test_pause_holds_everything_and_resume_releases(server: RunningServer) -> None:
    await enable_admin(server)
    await _send(server, "a@one.example")
    async with admin_client(server) as admin:
        paused = await call(admin, "QueuePause", {})
        assert paused["Held"] == 1
        again = await call(admin, "QueuePause", {})
        assert again["Rule"]["ID"] == paused["Rule"]["ID"]
        await _send(server, "b@two.example")
        assert await QueueMessage.filter(hold=False).count() == 0
        rule = await call(admin, "HoldRuleAdd", {"RecipientDomain": "two.example"})
        rules = await call(admin, "HoldRuleList", {})
        assert len(rules["Rules"]) == 2
        resumed = await call(admin, "QueueResume", {"Release": True})
        assert resumed["Count"] == 1  # b@two.example stays held by the other rule
        held = await QueueMessage.filter(hold=True).values_list("recipient_address", flat=True)
        assert held == ["b@two.example"]
        await call(admin, "HoldRuleRemove", {"ID": rule["Rule"]["ID"]})
        await fail(admin, "HoldRuleRemove", {"ID": rule["Rule"]["ID"]}, "notFound")


@pytest.fixture
async def quiet_server(database_url: str, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """A server whose webhooks are only sent when the test says so."""
    config = make_config(database_url, tmp_path)
    runtime = Runtime(config, prepare=seed_database, run_hooks=False)
    addresses = await runtime.start()
    try:
        yield RunningServer(url=addresses.http_url, runtime=runtime, config=config)
    finally:
        await runtime.stop()


async def test_hooks_and_suppressions_of_any_account(quiet_server: RunningServer) -> None:
    server = quiet_server
    await enable_admin(server)
    async with admin_client(server) as admin:
        await call(
            admin, "AccountWebhooksSet", {"Name": "postroom", "OutgoingURL": "http://127.0.0.1:9/h"}
        )
        await call(
            admin,
            "SuppressionAdd",
            {"Account": "postroom", "EmailAddress": "Gone@Example.org", "Reason": "asked"},
        )
        await fail(
            admin,
            "SuppressionAdd",
            {"Account": "postroom", "EmailAddress": "gone@example.org"},
            "error",
        )
        present = await call(
            admin, "SuppressionPresent", {"Account": "postroom", "EmailAddress": "gone@example.org"}
        )
        assert present == {"Present": True}
        await _send(server, "gone@example.org")
        listed = await call(admin, "SuppressionList", {"Account": "postroom"})
        assert [s["BaseAddress"] for s in listed["Suppressions"]] == ["gone@example.org"]
        await call(
            admin, "SuppressionRemove", {"Account": "postroom", "EmailAddress": "gone@example.org"}
        )
        await fail(
            admin,
            "SuppressionRemove",
            {"Account": "postroom", "EmailAddress": "gone@example.org"},
            "error",
        )
        await fail(admin, "SuppressionList", {"Account": "nobody"}, "notFound")
        await fail(
            admin, "SuppressionAdd", {"Account": "postroom", "EmailAddress": "nope"}, "badAddress"
        )
        # The suppressed Send made a `suppressed` webhook, queued (hooks do not run here).
        assert quiet_server.runtime.hook_runner is not None
        await quiet_server.runtime.hook_runner.run_once()
        hooks = await call(admin, "HookList", {"Filter": {"Account": "postroom"}})
        assert [h["Event"] for h in hooks["Hooks"]] == ["suppressed"]
        assert (await call(admin, "HookCancel", {"Filter": {"Account": "postroom"}}))["Count"] == 1
        assert (await call(admin, "HookList", {}))["Hooks"] == []


async def test_retry_fail_and_transport(server: RunningServer) -> None:
    await enable_admin(server)
    await _send(server, "a@one.example", "b@two.example")
    one = {"Filter": {"RecipientDomain": "one.example"}}
    async with admin_client(server) as admin:
        await call(admin, "QueueDelay", {**one, "Minutes": 60})
        assert (await call(admin, "QueueRetry", one))["Count"] == 1
        (message,) = (await call(admin, "QueueList", one))["Messages"]
        # Delayed by an hour, then due again now.
        due = datetime.fromisoformat(message["NextAttempt"].replace("Z", "+00:00"))
        assert due <= datetime.now(UTC) + timedelta(minutes=1)
        assert (await call(admin, "QueueTransportSet", {**one, "Transport": "direct"}))[
            "Count"
        ] == 1
        (message,) = (await call(admin, "QueueList", one))["Messages"]
        assert message["Transport"] == "direct"
        await fail(admin, "QueueTransportSet", {**one, "Transport": "nosuch"}, "user")
        assert (await call(admin, "QueueFail", one))["Count"] == 1
        retired = await call(admin, "RetiredList", {"Filter": {"Success": False}})
        assert [m["Recipient"] for m in retired["Messages"]] == ["a@one.example"]
        assert [m["Recipient"] for m in (await call(admin, "QueueList", {}))["Messages"]] == [
            "b@two.example"
        ]


async def test_hook_retry_and_retired_list(quiet_server: RunningServer) -> None:
    server = quiet_server
    await enable_admin(server)
    async with admin_client(server) as admin:
        await call(admin, "AccountUpdate", {"Name": "postroom", "KeepRetiredWebhookSeconds": 3600})
        await call(
            admin, "AccountWebhooksSet", {"Name": "postroom", "OutgoingURL": "http://127.0.0.1:9/h"}
        )
        await call(
            admin, "SuppressionAdd", {"Account": "postroom", "EmailAddress": "gone@example.org"}
        )
        await _send(server, "gone@example.org")
        assert server.runtime.hook_runner is not None
        await server.runtime.hook_runner.run_once()
        mine = {"Filter": {"Account": "postroom"}}
        (hook,) = (await call(admin, "HookList", mine))["Hooks"]
        assert (await call(admin, "HookRetry", {"Filter": {"IDs": [hook["ID"]]}}))["Count"] == 1
        assert (await call(admin, "HookCancel", mine))["Count"] == 1
        (retired,) = (await call(admin, "HookRetiredList", mine))["Hooks"]
        assert retired["ID"] == hook["ID"] and retired["Success"] is False
        await fail(admin, "HookList", {"Page": {"Sort": "bogus"}}, "user")

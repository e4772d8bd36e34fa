"""The Suppression* methods, and Send to a suppressed recipient."""

from __future__ import annotations

from postroom.store.outgoing import DeliveryEvent, QueueMessage, RetiredMessage
from postroom.store.provision import create_domain
from tests.conftest import RunningServer
from tests.webapi.helpers import add_account, call, call_error


async def test_add_list_present_remove(server: RunningServer) -> None:
    async with server.client() as client:
        assert (
            await call(
                client,
                "SuppressionAdd",
                {"EmailAddress": "John.Doe+news@Example.com", "Manual": True, "Reason": "asked"},
            )
            == {}
        )
        await call(client, "SuppressionAdd", {"EmailAddress": "a@example.org"})
        listed = (await call(client, "SuppressionList", {}))["Suppressions"]
        assert [s["BaseAddress"] for s in listed] == ["a@example.org", "john.doe@example.com"]
        entry = listed[1]
        assert entry["Account"] == "postroom"
        assert entry["OriginalAddress"] == "John.Doe+news@example.com"
        assert (entry["Manual"], entry["Reason"]) == (True, "asked")
        present = await call(client, "SuppressionPresent", {"EmailAddress": "JOHN.DOE@example.com"})
        assert present == {"Present": True}
        code, _ = await call_error(
            client, "SuppressionAdd", {"EmailAddress": "john.doe@example.com"}
        )
        assert code == "error"
        # Removing uses the base address too.
        await call(client, "SuppressionRemove", {"EmailAddress": "john.doe+x@example.com"})
        assert await call(
            client, "SuppressionPresent", {"EmailAddress": "john.doe@example.com"}
        ) == {"Present": False}
        assert await call_error(
            client, "SuppressionRemove", {"EmailAddress": "john.doe@example.com"}
        ) == ("error", "absent")
        code, _ = await call_error(client, "SuppressionPresent", {"EmailAddress": ""})
        assert code == "badAddress"


async def test_lists_are_per_account(server: RunningServer) -> None:
    await add_account("other", "other@localhost", "other-password")
    async with server.client() as client:
        await call(client, "SuppressionAdd", {"EmailAddress": "a@example.org"})
    async with server.client("other@localhost", "other-password") as client:
        assert await call(client, "SuppressionList", {}) == {"Suppressions": []}
        assert await call(client, "SuppressionPresent", {"EmailAddress": "a@example.org"}) == {
            "Present": False
        }


async def test_send_to_a_suppressed_recipient_retires_it_at_once(server: RunningServer) -> None:
    async with server.client() as client:
        await call(client, "SuppressionAdd", {"EmailAddress": "gone@example.com"})
        result = await call(
            client,
            "Send",
            {
                "To": [{"Address": "Gone+tag@example.com"}, {"Address": "here@example.com"}],
                "Text": "x",
                "Extra": {"user": "7"},
            },
        )
    gone, here = result["Submissions"]
    assert gone["QueueMsgID"] and gone["FromID"]
    # The other recipient is queued normally; the suppressed one never is.
    assert [r.id for r in await QueueMessage.all()] == [here["QueueMsgID"]]
    retired = await RetiredMessage.get(id=gone["QueueMsgID"])
    assert not retired.success
    assert retired.from_id == gone["FromID"]
    assert retired.extra == {"user": "7"}
    assert "address is on suppression list" in str(retired.results[0]["Error"])
    (event,) = await DeliveryEvent.all()
    assert (event.queue_msg_id, event.event) == (gone["QueueMsgID"], "suppressed")
    assert event.details["Error"] == (
        "not delivering to recipient address Gone+tag@example.com: address is on suppression list"
    )


async def test_our_domains_separators_apply_to_recipients(server: RunningServer) -> None:
    # example.org is ours with "-" as catch-all separator: john-x@ and john+y@ are john@.
    await create_domain("example.org", ["-"])
    async with server.client() as client:
        await call(client, "SuppressionAdd", {"EmailAddress": "john@example.org"})
        result = await call(
            client,
            "Send",
            {
                "To": [
                    {"Address": "john-x@example.org"},
                    {"Address": "john+y@example.org"},
                    {"Address": "jane-x@example.org"},
                ],
                "Text": "x",
            },
        )
    queued = {r.recipient_address for r in await QueueMessage.all()}
    assert queued == {"jane-x@example.org"}
    events = await DeliveryEvent.all().order_by("queue_msg_id")
    assert [e.queue_msg_id for e in events] == [s["QueueMsgID"] for s in result["Submissions"][:2]]

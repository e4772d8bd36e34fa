"""FromIDs over SMTP: mail coming back to a fromid address, and submissions choosing them."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import aiosmtplib
import pytest

from postroom.localserve.bootstrap import seed_database
from postroom.server import Runtime
from postroom.store.outgoing import DeliveryEvent, QueueMessage, RetiredMessage, Suppression
from tests.conftest import make_config
from tests.dsn.test_dsn_degrade import TRUNCATED_SUBJECT_DSN
from tests.smtp.conftest import SMTPServer
from tests.smtp.helpers import command, connect, message, queued, stored
from tests.webapi.helpers import add_account

LOGIN = ("postroom@localhost", "postroom")  # localserve's account: a fromid login address


async def retired_fromid(server: SMTPServer) -> str:
    """Send to a suppressed recipient: the row is retired at once, keeping its FromID."""
    async with server.http() as client:
        suppression = {"EmailAddress": "gone@example.org", "Reason": "test"}
        response = await client.post(
            "/webapi/v0/SuppressionAdd", data={"request": json.dumps(suppression)}
        )
        assert response.status_code == 200, response.text
        send = {"To": [{"Address": "gone@example.org"}], "Text": "hi"}
        response = await client.post("/webapi/v0/Send", data={"request": json.dumps(send)})
        assert response.status_code == 200, response.text
    [submission] = response.json()["Submissions"]
    assert await RetiredMessage.filter(from_id=submission["FromID"]).exists()
    fromid: str = submission["FromID"]
    return fromid


async def test_reply_to_a_fromid_address_is_stored_and_recorded(smtp_server: SMTPServer) -> None:
    fromid = await retired_fromid(smtp_server)
    retired = await RetiredMessage.get(from_id=fromid)
    before = retired.last_activity
    client = await connect(smtp_server.addresses.smtp_port)
    # Relays may change the case of the localpart: fromids match case-insensitively.
    recipient = f"postroom+{fromid.upper()}@localhost"
    await client.sendmail("a@example.org", [recipient], message(to=recipient))
    await client.quit()

    [copy] = await stored()
    assert copy.rcpt_to == recipient
    await retired.refresh_from_db()
    assert retired.last_activity > before
    assert len(retired.results) == 2
    result = retired.results[-1]
    assert {k: v for k, v in result.items() if k != "Start"} == {
        "Duration": 0,
        "Success": False,
        "Code": 0,
        "Secode": "",
        "Error": "incoming message not a dsn",
    }
    events = await DeliveryEvent.filter(queue_msg_id=retired.id).order_by("id")
    assert [e.event for e in events] == ["suppressed", "unrecognized"]
    assert events[1].details == {
        "DSN": False,
        "Suppressing": False,
        "SMTPCode": 0,
        "SMTPEnhancedCode": "",
        "Error": "",
    }


async def test_unknown_fromid_is_ordinary_mail_and_a_queued_one_is_reported(
    smtp_server: SMTPServer,
) -> None:
    async with smtp_server.http() as http:
        request = {"To": [{"Address": "someone@example.org"}], "Text": "hi"}
        response = await http.post("/webapi/v0/Send", data={"request": json.dumps(request)})
    queued_fromid = response.json()["Submissions"][0]["FromID"]
    client = await connect(smtp_server.addresses.smtp_port)
    recipients = ["postroom+nosuchfromid@localhost", f"postroom+{queued_fromid}@localhost"]
    await client.sendmail("a@example.org", recipients, message())
    await client.quit()
    assert len(await stored()) == 2
    # Beyond mox, which matches retired messages only: a report can come back while the
    # message is still queued for other attempts, and belongs to it all the same.
    events = await DeliveryEvent.all()
    assert [(e.event, e.queue_msg_id) for e in events] == [
        ("unrecognized", response.json()["Submissions"][0]["QueueMsgID"])
    ]


async def submit(
    server: SMTPServer, mail_from: str, recipients: list[str], data: bytes | None = None
) -> str:
    client = await connect(server.addresses.submission_port)
    await client.login(*LOGIN)
    errors, reply = await client.sendmail(mail_from, recipients, data or message())
    await client.quit()
    assert errors == {}
    return reply


async def test_fromid_login_gets_a_generated_fromid_per_recipient(
    smtp_server: SMTPServer,
) -> None:
    await submit(smtp_server, "postroom@localhost", ["a@example.org", "b@example.org"])
    rows = await queued()
    fromids = [r.from_id for r in rows]
    assert len(set(fromids)) == 2
    for row, fromid in zip(rows, fromids, strict=True):
        assert fromid is not None and re.fullmatch(r"[a-z2-7]{26}", fromid)
        assert (row.sender_localpart, row.sender_domain) == (f"postroom+{fromid}", "localhost")
        assert row.base_id == 0  # different MAIL FROMs, separate transactions


async def test_fromid_chosen_in_mail_from(smtp_server: SMTPServer) -> None:
    await submit(smtp_server, "postroom+Order-1234@localhost", ["a@example.org"])
    [row] = await queued()
    assert row.from_id == "order-1234"
    assert row.sender_localpart == "postroom+order-1234"

    # Chosen fromids are unique among queued (and retired) messages.
    client = await connect(smtp_server.addresses.submission_port)
    await client.login(*LOGIN)
    await client.mail("postroom+ORDER-1234@localhost")
    await client.rcpt("b@example.org")
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await client.data(message())
    await client.quit()
    assert refused.value.code == 554
    assert refused.value.message == "5.1.7 bad fromid in smtp mail from address: fromid not unique"
    assert await QueueMessage.all().count() == 1


async def test_chosen_fromid_allows_one_recipient_only(smtp_server: SMTPServer) -> None:
    client = await connect(smtp_server.addresses.submission_port)
    await client.login(*LOGIN)
    await client.mail("postroom+mine@localhost")
    await client.rcpt("a@example.org")
    await client.rcpt("b@example.org")
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await client.data(message())
    await client.quit()
    assert (refused.value.code, refused.value.message) == (
        554,
        "5.5.3 cannot send to multiple recipients with chosen fromid",
    )


async def test_empty_fromid_sends_mail_from_as_it_is(smtp_server: SMTPServer) -> None:
    await submit(smtp_server, "postroom+@localhost", ["a@example.org", "b@example.org"])
    rows = await queued()
    assert [(r.sender_localpart, r.from_id) for r in rows] == [("postroom+", None)] * 2
    assert rows[0].base_id == rows[0].id == rows[1].base_id  # one transaction for both


async def test_without_fromid_login_mail_from_is_kept(smtp_server: SMTPServer) -> None:
    await add_account("plain", "plain@localhost", "secret-password")
    client = await connect(smtp_server.addresses.submission_port)
    await client.login("plain@localhost", "secret-password")
    await client.sendmail(
        "plain+tag@localhost", ["a@example.org"], message(sender="plain@localhost")
    )
    await client.quit()
    [row] = await queued()
    assert (row.sender_localpart, row.from_id) == ("plain+tag", None)


async def test_reply_code_of_refused_fromid_mail_from(smtp_server: SMTPServer) -> None:
    # A fromid for another account's address is still "not your address".
    await add_account("other", "other@localhost", "secret-password")
    client = await connect(smtp_server.addresses.submission_port)
    await client.login(*LOGIN)
    code, text = await command(client, b"MAIL FROM:<other+abc@localhost>")
    await client.quit()
    assert (code, text) == (550, "5.7.1 must match authenticated user")


async def test_report_with_an_undecodable_returned_subject_suppresses(
    smtp_server: SMTPServer,
) -> None:
    # Issue 17 point 14: a truncated encoded-word in the returned Subject made the
    # whole report "unrecognized", so the address was never suppressed.
    async with smtp_server.http() as http:
        request = {"To": [{"Address": "bob@example.org"}], "Text": "hi"}
        response = await http.post("/webapi/v0/Send", data={"request": json.dumps(request)})
    [submission] = response.json()["Submissions"]
    client = await connect(smtp_server.addresses.smtp_port)
    report = TRUNCATED_SUBJECT_DSN.replace(b"\n", b"\r\n")
    await client.sendmail("", [f"postroom+{submission['FromID']}@localhost"], report)
    await client.quit()
    events = await DeliveryEvent.filter(queue_msg_id=submission["QueueMsgID"])
    assert [(e.event, e.details["SMTPEnhancedCode"]) for e in events] == [("failed", "5.1.1")]
    assert events[0].details["Suppressing"] is True
    assert await Suppression.filter(base_address="bob@example.org").exists()


async def test_report_not_parsed_in_time_is_stored_as_not_a_report(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The parse runs on a worker thread with a deadline; at 0 ms every report misses
    # it. Nothing is lost: the mail is stored, the message gets `unrecognized`, and
    # the listener answers the next session.
    config = make_config(database_url, tmp_path, **{"smtp.report_parse_timeout_milliseconds": 0})
    runtime = Runtime(config, prepare=seed_database)
    addresses = await runtime.start()
    try:
        server = SMTPServer(runtime=runtime, config=config, addresses=addresses)
        async with server.http() as http:
            request = {"To": [{"Address": "bob@example.org"}], "Text": "hi"}
            response = await http.post("/webapi/v0/Send", data={"request": json.dumps(request)})
        [submission] = response.json()["Submissions"]
        report = TRUNCATED_SUBJECT_DSN.replace(b"\n", b"\r\n")
        with caplog.at_level(logging.WARNING, logger="postroom.smtp"):
            client = await connect(addresses.smtp_port)
            await client.sendmail("", [f"postroom+{submission['FromID']}@localhost"], report)
            await client.quit()
        assert any("<20261207.42@mx.example.net>" in r.getMessage() for r in caplog.records)
        assert len(await stored()) == 1
        events = await DeliveryEvent.filter(queue_msg_id=submission["QueueMsgID"])
        assert [e.event for e in events] == ["unrecognized"]
        assert not await Suppression.filter(base_address="bob@example.org").exists()
        second = await connect(addresses.smtp_port)
        assert (await second.noop())[0] == 250
        await second.quit()
    finally:
        await runtime.stop()

"""Incoming webhooks: mail stored in the account's mailbox is POSTed to its incoming URL;
mail to a fromid address of a sent message goes to the outgoing URL only."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.policy import SMTP

from postroom.store.mailbox import StoredMessage
from tests.hooks.conftest import START, Hooked


def _message() -> bytes:
    message = EmailMessage()
    message["From"] = "Jürgen Müller <juergen@example.org>"
    message["To"] = "Postroom <postroom@localhost>"
    message["Cc"] = "other@example.net"
    message["Subject"] = "Grüße aus Köln"
    message["Message-ID"] = "<abc@example.org>"
    message["In-Reply-To"] = "<Prev@Example.org>"
    message["References"] = "<First@Example.org> <Prev@Example.org>"
    message["Date"] = "Fri, 01 May 2026 10:00:00 +0200"
    message.set_content("Hallo, schöne Grüße!\r\nZweite Zeile.\r\n")
    message.add_alternative("<p>Hallo, schöne Grüße!</p>", subtype="html")
    message.add_attachment(
        b"%PDF-1.4 rechnung", maintype="application", subtype="pdf", filename="Rechnung-März.pdf"
    )
    return message.as_bytes(policy=SMTP)


async def _smtp(hooked: Hooked, mail_from: str, rcpt_to: str, data: bytes) -> None:
    def talk() -> None:
        host, port = hooked.addresses.smtp_host, hooked.addresses.smtp_port
        with smtplib.SMTP(host, port) as client:
            client.sendmail(mail_from, [rcpt_to], data)

    await asyncio.to_thread(talk)


async def test_incoming_payload(hooked: Hooked) -> None:
    await hooked.configure(
        outgoing_url="",
        incoming_url=hooked.receiver.url + "/in",
        incoming_authorization="Basic eA==",
    )
    await _smtp(hooked, "juergen@example.org", "postroom@localhost", _message())
    assert await hooked.hooks.run_once() == 1
    (request,) = hooked.receiver.on("/in")
    assert request.headers["authorization"] == "Basic eA=="
    payload = request.json()
    stored = await StoredMessage.get(rcpt_to="postroom@localhost")
    structure = payload.pop("Structure")
    assert payload == {
        "Version": 0,
        "From": [{"Name": "Jürgen Müller", "Address": "juergen@example.org"}],
        "To": [{"Name": "Postroom", "Address": "postroom@localhost"}],
        "CC": [{"Name": "", "Address": "other@example.net"}],
        "BCC": [],
        "ReplyTo": [],
        "Subject": "Grüße aus Köln",
        "MessageID": "<abc@example.org>",
        "InReplyTo": "<Prev@Example.org>",
        "References": ["<first@example.org>", "<prev@example.org>"],
        "Date": "2026-05-01T10:00:00+02:00",
        "Text": "Hallo, schöne Grüße!\nZweite Zeile.\n",
        "HTML": "<p>Hallo, schöne Grüße!</p>\n",
        "Meta": {
            "MsgID": stored.id,
            "MailFrom": "juergen@example.org",
            "MailFromValidated": False,
            "MsgFromValidated": False,
            "RcptTo": "postroom@localhost",
            "DKIMVerifiedDomains": [],
            "RemoteIP": "127.0.0.1",
            "Received": "2026-05-01T09:00:00Z",
            "MailboxName": "Inbox",
            "Automated": False,
        },
    }
    assert structure["ContentType"] == "multipart/mixed"
    alternative, attachment = structure["Parts"]
    assert [p["ContentType"] for p in alternative["Parts"]] == ["text/plain", "text/html"]
    assert alternative["Parts"][0]["ContentTypeParams"] == {"charset": "utf-8"}
    assert attachment["ContentType"] == "application/pdf"
    assert attachment["ContentDisposition"] == "attachment"
    assert attachment["Filename"] == "Rechnung-März.pdf"
    assert attachment["DecodedSize"] == len(b"%PDF-1.4 rechnung")
    assert attachment["Parts"] == []


async def test_list_mail_is_automated(hooked: Hooked) -> None:
    await hooked.configure(outgoing_url="", incoming_url=hooked.receiver.url + "/in")
    data = b"From: <news@example.org>\r\nList-Id: <news.example.org>\r\nSubject: n\r\n\r\nx\r\n"
    await _smtp(hooked, "news@example.org", "postroom@localhost", data)
    await hooked.hooks.run_once()
    (request,) = hooked.receiver.on("/in")
    assert request.json()["Meta"]["Automated"] is True


async def test_reply_to_a_fromid_address_goes_to_the_outgoing_url_only(hooked: Hooked) -> None:
    await hooked.configure(
        incoming_url=hooked.receiver.url + "/in", outgoing_events=["unrecognized"]
    )
    result = await hooked.send_result("someone@example.com")
    (submission,) = result["Submissions"]
    await hooked.deliver()
    await hooked.hooks.run_once()
    # The delivery itself landed in the local mailbox: an incoming hook, as in mox.
    assert len(hooked.receiver.on("/in")) == 1
    reply = b"From: <someone@example.com>\r\nSubject: Re: Order shipped\r\n\r\nthanks\r\n"
    await _smtp(hooked, "someone@example.com", f"postroom+{submission['FromID']}@localhost", reply)
    await hooked.hooks.run_once()
    assert len(hooked.receiver.on("/in")) == 1
    (request,) = hooked.receiver.on("/out")
    payload = request.json()
    assert (payload["Event"], payload["DSN"], payload["QueueMsgID"]) == (
        "unrecognized", False, submission["QueueMsgID"],
    )  # fmt: skip
    assert payload["MessageID"] == result["MessageID"] and payload["WebhookQueued"] == (
        START.isoformat().replace("+00:00", "Z")
    )

"""Send over real HTTP: every request field ends up in the composed message and the queue."""

from __future__ import annotations

import base64
import email
import email.policy
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from postroom.store.mailbox import StoredMessage
from postroom.store.outgoing import QueueMessage
from tests.conftest import RunningServer
from tests.webapi.helpers import add_account, call, queue_rows

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text(part: EmailMessage) -> str:
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


async def message_of(row: QueueMessage) -> EmailMessage:
    await row.fetch_related("blob")
    return parse(row.blob.data)


async def test_minimal_send_queues_one_row_per_recipient(server: RunningServer) -> None:
    async with server.client() as client:
        result = await call(
            client,
            "Send",
            {
                "To": [{"Address": "to@example.com"}],
                "CC": [{"Name": "Cee", "Address": "cc@example.org"}],
                "BCC": [{"Address": "Hidden@Example.NET"}],
                "Subject": "hello",
                "Text": "hi there",
            },
        )
    assert re.fullmatch(r"<[A-Za-z0-9_-]{22}@localhost>", result["MessageID"])
    submissions = result["Submissions"]
    assert [s["Address"] for s in submissions] == [
        "to@example.com",
        "cc@example.org",
        "Hidden@Example.NET",
    ]
    rows = await queue_rows()
    assert [r.id for r in rows] == [s["QueueMsgID"] for s in submissions]
    # postroom@localhost is a fromid login address: a fresh, unguessable FromID per
    # recipient, in the MAIL FROM localpart after the domain's catch-all separator.
    fromids = [s["FromID"] for s in submissions]
    assert len(set(fromids)) == 3
    for row, fromid in zip(rows, fromids, strict=True):
        assert re.fullmatch(r"[a-z2-7]{26}", fromid)
        assert row.from_id == fromid
        assert (row.sender_localpart, row.sender_domain) == (f"postroom+{fromid}", "localhost")
        assert row.base_id == 0  # different MAIL FROMs cannot share an SMTP transaction
        assert row.message_id == result["MessageID"]
        assert row.subject == "hello"
        assert row.attempts == 0 and not row.hold
    assert [r.recipient_address for r in rows] == [
        "to@example.com",
        "cc@example.org",
        "Hidden@example.net",
    ]
    assert len({r.blob_id for r in rows}) == 1  # type: ignore[attr-defined]
    message = await message_of(rows[0])
    assert message["From"] == "Postroom <postroom@localhost>"
    assert message["To"] == "to@example.com"
    assert message["Cc"] == "Cee <cc@example.org>"
    assert message["Bcc"] is None
    assert message["Subject"] == "hello"
    assert message["Message-Id"] == result["MessageID"]
    assert message["MIME-Version"] == "1.0"
    assert message["User-Agent"].startswith("postroom/")
    assert message.get_content_type() == "text/plain"
    assert text(message) == "hi there\n"
    assert "hidden" not in rows[0].blob.data.decode().lower()
    # Each row's prefix is its Received header; the for-clause is left out with
    # several recipients so that copies do not reveal each other.
    assert rows[0].msg_prefix.startswith(b"Received: from [127.0.0.1] by localhost with HTTP;")
    assert b" for <" not in rows[0].msg_prefix
    assert rows[0].size == len(rows[0].msg_prefix) + len(rows[0].blob.data)


async def test_without_fromid_login_rows_share_a_base_id(server: RunningServer) -> None:
    await add_account("plain", "plain@localhost", "secret-password")
    async with server.client("plain@localhost", "secret-password") as client:
        result = await call(
            client,
            "Send",
            {"To": [{"Address": "a@example.com"}, {"Address": "b@example.com"}], "Text": "x"},
        )
    rows = await queue_rows()
    assert [s["FromID"] for s in result["Submissions"]] == ["", ""]
    assert [r.base_id for r in rows] == [rows[0].id, rows[0].id]
    assert {(r.sender_localpart, r.sender_domain) for r in rows} == {("plain", "localhost")}
    assert {r.from_id for r in rows} == {None}
    assert rows[0].msg_prefix == rows[1].msg_prefix


async def test_single_recipient_received_header_names_it(server: RunningServer) -> None:
    async with server.client() as client:
        await call(client, "Send", {"To": [{"Address": "a@example.com"}], "Text": "x"})
    (row,) = await queue_rows()
    assert b" for <a@example.com>;" in row.msg_prefix


async def test_every_header_field(server: RunningServer) -> None:
    date = "2024-01-02T03:04:05+01:00"
    async with server.client() as client:
        result = await call(
            client,
            "Send",
            {
                "From": [{"Name": "Jöhn Dœ", "Address": "postroom+news@localhost"}],
                "To": [{"Name": "Ünïcode Name", "Address": "to@example.com"}],
                "ReplyTo": [{"Name": "Replies", "Address": "reply@example.com"}],
                "Subject": "hello wörld, a subject",
                "MessageID": "<custom-id@example.com>",
                "References": ["<a@example.com>", "<b@example.com>"],
                "Date": date,
                "Headers": [["X-Campaign", "spring"], ["List-Unsubscribe", "<https://x/u>"]],
                "Text": "body",
            },
        )
    assert result["MessageID"] == "<custom-id@example.com>"
    (row,) = await queue_rows()
    raw = (await QueueMessage.get(id=row.id).prefetch_related("blob")).blob.data
    assert raw.isascii()
    message = parse(raw)
    assert message["From"] == "Jöhn Dœ <postroom+news@localhost>"
    assert "=?utf-8?" in raw.decode().split("\r\n", 1)[0]
    assert message["To"] == "Ünïcode Name <to@example.com>"
    assert message["Reply-To"] == "Replies <reply@example.com>"
    assert message["Subject"] == "hello wörld, a subject"
    assert message["Message-Id"] == "<custom-id@example.com>"
    assert message["References"].split() == ["<a@example.com>", "<b@example.com>"]
    assert message["In-Reply-To"] == "<b@example.com>"
    assert message["Date"].datetime == datetime.fromisoformat(date)
    assert "Date: 2 Jan 2024 03:04:05 +0100\r\n" in raw.decode()
    assert message["X-Campaign"] == "spring"
    assert message["List-Unsubscribe"] == "<https://x/u>"
    # The fromid MAIL FROM keeps the From localpart up to the separator.
    assert row.sender_localpart == f"postroom+{row.from_id}"


async def test_text_and_html_make_an_alternative(server: RunningServer) -> None:
    async with server.client() as client:
        await call(
            client,
            "Send",
            {"To": [{"Address": "a@example.com"}], "Text": "plain ✓", "HTML": "<p>rich ✓</p>"},
        )
    message = await message_of((await queue_rows())[0])
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert plain.get_content_charset() == "utf-8"
    assert plain["Content-Transfer-Encoding"] == "8bit"
    assert text(plain) == "plain ✓\n"
    assert html.get_content_type() == "text/html"
    assert text(html) == "<p>rich ✓</p>\n"


async def test_long_lines_are_quoted_printable(server: RunningServer) -> None:
    long_line = "word " * 40
    async with server.client() as client:
        await call(client, "Send", {"To": [{"Address": "a@example.com"}], "HTML": long_line})
    (row,) = await queue_rows()
    message = await message_of(row)
    assert message.get_content_type() == "text/html"
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert text(message) == long_line + "\n"
    assert max(len(line) for line in row.blob.data.split(b"\r\n")) <= 78


async def test_json_files_with_sniffed_types_and_content_ids(server: RunningServer) -> None:
    pdf = b"%PDF-1.4 fake"
    async with server.client() as client:
        await call(
            client,
            "Send",
            {
                "To": [{"Address": "a@example.com"}],
                "Text": "see files",
                "HTML": '<img src="cid:logo">',
                "InlineFiles": [
                    {"Name": "logo.png", "ContentID": "<logo>", "Data": _b64(PNG)},
                ],
                "AttachedFiles": [
                    {"Name": "rëport.pdf", "Data": _b64(pdf)},
                    {"Name": "notes.txt", "ContentType": "text/plain", "Data": _b64(b"n\n")},
                ],
            },
        )
    message = await message_of((await queue_rows())[0])
    assert message.get_content_type() == "multipart/mixed"
    related, report, notes = message.iter_parts()
    assert related.get_content_type() == "multipart/related"
    alternative, logo = related.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert logo.get_content_type() == "image/png"
    assert logo["Content-ID"] == "<logo>"
    assert logo.get_content_disposition() == "inline"
    assert logo.get_filename() == "logo.png"
    assert logo.get_content() == PNG
    assert report.get_content_type() == "application/pdf"
    assert report.get_content_disposition() == "attachment"
    assert report.get_filename() == "rëport.pdf"
    assert report.get_content() == pdf
    assert notes.get_content_type() == "text/plain"
    assert text(notes) == "n\n"


async def test_multipart_uploads(server: RunningServer) -> None:
    async with server.client() as client:
        response = await client.post(
            "/webapi/v0/Send",
            data={"request": '{"To": [{"Address": "a@example.com"}], "HTML": "<img src=cid:hi>"}'},
            files=[
                ("inlinefile", ("hi.png", PNG, "image/png")),
                ("attachedfile", ("data.bin", b"\x00\x01binary", "application/octet-stream")),
                ("attachedfile", ("über.txt", b"plain text\n", "")),
            ],
        )
    assert response.status_code == 200, response.text
    message = await message_of((await queue_rows())[0])
    related, data, notes = message.iter_parts()
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content() == PNG
    assert data.get_content() == b"\x00\x01binary"
    assert data.get_filename() == "data.bin"
    assert notes.get_content_type() == "text/plain"  # sniffed: the part had no type
    assert notes.get_filename() == "über.txt"


async def test_non_ascii_localpart_is_smtputf8(server: RunningServer) -> None:
    async with server.client() as client:
        await call(client, "Send", {"To": [{"Address": "jörg@example.com"}], "Text": "x"})
    (row,) = await queue_rows()
    assert row.smtputf8
    assert row.recipient_localpart == "jörg"
    raw = row.blob.data.decode("utf-8")
    assert "\r\nTo: <jörg@example.com>\r\n" in raw


async def test_extra_require_tls_and_future_release(server: RunningServer) -> None:
    release = datetime.now(UTC) + timedelta(days=2)
    async with server.client() as client:
        await call(
            client,
            "Send",
            {
                "To": [{"Address": "a@example.com"}],
                "Text": "later",
                "Extra": {"userid": "42", "": "empty key", "a-b": "c"},
                "RequireTLS": True,
                "FutureRelease": release.isoformat(),
            },
        )
    (row,) = await queue_rows()
    assert row.extra == {"userid": "42", "": "empty key", "a-b": "c"}
    assert row.require_tls is True
    assert abs(row.next_attempt - release) < timedelta(seconds=1)
    assert row.future_release_request.startswith("until;")
    assert row.future_release_request.endswith("Z")


async def test_future_release_in_the_past_means_now(server: RunningServer) -> None:
    async with server.client() as client:
        await call(
            client,
            "Send",
            {
                "To": [{"Address": "a@example.com"}],
                "Text": "x",
                "FutureRelease": "2020-01-01T00:00:00+02:00",
            },
        )
    (row,) = await queue_rows()
    assert datetime.now(UTC) - row.next_attempt < timedelta(minutes=1)


async def test_save_sent_stores_a_copy_with_bcc(server: RunningServer) -> None:
    async with server.client() as client:
        await call(
            client,
            "Send",
            {
                "To": [{"Address": "a@example.com"}],
                "BCC": [{"Address": "secret@example.com"}],
                "Text": "x",
                "SaveSent": True,
            },
        )
    (copy,) = await StoredMessage.all().prefetch_related("mailbox", "blob")
    assert copy.mailbox.name == "Sent"
    assert copy.prefix == b"Bcc: <secret@example.com>\r\n"
    assert set(copy.flags) == {"\\seen", "$notjunk"}
    assert copy.size == len(copy.prefix) + len(copy.blob.data)
    rows = await queue_rows()
    assert {r.blob_id for r in rows} == {copy.blob_id}  # type: ignore[attr-defined]


async def test_without_save_sent_nothing_is_stored(server: RunningServer) -> None:
    async with server.client() as client:
        await call(client, "Send", {"To": [{"Address": "a@example.com"}], "Text": "x"})
    assert await StoredMessage.all().count() == 0


async def test_case_insensitive_keys_and_json_body(server: RunningServer) -> None:
    async with server.client() as client:
        response = await client.post(
            "/webapi/v0/Send",
            json={"to": [{"address": "a@example.com"}], "TEXT": "hi"},
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.text.endswith("}\n")
    assert len(await queue_rows()) == 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()

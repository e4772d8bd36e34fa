"""MessageGet, MessageRawGet and MessagePartGet over real HTTP.

The changing methods (MessageDelete, MessageFlags*, MessageMove) and the isolation
between accounts are in test_message_changes.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from postroom.store.mailstore import Envelope
from tests.conftest import RunningServer
from tests.webapi.helpers import call, call_error
from tests.webapi.mailboxes import crlf, store

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n% Rechnung\n"
HTML_LATIN1 = "<p>Grüße aus Köln</p>\r\n".encode("latin-1")
PREFIX = (
    b"Received: from [192.0.2.1] by localhost with ESMTP;\r\n\tSun, 1 Mar 2026 12:00:00 +0000\r\n"
)

# multipart/mixed > (multipart/related > (multipart/alternative > (text, html), png), pdf)
NESTED = crlf(
    "From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jorg@xn--mller-kva.example>\n"
    'To: "Doe, Jane" <jane@localhost>, bob@example.org (Bob)\n'
    "Cc: =?iso-8859-1?q?Fran=E7ois?= <francois@example.fr>\n"
    "Reply-To: replies@example.org\n"
    "Subject: =?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4g4piV?=\n"
    "Date: Tue, 1 Jul 2003 10:52:37 +0200\n"
    "Message-ID: <m1@example.org>\n"
    "In-Reply-To: <parent@example.org>\n"
    "References: <root@example.org>\n"
    "\t<parent@example.org>\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="mixed"\n'
    "\n"
    "This is a preamble.\n"
    "--mixed\n"
    'Content-Type: multipart/related; boundary="related"\n'
    "\n"
    "--related\n"
    "Content-Type: multipart/alternative; boundary=alt\n"
    "\n"
    "--alt\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Gr=C3=BC=C3=9Fe, J=C3=B6rg!\n"
    "Zweite Zeile, sehr lang, mit weichem =\n"
    "Umbruch.\n"
    "--alt\n"
    "Content-Type: text/html; charset=ISO-8859-1\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    f"{base64.b64encode(HTML_LATIN1).decode()}\n"
    "--alt--\n"
    "--related\n"
    "Content-Type: image/png\n"
    "Content-ID: <logo@example.org>\n"
    "Content-Disposition: inline\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    f"{base64.encodebytes(PNG).decode()}"
    "--related--\n"
    "--mixed\n"
    'Content-Type: application/pdf; name="=?utf-8?q?Rechnung_M=C3=A4rz.pdf?="\n'
    "Content-Disposition: ATTACHMENT; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    f"{base64.b64encode(PDF).decode()}\n"
    "--mixed--\n"
    "epilogue\n"
)
TEXT = "Grüße, Jörg!\r\nZweite Zeile, sehr lang, mit weichem Umbruch."


def leaf(content_type: str, size: int, **fields: Any) -> dict[str, Any]:
    return {
        "ContentType": content_type,
        "ContentTypeParams": fields.pop("params", {}),
        "ContentID": fields.pop("cid", ""),
        "ContentDisposition": fields.pop("disposition", ""),
        "Filename": fields.pop("filename", ""),
        "DecodedSize": size,
        "Parts": fields.pop("parts", []),
    }


def multipart(subtype: str, boundary: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return leaf(f"multipart/{subtype}", 0, params={"boundary": boundary}, parts=parts)


async def part_get(client: httpx.AsyncClient, msg_id: int, path: list[int]) -> httpx.Response:
    request = json.dumps({"MsgID": msg_id, "PartPath": path})
    response = await client.post("/webapi/v0/MessagePartGet", data={"request": request})
    assert response.status_code == 200, response.text
    return response


async def test_message_get_nested(server: RunningServer) -> None:
    envelope = Envelope(
        mail_from="bounce@example.org", rcpt_to="postroom@localhost", remote_ip="192.0.2.1"
    )
    msg_id = await store(
        server,
        NESTED,
        prefix=PREFIX,
        flags=["custom", "\\seen", "$junk", "\\answered"],
        envelope=envelope,
    )
    async with server.client() as client:
        result = await call(client, "MessageGet", {"MsgID": msg_id})
    assert list(result) == ["Message", "Structure", "Meta"]
    assert result["Message"] == {
        "From": [{"Name": "Jörg Müller", "Address": "jorg@müller.example"}],
        "To": [
            {"Name": "Doe, Jane", "Address": "jane@localhost"},
            {"Name": "Bob", "Address": "bob@example.org"},
        ],
        "CC": [{"Name": "François", "Address": "francois@example.fr"}],
        "BCC": [],
        "ReplyTo": [{"Name": "", "Address": "replies@example.org"}],
        "MessageID": "<m1@example.org>",
        "References": ["<root@example.org>", "<parent@example.org>"],
        "Date": "2003-07-01T10:52:37+02:00",
        "Subject": "Grüße aus Köln ☕",
        "Text": TEXT.replace("\r\n", "\n"),
        "HTML": "<p>Grüße aus Köln</p>\n",
    }
    assert result["Structure"] == multipart(
        "mixed",
        "mixed",
        [
            multipart(
                "related",
                "related",
                [
                    multipart(
                        "alternative",
                        "alt",
                        [
                            leaf("text/plain", len(TEXT.encode()), params={"charset": "utf-8"}),
                            leaf("text/html", len(HTML_LATIN1), params={"charset": "ISO-8859-1"}),
                        ],
                    ),
                    leaf("image/png", len(PNG), cid="<logo@example.org>", disposition="inline"),
                ],
            ),
            leaf(
                "application/pdf",
                len(PDF),
                params={"name": "=?utf-8?q?Rechnung_M=C3=A4rz.pdf?="},
                disposition="attachment",
                filename="Rechnung März.pdf",
            ),
        ],
    )
    assert result["Meta"] == {
        "Size": len(PREFIX) + len(NESTED),
        "DSN": False,
        "Flags": ["$junk", "\\answered", "\\seen", "custom"],
        "MailFrom": "bounce@example.org",
        "MailFromValidated": False,
        "RcptTo": "postroom@localhost",
        "MsgFrom": "jorg@müller.example",
        "MsgFromValidated": False,
        "DKIMVerifiedDomains": [],
        "RemoteIP": "192.0.2.1",
        "MailboxName": "Inbox",
    }


async def test_message_raw_get_is_the_stored_message(server: RunningServer) -> None:
    msg_id = await store(server, NESTED, prefix=PREFIX)
    async with server.client() as client:
        response = await client.post(
            "/webapi/v0/MessageRawGet", data={"request": json.dumps({"MsgID": msg_id})}
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain"
    assert response.content == PREFIX + NESTED


@pytest.mark.parametrize(
    ("path", "content_type", "content"),
    [
        ([0, 0, 0], "text/plain; charset=utf-8", TEXT.encode()),
        ([0, 0, 1], "text/html; charset=utf-8", HTML_LATIN1),
        ([0, 1], "image/png", PNG),
        ([1], "application/pdf", PDF),
    ],
)
async def test_message_part_get_decodes_leaves(
    server: RunningServer, path: list[int], content_type: str, content: bytes
) -> None:
    msg_id = await store(server, NESTED, prefix=PREFIX)
    async with server.client() as client:
        response = await part_get(client, msg_id, path)
    assert response.headers["content-type"] == content_type
    assert response.content == content


async def test_message_part_get_multipart_is_its_stored_body(server: RunningServer) -> None:
    msg_id = await store(server, NESTED, prefix=PREFIX)
    body = NESTED.split(b"\r\n\r\n", 1)[1]
    async with server.client() as client:
        whole = await part_get(client, msg_id, [])
        related = await part_get(client, msg_id, [0])
    assert whole.content == body
    assert whole.headers["content-type"] == "text/plain; charset=utf-8"
    assert related.content.startswith(b"--related\r\nContent-Type: multipart/alternative")
    assert related.content.endswith(b"--related--")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ([2], "part 2 at index 0 not found"),
        ([-1], "part -1 at index 0 not found"),
        ([0, 0, 5], "part 5 at index 2 not found"),
        ([0, 1, 0], "part 0 at index 2 not found"),
        ([1, 0, 0], "part 0 at index 1 not found"),
    ],
)
async def test_message_part_get_part_not_found(
    server: RunningServer, path: list[int], message: str
) -> None:
    msg_id = await store(server, NESTED)
    async with server.client() as client:
        assert await call_error(client, "MessagePartGet", {"MsgID": msg_id, "PartPath": path}) == (
            "partNotFound",
            message,
        )


async def test_part_without_content_type_is_text_plain(server: RunningServer) -> None:
    data = crlf(
        "Subject: =?iso-8859-1?q?caf=E9?= =?utf-8?q?_and_t=C3=A9?=\n"
        "Content-Type: multipart/mixed; boundary=b\n"
        "\n"
        "--b\n"
        "\n"
        "Kein Content-Type, aber UTF-8: äöü\n"
        "--b\n"
        "Content-Type: text/html\n"
        "\n"
        "<b>not the first</b>\n"
        "--b--\n"
    )
    msg_id = await store(server, data)
    async with server.client() as client:
        result = await call(client, "MessageGet", {"MsgID": msg_id})
        part = await part_get(client, msg_id, [0])
    message = result["Message"]
    assert message["Subject"] == "café and té"
    # mox stops at the first readable child of a multipart/mixed.
    assert (message["Text"], message["HTML"]) == ("Kein Content-Type, aber UTF-8: äöü", "")
    first, second = result["Structure"]["Parts"]
    assert first == leaf("text/plain", len("Kein Content-Type, aber UTF-8: äöü".encode()))
    assert second["ContentType"] == "text/html"
    assert part.content == "Kein Content-Type, aber UTF-8: äöü".encode()
    # The message itself has none of the envelope headers.
    assert (message["From"], message["MessageID"], message["Date"]) == ([], "", None)
    assert message["References"] == []


async def test_single_part_message_without_any_mime_headers(server: RunningServer) -> None:
    msg_id = await store(server, crlf("Subject: plain\n\nline 1\nline 2\n"))
    async with server.client() as client:
        result = await call(client, "MessageGet", {"MsgID": msg_id})
        body = await part_get(client, msg_id, [])
    assert result["Message"]["Text"] == "line 1\nline 2\n"
    assert result["Structure"] == leaf("text/plain", len(b"line 1\r\nline 2\r\n"))
    assert body.content == b"line 1\r\nline 2\r\n"


async def test_broken_mime_is_read_as_far_as_it_goes(server: RunningServer) -> None:
    # No close delimiter, damaged base64, a malformed Content-Type, a bad =XX escape.
    data = crlf(
        "From: Weird <not an address>, ok@Example.ORG, broken@@x\n"
        "Date: not a date\n"
        "Content-Type: multipart/mixed; boundary=b\n"
        "\n"
        "--b\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "SGVsbG8g!!d29y\n"
        "bGQ=\n"
        "--b\n"
        "Content-Type: garbage\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "caf=E9 =ZZ\n"
    )
    msg_id = await store(server, data)
    async with server.client() as client:
        result = await call(client, "MessageGet", {"MsgID": msg_id})
        second = await part_get(client, msg_id, [1])
    message = result["Message"]
    # Postroom's policy 12: an address that cannot be parsed is kept as written.
    assert message["From"] == [
        {"Name": "Weird", "Address": "not an address"},
        {"Name": "", "Address": "ok@example.org"},
        {"Name": "", "Address": "broken@@x"},
    ]
    assert result["Meta"]["MsgFrom"] == ""
    assert message["Date"] is None
    assert message["Text"] == "Hello world"
    assert [p["ContentType"] for p in result["Structure"]["Parts"]] == [
        "text/plain",
        "text/plain",
    ]
    assert second.content == b"caf\xe9 =ZZ\r\n"


async def test_in_reply_to_is_prepended_to_references(server: RunningServer) -> None:
    data = crlf(
        "In-Reply-To: <b@x>\n"
        "References: <a@x>\n"
        "References: <c@x>\t<d@x>\n"
        "Date: Wed, 04 Mar 2026 08:00:00 -0000\n"
        "\n"
        "hi\n"
    )
    msg_id = await store(server, data)
    async with server.client() as client:
        message = (await call(client, "MessageGet", {"MsgID": msg_id}))["Message"]
    assert message["References"] == ["<b@x>", "<a@x>", "<c@x>", "<d@x>"]
    assert message["Date"] == "2026-03-04T08:00:00Z"


@pytest.mark.parametrize("method", ["MessageGet", "MessageRawGet", "MessagePartGet"])
@pytest.mark.parametrize("msg_id", [0, -1, 999_999, 2**63 - 1])
async def test_reading_a_missing_message(server: RunningServer, method: str, msg_id: int) -> None:
    await store(server, NESTED)
    async with server.client() as client:
        assert await call_error(client, method, {"MsgID": msg_id}) == (
            "messageNotFound",
            "message not found",
        )

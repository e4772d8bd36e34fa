"""The webapi transport over HTTP: routing, auth, rate limiting, encodings, errors."""

from __future__ import annotations

import asyncio
import json
import random
import time

import httpx
import pytest

from postroom.auth import AuthError, RateLimitedError, hash_password
from postroom.store.account import Account
from postroom.store.groupcommit import Batch
from postroom.store.outgoing import QueueMessage
from tests.conftest import RunningServer
from tests.webapi.helpers import add_account

SEND = "/webapi/v0/Send"
REQUEST = json.dumps({"To": [{"Address": "a@example.com"}], "Text": "x"})
SECURITY_HEADERS = {
    "x-frame-options": "deny",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'self' 'unsafe-inline' data:",
    "referrer-policy": "same-origin",
}


async def test_routing(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/webapi")
        assert (response.status_code, response.headers["location"]) == (303, "/webapi/")
        response = await client.get("/webapi/")
        assert (response.status_code, response.headers["location"]) == (303, "/webapi/v0/")
        response = await client.get("/webapi/v0/")
        assert response.status_code == 200
        assert '<a href="Send">Send</a>' in response.text
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value
        response = await client.post("/webapi/v0/send", data={"request": REQUEST})
        assert response.status_code == 404
        assert response.json()["Code"] == "notFound"
        assert "Send" in response.json()["Message"]
        response = await client.get("/webapi/v1/Send")
        assert (response.status_code, response.json()["Code"]) == (404, "notFound")
        response = await client.put(SEND, content=b"")
        assert (response.status_code, response.json()["Code"]) == (405, "methodNotAllowed")
        response = await client.get(SEND)  # the method's page (tests/docs/test_pages.py)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer abc", "Basic !!!", "Basic " + "bm9jb2xvbg=="],  # "nocolon"
)
async def test_missing_or_malformed_basic_auth(
    server: RunningServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(SEND, data={"request": REQUEST}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="webapi"'
    assert response.text == (
        "401 - unauthorized - use http basic auth with email address as username\n"
    )


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("postroom@localhost", "wrong"),
        ("nobody@localhost", "postroom"),
        ("postroom@elsewhere.example", "postroom"),
        ("not an address", "postroom"),
    ],
)
async def test_bad_credentials(server: RunningServer, login: str, password: str) -> None:
    async with server.client(login, password) as client:
        response = await client.post(SEND, data={"request": REQUEST})
    assert response.status_code == 401
    assert await QueueMessage.all().count() == 0


async def test_login_is_resolved_like_a_recipient(server: RunningServer) -> None:
    for login in ("POSTROOM@LOCALHOST", "postroom+anything@localhost"):
        async with server.client(login, "postroom") as client:
            response = await client.post(SEND, data={"request": REQUEST})
        assert response.status_code == 200, response.text


async def test_disabled_login(server: RunningServer) -> None:
    await Account.filter(name="postroom").update(login_disabled="account closed")
    async with server.client() as client:
        response = await client.post(SEND, data={"request": REQUEST})
    assert response.status_code == 401
    assert response.text == "401 - unauthorized - login is disabled for this account\n"


async def test_failed_logins_are_rate_limited_per_ip(still_server: RunningServer) -> None:
    server = still_server
    async with server.client("postroom@localhost", "wrong") as bad:
        statuses = [
            (await bad.post(SEND, data={"request": REQUEST})).status_code for _ in range(12)
        ]
    assert statuses == [401] * 10 + [429, 429]
    # Blocked before the password is checked: the right password is refused too.
    async with server.client() as good:
        response = await good.post(SEND, data={"request": REQUEST})
    assert (response.status_code, response.text) == (429, "429 - too many auth attempts\n")


async def test_own_successful_logins_do_not_clear_guesses_at_another(
    still_server: RunningServer,
) -> None:
    # An attacker with an account of its own logs in with it between guesses at a victim's
    # password; the per-IP count of failures keeps growing and the guesses are refused.
    server = still_server
    await add_account("victim", "victim@localhost", "victim-password")
    guesses: list[int] = []
    async with server.client() as own, server.client("victim@localhost", "guess") as guess:
        for _ in range(3):
            for _ in range(3):
                guesses.append((await guess.post(SEND, data={"request": REQUEST})).status_code)
            assert (await own.post(SEND, data={"request": REQUEST})).status_code == 200
        for _ in range(3):
            guesses.append((await guess.post(SEND, data={"request": REQUEST})).status_code)
        # The address is blocked now, for every login (own included) until the window ends.
        assert (await own.post(SEND, data={"request": REQUEST})).status_code == 429
    assert guesses == [401] * 10 + [429] * 2
    async with server.client("victim@localhost", "victim-password") as victim:
        assert (await victim.post(SEND, data={"request": REQUEST})).status_code == 429


async def test_a_success_forgives_only_the_same_logins_failures(
    still_server: RunningServer,
) -> None:
    # A user who mistypes their own password and then gets it right is not held back by
    # those typos: their success takes back their own failures from this address.
    server = still_server
    for _ in range(3):
        async with server.client("postroom@localhost", "typo") as typo:
            for _ in range(3):
                assert (await typo.post(SEND, data={"request": REQUEST})).status_code == 401
        async with server.client() as good:
            assert (await good.post(SEND, data={"request": REQUEST})).status_code == 200


async def test_failures_are_counted_per_login_across_addresses(
    still_server: RunningServer,
) -> None:
    # Guesses at one login spread over many addresses (and catch-all spellings) are
    # limited per login: the limiter's own per-login limit is the exact-address one.
    server = still_server
    await add_account("victim", "victim@localhost", "victim-password")
    verifier = server.webapi.verifier
    for index in range(10):
        with pytest.raises(AuthError):
            await verifier.verify(f"victim+{index}@localhost", "guess", f"192.0.2.{index * 8}")
    with pytest.raises(RateLimitedError):
        await verifier.verify("victim@localhost", "victim-password", "198.51.100.1")
    # Other logins are not affected.
    await verifier.verify("postroom@localhost", "postroom", "198.51.100.1")


async def test_unknown_logins_cost_a_password_hash_like_wrong_passwords(
    server: RunningServer,
) -> None:
    # Timing must not tell whether a login exists: an unknown login verifies a dummy
    # hash of the same kind and cost as a stored one. CPU time of this process (the
    # server runs in it, scrypt on a worker thread) is robust against a loaded machine.
    verifier = server.webapi.verifier

    async def cpu_seconds(login: str) -> float:
        async with server.client(login, "wrong") as client:
            await client.post(SEND, data={"request": REQUEST})  # warm-up
            start = time.process_time()
            for _ in range(3):
                response = await client.post(SEND, data={"request": REQUEST})
                assert response.status_code == 401
            return time.process_time() - start

    checks = verifier.password_checks
    unknown = await cpu_seconds("nobody@localhost")
    assert verifier.password_checks == checks + 4
    wrong = await cpu_seconds("postroom@localhost")
    assert unknown > 0.5 * wrong, (unknown, wrong)
    async with server.client("not an address", "wrong") as client:
        assert (await client.post(SEND, data={"request": REQUEST})).status_code == 401
    assert verifier.password_checks == checks + 9


async def test_verified_credentials_are_cached(server: RunningServer) -> None:
    verifier = server.webapi.verifier
    async with server.client() as client:
        for _ in range(5):
            response = await client.post(SEND, data={"request": REQUEST})
            assert response.status_code == 200
    assert verifier.password_checks == 1
    # A changed password takes effect at once: the cached entry no longer matches.
    await Account.filter(name="postroom").update(password_hash=hash_password("new-password"))
    async with server.client() as client:
        assert (await client.post(SEND, data={"request": REQUEST})).status_code == 401
    async with server.client("postroom@localhost", "new-password") as client:
        assert (await client.post(SEND, data={"request": REQUEST})).status_code == 200
    assert verifier.password_checks == 3


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        (None, b"request=x", "unknown content-type "),
        ("garbage", b"request=x", "unknown content-type garbage"),
        ("application/x-www-form-urlencoded", b"other=1", "missing/empty request"),
        ("application/x-www-form-urlencoded", b"request=", "missing/empty request"),
        ("text/plain", b"request=" + REQUEST.encode(), "missing/empty request"),
        ("multipart/form-data", b"--x\r\n", "parsing form: no multipart boundary param"),
        ("multipart/form-data; boundary=x", b"--x\r\nbroken", "missing/empty request"),
        ("application/json", b"", "missing/empty request"),
        ("application/json", b"{not json", "parsing request: invalid character"),
        ("application/json", b"[1]", "parsing request: json: cannot unmarshal array"),
        ("application/json", b'{"To": "x"}', "parsing request: json: cannot unmarshal string"),
        ("application/json", b"\xff\xfe", "not valid UTF-8"),
    ],
)
async def test_request_encoding_errors(
    server: RunningServer, content_type: str | None, body: bytes, message: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    async with server.client() as client:
        request = client.build_request("POST", SEND, content=body, headers=headers)
        if content_type is None:
            request.headers.pop("content-type", None)
        response = await client.send(request)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body_json = response.json()
    assert body_json["Code"] == "protocol"
    assert message in body_json["Message"], body_json["Message"]


async def test_request_in_query_string_is_ignored(server: RunningServer) -> None:
    async with server.client() as client:
        response = await client.post(SEND, params={"request": REQUEST}, data={"other": "1"})
    assert response.json() == {"Code": "protocol", "Message": "missing/empty request"}


async def test_oversized_form_body(server: RunningServer) -> None:
    body = b"request=" + b"x" * (10 * 1024 * 1024 + 1)
    async with server.client() as client:
        response = await client.post(
            SEND, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
    assert response.status_code == 413
    assert response.json()["Code"] == "requestTooLarge"
    assert "larger than 10485760 bytes" in response.json()["Message"]


async def test_oversized_streamed_body(server: RunningServer) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(11):
            yield b"x" * (1024 * 1024)

    async with server.client() as client:
        response = await client.post(
            SEND,
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 413
    assert "larger than" in response.json()["Message"]


async def test_form_multipart_and_json_bodies_are_equivalent(server: RunningServer) -> None:
    await add_account("plain", "plain@localhost", "plain-password")
    async with server.client("plain@localhost", "plain-password") as client:
        form = await client.post(SEND, data={"request": REQUEST})
        multipart = await client.post(SEND, files={"request": (None, REQUEST)})
        raw = await client.post(
            SEND, content=REQUEST, headers={"Content-Type": "application/json; charset=utf-8"}
        )
    for response in (form, multipart, raw):
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"MessageID", "Submissions"}
    assert await QueueMessage.all().count() == 3


def _random_json(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**63, 3.5, 10**30])
    if kind in (3, 4):
        return rng.choice(
            ["", "a@example.com", "x" * 300, "é\u0000\r\n", "<id@x>", "2024-01-02T03:04:05Z",
             "=?utf-8?q?x?=", "bm90IGJhc2U2NA=="]
        )  # fmt: skip
    if kind == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(3))]
    keys = ["To", "CC", "BCC", "From", "ReplyTo", "Address", "Name", "Text", "HTML",
            "Subject", "Headers", "Extra", "MessageID", "References", "Date",
            "FutureRelease", "RequireTLS", "SaveSent", "AttachedFiles", "InlineFiles",
            "Data", "ContentType", "ContentID", "unknown"]  # fmt: skip
    return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


async def test_random_requests_never_cause_a_server_error(server: RunningServer) -> None:
    rng = random.Random(20261123)
    async with server.client() as client:
        for _ in range(300):
            request = _random_json(rng)
            if rng.random() < 0.5 and isinstance(request, dict):
                request.setdefault("To", [{"Address": "a@example.com"}])
                request.setdefault("Text", "x")
            response = await client.post(SEND, data={"request": json.dumps(request)})
            assert response.status_code in (200, 400), response.text
            if response.status_code == 400:
                assert response.json()["Code"] != "server", (request, response.text)


async def test_random_bodies_never_cause_a_server_error(server: RunningServer) -> None:
    rng = random.Random(7)
    content_types = [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b",
        "text/plain",
        "",
    ]
    async with server.client() as client:
        for _ in range(150):
            body = rng.randbytes(rng.randrange(200))
            content_type = rng.choice(content_types)
            headers = {"Content-Type": content_type} if content_type else {}
            response = await client.post(SEND, content=body, headers=headers)
            assert response.status_code == 400, response.text
            assert response.json()["Code"] == "protocol"


async def test_concurrent_sends_share_commits(server: RunningServer) -> None:
    committer = server.webapi.committer
    # A commit in progress until all Sends wait for the next: they must then share it.
    # (Left to timing, a loaded machine may commit each Send before the next arrives.)
    release = asyncio.Event()

    async def busy(batch: Batch) -> None:
        await release.wait()

    holding = asyncio.create_task(committer.run(busy))
    before = committer.commits
    async with server.client() as client:
        sends = [
            asyncio.create_task(client.post(SEND, data={"request": REQUEST})) for _ in range(40)
        ]
        async with asyncio.timeout(30):
            while committer.waiting < 40:
                await asyncio.sleep(0.01)
        release.set()
        responses = await asyncio.gather(*sends)
    await holding
    assert {r.status_code for r in responses} == {200}
    ids = [r.json()["Submissions"][0]["QueueMsgID"] for r in responses]
    assert len(set(ids)) == 40
    assert await QueueMessage.filter(id__in=ids).count() == 40
    assert committer.commits - before < 40


@pytest.mark.parametrize("request_json", ["null", "5", '"x"', "[]", "true"])
async def test_a_request_that_is_not_an_object_is_refused(
    server: RunningServer, request_json: str
) -> None:
    async with server.client() as client:
        response = await client.post("/webapi/v0/SuppressionList", data={"request": request_json})
    assert response.status_code == 400, response.text
    assert response.json()["Code"] == "protocol"


async def test_405_names_the_allowed_methods(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        for path, allow in [(SEND, "GET, POST"), ("/webapi/", "GET")]:
            response = await client.delete(path)
            assert response.status_code == 405
            assert response.headers["allow"] == allow
            assert response.json()["Code"] == "methodNotAllowed"


@pytest.mark.parametrize("msg_id", [2**62, -(2**62), 2**63 - 1, -(2**63)])
async def test_huge_message_ids_are_not_found(server: RunningServer, msg_id: int) -> None:
    async with server.client() as client:
        for method in ("MessageGet", "MessageRawGet", "MessageDelete"):
            response = await client.post(
                f"/webapi/v0/{method}", data={"request": json.dumps({"MsgID": msg_id})}
            )
            assert response.status_code == 400, response.text
            assert response.json()["Code"] == "messageNotFound", (method, response.text)

"""Account and address methods: settings, passwords, quotas, pagination, deletion."""

from __future__ import annotations

import json

import bcrypt
import httpx

from postroom.store.account import Account, LoginAddress
from postroom.store.mailbox import Mailbox
from tests.admin.helpers import admin_client, call, enable_admin, fail
from tests.conftest import RunningServer


async def _send(client: httpx.AsyncClient, to: str) -> httpx.Response:
    request = {"To": [{"Address": to}], "Subject": "hi", "Text": "hello"}
    return await client.post("/webapi/v0/Send", data={"request": json.dumps(request)})


async def test_create_get_and_log_in(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        result = await call(
            client,
            "AccountCreate",
            {
                "Name": "alice",
                "Address": "Alice@localhost",
                "Password": "s3cret",
                "FullName": "Alice",
            },
        )
        account = result["Account"]
        assert account["Name"] == "alice"
        assert account["Addresses"] == [{"Address": "alice@localhost", "FromIDLogin": False}]
        assert account["HasPassword"] is True
        assert account["Role"] == "user"
    assert await Mailbox.filter(account__name="alice").count() == 6
    async with server.client("alice@localhost", "s3cret") as client:
        own = await call(client, "AccountGet", {}, api="account")
        assert own["Account"]["FullName"] == "Alice"


async def test_account_bad_input(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        base = {"Name": "bob", "Address": "bob@localhost"}
        await fail(client, "AccountCreate", {**base, "Name": "postroom"}, "exists")
        await fail(client, "AccountCreate", {**base, "Address": "postroom@localhost"}, "exists")
        await fail(client, "AccountCreate", {**base, "Name": "no spaces"}, "user")
        await fail(client, "AccountCreate", {**base, "Address": "not an address"}, "badAddress")
        await fail(client, "AccountCreate", {**base, "Address": "bob@nowhere.example"}, "notFound")
        await fail(client, "AccountCreate", {**base, "Address": "bob+x@localhost"}, "badAddress")
        await fail(client, "AccountCreate", {**base, "PasswordHash": "md5:abc"}, "badPassword")
        await fail(
            client,
            "AccountCreate",
            {**base, "Password": "a", "PasswordHash": "$6$x$y"},
            "badPassword",
        )
        await fail(client, "AccountUpdate", {"Name": "postroom", "MaxMessagesPerDay": -1}, "user")
        await fail(client, "AccountUpdate", {"Name": "postroom", "Role": "king"}, "user")
        await fail(
            client, "AccountUpdate", {"Name": "postroom", "SenderAllowList": ["x y"]}, "badAddress"
        )
        await fail(
            client, "AccountUpdate", {"Name": "postroom", "MaxMessagesPerDay": "5"}, "protocol"
        )
        await fail(client, "AccountGet", {"Name": "nobody"}, "notFound")


async def test_list_pages_by_name_and_filters_by_domain(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        await call(client, "DomainCreate", {"Name": "example.com"})
        for name in ("carol", "alice", "bob"):
            await call(client, "AccountCreate", {"Name": name, "Address": f"{name}@example.com"})
        names, after = [], ""
        while True:
            page = await call(client, "AccountList", {"Limit": 2, "After": after})
            names += [a["Name"] for a in page["Accounts"]]
            after = page["Next"]
            if not after:
                break
        assert names == ["alice", "bob", "carol", "postroom"]
        page = await call(client, "AccountList", {"Domain": "example.com"})
        assert [a["Name"] for a in page["Accounts"]] == ["alice", "bob", "carol"]
        await fail(client, "AccountList", {"Limit": 5000}, "user")


async def test_password_change_takes_effect_at_once(server: RunningServer) -> None:
    await enable_admin(server)
    async with server.client() as user:
        await call(user, "AccountGet", {}, api="account")  # cached now
        async with admin_client(server) as admin:
            await call(admin, "AccountPasswordSet", {"Name": "postroom", "Password": "new one"})
        response = await user.post("/account/api/v0/AccountGet", json={})
        assert response.status_code == 401
    async with server.client("postroom@localhost", "new one") as user:
        await call(user, "AccountGet", {}, api="account")
        await fail(
            user,
            "PasswordSet",
            {"CurrentPassword": "wrong", "NewPassword": "x"},
            "badPassword",
            api="account",
        )
        await call(
            user,
            "PasswordSet",
            {"CurrentPassword": "new one", "NewPassword": "newer"},
            api="account",
        )
    async with server.client("postroom@localhost", "newer") as user:
        await call(user, "AccountGet", {}, api="account")


async def test_crypt_hashes_verify_at_login(server: RunningServer) -> None:
    await enable_admin(server)
    sha512 = (
        "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdF"
        "CoEOfaS35inz1"
    )
    hashes = {
        "sha": (sha512, "Hello world!"),
        "bc": (bcrypt.hashpw(b"bcrypt pw", bcrypt.gensalt(4)).decode(), "bcrypt pw"),
        "ar": (
            "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$Y8AOgXVq3C9HQj4uXw/ijEqUH7uXHIeMU1bQwxDxDn8",
            "",
        ),
    }
    import argon2

    hashes["ar"] = (
        argon2.PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash("argon pw"),
        "argon pw",
    )
    async with admin_client(server) as client:
        for name, (given, _) in hashes.items():
            await call(
                client,
                "AccountCreate",
                {"Name": name, "Address": f"{name}@localhost", "PasswordHash": given},
            )
    for name, (_, password) in hashes.items():
        async with server.client(f"{name}@localhost", password) as user:
            await call(user, "AccountGet", {}, api="account")
        async with server.client(f"{name}@localhost", password + "x") as user:
            response = await user.post("/account/api/v0/AccountGet", json={})
            assert response.status_code == 401


async def test_switches_allowlist_and_quotas(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        result = await call(
            admin,
            "AccountUpdate",
            {
                "Name": "postroom",
                "SenderAllowList": ["Other@Example.org", "@example.net", "*"],
                "MaxMessagesPerDay": 1,
                "SubmissionSaveSent": True,
                "KeepRetiredMessageSeconds": 60,
            },
        )
        account = result["Account"]
        assert account["SenderAllowList"] == ["other@example.org", "@example.net", "*"]
        assert account["MaxMessagesPerDay"] == 1
        assert account["SubmissionSaveSent"] is True
        assert account["KeepRetiredMessageSeconds"] == 60
    async with server.client() as user:
        assert (await _send(user, "a@example.org")).status_code == 200
        response = await _send(user, "b@example.org")
        assert response.json()["Code"] == "messageLimitReached"
    async with admin_client(server) as admin:
        await call(admin, "AccountUpdate", {"Name": "postroom", "LoginDisabled": "unpaid"})
    async with server.client() as user:
        response = await user.post("/account/api/v0/AccountGet", json={})
        assert response.status_code == 401
        assert response.json()["Code"] == "loginDisabled"


async def test_addresses_and_fromid(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        await call(
            admin,
            "AddressAdd",
            {"Account": "postroom", "Address": "second@localhost", "FromIDLogin": True},
        )
        await fail(
            admin, "AddressAdd", {"Account": "postroom", "Address": "second@localhost"}, "exists"
        )
        await call(admin, "AddressFromIDSet", {"Address": "second@localhost", "FromIDLogin": False})
        await call(admin, "DomainCreate", {"Name": "plain.example"})
        await fail(
            admin,
            "AddressAdd",
            {"Account": "postroom", "Address": "p@plain.example", "FromIDLogin": True},
            "user",
        )
        await fail(admin, "DomainUpdate", {"Name": "localhost", "CatchallSeparators": []}, "user")
        got = await call(admin, "AccountGet", {"Name": "postroom"})
        assert got["Account"]["Addresses"][1] == {
            "Address": "second@localhost",
            "FromIDLogin": False,
        }
        await call(admin, "AddressRemove", {"Address": "postroom@localhost"})
        await fail(admin, "AddressRemove", {"Address": "second@localhost"}, "user")
        await fail(admin, "AddressRemove", {"Address": "nobody@localhost"}, "notFound")
    assert await LoginAddress.filter(account__name="postroom").count() == 1


async def test_webhooks_and_secret_rotation(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        result = await call(
            admin,
            "AccountWebhooksSet",
            {
                "Name": "postroom",
                "OutgoingURL": "https://app.example/hook",
                "OutgoingEvents": ["failed"],
            },
        )
        assert result["Account"]["Webhooks"]["OutgoingURL"] == "https://app.example/hook"
        first = await call(admin, "AccountWebhookSecretRotate", {"Name": "postroom"})
        second = await call(admin, "AccountWebhookSecretRotate", {"Name": "postroom"})
        assert first["Secret"].startswith("whsec_") and first["Secret"] != second["Secret"]
        assert (await Account.get(name="postroom")).webhook_secret == second["Secret"]
        await fail(
            admin, "AccountWebhooksSet", {"Name": "postroom", "OutgoingURL": "ftp://x"}, "user"
        )
        await fail(
            admin, "AccountWebhooksSet", {"Name": "postroom", "OutgoingEvents": ["nope"]}, "user"
        )


async def test_delete_needs_confirmation_and_removes_data(server: RunningServer) -> None:
    await enable_admin(server)
    async with server.client() as user:
        assert (await _send(user, "a@example.org")).status_code == 200
    async with admin_client(server) as admin:
        await fail(admin, "AccountDelete", {"Name": "postroom"}, "confirmationRequired")
        await call(admin, "AccountDelete", {"Name": "postroom", "Confirm": "postroom"})
        await fail(admin, "AccountGet", {"Name": "postroom"}, "notFound")
        assert (await call(admin, "QueueList", {}))["Messages"] == []
    assert not await Mailbox.filter(account__name="postroom").exists()

"""The role matrix: every admin and account method called as each role, and exactly the
allowed calls succeed. Domain admins are also kept to their own domains."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from postroom.admin import ACCOUNT_METHODS, ADMIN_METHODS, Access
from tests.admin.helpers import admin_client, call, enable_admin, fail, post
from tests.conftest import RunningServer

Request = Callable[[str, dict[str, Any]], dict[str, Any]]

DOMAIN = "example.com"
MINE = {"SenderDomain": DOMAIN}


def _steps() -> list[tuple[str, Request]]:
    """(method, request for principal tag p and the results so far), in an order in which
    every object is created before it is used."""

    def acct(p: str) -> str:
        return f"acct-{p}"

    return [
        ("DomainList", lambda p, r: {}),
        ("DomainGet", lambda p, r: {"Name": DOMAIN}),
        ("DomainUpdate", lambda p, r: {"Name": DOMAIN}),
        ("DomainCreate", lambda p, r: {"Name": f"new-{p}.example"}),
        ("DomainAliasAdd", lambda p, r: {"Domain": DOMAIN, "Alias": f"alias-{p}.example"}),
        ("DomainAliasRemove", lambda p, r: {"Domain": DOMAIN, "Alias": f"alias-{p}.example"}),
        ("DomainDelete", lambda p, r: {"Name": f"new-{p}.example"}),
        (
            "AccountCreate",
            lambda p, r: {"Name": acct(p), "Address": f"{acct(p)}@{DOMAIN}", "Password": "pw"},
        ),
        ("AccountList", lambda p, r: {}),
        ("AccountGet", lambda p, r: {"Name": acct(p)}),
        ("AccountUpdate", lambda p, r: {"Name": acct(p), "MaxMessagesPerDay": 5}),
        ("AccountPasswordSet", lambda p, r: {"Name": acct(p), "Password": "pw2"}),
        (
            "AccountWebhooksSet",
            lambda p, r: {"Name": acct(p), "OutgoingURL": "https://hooks.example/x"},
        ),
        ("AccountWebhookSecretRotate", lambda p, r: {"Name": acct(p)}),
        ("AddressAdd", lambda p, r: {"Account": acct(p), "Address": f"extra-{p}@{DOMAIN}"}),
        ("AddressFromIDSet", lambda p, r: {"Address": f"extra-{p}@{DOMAIN}", "FromIDLogin": True}),
        ("AddressRemove", lambda p, r: {"Address": f"extra-{p}@{DOMAIN}"}),
        ("AliasSet", lambda p, r: {"Address": f"list-{p}@{DOMAIN}", "Members": ["x@b.example"]}),
        ("AliasList", lambda p, r: {}),
        ("AliasRemove", lambda p, r: {"Address": f"list-{p}@{DOMAIN}"}),
        ("APIKeyCreate", lambda p, r: {"Account": "member"}),
        ("APIKeyList", lambda p, r: {}),
        (
            "APIKeyRevoke",
            lambda p, r: {"ID": r.get("APIKeyCreate", {}).get("Key", {}).get("ID", 1)},
        ),
        ("QueueList", lambda p, r: {"Filter": MINE}),
        ("QueueHold", lambda p, r: {"Filter": MINE}),
        ("QueueRelease", lambda p, r: {"Filter": MINE}),
        ("QueueRetry", lambda p, r: {"Filter": MINE}),
        ("QueueDelay", lambda p, r: {"Filter": MINE, "Minutes": 5}),
        ("QueueTransportSet", lambda p, r: {"Filter": MINE, "Transport": ""}),
        ("QueueRequireTLSSet", lambda p, r: {"Filter": MINE, "RequireTLS": True}),
        ("QueueFail", lambda p, r: {"Filter": MINE}),
        ("QueueDrop", lambda p, r: {"Filter": MINE}),
        ("QueuePause", lambda p, r: {}),
        ("QueueResume", lambda p, r: {"Release": True}),
        ("RetiredList", lambda p, r: {"Filter": MINE}),
        ("HoldRuleAdd", lambda p, r: {"SenderDomain": DOMAIN}),
        ("HoldRuleList", lambda p, r: {}),
        (
            "HoldRuleRemove",
            lambda p, r: {"ID": r.get("HoldRuleAdd", {}).get("Rule", {}).get("ID", 1)},
        ),
        ("HookList", lambda p, r: {"Filter": {"Account": "member"}}),
        ("HookRetiredList", lambda p, r: {"Filter": {"Account": "member"}}),
        ("HookRetry", lambda p, r: {"Filter": {"Account": "member"}}),
        ("HookCancel", lambda p, r: {"Filter": {"Account": "member"}}),
        ("SuppressionList", lambda p, r: {"Account": "member"}),
        ("SuppressionAdd", lambda p, r: {"Account": "member", "EmailAddress": f"{p}@b.example"}),
        (
            "SuppressionPresent",
            lambda p, r: {"Account": "member", "EmailAddress": f"{p}@b.example"},
        ),
        ("SuppressionRemove", lambda p, r: {"Account": "member", "EmailAddress": f"{p}@b.example"}),
        ("AccountDelete", lambda p, r: {"Name": acct(p), "Confirm": acct(p)}),
    ]


ACCOUNT_STEPS: list[tuple[str, dict[str, Any]]] = [
    ("AccountGet", {}),
    ("SettingsSet", {"FullName": "Me", "KeepRetiredWebhookSeconds": 60}),
    ("WebhooksSet", {"IncomingURL": "https://hooks.example/in"}),
    ("WebhookSecretRotate", {}),
    ("APIKeyCreate", {"Name": "mine"}),
    ("APIKeyList", {}),
    ("APIKeyRevoke", {"ID": 0}),
    ("PasswordSet", {"CurrentPassword": "pw", "NewPassword": "pw"}),
]


async def _setup(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as admin:
        await call(admin, "DomainCreate", {"Name": DOMAIN, "CatchallSeparators": ["+"]})
        for name in ("dadmin", "member"):
            await call(
                admin,
                "AccountCreate",
                {"Name": name, "Address": f"{name}@{DOMAIN}", "Password": "pw"},
            )
        await call(
            admin,
            "AccountUpdate",
            {"Name": "dadmin", "Role": "domainadmin", "AdminDomains": [DOMAIN]},
        )


def _clients(server: RunningServer) -> dict[str, httpx.AsyncClient]:
    return {
        "global": admin_client(server),
        "domainadmin": server.client(f"dadmin@{DOMAIN}", "pw"),
        "user": server.client(f"member@{DOMAIN}", "pw"),
    }


def _allowed(role: str, access: Access) -> bool:
    return role == "global" or (role == "domainadmin" and access is Access.DOMAIN_ADMIN)


async def test_every_admin_method_as_every_role(server: RunningServer) -> None:
    await _setup(server)
    steps = _steps()
    assert {name for name, _ in steps} == set(ADMIN_METHODS)
    outcomes: dict[tuple[str, str], int] = {}
    for role, client in _clients(server).items():
        results: dict[str, Any] = {}
        async with client:
            for name, build in steps:
                response = await post(client, name, build(role, results))
                outcomes[(role, name)] = response.status_code
                if response.status_code == 200:
                    results[name] = response.json()
                else:
                    assert response.json()["Code"] == "forbidden", (role, name, response.text)
    unexpected = {
        key: status
        for key, status in outcomes.items()
        if (status == 200) != _allowed(key[0], ADMIN_METHODS[key[1]].access)
    }
    assert unexpected == {}


async def test_every_account_method_as_every_role(server: RunningServer) -> None:
    await _setup(server)
    assert {name for name, _ in ACCOUNT_STEPS} == set(ACCOUNT_METHODS)
    for role, client in _clients(server).items():
        async with client:
            key_id = 0
            for name, request in ACCOUNT_STEPS:
                if name == "APIKeyRevoke":
                    request = {"ID": key_id}
                response = await post(client, name, request, api="account")
                if role == "global":
                    # The admin password belongs to no account.
                    assert response.status_code == 401, (name, response.text)
                    continue
                assert response.status_code == 200, (role, name, response.text)
                if name == "APIKeyCreate":
                    key_id = response.json()["Key"]["ID"]


async def test_domain_admin_is_kept_to_its_domains(server: RunningServer) -> None:
    await _setup(server)
    async with server.client(f"dadmin@{DOMAIN}", "pw") as dadmin:
        assert [d["Name"] for d in (await call(dadmin, "DomainList", {}))["Domains"]] == [DOMAIN]
        listed = await call(dadmin, "AccountList", {})
        assert [a["Name"] for a in listed["Accounts"]] == ["member"]
        await fail(dadmin, "DomainGet", {"Name": "localhost"}, "forbidden", 403)
        await fail(dadmin, "AccountGet", {"Name": "postroom"}, "forbidden", 403)
        # Not even an account of its own domain that is an admin: no taking over logins.
        await fail(
            dadmin, "AccountPasswordSet", {"Name": "dadmin", "Password": "x"}, "forbidden", 403
        )
        await fail(
            dadmin, "AccountCreate", {"Name": "x", "Address": "x@localhost"}, "forbidden", 403
        )
        await fail(
            dadmin, "AddressAdd", {"Account": "member", "Address": "m@localhost"}, "forbidden", 403
        )
        await fail(dadmin, "QueueList", {}, "forbidden", 403)
        await fail(dadmin, "QueueHold", {"Filter": {"SenderDomain": "localhost"}}, "forbidden", 403)
        await fail(dadmin, "SuppressionList", {"Account": "postroom"}, "forbidden", 403)
        await fail(dadmin, "AccountUpdate", {"Name": "member", "Role": "admin"}, "forbidden", 403)
        await fail(dadmin, "APIKeyCreate", {"Scope": "admin"}, "forbidden", 403)
        await fail(dadmin, "HookList", {}, "forbidden", 403)
        assert (await call(dadmin, "AliasList", {}))["Aliases"] == []


async def test_sender_allow_list_grants_are_kept_to_the_grantors_domains(
    server: RunningServer,
) -> None:
    # A domain admin who could allow "*" would let its account send, DKIM-signed, as any
    # other tenant's domain. The matrix: who may set which entry on `member`.
    await _setup(server)
    async with admin_client(server) as admin:
        await call(admin, "DomainCreate", {"Name": "other.example"})
        await call(admin, "DomainAliasAdd", {"Domain": DOMAIN, "Alias": "example.net"})
        await call(
            admin,
            "AccountCreate",
            {"Name": "odadmin", "Address": "odadmin@other.example", "Password": "pw"},
        )
        await call(
            admin,
            "AccountUpdate",
            {"Name": "odadmin", "Role": "domainadmin", "AdminDomains": ["other.example"]},
        )
    mine = ["@example.com", "news@example.com", "@example.net"]
    wider = ["*", "@localhost", "postroom@localhost", "x@other.example", "@sub.example.com"]
    clients = {
        **_clients(server),
        "otherdomainadmin": server.client("odadmin@other.example", "pw"),
    }
    outcomes: dict[tuple[str, str], int] = {}
    for role, client in clients.items():
        async with client:
            for entry in mine + wider:
                request = {"Name": "member", "SenderAllowList": [entry]}
                response = await post(client, "AccountUpdate", request)
                outcomes[(role, entry)] = response.status_code
                if response.status_code != 200:
                    assert response.json()["Code"] == "forbidden", response.text
    expected = {
        **{("global", entry): 200 for entry in mine + wider},
        **{("domainadmin", entry): 200 for entry in mine},
        **{("domainadmin", entry): 403 for entry in wider},
        **{("otherdomainadmin", entry): 403 for entry in mine + wider},
        **{("user", entry): 403 for entry in mine + wider},
    }
    assert outcomes == expected
    async with server.client(f"dadmin@{DOMAIN}", "pw") as dadmin:
        message = await fail(
            dadmin,
            "AccountUpdate",
            {"Name": "member", "SenderAllowList": ["@example.com", "*"]},
            "forbidden",
            403,
        )
        assert message == "only global admins may allow senders outside your domains: *"
        got = await call(dadmin, "AccountGet", {"Name": "member"})
        assert got["Account"]["SenderAllowList"] == ["@example.net"]
    # The refused grant had no effect: member cannot send as another tenant's domain.
    async with server.client(f"member@{DOMAIN}", "pw") as member:
        response = await member.post(
            "/webapi/v0/Send",
            json={"From": {"Address": "x@other.example"}, "To": [{"Address": "a@b.example"}]},
        )
    assert response.json()["Code"] != "" and response.status_code == 400, response.text

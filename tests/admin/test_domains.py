"""Domain methods: create, list, get, update, delete, domain aliases, and bad input."""

from __future__ import annotations

from tests.admin.helpers import admin_client, call, enable_admin, fail
from tests.conftest import RunningServer


async def test_domain_lifecycle(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        created = await call(
            client, "DomainCreate", {"Name": "Example.COM", "CatchallSeparators": ["+", "-"]}
        )
        assert created["Domain"]["Name"] == "example.com"
        assert created["Domain"]["CatchallSeparators"] == ["+", "-"]
        listed = await call(client, "DomainList", {})
        assert [d["Name"] for d in listed["Domains"]] == ["example.com", "localhost"]
        updated = await call(
            client,
            "DomainUpdate",
            {"Name": "example.com", "Disabled": True, "CatchallSeparators": []},
        )
        assert updated["Domain"]["Disabled"] is True
        assert updated["Domain"]["CatchallSeparators"] == []
        got = await call(client, "DomainGet", {"Name": "example.com"})
        assert got == updated
        await call(client, "DomainAliasAdd", {"Domain": "example.com", "Alias": "example.net"})
        got = await call(client, "DomainGet", {"Name": "example.com"})
        assert got["Domain"]["Aliases"] == ["example.net"]
        await call(client, "DomainAliasRemove", {"Domain": "example.com", "Alias": "example.net"})
        await call(client, "DomainDelete", {"Name": "example.com"})
        await fail(client, "DomainGet", {"Name": "example.com"}, "notFound")


async def test_forwarding_account_is_set_and_cleared(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        got = await call(client, "DomainGet", {"Name": "localhost"})
        assert got["Domain"]["ForwardAccount"] == ""
        updated = await call(
            client, "DomainUpdate", {"Name": "localhost", "ForwardAccount": "postroom"}
        )
        assert updated["Domain"]["ForwardAccount"] == "postroom"
        # Other updates leave it alone; "" clears it.
        updated = await call(client, "DomainUpdate", {"Name": "localhost", "Disabled": False})
        assert updated["Domain"]["ForwardAccount"] == "postroom"
        await fail(
            client, "DomainUpdate", {"Name": "localhost", "ForwardAccount": "nobody"}, "notFound"
        )
        await fail(client, "DomainUpdate", {"Name": "localhost", "ForwardAccount": 5}, "protocol")
        cleared = await call(client, "DomainUpdate", {"Name": "localhost", "ForwardAccount": ""})
        assert cleared["Domain"]["ForwardAccount"] == ""
        # Deleting the account clears it too, rather than refusing the delete.
        await call(client, "DomainUpdate", {"Name": "localhost", "ForwardAccount": "postroom"})
        await call(client, "AccountDelete", {"Name": "postroom", "Confirm": "postroom"})
        got = await call(client, "DomainGet", {"Name": "localhost"})
        assert got["Domain"]["ForwardAccount"] == ""


async def test_domain_bad_input(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        await fail(client, "DomainCreate", {"Name": "localhost"}, "exists")
        await fail(client, "DomainCreate", {"Name": "not a domain"}, "badDomain")
        await fail(client, "DomainCreate", {"Name": ""}, "badDomain")
        await fail(client, "DomainCreate", {"Name": "a@b.example"}, "badDomain")
        await fail(
            client, "DomainCreate", {"Name": "ok.example", "CatchallSeparators": ["x"]}, "user"
        )
        await fail(
            client, "DomainAliasAdd", {"Domain": "localhost", "Alias": "localhost"}, "exists"
        )
        await fail(
            client, "DomainAliasRemove", {"Domain": "localhost", "Alias": "x.example"}, "notFound"
        )
        await fail(client, "DomainUpdate", {"Name": "nope.example"}, "notFound")


async def test_delete_refused_while_in_use_unless_forced(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        await call(client, "DomainCreate", {"Name": "example.com"})
        await call(client, "AccountCreate", {"Name": "alice", "Address": "alice@example.com"})
        await call(client, "AddressAdd", {"Account": "alice", "Address": "alice@localhost"})
        await call(client, "AliasSet", {"Address": "team@example.com", "Members": ["a@b.example"]})
        message = await fail(client, "DomainDelete", {"Name": "example.com"}, "inUse")
        assert "1 login addresses and 1 aliases" in message
        result = await call(client, "DomainDelete", {"Name": "example.com", "Force": True})
        assert result == {"AddressesRemoved": 1, "AliasesRemoved": 1}
        alice = await call(client, "AccountGet", {"Name": "alice"})
        assert [a["Address"] for a in alice["Account"]["Addresses"]] == ["alice@localhost"]


async def test_mail_to_a_domain_alias_reaches_the_domain(server: RunningServer) -> None:
    await enable_admin(server)
    async with admin_client(server) as client:
        await call(client, "DomainAliasAdd", {"Domain": "localhost", "Alias": "example.net"})
    async with server.client("postroom@example.net", "postroom") as client:
        response = await client.post("/account/api/v0/AccountGet", json={})
        assert response.status_code == 200, response.text

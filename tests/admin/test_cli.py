"""`postroom quickstart | domain | account | apikey | apply`, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SHA512_HELLO = (
    "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOf"
    "aS35inz1"
)


@pytest.fixture
def config_file(database_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "postroom.toml"
    path.write_text(f'data_dir = "."\ndatabase_url = "{database_url}"\n', encoding="utf-8")
    return path


def postroom(config: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "postroom.cli", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def test_quickstart_domain_account_and_keys(config_file: Path) -> None:
    started = postroom(config_file, "quickstart", "--address", "me@example.com")
    assert "username: admin" in started.stdout
    assert "login:    me@example.com" in started.stdout

    postroom(config_file, "domain", "create", "example.org", "--separator", "+")
    table = postroom(config_file, "domain", "list").stdout.splitlines()
    assert table[0].split()[:2] == ["NAME", "CATCHALLSEPARATORS"]
    assert [line.split()[0] for line in table[1:]] == ["example.com", "example.org"]

    created = postroom(
        config_file, "account", "create", "bob", "bob@example.org", "--password", "pw", "--json"
    )
    assert json.loads(created.stdout)["Account"]["Addresses"][0]["Address"] == "bob@example.org"
    duplicate = postroom(
        config_file, "account", "create", "bob", "b2@example.org", "--password", "x", ok=False
    )
    assert duplicate.returncode == 1 and "exists already" in duplicate.stderr

    updated = postroom(
        config_file,
        "account",
        "update",
        "bob",
        "--max-messages-per-day",
        "10",
        "--allow",
        "*",
        "--json",
    )
    assert json.loads(updated.stdout)["Account"]["SenderAllowList"] == ["*"]
    listed = postroom(config_file, "account", "list", "--domain", "example.org").stdout
    assert listed.splitlines()[1].split()[0] == "bob"

    key = postroom(config_file, "apikey", "create", "--account", "bob", "--name", "ci", "--json")
    token = json.loads(key.stdout)["Token"]
    assert token.startswith("pr_")
    keys = postroom(config_file, "apikey", "list", "--json").stdout
    assert token not in keys
    key_id = json.loads(keys)["Keys"][0]["ID"]
    postroom(config_file, "apikey", "revoke", str(key_id))
    assert json.loads(postroom(config_file, "apikey", "list", "--json").stdout)["Keys"][0][
        "Revoked"
    ]

    refused = postroom(config_file, "account", "delete", "bob", ok=False)
    assert refused.returncode == 1 and "Confirm" in refused.stderr
    postroom(config_file, "account", "delete", "bob", "--confirm", "bob")


def test_apply_is_idempotent_and_removes_what_is_not_listed(
    config_file: Path, tmp_path: Path
) -> None:
    document = {
        "example.com": {
            "account": [
                {"name": "alice", "password": "alice pw"},
                {"name": "bob", "password_hash": SHA512_HELLO},
            ],
            "alias": [{"name": "team", "to": "alice@example.com, carol@example.org"}],
            "forward_account": "alice",
        }
    }
    path = tmp_path / "mail.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    dry = postroom(config_file, "apply", str(path), "--dry-run").stdout.splitlines()
    assert dry[-1] == "would make 5 changes"
    first = postroom(config_file, "apply", str(path)).stdout.splitlines()
    assert first == [
        "create domain example.com",
        "create account alice@example.com",
        "create account bob@example.com",
        "create alias team@example.com",
        "change forwarding example.com to alice@example.com",
        "made 5 changes",
    ]
    domain = postroom(config_file, "domain", "get", "example.com", "--json").stdout
    assert json.loads(domain)["Domain"]["ForwardAccount"] == "alice@example.com"
    assert postroom(config_file, "apply", str(path)).stdout.splitlines() == ["made 0 changes"]

    document["example.com"]["account"] = [{"name": "alice", "password": "new pw"}]
    document["example.com"]["alias"] = [{"name": "team", "to": "alice@example.com"}]
    path.write_text(json.dumps(document), encoding="utf-8")
    assert postroom(config_file, "apply", str(path)).stdout.splitlines() == [
        "change password alice@example.com",
        "remove account bob@example.com",
        "change alias team@example.com",
        "made 3 changes",
    ]
    assert postroom(config_file, "apply", str(path)).stdout.splitlines() == ["made 0 changes"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"example.com": {"accounts": []}}, "unknown field 'accounts'"),
        (
            {"example.com": {"account": [{"name": 5}]}},
            "example.com.account[0].name: must be a string",
        ),
        (
            {"example.com": {"account": [{"name": "a", "password_hash": "plain"}]}},
            "unknown password hash",
        ),
        ({"example.com": {"account": [{"name": "a"}, {"name": "A"}]}}, "listed twice"),
        ({"bad domain": {}}, "invalid domain name"),
        ({"example.com": {"alias": [{"name": "x", "to": "not an address"}]}}, "parsing address"),
        ({"example.com": {"alias": [{"name": "x", "to": ""}]}}, "at least one member"),
        (["example.com"], "must be an object"),
        ({"example.com": {"forward_account": 5}}, "forward_account: must be a string"),
        ({"example.com": {"forward_account": "nobody"}}, "no account nobody@example.com"),
    ],
)
def test_apply_refuses_bad_documents(
    config_file: Path, tmp_path: Path, document: object, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = postroom(config_file, "apply", str(path), ok=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stdout == ""

"""Static configuration: TOML file, POSTROOM_* overrides, and errors that name the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from postroom.config import ConfigError, env_name, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "postroom.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    config = load_config(None, env={})
    assert config.hostname == "localhost"
    assert (config.http.listen, config.http.port) == ("127.0.0.1", 1080)
    assert config.smtp.max_message_bytes == 100 * 1024 * 1024


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'hostname = "mail.example.com"\ndata_dir = "state"\n'
        '[http]\nport = 8080\ntrusted_proxies = ["127.0.0.1", "fd00::/8"]\n',
    )
    config = load_config(path, env={})
    assert config.hostname == "mail.example.com"
    assert config.data_dir == (tmp_path / "state").resolve()
    assert (config.http.port, config.http.trusted_proxies) == (8080, ("127.0.0.1", "fd00::/8"))
    env = {"POSTROOM_HTTP_PORT": "9090", "POSTROOM_HTTP_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}
    config = load_config(path, env=env)
    assert (config.http.port, config.http.trusted_proxies) == (9090, ("10.0.0.0/8", "::1"))
    config = load_config(path, env={"POSTROOM_HTTP_PORT": "9090"}, overrides={"http.port": 0})
    assert config.http.port == 0


def test_env_names() -> None:
    assert env_name("http.port") == "POSTROOM_HTTP_PORT"
    assert env_name("smtp.max_message_bytes") == "POSTROOM_SMTP_MAX_MESSAGE_BYTES"


def test_database_url_default_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'data_dir = "."\n'), env={})
    assert config.effective_database_url() == f"sqlite://{tmp_path.resolve()}/postroom.db"


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[http]\nport = 70000\n", {}, "http.port ("),
        (
            "[http]\nforwarded = true\n",
            {},
            "http.forwarded (",
        ),
        (
            "[http]\nforwarded = true\n",
            {},
            "list your reverse proxies' addresses in http.trusted_proxies",
        ),
        ("", {"POSTROOM_HTTP_FORWARDED": "1"}, "POSTROOM_HTTP_FORWARDED: removed"),
        ('[http]\ntrusted_proxies = ["proxy"]\n', {}, "'proxy' is not an IP address or CIDR"),
        ('[http]\ntrusted_proxies = "127.0.0.1"\n', {}, "must be an array of strings"),
        ("[http]\nport = 70000\n", {}, "must be a port number from 0 to 65535, got 70000"),
        ('[http]\nport = "80"\n', {}, "http.port ("),
        ("[http]\nport = true\n", {}, "must be a whole number"),
        ('hostname = "Not A Host"\n', {}, "hostname ("),
        ('database_url = "mysql://x"\n', {}, "database_url ("),
        ('log_level = "loud"\n', {}, "must be one of debug, info, warning, error"),
        ("colour = 1\n", {}, "colour ("),
        ("[http]\nspeed = 1\n", {}, "http.speed ("),
        ("http = 5\n", {}, "http ("),
        ("[http\n", {}, "not valid TOML"),
        (
            "",
            {"POSTROOM_HTTP_PORT": "eighty"},
            "http.port (POSTROOM_HTTP_PORT): must be a whole number",
        ),
        (
            "",
            {"POSTROOM_DELIVERY_ENABLED": "maybe"},
            "POSTROOM_DELIVERY_ENABLED): must be true or false",
        ),
        ("", {"POSTROOM_SMTP_MAX_MESSAGE_BYTES": "0"}, "must be greater than zero"),
        ("[webhooks]\nper_url = 40\n", {}, "webhooks.per_url (40) is more than"),
        ("", {"POSTROOM_WEBHOOKS_TIMEOUT_SECONDS": "0"}, "must be greater than zero"),
    ],
)
def test_bad_values_name_the_key(
    tmp_path: Path, text: str, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as failure:
        load_config(write(tmp_path, text), env=env)
    assert message in str(failure.value)


def test_unknown_setting_is_reported_as_such(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"colour \(.*\): unknown setting"):
        load_config(write(tmp_path, "colour = 1\n"), env={})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "absent.toml", env={})


def test_serve_stops_at_start_with_the_bad_key(tmp_path: Path) -> None:
    path = write(tmp_path, "[http]\nport = -1\n")
    result = subprocess.run(
        [sys.executable, "-m", "postroom.cli", "serve", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "http.port" in result.stderr
    assert "must be a port number" in result.stderr

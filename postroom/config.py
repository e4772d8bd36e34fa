"""Static settings: a TOML file plus POSTROOM_* environment overrides, validated once at start.

Every key lives in a frozen dataclass below; the field's metadata holds its
documentation and its validator. A bad value raises ConfigError naming the key
and where it came from, so start-up stops with a message an operator can act on.
Runtime data (accounts, domains, webhooks) lives in the database, not here.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postroom.errors import PostroomError

MiB = 1024 * 1024
ENV_PREFIX = "POSTROOM_"
CONFIG_FILE_NAME = "postroom.toml"
"""The config file `--dir DIR` points at: DIR/postroom.toml."""


class ConfigError(PostroomError):
    """A configuration value is missing, of the wrong type, or out of range."""


Validator = Callable[[Any], str | None]


def _setting(default: Any, doc: str, check: Validator | None = None) -> Any:
    return field(default=default, metadata={"doc": doc, "check": check})


def _port(value: int) -> str | None:
    return None if 0 <= value <= 65535 else "must be a port number from 0 to 65535"


def _positive(value: int) -> str | None:
    return None if value > 0 else "must be greater than zero"


_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def _hostname(value: str) -> str | None:
    if _HOSTNAME.match(value):
        return None
    return "must be a lower-case DNS host name such as mail.example.com"


def _database_url(value: str) -> str | None:
    if value == "" or value.startswith(("sqlite://", "postgres://", "postgresql://")):
        return None
    return (
        "must start with sqlite://, postgres:// or postgresql://"
        " (or be empty for SQLite in data_dir)"
    )


def _log_level(value: str) -> str | None:
    levels = ("debug", "info", "warning", "error")
    return None if value in levels else f"must be one of {', '.join(levels)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class HTTPConfig:
    listen: str = _setting("127.0.0.1", "IP address the HTTP server (webapi, admin) listens on.")
    port: int = _setting(1080, "TCP port of the HTTP server; 0 picks a free port.", _port)
    forwarded: bool = _setting(
        False, "Take the client IP from X-Forwarded-For (only behind a trusted proxy)."
    )
    max_request_bytes: int = _setting(
        10 * MiB, "Largest url-encoded or JSON request body, in bytes.", _positive
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SMTPConfig:
    listen: str = _setting("127.0.0.1", "IP address the SMTP listeners bind to.")
    port: int = _setting(25, "Port for incoming mail (replies, bounces).", _port)
    submission_port: int = _setting(587, "Port for authenticated submission.", _port)
    submissions_port: int = _setting(
        465,
        "Port for submission with implicit TLS (RFC 8314 §3.3); served only when a certificate"
        " is configured; 0 picks a free port.",
        _port,
    )
    max_message_bytes: int = _setting(
        100 * MiB, "Largest message accepted by Send and SMTP, in bytes.", _positive
    )
    tls_cert_file: str = _setting(
        "",
        "PEM certificate chain for STARTTLS and implicit TLS; empty means no TLS (AUTH is"
        " then offered on loopback listeners only). Set together with tls_key_file.",
    )
    tls_key_file: str = _setting("", "PEM private key of tls_cert_file; set both or neither.")

    def __post_init__(self) -> None:
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise ConfigError(
                "smtp.tls_cert_file and smtp.tls_key_file: set both or neither, got "
                f"{self.tls_cert_file!r} and {self.tls_key_file!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryConfig:
    max_concurrent: int = _setting(
        16, "Most SMTP transactions delivering at once (one per recipient domain).", _positive
    )
    timeout_seconds: int = _setting(
        60, "Timeout for connecting and for each SMTP command when delivering.", _positive
    )
    lease_seconds: int = _setting(
        300,
        "How long a worker owns the messages it is delivering; after a crash they are"
        " retried once it ends. Must exceed the longest delivery attempt.",
        _positive,
    )
    relay_host: str = _setting(
        "", "Deliver all mail through this SMTP server (a smarthost); empty: none."
    )
    relay_port: int = _setting(25, "Port of the relay host.", _port)


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    hostname: str = _setting(
        "localhost", "This server's host name: EHLO, Message-IDs, Received headers.", _hostname
    )
    data_dir: Path = _setting(Path("."), "Directory for the SQLite database and other state.")
    database_url: str = _setting(
        "",
        "Database URL: sqlite:///path or postgres://user@host/db; empty means"
        " sqlite:///<data_dir>/postroom.db.",
        _database_url,
    )
    log_level: str = _setting("info", "Logging level: debug, info, warning or error.", _log_level)
    http: HTTPConfig = field(default_factory=HTTPConfig, metadata={"doc": "HTTP server."})
    smtp: SMTPConfig = field(default_factory=SMTPConfig, metadata={"doc": "SMTP listeners."})
    delivery: DeliveryConfig = field(
        default_factory=DeliveryConfig, metadata={"doc": "Delivering queued mail."}
    )

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'postroom.db').resolve()}"


def env_name(key_path: str) -> str:
    """The environment variable that overrides a dotted key: http.port → POSTROOM_HTTP_PORT."""
    return ENV_PREFIX + key_path.replace(".", "_").upper()


def load_config(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Read the TOML file (if any), apply environment and explicit overrides, validate.

    Precedence, lowest first: defaults, file, environment, `overrides` (command-line flags),
    each keyed by dotted path (`http.port`).
    """
    data: dict[str, Any] = {}
    base_dir = Path(".")
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        base_dir = path.parent
    env = os.environ if env is None else env
    source = str(path) if path else "defaults"
    config: Config = _build(Config, data, "", source, env, overrides or {})
    if not config.data_dir.is_absolute():
        config = dataclasses.replace(config, data_dir=(base_dir / config.data_dir).resolve())
    return config


def _build(
    cls: type[Any],
    data: Mapping[str, Any],
    prefix: str,
    source: str,
    env: Mapping[str, str],
    overrides: Mapping[str, Any],
) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{prefix.rstrip('.')} ({source}): must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if key not in known:
            raise ConfigError(f"{prefix}{key} ({source}): unknown setting")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key_path = prefix + f.name
        hint: Any = hints[f.name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            values[f.name] = _build(
                hint, data.get(f.name, {}), key_path + ".", source, env, overrides
            )
            continue
        where: str | None = None
        raw: Any = dataclasses.MISSING
        from_text = False
        if f.name in data:
            where, raw = source, data[f.name]
        if env_name(key_path) in env:
            where, raw, from_text = env_name(key_path), env[env_name(key_path)], True
        if key_path in overrides:
            where, raw, from_text = "command line", overrides[key_path], False
        if raw is dataclasses.MISSING:
            continue
        value = _convert(hint, raw, f"{key_path} ({where})", from_text=from_text)
        check: Validator | None = f.metadata.get("check")
        problem = check(value) if check else None
        if problem:
            raise ConfigError(f"{key_path} ({where}): {problem}, got {raw!r}")
        values[f.name] = value
    return cls(**values)


def _convert(hint: Any, raw: Any, where: str, *, from_text: bool) -> Any:
    # Environment variables are text and are parsed; TOML values must have the type.
    from_env = from_text and isinstance(raw, str)
    if hint is bool:
        if isinstance(raw, bool):
            return raw
        if from_env and raw.lower() in ("true", "1", "yes", "false", "0", "no"):
            return raw.lower() in ("true", "1", "yes")
        raise ConfigError(f"{where}: must be true or false, got {raw!r}")
    if hint is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if from_env and re.fullmatch(r"-?[0-9]+", raw.strip()):
            return int(raw)
        raise ConfigError(f"{where}: must be a whole number, got {raw!r}")
    if hint is str:
        if isinstance(raw, str):
            return raw
        raise ConfigError(f"{where}: must be a string, got {raw!r}")
    if hint is Path:
        if isinstance(raw, str | Path) and str(raw):
            return Path(raw).expanduser()
        raise ConfigError(f"{where}: must be a non-empty path, got {raw!r}")
    raise ConfigError(f"{where}: unsupported setting type {hint!r}")  # pragma: no cover


def render_config_toml(values: Mapping[str, Any]) -> str:
    """TOML text for a small config: top-level scalars, then one table per section."""
    lines: list[str] = []
    tables: list[str] = []
    for key, value in values.items():
        if isinstance(value, Mapping):
            tables.append(f"\n[{key}]")
            tables.extend(f"{k} = {_toml_scalar(v)}" for k, v in value.items())
        else:
            lines.append(f"{key} = {_toml_scalar(value)}")
    return "\n".join(lines + tables) + "\n"


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'

"""Static settings: a TOML file plus POSTROOM_* environment overrides, validated once at start.

Every key lives in a frozen dataclass below; the field's metadata holds its
documentation and its validator. A bad value raises ConfigError naming the key
and where it came from, so start-up stops with a message an operator can act on.
Runtime data (accounts, domains, webhooks) lives in the database, not here.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postroom.errors import PostroomError

KiB = 1024
MiB = 1024 * KiB
ENV_PREFIX = "POSTROOM_"
CONFIG_FILE_NAME = "postroom.toml"
"""The config file `--dir DIR` points at: DIR/postroom.toml."""


class ConfigError(PostroomError):
    """A configuration value is missing, of the wrong type, or out of range."""


Validator = Callable[[Any], str | None]


def _setting(
    default: Any, doc: str, check: Validator | None = None, *, secret: bool = False
) -> Any:
    # A secret stays out of repr(), so a logged config does not show it.
    return field(default=default, repr=not secret, metadata={"doc": doc, "check": check})


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


def _networks(value: tuple[str, ...]) -> str | None:
    for entry in value:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return f"{entry!r} is not an IP address or CIDR network such as 10.0.0.0/8"
    return None


REMOVED_SETTINGS = {
    "http.forwarded": "removed: list your reverse proxies' addresses in http.trusted_proxies",
}
"""Keys earlier versions read, with what to do instead."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HTTPConfig:
    listen: str = _setting("127.0.0.1", "IP address the HTTP server (webapi, admin) listens on.")
    port: int = _setting(1080, "TCP port of the HTTP server; 0 picks a free port.", _port)
    trusted_proxies: tuple[str, ...] = _setting(
        (),
        "Addresses or CIDR networks of the reverse proxies in front of Postroom; only from"
        " these is X-Forwarded-For read, and the client is its rightmost address that is"
        " not a trusted proxy (docs/operations.md, TLS certificates). Empty: the client is"
        " always the peer. In a variable: comma-separated.",
        _networks,
    )
    max_request_bytes: int = _setting(
        10 * MiB,
        "Largest url-encoded or JSON request body, and largest `request` field of a"
        " multipart body, in bytes; multipart file parts (attachments) may add"
        " smtp.max_message_bytes. A larger body is refused with HTTP 413 as it streams in.",
        _positive,
    )
    max_header_bytes: int = _setting(
        64 * KiB,
        "Largest request line plus header section of an HTTP request, in bytes; a larger"
        " one is answered 431 and its connection closed as soon as it is read.",
        _positive,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WebapiConfig:
    max_recipients: int = _setting(
        100,
        "Most recipients (To, CC and BCC together) of one webapi Send; more are refused"
        " with error code tooManyRecipients. The default is what SMTP allows in one"
        " transaction (RFC 5321 §4.5.3.1.8 requires at least 100).",
        _positive,
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
    report_parse_timeout_milliseconds: int = _setting(
        5000,
        "How long parsing one incoming report (bounce, DSN, feedback) may take, on a"
        " worker thread off the listener's event loop. A report not parsed in time is"
        " stored as ordinary mail and recorded as unrecognized, with a warning; 0 treats"
        " every report so.",
        lambda value: None if value >= 0 else "must be zero or more",
    )
    child_process: bool = _setting(
        False,
        "Serve the SMTP listeners from a child process that `postroom serve` starts,"
        " supervises (restarts it when it dies) and stops with itself: the SMTP protocol"
        " work then runs on a second CPU core, while the database is still written by this"
        " process alone. localserve always does this.",
    )

    def __post_init__(self) -> None:
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise ConfigError(
                "smtp.tls_cert_file and smtp.tls_key_file: set both or neither, got "
                f"{self.tls_cert_file!r} and {self.tls_key_file!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryConfig:
    enabled: bool = _setting(
        True,
        "Deliver queued mail from this process; false: only queue it (a node that takes"
        " submissions while others deliver).",
    )
    max_concurrent: int = _setting(
        16,
        "Most SMTP transactions delivering at once (one per recipient domain). localserve"
        " writes 64 into its config file: its deliveries wait for the commit in its other"
        " process, not for a network.",
        _positive,
    )
    per_domain: int = _setting(
        8,
        "Messages (SMTP transactions) to one recipient domain a worker claims at once and"
        " delivers one after the other over one connection.",
        _positive,
    )
    timeout_seconds: int = _setting(
        60,
        "localserve: timeout for connecting and for each SMTP command when delivering to"
        " its own listener (other delivery uses the *_timeout_seconds keys below).",
        _positive,
    )
    lease_seconds: int = _setting(
        300,
        "How long a worker owns the messages it is delivering; after a crash they are"
        " retried once it ends. Must exceed the longest delivery attempt.",
        _positive,
    )
    relay_host: str = _setting(
        "",
        "Deliver all mail through this SMTP server (a smarthost); empty: deliver directly to"
        " the recipients' MX hosts. For TLS modes and passwords, use [transports.NAME] and"
        " [[routes]] instead.",
    )
    relay_port: int = _setting(25, "Port of the relay host.", _port)
    greeting_timeout_seconds: int = _setting(
        300,
        "Direct delivery and transports: connecting plus the server's 220 greeting"
        " (RFC 5321 §4.5.3.2.1 suggests 5 minutes).",
        _positive,
    )
    command_timeout_seconds: int = _setting(
        300,
        "Direct delivery and transports: the reply to each of EHLO, STARTTLS, AUTH, MAIL"
        " and RCPT (RFC 5321 §4.5.3.2.2-3 suggest 5 minutes).",
        _positive,
    )
    data_timeout_seconds: int = _setting(
        600,
        "Direct delivery and transports: the replies to DATA and to the end of the message"
        " (RFC 5321 §4.5.3.2.6 suggests 10 minutes).",
        _positive,
    )
    dns_timeout_seconds: int = _setting(
        10, "Direct delivery: the longest one DNS lookup (MX, A, AAAA) may take.", _positive
    )
    idle_connection_seconds: int = _setting(
        10,
        "Direct delivery: how long a connection to a domain's MX host stays open after a"
        " message, for the next message to the same domain.",
        _positive,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhooksConfig:
    enabled: bool = _setting(
        True, "Send webhooks from this process; false: only queue them (another node sends)."
    )
    max_concurrent: int = _setting(32, "Most webhook POSTs in flight at once.", _positive)
    per_url: int = _setting(
        8,
        "Most POSTs in flight to one URL, so one slow receiver cannot hold every slot (mox: 1).",
        _positive,
    )
    timeout_seconds: int = _setting(
        30, "Time for one POST, from connecting to the end of the answer.", _positive
    )
    allow_private_addresses: bool = _setting(
        False,
        "Allow webhook URLs on loopback and private addresses (127/8, ::1, 10/8, 172.16/12,"
        " 192.168/16, 100.64/10, fc00::/7). Link-local, multicast, unspecified and cloud"
        " metadata addresses are always refused. localserve always turns this on.",
    )

    def __post_init__(self) -> None:
        if self.per_url > self.max_concurrent:
            raise ConfigError(
                f"webhooks.per_url ({self.per_url}) is more than webhooks.max_concurrent"
                f" ({self.max_concurrent})"
            )


TRANSPORT_KINDS = ("smarthost", "drop", "direct")
TLS_MODES = ("starttls", "implicit", "none")


def _transport_kind(value: str) -> str | None:
    return None if value in TRANSPORT_KINDS else f"must be one of {', '.join(TRANSPORT_KINDS)}"


def _tls_mode(value: str) -> str | None:
    return None if value in TLS_MODES else f"must be one of {', '.join(TLS_MODES)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TransportConfig:
    kind: str = _setting(
        "smarthost",
        "smarthost: an SMTP server that relays for us; drop: accept and discard (for"
        " testing); direct: the recipients' MX hosts.",
        _transport_kind,
    )
    host: str = _setting("", "Smarthost: host name of the SMTP server (required).")
    port: int = _setting(0, "Smarthost: TCP port; 0 means 465 with implicit TLS, else 587.", _port)
    tls: str = _setting(
        "starttls",
        "Smarthost: starttls (RFC 3207; required and verified when a username is set),"
        " implicit (TLS from the start, RFC 8314) or none (plaintext; only for a"
        " smarthost on a trusted network).",
        _tls_mode,
    )
    username: str = _setting("", "Smarthost: AUTH user name; empty: no AUTH.")
    password: str = _setting("", "Smarthost: AUTH password (or use password_file).", secret=True)
    password_file: str = _setting(
        "", "Smarthost: file whose first line is the AUTH password; read at start."
    )

    def __post_init__(self) -> None:
        if self.kind == "smarthost" and not self.host:
            raise ConfigError("host: a smarthost transport needs a host")
        if self.kind != "smarthost" and (self.host or self.username):
            raise ConfigError(f"host/username: a {self.kind} transport takes no server")
        if self.password and self.password_file:
            raise ConfigError("password and password_file: set one, not both")
        if (self.password or self.password_file) and not self.username:
            raise ConfigError("password: set username too")

    @property
    def effective_port(self) -> int:
        if self.port:
            return self.port
        return 465 if self.tls == "implicit" else 587

    def read_password(self) -> str:
        if not self.password_file:
            return self.password
        try:
            text = Path(self.password_file).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"password_file: cannot read {self.password_file}: {exc.strerror}"
            ) from exc
        return text.splitlines()[0] if text else ""


def _domain_pattern(value: str) -> str | None:
    bare = value.removeprefix(".")
    if value == "" or _HOSTNAME.match(bare):
        return None
    return "must be a lower-case domain, or .domain for it and its subdomains"


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteConfig:
    transport: str = _setting(
        "", "Name of a [transports.NAME] table (or direct) that matching messages take."
    )
    account: str = _setting("", "Only messages of this account; empty: any account.")
    sender_domain: str = _setting(
        "",
        "Only messages whose MAIL FROM domain is this; a leading dot also matches its"
        " subdomains; empty: any.",
        _domain_pattern,
    )
    recipient_domain: str = _setting(
        "", "Only recipients in this domain (same matching as sender_domain).", _domain_pattern
    )
    minimum_attempts: int = _setting(
        0, "Only from this many earlier failed attempts on (a fallback route); 0: always."
    )

    def __post_init__(self) -> None:
        if not self.transport:
            raise ConfigError("transport: every route names a transport")


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
    webapi: WebapiConfig = field(
        default_factory=WebapiConfig, metadata={"doc": "The webapi's methods."}
    )
    smtp: SMTPConfig = field(default_factory=SMTPConfig, metadata={"doc": "SMTP listeners."})
    delivery: DeliveryConfig = field(
        default_factory=DeliveryConfig, metadata={"doc": "Delivering queued mail."}
    )
    webhooks: WebhooksConfig = field(
        default_factory=WebhooksConfig, metadata={"doc": "Sending webhooks."}
    )
    transports: dict[str, TransportConfig] = field(
        default_factory=dict,
        metadata={
            "doc": "Named ways out other than direct delivery, one table each, e.g."
            ' `[transports.relay]` with `host = "smtp.example.net"`. A message takes'
            " the transport of the first matching route, or the one it was set to with"
            " `postroom queue transport`. The name `direct` is predefined."
        },
    )
    routes: tuple[RouteConfig, ...] = field(
        default=(),
        metadata={
            "doc": "Routing rules, `[[routes]]` tables tried in order: the first route"
            " whose non-empty conditions all match decides the transport. Messages no"
            " route matches are delivered directly (or through delivery.relay_host)."
        },
    )

    def __post_init__(self) -> None:
        for index, route in enumerate(self.routes):
            if route.transport not in self.transports and route.transport != "direct":
                raise ConfigError(
                    f"routes[{index}].transport: no transport {route.transport!r}; define"
                    f" [transports.{route.transport}]"
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
    for key_path, advice in REMOVED_SETTINGS.items():
        if env_name(key_path) in env:
            raise ConfigError(f"{env_name(key_path)}: {advice}")
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
        if prefix + key in REMOVED_SETTINGS:
            raise ConfigError(f"{prefix}{key} ({source}): {REMOVED_SETTINGS[prefix + key]}")
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
        item = table_item_type(hint)
        if item is not None:
            if f.name in data:
                values[f.name] = _build_tables(hint, item, data[f.name], key_path, source)
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


def table_item_type(hint: Any) -> type[Any] | None:
    """The dataclass of a `dict[str, X]` (named tables) or `tuple[X, ...]` (an array of
    tables) setting, else None. Such settings come from the file only."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    item = args[1] if origin is dict else args[0] if origin is tuple else None
    return item if isinstance(item, type) and dataclasses.is_dataclass(item) else None


def _build_tables(hint: Any, item: type[Any], raw: Any, key_path: str, source: str) -> Any:
    def build(entry: Any, where: str) -> Any:
        try:
            return _build(item, entry, where + ".", source, {}, {})
        except ConfigError as exc:
            text = str(exc)
            # Checks in __post_init__ do not know where they are.
            raise (exc if text.startswith(where) else ConfigError(f"{where}.{text}")) from None

    if typing.get_origin(hint) is dict:
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{key_path} ({source}): must be a table of tables")
        for name in raw:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
                raise ConfigError(
                    f"{key_path}.{name} ({source}): names are lower-case letters, digits, - and _"
                )
        return {name: build(entry, f"{key_path}.{name}") for name, entry in raw.items()}
    if not isinstance(raw, list):
        raise ConfigError(f"{key_path} ({source}): must be an array of tables ([[{key_path}]])")
    return tuple(build(entry, f"{key_path}[{index}]") for index, entry in enumerate(raw))


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
    if hint == tuple[str, ...]:
        if from_env:
            return tuple(item.strip() for item in raw.split(",") if item.strip())
        if isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
            return tuple(raw)
        raise ConfigError(f"{where}: must be an array of strings, got {raw!r}")
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

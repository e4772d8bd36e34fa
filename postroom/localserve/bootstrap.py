"""The localserve data directory: created on first start, reused afterwards.

It holds `postroom.toml` (so every other `postroom` command finds the instance with
`--dir`) and the SQLite database, which is seeded with domain `localhost` and one
account with fixed, documented credentials so that every example can be pasted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from postroom.auth import ADMIN_PASSWORD_HASH, hash_password
from postroom.config import CONFIG_FILE_NAME, Config, load_config, render_config_toml
from postroom.hooks import AddressPolicy, check_url, new_secret
from postroom.store.account import Account, AdminSetting, Domain
from postroom.store.provision import NewAddress, create_account, create_domain

DEFAULT_DOMAIN = "localhost"
DEFAULT_ACCOUNT = "postroom"
DEFAULT_LOGIN = "postroom@localhost"
DEFAULT_PASSWORD = "postroom"
ADMIN_PASSWORD = "postroomadmin"
"""The admin API password (username `admin`), fixed and documented like the account's."""
KEEP_RETIRED = timedelta(days=7)

LOCALSERVE_SETTINGS: dict[str, object] = {
    "hostname": "localhost",
    "data_dir": ".",
    "http": {"listen": "127.0.0.1", "port": 1080},
    "smtp": {"listen": "127.0.0.1", "port": 1025, "submission_port": 1587},
    # Deliveries to localserve's own listener wait mostly for the commit in the other
    # process, not for a network: more of them at once keep both processes busy
    # (bench/deliver.py: 0.5x of its baseline with 16, 0.8-0.9x with 64).
    "delivery": {"max_concurrent": 64},
}


LOCAL_POLICY = AddressPolicy(allow_private=True)
"""The webhook addresses localserve allows: its config always allows private ones."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalserveOptions:
    directory: Path
    http_port: int | None = None
    smtp_port: int | None = None
    submission_port: int | None = None
    simulated_timeout_seconds: float = 3600.0
    """How long a `…timeout` recipient's server stays silent before answering 451."""
    webhook_url: str | None = None
    """Outgoing and incoming webhook URL of the default account; None leaves them."""


def default_directory() -> Path:
    """`$XDG_CONFIG_HOME/postroom-localserve`, or `~/.config/postroom-localserve`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "postroom-localserve"


def prepare_directory(options: LocalserveOptions) -> Config:
    """Create the directory and its config file on first start; load the config."""
    directory = options.directory.expanduser().resolve()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    config_path = directory / CONFIG_FILE_NAME
    if not config_path.exists():
        config_path.write_text(
            "# Written by `postroom localserve` on first start.\n"
            + render_config_toml(LOCALSERVE_SETTINGS),
            encoding="utf-8",
        )
    # Local development: receivers run on this machine (docs/config.md,
    # webhooks.allow_private_addresses). Cloud metadata addresses stay refused.
    overrides: dict[str, object] = {"webhooks.allow_private_addresses": True}
    if options.http_port is not None:
        overrides["http.port"] = options.http_port
    if options.smtp_port is not None:
        overrides["smtp.port"] = options.smtp_port
    if options.submission_port is not None:
        overrides["smtp.submission_port"] = options.submission_port
    return load_config(config_path, overrides=overrides)


async def set_webhook_url(url: str) -> None:
    """Send the default account's outgoing and incoming webhooks to `url` ("" for none),
    giving it a signing secret if it has none."""
    account = await Account.get(name=DEFAULT_ACCOUNT)
    account.outgoing_webhook_url = account.incoming_webhook_url = check_url(url, LOCAL_POLICY)
    if not account.webhook_secret:
        account.webhook_secret = new_secret()
    await account.save()


async def seed_database() -> bool:
    """Create the default domain and account, and the admin password, if missing. True if
    it created the domain and account."""
    if not await AdminSetting.exists(name=ADMIN_PASSWORD_HASH):
        # Before any committer runs, so written directly (as the account below).
        await AdminSetting.create(name=ADMIN_PASSWORD_HASH, value=hash_password(ADMIN_PASSWORD))
    if await Domain.exists(name=DEFAULT_DOMAIN):
        return False
    domain = await create_domain(DEFAULT_DOMAIN, ["+"])
    await create_account(
        name=DEFAULT_ACCOUNT,
        full_name="Postroom",
        password_hash=hash_password(DEFAULT_PASSWORD),
        addresses=[NewAddress(domain=domain, localpart="postroom", fromid_login=True)],
        keep_retired_messages_seconds=int(KEEP_RETIRED.total_seconds()),
        keep_retired_webhooks_seconds=int(KEEP_RETIRED.total_seconds()),
    )
    return True

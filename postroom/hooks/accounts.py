"""An account's webhook settings (docs/webhooks.md): reading them in a transaction,
changing them, and the signing secret every account with webhooks has.

URL and Authorization are copied into each hook when it is queued, so changing them
affects only hooks queued afterwards, as in mox. The signing secret is read when a
hook is sent, so a new secret applies to retries too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from postroom.hooks.addresses import AddressPolicy
from postroom.hooks.errors import HookConfigError
from postroom.hooks.payloads import OutgoingEvent
from postroom.hooks.sign import new_secret, secret_key
from postroom.store import sql
from postroom.store.groupcommit import Batch, GroupCommitter

_COLUMNS = (
    "outgoing_webhook_url, outgoing_webhook_authorization, outgoing_webhook_events,"
    " incoming_webhook_url, incoming_webhook_authorization, keep_retired_webhooks_seconds,"
    " webhook_secret"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountHooks:
    """One account's webhook settings."""

    outgoing_url: str = ""
    outgoing_authorization: str = ""
    outgoing_events: frozenset[str] = frozenset()
    """Subscribed events; empty: all of them."""
    incoming_url: str = ""
    incoming_authorization: str = ""
    keep_retired: timedelta = timedelta(0)
    secret: str = ""

    def subscribed(self, event: str) -> bool:
        return bool(self.outgoing_url) and (
            not self.outgoing_events or event in self.outgoing_events
        )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AccountHooks:
        return cls(
            outgoing_url=str(row["outgoing_webhook_url"]),
            outgoing_authorization=str(row["outgoing_webhook_authorization"]),
            outgoing_events=frozenset(sql.decode_json(row["outgoing_webhook_events"]) or ()),
            incoming_url=str(row["incoming_webhook_url"]),
            incoming_authorization=str(row["incoming_webhook_authorization"]),
            keep_retired=timedelta(seconds=int(row["keep_retired_webhooks_seconds"])),
            secret=str(row["webhook_secret"]),
        )


async def account_hooks(batch: Batch, account_id: int) -> AccountHooks:
    """The account's settings, read once per transaction (an unknown account has none)."""

    async def load(connection: Any) -> AccountHooks:
        rows = await sql.fetch(
            connection, f"SELECT {_COLUMNS} FROM account WHERE id = ?", [account_id]
        )
        return AccountHooks.from_row(rows[0]) if rows else AccountHooks()

    return await batch.once(f"hooks:{account_id}", load)


async def ensure_secret(batch: Batch, account_id: int, hooks: AccountHooks) -> None:
    """Give the account a signing secret if it has none, before its first hook."""
    if hooks.secret:
        return

    async def generate(connection: Any) -> None:
        await sql.execute(
            connection,
            "UPDATE account SET webhook_secret = ? WHERE id = ? AND webhook_secret = ?",
            [new_secret(), account_id, ""],
        )

    await batch.once(f"hooks-secret:{account_id}", generate)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookSettings:
    """A change of an account's webhook settings; None leaves a setting as it is."""

    outgoing_url: str | None = None
    outgoing_authorization: str | None = None
    outgoing_events: list[str] | None = None
    incoming_url: str | None = None
    incoming_authorization: str | None = None
    keep_retired: timedelta | None = None
    secret: str | None = None
    """A `whsec_` secret to use; "" generates a new one."""


def check_url(url: str, policy: AddressPolicy) -> str:
    """An http(s) URL with a host that `policy` does not refuse, or "" (no webhook).
    Names are checked again when connecting, once resolved (`hooks.connect`)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise HookConfigError(f"webhook URL cannot be parsed: {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise HookConfigError(f"webhook URL must be http:// or https:// with a host: {url!r}")
    refusal = policy.check_host(hostname)
    if refusal:
        raise HookConfigError(f"webhook URL {url!r} is refused: its host is {refusal}")
    return url


def check_events(events: list[str]) -> list[str]:
    valid = {e.value for e in OutgoingEvent}
    unknown = [e for e in events if e not in valid]
    if unknown:
        raise HookConfigError(
            f"unknown webhook event {unknown[0]!r}; events are {', '.join(sorted(valid))}"
        )
    return sorted(set(events))


def _check_value(name: str, value: str) -> str:
    if any(c in value for c in "\r\n\0"):
        raise HookConfigError(f"{name} must not contain line breaks")
    return value


async def configure_webhooks(
    committer: GroupCommitter,
    account_name: str,
    settings: WebhookSettings,
    *,
    policy: AddressPolicy,
) -> AccountHooks:
    """Change an account's webhook settings; returns the settings now in effect. An
    account with a webhook URL and no secret gets a new secret."""
    changes: dict[str, Any] = {}
    if settings.outgoing_url is not None:
        changes["outgoing_webhook_url"] = check_url(settings.outgoing_url, policy)
    if settings.outgoing_authorization is not None:
        changes["outgoing_webhook_authorization"] = _check_value(
            "Authorization", settings.outgoing_authorization
        )
    if settings.outgoing_events is not None:
        changes["outgoing_webhook_events"] = sql.encode_json(check_events(settings.outgoing_events))
    if settings.incoming_url is not None:
        changes["incoming_webhook_url"] = check_url(settings.incoming_url, policy)
    if settings.incoming_authorization is not None:
        changes["incoming_webhook_authorization"] = _check_value(
            "Authorization", settings.incoming_authorization
        )
    if settings.keep_retired is not None:
        if settings.keep_retired < timedelta(0):
            raise HookConfigError("the keep period of retired webhooks cannot be negative")
        changes["keep_retired_webhooks_seconds"] = int(settings.keep_retired.total_seconds())
    if settings.secret is not None:
        if settings.secret:
            secret_key(settings.secret)
        changes["webhook_secret"] = settings.secret or new_secret()

    async def run(batch: Batch) -> AccountHooks | None:
        connection = batch.connection
        rows = await sql.fetch(connection, "SELECT id FROM account WHERE name = ?", [account_name])
        if not rows:
            return None
        account_id = int(rows[0]["id"])
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            await sql.execute(
                connection,
                f"UPDATE account SET {assignments} WHERE id = ?",
                [*changes.values(), account_id],
            )
        hooks = await account_hooks(batch, account_id)
        if (hooks.outgoing_url or hooks.incoming_url) and not hooks.secret:
            secret = new_secret()
            await sql.execute(
                connection,
                "UPDATE account SET webhook_secret = ? WHERE id = ?",
                [secret, account_id],
            )
            hooks = replace(hooks, secret=secret)
        return hooks

    hooks = await committer.run(run)
    if hooks is None:
        raise HookConfigError(f"no account {account_name!r}")
    return hooks

"""API keys: bearer tokens for the webapi and the account API (account keys) or the
admin API (admin keys).

A token is `pr_<prefix>_<secret>`: the prefix (public, shown in listings) finds the
row with one indexed lookup, and only the SHA-256 of the whole token is stored. The
secret has 256 random bits, so a fast hash is as safe as a slow one here and costs
nothing per request; the token itself is shown once, when it is created.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from postroom.store import sql
from postroom.store.groupcommit import Batch, GroupCommitter
from postroom.store.reader import Reader

TOKEN_START = "pr_"
LAST_USED_PRECISION = timedelta(hours=1)
"""`last_used` is written at most this often per key, so using a key is not a write
per request."""


class KeyScope(enum.StrEnum):
    WEBAPI = "webapi"
    """Belongs to an account: the webapi and the account API, as that account."""
    ADMIN = "admin"
    """Belongs to no account: the admin API, as a global admin."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewKey:
    token: str
    prefix: str
    secret_hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyRecord:
    id: int
    account_id: int | None
    scope: KeyScope
    last_used: datetime | None


def new_key() -> NewKey:
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(token=token, prefix=prefix, secret_hash=hash_token(token))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_prefix(token: str) -> str | None:
    if not token.startswith(TOKEN_START):
        return None
    prefix, underscore, secret = token[len(TOKEN_START) :].partition("_")
    if not underscore or not prefix or not secret:
        return None
    return prefix


async def find_key(token: str, reader: Reader) -> KeyRecord | None:
    """The live (not revoked) key `token` names, or None."""
    prefix = token_prefix(token)
    if prefix is None:
        return None
    rows = await reader.fetch(
        "SELECT id, account_id, scope, secret_hash, last_used, revoked FROM api_key"
        " WHERE prefix = ?",
        [prefix],
    )
    if not rows:
        return None
    row = rows[0]
    if not hmac.compare_digest(str(row["secret_hash"]), hash_token(token)):
        return None
    if row["revoked"] is not None:
        return None
    try:
        scope = KeyScope(str(row["scope"]))
    except ValueError:
        return None
    return KeyRecord(
        id=int(row["id"]),
        account_id=None if row["account_id"] is None else int(row["account_id"]),
        scope=scope,
        last_used=_as_datetime(row["last_used"]),
    )


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


async def touch_key(committer: GroupCommitter, key: KeyRecord, now: datetime) -> None:
    """Record that the key was used, unless that was recorded recently."""
    if key.last_used is not None and now - key.last_used < LAST_USED_PRECISION:
        return

    async def unit(batch: Batch) -> None:
        connection = batch.connection
        await sql.execute(
            connection,
            "UPDATE api_key SET last_used = ? WHERE id = ?",
            [sql.encode_datetime(connection, now), key.id],
        )

    await committer.run(unit)

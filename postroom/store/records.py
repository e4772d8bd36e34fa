"""Read-only snapshots of directory rows (domain, account, login address) for hot paths.

Building Tortoise model instances from rows costs tens of microseconds each (mostly
parsing timestamps nobody reads); these frozen records carry just the settings that
request handling needs, decoded from a plain row of either database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _json_list(value: Any) -> tuple[str, ...]:
    decoded = json.loads(value) if isinstance(value, str | bytes) else value
    return tuple(str(item) for item in decoded or ())


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainRecord:
    id: int
    name: str
    catchall_separators: tuple[str, ...]
    disabled: bool

    @classmethod
    def from_row(cls, row: Mapping[str, Any], prefix: str = "") -> DomainRecord:
        return cls(
            id=int(row[prefix + "id"]),
            name=str(row[prefix + "name"]),
            catchall_separators=_json_list(row[prefix + "catchall_separators"]),
            disabled=bool(row[prefix + "disabled"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRecord:
    id: int
    name: str
    full_name: str
    password_hash: str
    login_disabled: str
    submission_disabled: bool
    role: str
    keep_retired_messages_seconds: int
    keep_retired_webhooks_seconds: int
    max_outgoing_messages_per_day: int
    max_first_time_recipients_per_day: int
    sender_allowlist: tuple[str, ...]
    submission_save_sent: bool = False

    COLUMNS = (
        "id", "name", "full_name", "password_hash", "login_disabled", "submission_disabled",
        "role", "keep_retired_messages_seconds", "keep_retired_webhooks_seconds",
        "max_outgoing_messages_per_day", "max_first_time_recipients_per_day", "sender_allowlist",
        "submission_save_sent",
    )  # fmt: skip

    @classmethod
    def from_row(cls, row: Mapping[str, Any], prefix: str = "") -> AccountRecord:
        return cls(
            id=int(row[prefix + "id"]),
            name=str(row[prefix + "name"]),
            full_name=str(row[prefix + "full_name"]),
            password_hash=str(row[prefix + "password_hash"]),
            login_disabled=str(row[prefix + "login_disabled"]),
            submission_disabled=bool(row[prefix + "submission_disabled"]),
            role=str(row[prefix + "role"]),
            keep_retired_messages_seconds=int(row[prefix + "keep_retired_messages_seconds"]),
            keep_retired_webhooks_seconds=int(row[prefix + "keep_retired_webhooks_seconds"]),
            max_outgoing_messages_per_day=int(row[prefix + "max_outgoing_messages_per_day"]),
            max_first_time_recipients_per_day=int(
                row[prefix + "max_first_time_recipients_per_day"]
            ),
            sender_allowlist=_json_list(row[prefix + "sender_allowlist"]),
            submission_save_sent=bool(row[prefix + "submission_save_sent"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginAddressRecord:
    """An address of an account, with the account and domain it belongs to."""

    id: int
    localpart: str
    """Lower-cased, without catch-all suffix."""
    fromid_login: bool
    account: AccountRecord
    domain: DomainRecord

"""Accounts, their login addresses and their settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A login address of an account."""

    Address: str = ""
    """The address, e.g. `"alice@example.com"`."""
    FromIDLogin: bool = False
    """Logging in with exactly this address turns on fromid mode (unique MAIL FROM per
    message, for matching bounces)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Webhooks:
    """An account's webhook settings (the signing secret is never shown here)."""

    OutgoingURL: str = ""
    """URL for delivery events, e.g. `"https://app.example/hooks/mail"`; "" for none."""
    OutgoingAuthorization: bool = False
    """Whether an Authorization header value is set for outgoing webhooks."""
    OutgoingEvents: list[str] = field(default_factory=list)
    """Subscribed events, e.g. `["failed", "delivered"]`; empty for all."""
    IncomingURL: str = ""
    """URL for incoming messages; "" for none."""
    IncomingAuthorization: bool = False
    """Whether an Authorization header value is set for incoming webhooks."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """An account and its settings."""

    Name: str = ""
    """Account name, e.g. `"alice"`."""
    FullName: str = ""
    """Display name used as the default From name, e.g. `"Alice Liddell"`."""
    Role: str = ""
    """`user`, `domainadmin` or `admin`."""
    AdminDomains: list[str] = field(default_factory=list)
    """For a domain admin: the domains it administers."""
    Addresses: list[Address] = field(default_factory=list)
    """Login addresses, oldest first."""
    LoginDisabled: str = ""
    """Non-empty: logins are refused, and this says why."""
    SubmissionDisabled: bool = False
    """SMTP submission is refused (AUTH on the submission ports fails). The webapi is not
    affected; LoginDisabled stops both."""
    SubmissionSaveSent: bool = False
    """SMTP submissions are also stored in the Sent mailbox."""
    SenderAllowList: list[str] = field(default_factory=list)
    """Extra From addresses: `"bob@example.org"`, `"@example.org"` (a whole domain) or `"*"`."""
    MaxMessagesPerDay: int = 0
    """Messages (counted per recipient) per 24 hours; 0 for no limit."""
    MaxFirstTimeRecipientsPerDay: int = 0
    """New recipients per 24 hours; 0 for no limit."""
    KeepRetiredMessageSeconds: int = 0
    """How long delivered and failed messages are kept (needed to match bounces)."""
    KeepRetiredWebhookSeconds: int = 0
    """How long sent and failed webhooks are kept."""
    Webhooks: Webhooks = field(default_factory=Webhooks)
    """Webhook settings."""
    HasPassword: bool = False
    """Whether a password (or password hash) is set."""
    Created: datetime | None = None
    """When the account was created (RFC 3339)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountResult:
    """The account as it is now."""

    Account: Account = field(default_factory=Account)
    """The account."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountCreateRequest:
    """Create an account with its first login address and default mailboxes."""

    Name: str = ""
    """Required. Account name, e.g. `"alice"` or `"alice@example.com"`: letters, digits,
    `.`, `-`, `_`, `@`, `+`; at most 200."""
    Address: str = ""
    """Required. First login address, e.g. `"alice@example.com"`, on an existing domain."""
    Password: str = ""
    """Optional password; without one (and without PasswordHash) the account cannot log in
    until one is set."""
    PasswordHash: str = ""
    """Optional hash instead of Password: `$6$…` (SHA-512-crypt), `$2b$…` (bcrypt) or
    `$argon2id$…`."""
    FullName: str = ""
    """Optional display name, e.g. `"Alice Liddell"`."""
    FromIDLogin: bool = False
    """Optional: the first address is a fromid login address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountListRequest:
    """List accounts by name, a page at a time (keyset pagination)."""

    Domain: str = ""
    """Optional: only accounts with an address on this domain."""
    After: str = ""
    """Optional: the `Next` of the previous page; "" for the first page."""
    Limit: int = 0
    """Optional page size, 1 to 1000; 0 for 100."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountListResult:
    """One page of accounts."""

    Accounts: list[Account] = field(default_factory=list)
    """Accounts ordered by name."""
    Next: str = ""
    """Pass as `After` for the next page; "" when this was the last page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountGetRequest:
    """Get one account."""

    Name: str = ""
    """Required. Account name, e.g. `"alice"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountUpdateRequest:
    """Change an account's settings; null leaves a setting as it is."""

    Name: str = ""
    """Required. Account name, e.g. `"alice"`."""
    FullName: str | None = None
    """Optional display name."""
    Role: str | None = None
    """Optional: `user`, `domainadmin` or `admin` (global admins only)."""
    AdminDomains: list[str] | None = None
    """Optional domains a domain admin administers (global admins only)."""
    LoginDisabled: str | None = None
    """Optional: a reason disables logins, "" enables them."""
    SubmissionDisabled: bool | None = None
    """Optional: true refuses SMTP submission, false allows it."""
    SubmissionSaveSent: bool | None = None
    """Optional: store SMTP submissions in the Sent mailbox."""
    SenderAllowList: list[str] | None = None
    """Optional new allow-list: exact addresses, `@domain`, or `*`. A domain admin may
    list only addresses on its own domains (else `forbidden`)."""
    MaxMessagesPerDay: int | None = None
    """Optional limit, 0 for none."""
    MaxFirstTimeRecipientsPerDay: int | None = None
    """Optional limit, 0 for none."""
    KeepRetiredMessageSeconds: int | None = None
    """Optional retention of retired messages, in seconds."""
    KeepRetiredWebhookSeconds: int | None = None
    """Optional retention of retired webhooks, in seconds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountPasswordSetRequest:
    """Set an account's password (or password hash)."""

    Name: str = ""
    """Required. Account name."""
    Password: str = ""
    """The new password. Exactly one of Password and PasswordHash."""
    PasswordHash: str = ""
    """A crypt hash instead: `$6$…`, `$2b$…` or `$argon2id$…`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountWebhooksSetRequest:
    """Change an account's webhook settings; null leaves a setting as it is."""

    Name: str = ""
    """Required. Account name."""
    OutgoingURL: str | None = None
    """Optional http(s) URL for delivery events; "" for none."""
    OutgoingAuthorization: str | None = None
    """Optional Authorization header value for outgoing webhooks."""
    OutgoingEvents: list[str] | None = None
    """Optional subscribed events; `[]` for all."""
    IncomingURL: str | None = None
    """Optional http(s) URL for incoming messages; "" for none."""
    IncomingAuthorization: str | None = None
    """Optional Authorization header value for incoming webhooks."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountWebhookSecretRotateRequest:
    """Replace the account's webhook signing secret with a new random one."""

    Name: str = ""
    """Required. Account name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookSecretResult:
    """The new secret, shown once."""

    Secret: str = ""
    """Standard Webhooks secret, `whsec_…`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountDeleteRequest:
    """Delete an account with all its data: addresses, mailboxes, messages, queue rows,
    suppressions, webhooks and API keys."""

    Name: str = ""
    """Required. Account name."""
    Confirm: str = ""
    """Required: the account name again, so a slip does not delete an account."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressAddRequest:
    """Add a login address to an account."""

    Account: str = ""
    """Required. Account name."""
    Address: str = ""
    """Required. The address, e.g. `"alice@example.com"`, on an existing domain."""
    FromIDLogin: bool = False
    """Optional: logging in with this address turns on fromid mode."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressRemoveRequest:
    """Remove a login address (not the account's last one)."""

    Address: str = ""
    """Required. The address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressFromIDSetRequest:
    """Make a login address a fromid login address, or not."""

    Address: str = ""
    """Required. The address."""
    FromIDLogin: bool = False
    """Whether logging in with it turns on fromid mode."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Empty:
    """No result fields."""

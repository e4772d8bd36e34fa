"""The account API: an account's own settings (the caller's, named by its login)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnAccountGetRequest:
    """Get the caller's account and settings."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnPasswordSetRequest:
    """Change the caller's password."""

    CurrentPassword: str = ""
    """Required. The password now (also when logged in with an API key)."""
    NewPassword: str = ""
    """Required. The new password."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnSettingsSetRequest:
    """Change the caller's own settings; null leaves a setting as it is."""

    FullName: str | None = None
    """Optional display name, e.g. `"Alice Liddell"`."""
    SubmissionSaveSent: bool | None = None
    """Optional: store SMTP submissions in the Sent mailbox."""
    KeepRetiredMessageSeconds: int | None = None
    """Optional retention of retired messages, in seconds."""
    KeepRetiredWebhookSeconds: int | None = None
    """Optional retention of retired webhooks, in seconds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnWebhooksSetRequest:
    """Change the caller's webhook settings; null leaves a setting as it is."""

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
class OwnWebhookSecretRotateRequest:
    """Replace the caller's webhook signing secret."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnAPIKeyCreateRequest:
    """Create a webapi key for the caller's account; the token is shown once."""

    Name: str = ""
    """Optional description, e.g. `"billing service"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnAPIKeyListRequest:
    """List the caller's API keys."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnAPIKeyRevokeRequest:
    """Revoke one of the caller's API keys."""

    ID: int = 0
    """Required. Key ID."""

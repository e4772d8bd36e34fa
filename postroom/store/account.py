"""Tortoise models for who may send: domains, accounts, their login addresses, aliases, API keys.

Behaviour (authentication, limits, provisioning) lives in the layers above;
these classes only describe rows and the indexes that look them up.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from postroom.store.timestamps import utc_now


class Domain(Model):
    """A mail domain this server is responsible for."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=253, unique=True)
    """Lower-case Unicode form, e.g. `example.com`."""
    catchall_separators = fields.JSONField[list[str]](default=list)
    """Localpart separators, e.g. `["+"]`. The first one builds fromid MAIL FROM addresses."""
    disabled = fields.BooleanField(default=False)
    created = fields.DatetimeField(default=utc_now)
    forward_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="forwarding_domains", null=True, on_delete=fields.SET_NULL
    )
    """The account whose queue holds mail forwarded on the domain's behalf: copies for
    alias members on other servers, and reports returned to its SRS addresses. None:
    such mail is refused."""

    class Meta:
        table = "domain"


class Account(Model):
    """A sending and receiving identity with its own settings, queue rows and mailboxes."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, unique=True)
    full_name = fields.CharField(max_length=500, default="")
    password_hash = fields.CharField(max_length=255, default="")
    """`scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`, or empty for no password login."""
    login_disabled = fields.CharField(max_length=500, default="")
    """Non-empty: logins are refused, and this text says why."""
    submission_disabled = fields.BooleanField(default=False)
    submission_save_sent = fields.BooleanField(default=False)
    """Store a copy of each message submitted over SMTP in the Sent mailbox (for clients
    that do not save their own copy, as IMAP clients do)."""
    role = fields.CharField(max_length=20, default="user")
    """`user`, `domainadmin` or `admin`."""
    keep_retired_messages_seconds = fields.BigIntField(default=0)
    keep_retired_webhooks_seconds = fields.BigIntField(default=0)
    max_outgoing_messages_per_day = fields.IntField(default=0)
    """0 means no limit."""
    max_first_time_recipients_per_day = fields.IntField(default=0)
    """0 means no limit."""
    sender_allowlist = fields.JSONField[list[str]](default=list)
    """Extra From addresses: exact addresses, `@domain` for a whole domain, or `*`."""
    outgoing_webhook_url = fields.CharField(max_length=2000, default="")
    outgoing_webhook_authorization = fields.CharField(max_length=2000, default="")
    outgoing_webhook_events = fields.JSONField[list[str]](default=list)
    """Subscribed outgoing events (empty: all)."""
    incoming_webhook_url = fields.CharField(max_length=2000, default="")
    incoming_webhook_authorization = fields.CharField(max_length=2000, default="")
    webhook_secret = fields.CharField(max_length=200, default="")
    """Standard Webhooks signing secret, `whsec_<base64>`."""
    created = fields.DatetimeField(default=utc_now)

    class Meta:
        table = "account"


class LoginAddress(Model):
    """An address that belongs to an account: it receives mail and may log in and send."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="addresses", on_delete=fields.CASCADE
    )
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "postroom.Domain", related_name="addresses", on_delete=fields.RESTRICT
    )
    localpart = fields.CharField(max_length=255)
    """Lower-cased localpart without catch-all suffix."""
    fromid_login = fields.BooleanField(default=False)
    """Logging in with this address turns on fromid mode for Send and submission."""
    created = fields.DatetimeField(default=utc_now)

    class Meta:
        table = "login_address"
        unique_together = (("domain", "localpart"),)


class Alias(Model):
    """An address that expands to other recipients at delivery."""

    id = fields.IntField(primary_key=True)
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "postroom.Domain", related_name="aliases", on_delete=fields.RESTRICT
    )
    localpart = fields.CharField(max_length=255)
    members = fields.JSONField[list[str]](default=list)
    """Recipient addresses, local or remote."""
    members_may_send = fields.BooleanField(default=False)
    created = fields.DatetimeField(default=utc_now)

    class Meta:
        table = "alias"
        unique_together = (("domain", "localpart"),)


class ApiKey(Model):
    """A bearer token for the webapi (account keys) or the admin API (account null)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="api_keys", null=True, on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200, default="")
    prefix = fields.CharField(max_length=32, unique=True)
    """The public, non-secret start of the token, which finds the row without a scan."""
    secret_hash = fields.CharField(max_length=128)
    """SHA-256 of the full token, hex: tokens have 256 random bits, so no slow hash is needed."""
    scope = fields.CharField(max_length=20, default="webapi")
    created = fields.DatetimeField(default=utc_now)
    last_used = fields.DatetimeField(null=True)
    revoked = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"


class DomainAlias(Model):
    """Another name for a domain: mail to `x@alias` is mail to `x@domain`."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=253, unique=True)
    """Lower-case, e.g. `example.net`; never also the name of a domain."""
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "postroom.Domain", related_name="domain_aliases", on_delete=fields.CASCADE
    )
    created = fields.DatetimeField(default=utc_now)

    class Meta:
        table = "domain_alias"


class DomainAdmin(Model):
    """A domain that an account with role `domainadmin` administers."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="administered", on_delete=fields.CASCADE
    )
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "postroom.Domain", related_name="admins", on_delete=fields.CASCADE
    )

    class Meta:
        table = "domain_admin"
        unique_together = (("account", "domain"),)


class AdminSetting(Model):
    """Server-wide settings kept in the database, such as the admin password hash."""

    name = fields.CharField(max_length=100, primary_key=True)
    value = fields.TextField(default="")

    class Meta:
        table = "admin_setting"

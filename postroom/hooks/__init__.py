"""Webhooks: outgoing delivery events and incoming mail, POSTed to the account's URLs.

    payloads    the mox Outgoing and Incoming bodies (wire types)
    structure   a parsed message as NameAddress lists and a Structure (shared with webapi)
    accounts    an account's webhook settings and signing secret
    outbox      delivery events (the queue's outbox) into outgoing hooks, superseding
    incoming    incoming hooks, queued with the stored message
    store       writing hook rows: queue, supersede, retire
    claim       claiming due hooks with a lease, per-URL limits
    sender      the Sender seam and the pooled aiohttp implementation
    sign        Standard Webhooks signatures
    schedule    the retry schedule
    outcome     what an attempt's result does to the hook
    runner      the loop tying it together
    operations  list, retry, cancel (CLI, admin API)
    cleanup     expired retired hooks and consumed outbox events
    results     per-attempt result records
    errors      HookError and its subclasses

Other subpackages import only the names in `__all__`.
"""

from __future__ import annotations

from postroom.hooks.accounts import AccountHooks, WebhookSettings, check_url, configure_webhooks
from postroom.hooks.addresses import AddressPolicy
from postroom.hooks.cleanup import HookCleanupCounts, clean_up_hooks
from postroom.hooks.errors import HookConfigError, HookError, SecretError
from postroom.hooks.incoming import (
    Arrival,
    accounts_with_incoming_hooks,
    incoming_payload,
    queue_incoming_hook,
)
from postroom.hooks.operations import (
    INCOMING,
    HookFilter,
    HookPage,
    HookSort,
    QueuedHook,
    RetiredHook,
    cancel_hooks,
    list_hooks,
    list_retired_hooks,
    retry_hooks,
)
from postroom.hooks.outbox import outgoing_payload
from postroom.hooks.payloads import (
    Incoming,
    IncomingMeta,
    NameAddress,
    Outgoing,
    OutgoingEvent,
    Structure,
)
from postroom.hooks.results import HookResult
from postroom.hooks.runner import HookRunner, HookRunnerSettings
from postroom.hooks.sender import HookRequest, HookResponse, HTTPSender, Sender
from postroom.hooks.sign import new_secret, secret_key, signature
from postroom.hooks.structure import name_addresses, structure_of

__all__ = [
    "INCOMING",
    "AccountHooks",
    "AddressPolicy",
    "Arrival",
    "HTTPSender",
    "HookCleanupCounts",
    "HookConfigError",
    "HookError",
    "HookFilter",
    "HookPage",
    "HookRequest",
    "HookResponse",
    "HookResult",
    "HookRunner",
    "HookRunnerSettings",
    "HookSort",
    "Incoming",
    "IncomingMeta",
    "NameAddress",
    "Outgoing",
    "OutgoingEvent",
    "QueuedHook",
    "RetiredHook",
    "SecretError",
    "Sender",
    "Structure",
    "WebhookSettings",
    "accounts_with_incoming_hooks",
    "cancel_hooks",
    "check_url",
    "clean_up_hooks",
    "configure_webhooks",
    "incoming_payload",
    "list_hooks",
    "list_retired_hooks",
    "name_addresses",
    "new_secret",
    "outgoing_payload",
    "queue_incoming_hook",
    "retry_hooks",
    "secret_key",
    "signature",
    "structure_of",
]

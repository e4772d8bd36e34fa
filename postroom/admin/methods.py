"""The method tables of the admin API and the account API: one row per method, the single
source for routing, role checks and docs."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from postroom.admin import (
    accounts,
    addresses,
    aliases,
    domains,
    hookops,
    keys,
    own,
    queueops,
    suppressions,
)
from postroom.admin.context import AdminCall
from postroom.admin.types import accounts as account_types
from postroom.admin.types import aliases as alias_types
from postroom.admin.types import domains as domain_types
from postroom.admin.types import hooks as hook_types
from postroom.admin.types import keys as key_types
from postroom.admin.types import own as own_types
from postroom.admin.types import queue as queue_types


class Access(enum.StrEnum):
    """Who may call a method."""

    ADMIN = "admin"
    """Global admins only."""
    DOMAIN_ADMIN = "domainadmin"
    """Global admins, and domain admins on the objects of their domains."""
    ACCOUNT = "account"
    """Any account, on itself (the account API)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Method:
    name: str
    request_type: type[Any]
    result_type: type[Any]
    handler: Callable[[AdminCall, Any], Awaitable[Any]]
    access: Access

    @property
    def doc(self) -> str:
        return (self.handler.__doc__ or "").strip()


def _table(*methods: Method) -> dict[str, Method]:
    return {m.name: m for m in methods}


_A, _D = Access.ADMIN, Access.DOMAIN_ADMIN
_acc, _dom, _ali, _key, _q, _hk = (
    account_types,
    domain_types,
    alias_types,
    key_types,
    queue_types,
    hook_types,
)

ADMIN_METHODS: dict[str, Method] = _table(
    Method(
        name="DomainCreate",
        request_type=_dom.DomainCreateRequest,
        result_type=_dom.DomainResult,
        handler=domains.domain_create,
        access=_A,
    ),
    Method(
        name="DomainList",
        request_type=_dom.DomainListRequest,
        result_type=_dom.DomainListResult,
        handler=domains.domain_list,
        access=_D,
    ),
    Method(
        name="DomainGet",
        request_type=_dom.DomainGetRequest,
        result_type=_dom.DomainResult,
        handler=domains.domain_get,
        access=_D,
    ),
    Method(
        name="DomainUpdate",
        request_type=_dom.DomainUpdateRequest,
        result_type=_dom.DomainResult,
        handler=domains.domain_update,
        access=_A,
    ),
    Method(
        name="DomainDelete",
        request_type=_dom.DomainDeleteRequest,
        result_type=_dom.DomainDeleteResult,
        handler=domains.domain_delete,
        access=_A,
    ),
    Method(
        name="DomainAliasAdd",
        request_type=_dom.DomainAliasAddRequest,
        result_type=_acc.Empty,
        handler=domains.domain_alias_add,
        access=_A,
    ),
    Method(
        name="DomainAliasRemove",
        request_type=_dom.DomainAliasRemoveRequest,
        result_type=_acc.Empty,
        handler=domains.domain_alias_remove,
        access=_A,
    ),
    Method(
        name="AccountCreate",
        request_type=_acc.AccountCreateRequest,
        result_type=_acc.AccountResult,
        handler=accounts.account_create,
        access=_D,
    ),
    Method(
        name="AccountList",
        request_type=_acc.AccountListRequest,
        result_type=_acc.AccountListResult,
        handler=accounts.account_list,
        access=_D,
    ),
    Method(
        name="AccountGet",
        request_type=_acc.AccountGetRequest,
        result_type=_acc.AccountResult,
        handler=accounts.account_get,
        access=_D,
    ),
    Method(
        name="AccountUpdate",
        request_type=_acc.AccountUpdateRequest,
        result_type=_acc.AccountResult,
        handler=accounts.account_update,
        access=_D,
    ),
    Method(
        name="AccountPasswordSet",
        request_type=_acc.AccountPasswordSetRequest,
        result_type=_acc.Empty,
        handler=accounts.account_password_set,
        access=_D,
    ),
    Method(
        name="AccountWebhooksSet",
        request_type=_acc.AccountWebhooksSetRequest,
        result_type=_acc.AccountResult,
        handler=accounts.account_webhooks_set,
        access=_D,
    ),
    Method(
        name="AccountWebhookSecretRotate",
        request_type=_acc.AccountWebhookSecretRotateRequest,
        result_type=_acc.WebhookSecretResult,
        handler=accounts.account_webhook_secret_rotate,
        access=_D,
    ),
    Method(
        name="AccountDelete",
        request_type=_acc.AccountDeleteRequest,
        result_type=_acc.Empty,
        handler=accounts.account_delete,
        access=_D,
    ),
    Method(
        name="AddressAdd",
        request_type=_acc.AddressAddRequest,
        result_type=_acc.Empty,
        handler=addresses.address_add,
        access=_D,
    ),
    Method(
        name="AddressRemove",
        request_type=_acc.AddressRemoveRequest,
        result_type=_acc.Empty,
        handler=addresses.address_remove,
        access=_D,
    ),
    Method(
        name="AddressFromIDSet",
        request_type=_acc.AddressFromIDSetRequest,
        result_type=_acc.Empty,
        handler=addresses.address_fromid_set,
        access=_D,
    ),
    Method(
        name="AliasSet",
        request_type=_ali.AliasSetRequest,
        result_type=_ali.AliasResult,
        handler=aliases.alias_set,
        access=_D,
    ),
    Method(
        name="AliasRemove",
        request_type=_ali.AliasRemoveRequest,
        result_type=_acc.Empty,
        handler=aliases.alias_remove,
        access=_D,
    ),
    Method(
        name="AliasList",
        request_type=_ali.AliasListRequest,
        result_type=_ali.AliasListResult,
        handler=aliases.alias_list,
        access=_D,
    ),
    Method(
        name="APIKeyCreate",
        request_type=_key.APIKeyCreateRequest,
        result_type=_key.APIKeyCreateResult,
        handler=keys.apikey_create,
        access=_D,
    ),
    Method(
        name="APIKeyList",
        request_type=_key.APIKeyListRequest,
        result_type=_key.APIKeyListResult,
        handler=keys.apikey_list,
        access=_D,
    ),
    Method(
        name="APIKeyRevoke",
        request_type=_key.APIKeyRevokeRequest,
        result_type=_acc.Empty,
        handler=keys.apikey_revoke,
        access=_D,
    ),
    Method(
        name="QueueList",
        request_type=_q.QueueListRequest,
        result_type=_q.QueueListResult,
        handler=queueops.queue_list,
        access=_D,
    ),
    Method(
        name="QueueHold",
        request_type=_q.QueueChangeRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_hold,
        access=_D,
    ),
    Method(
        name="QueueRelease",
        request_type=_q.QueueChangeRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_release,
        access=_D,
    ),
    Method(
        name="QueueRetry",
        request_type=_q.QueueChangeRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_retry,
        access=_D,
    ),
    Method(
        name="QueueDelay",
        request_type=_q.QueueDelayRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_delay,
        access=_D,
    ),
    Method(
        name="QueueFail",
        request_type=_q.QueueChangeRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_fail,
        access=_D,
    ),
    Method(
        name="QueueDrop",
        request_type=_q.QueueChangeRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_drop,
        access=_D,
    ),
    Method(
        name="QueueTransportSet",
        request_type=_q.QueueTransportSetRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_transport_set,
        access=_D,
    ),
    Method(
        name="QueueRequireTLSSet",
        request_type=_q.QueueRequireTLSSetRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_require_tls_set,
        access=_D,
    ),
    Method(
        name="QueuePause",
        request_type=_q.QueuePauseRequest,
        result_type=_q.HoldRuleAddResult,
        handler=queueops.queue_pause,
        access=_A,
    ),
    Method(
        name="QueueResume",
        request_type=_q.QueueResumeRequest,
        result_type=_q.CountResult,
        handler=queueops.queue_resume,
        access=_A,
    ),
    Method(
        name="RetiredList",
        request_type=_q.RetiredListRequest,
        result_type=_q.RetiredListResult,
        handler=queueops.retired_list,
        access=_D,
    ),
    Method(
        name="HoldRuleList",
        request_type=_q.HoldRuleListRequest,
        result_type=_q.HoldRuleListResult,
        handler=queueops.holdrule_list,
        access=_D,
    ),
    Method(
        name="HoldRuleAdd",
        request_type=_q.HoldRuleAddRequest,
        result_type=_q.HoldRuleAddResult,
        handler=queueops.holdrule_add,
        access=_D,
    ),
    Method(
        name="HoldRuleRemove",
        request_type=_q.HoldRuleRemoveRequest,
        result_type=_acc.Empty,
        handler=queueops.holdrule_remove,
        access=_D,
    ),
    Method(
        name="HookList",
        request_type=_hk.HookListRequest,
        result_type=_hk.HookListResult,
        handler=hookops.hook_list,
        access=_D,
    ),
    Method(
        name="HookRetiredList",
        request_type=_hk.HookListRequest,
        result_type=_hk.HookListResult,
        handler=hookops.hook_retired_list,
        access=_D,
    ),
    Method(
        name="HookRetry",
        request_type=_hk.HookChangeRequest,
        result_type=_q.CountResult,
        handler=hookops.hook_retry,
        access=_D,
    ),
    Method(
        name="HookCancel",
        request_type=_hk.HookChangeRequest,
        result_type=_q.CountResult,
        handler=hookops.hook_cancel,
        access=_D,
    ),
    Method(
        name="SuppressionList",
        request_type=_q.SuppressionListRequest,
        result_type=_q.SuppressionListResult,
        handler=suppressions.suppression_list,
        access=_D,
    ),
    Method(
        name="SuppressionAdd",
        request_type=_q.SuppressionAccountRequest,
        result_type=_acc.Empty,
        handler=suppressions.suppression_add,
        access=_D,
    ),
    Method(
        name="SuppressionRemove",
        request_type=_q.SuppressionAccountRequest,
        result_type=_acc.Empty,
        handler=suppressions.suppression_remove,
        access=_D,
    ),
    Method(
        name="SuppressionPresent",
        request_type=_q.SuppressionAccountRequest,
        result_type=_q.SuppressionPresentResult,
        handler=suppressions.suppression_present,
        access=_D,
    ),
)
"""`/admin/api/v0/<Method>`."""

_O = Access.ACCOUNT
ACCOUNT_METHODS: dict[str, Method] = _table(
    Method(
        name="AccountGet",
        request_type=own_types.OwnAccountGetRequest,
        result_type=_acc.AccountResult,
        handler=own.own_account_get,
        access=_O,
    ),
    Method(
        name="PasswordSet",
        request_type=own_types.OwnPasswordSetRequest,
        result_type=_acc.Empty,
        handler=own.own_password_set,
        access=_O,
    ),
    Method(
        name="SettingsSet",
        request_type=own_types.OwnSettingsSetRequest,
        result_type=_acc.AccountResult,
        handler=own.own_settings_set,
        access=_O,
    ),
    Method(
        name="WebhooksSet",
        request_type=own_types.OwnWebhooksSetRequest,
        result_type=_acc.AccountResult,
        handler=own.own_webhooks_set,
        access=_O,
    ),
    Method(
        name="WebhookSecretRotate",
        request_type=own_types.OwnWebhookSecretRotateRequest,
        result_type=_acc.WebhookSecretResult,
        handler=own.own_webhook_secret_rotate,
        access=_O,
    ),
    Method(
        name="APIKeyCreate",
        request_type=own_types.OwnAPIKeyCreateRequest,
        result_type=_key.APIKeyCreateResult,
        handler=own.own_apikey_create,
        access=_O,
    ),
    Method(
        name="APIKeyList",
        request_type=own_types.OwnAPIKeyListRequest,
        result_type=_key.APIKeyListResult,
        handler=own.own_apikey_list,
        access=_O,
    ),
    Method(
        name="APIKeyRevoke",
        request_type=own_types.OwnAPIKeyRevokeRequest,
        result_type=_acc.Empty,
        handler=own.own_apikey_revoke,
        access=_O,
    ),
)
"""`/account/api/v0/<Method>`."""

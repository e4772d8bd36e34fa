"""Errors of the webhook layer.

PostroomError
└── HookError          a webhook operation cannot be done
    ├── SecretError    a signing secret is not `whsec_` + base64
    └── HookConfigError  a webhook setting is invalid (URL, event name)
"""

from __future__ import annotations

from postroom.errors import PostroomError


class HookError(PostroomError):
    """A webhook operation cannot be done."""


class SecretError(HookError):
    """A signing secret is not `whsec_` followed by base64."""


class HookConfigError(HookError):
    """A webhook setting is invalid."""

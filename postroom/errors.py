"""The root of every Postroom exception.

PostroomError
├── ConfigError            (postroom.config)
├── mail.errors.MailError  (address parsing, composing)
├── dsn.errors.DSNError
├── store.errors.StoreError
├── wire.errors.WireError  (a request that does not decode)
└── webapi.errors.APIError (carries a wire Code)
"""

from __future__ import annotations


class PostroomError(Exception):
    """Base class for all errors raised by Postroom code."""

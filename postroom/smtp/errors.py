"""Errors of the SMTP listeners. Handlers answer each with a named reply (`smtp.codes`),
never with its text.

PostroomError
└── SMTPError
    ├── HeaderSectionError           the message has no header section, or a broken one
    │   ├── MissingBodyError         no empty line between header and body
    │   └── FromHeaderError          not exactly one From field with one address
    ├── DuplicateExtraKeyError       an X-Mox-Extra- / X-Postroom-Extra- key given twice
    └── RecipientError               an incoming recipient we do not accept
        ├── RelayDeniedError         not one of our domains
        ├── NoSuchUserError          our domain, but no such address or alias
        ├── DomainDisabledError      our domain, temporarily disabled
        ├── AliasRemoteMembersError  an alias with members elsewhere, and no forwarding account
        └── InvalidReturnAddressError  an SRS address we did not make, or expired
"""

from __future__ import annotations

from postroom.errors import PostroomError


class SMTPError(PostroomError):
    """Something an SMTP client sent cannot be accepted."""


class HeaderSectionError(SMTPError):
    """The message's header section cannot be read."""


class MissingBodyError(HeaderSectionError):
    """The message has no empty line ending its header section (RFC 5322 §2.1)."""


class FromHeaderError(HeaderSectionError):
    """RFC 5322 §3.6: the From field must occur once; submission needs one address in it."""


class DuplicateExtraKeyError(SMTPError):
    """Two extra headers have the same canonical key."""

    def __init__(self, prefix: str, key: str) -> None:
        super().__init__(f"duplicate {prefix.lower()} key {key!r}")
        self.prefix = prefix
        self.key = key


class RecipientError(SMTPError):
    """An incoming recipient is refused."""


class RelayDeniedError(RecipientError):
    """The recipient's domain is not ours: we never relay for the incoming port."""


class NoSuchUserError(RecipientError):
    """The domain is ours, but nothing receives mail at the address."""


class DomainDisabledError(RecipientError):
    """The domain is ours but temporarily disabled."""


class AliasRemoteMembersError(RecipientError):
    """The address is an alias with members on other servers, and its domain has no
    forwarding account to queue the forwards; refused rather than delivered in part."""


class InvalidReturnAddressError(RecipientError):
    """An SRS address on our domain that we did not make, that was damaged, or that
    expired; or one on a domain without a forwarding account."""

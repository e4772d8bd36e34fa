"""Errors of the admin and account APIs: the wire `Code` values and the exception.

    PostroomError
    └── AdminError    Code + Message, answered as {"Code": …, "Message": …}

Methods raise AdminError with a code from `AdminCode`; the app answers any other
exception with Code `server` and no details. The CLI prints the message.
"""

from __future__ import annotations

import enum

from postroom.errors import PostroomError


class AdminCode(enum.StrEnum):
    """The `Code` of an admin or account API error response."""

    PROTOCOL = "protocol"
    """Bad or missing Content-Type, unparseable form or JSON, unknown fields, wrong types."""
    SERVER = "server"
    """An internal failure; the message says what failed, never how."""
    USER = "user"
    """Invalid input that has no more specific code (a negative quota, an unknown role)."""
    UNAUTHORIZED = "unauthorized"
    """HTTP 401: no credentials, or they identify nobody."""
    LOGIN_DISABLED = "loginDisabled"
    """HTTP 401: the account exists but its logins are disabled."""
    RATE_LIMITED = "rateLimited"
    """HTTP 429: too many failed logins from the client's network."""
    FORBIDDEN = "forbidden"
    """HTTP 403: the caller's role may not call this method, or not on this object."""
    NOT_FOUND = "notFound"
    """No such method, domain, account, address, alias, API key or hold rule."""
    METHOD_NOT_ALLOWED = "methodNotAllowed"
    """The HTTP method is not POST."""
    REQUEST_TOO_LARGE = "requestTooLarge"
    """HTTP 413: the request body is over `http.max_request_bytes`."""
    EXISTS = "exists"
    """A domain, account, address or alias by that name exists already."""
    IN_USE = "inUse"
    """The domain still has accounts, addresses or aliases (delete with Force)."""
    CONFIRMATION_REQUIRED = "confirmationRequired"
    """Deleting an account needs `Confirm` equal to the account's name."""
    BAD_ADDRESS = "badAddress"
    """An email address cannot be parsed, or is not on the expected domain."""
    BAD_DOMAIN = "badDomain"
    """A domain name is not a valid DNS name."""
    BAD_PASSWORD = "badPassword"
    """A password is empty or too long, a password hash is in no known format, or the
    current password given to PasswordSet is wrong."""
    ERROR = "error"
    """A plain error, as the webapi's: adding a suppression that exists, removing one
    that does not."""


STATUS = {
    AdminCode.UNAUTHORIZED: 401,
    AdminCode.LOGIN_DISABLED: 401,
    AdminCode.RATE_LIMITED: 429,
    AdminCode.FORBIDDEN: 403,
    AdminCode.METHOD_NOT_ALLOWED: 405,
    AdminCode.REQUEST_TOO_LARGE: 413,
}
"""HTTP statuses other than 400."""


class AdminError(PostroomError):
    """A failure reported as `{"Code": code, "Message": message}`."""

    def __init__(self, code: AdminCode, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS.get(code, 400)
        """The HTTP status of the answer."""

    def __repr__(self) -> str:
        return f"AdminError({self.code.value!r}, {self.message!r})"


def not_found(what: str, name: object) -> AdminError:
    return AdminError(AdminCode.NOT_FOUND, f"no {what} {name!r}")


def forbidden(message: str) -> AdminError:
    return AdminError(AdminCode.FORBIDDEN, message)

"""SMTP AUTH PLAIN (RFC 4616) and LOGIN for the submission listeners (RFC 4954).

aiosmtpd's own mechanisms call a synchronous authenticator; these replace them so the
login is checked by the shared `LoginVerifier` (credential cache, failed-login limits
per client network) without blocking the event loop. Whether AUTH is offered at all
(TLS, or a loopback listener) is decided where the listener is built.
"""

from __future__ import annotations

import base64
import binascii
import logging
import unicodedata

from aiosmtpd.smtp import MISSING, AuthResult

from postroom.auth import AuthError, LoginDisabledError, RateLimitedError
from postroom.smtp import codes
from postroom.smtp.context import SMTPServices
from postroom.smtp.session import SMTPProtocol, session_state

log = logging.getLogger(__name__)


class AuthMechanisms:
    """aiosmtpd finds the `auth_<MECHANISM>` methods of the handler by name."""

    services: SMTPServices

    async def auth_PLAIN(  # noqa: N802 (aiosmtpd hook name)
        self, server: SMTPProtocol, args: list[str]
    ) -> AuthResult:
        # RFC 4954 §4: the initial response may come with the command ("=" is empty).
        response: object
        if len(args) == 1:
            response = await server.challenge_auth("")
            if response is MISSING:
                return AuthResult(success=False, handled=True)  # aiosmtpd has answered
        else:
            response = _initial_response(args[1])
        if not isinstance(response, bytes):
            return _refuse(codes.AUTH_MALFORMED)
        # RFC 4616 §2: [authzid] NUL authcid NUL passwd.
        parts = response.split(b"\x00")
        if len(parts) != 3:
            return _refuse(codes.AUTH_MALFORMED)
        authzid, authcid, password = parts
        if authzid and authzid != authcid:
            return _refuse(codes.AUTH_OTHER_IDENTITY)
        return await self._verify(server, authcid, password)

    async def auth_LOGIN(  # noqa: N802 (aiosmtpd hook name)
        self, server: SMTPProtocol, args: list[str]
    ) -> AuthResult:
        # draft-murchison-sasl-login-00: user name, then password, each base64.
        username: object
        if len(args) == 1:
            username = await server.challenge_auth(codes.LOGIN_USERNAME_CHALLENGE)
            if username is MISSING:
                return AuthResult(success=False, handled=True)
        else:
            username = _initial_response(args[1])
        if not isinstance(username, bytes):
            return _refuse(codes.AUTH_MALFORMED)
        password = await server.challenge_auth(codes.LOGIN_PASSWORD_CHALLENGE)
        if not isinstance(password, bytes):
            return AuthResult(success=False, handled=True)
        return await self._verify(server, username, password)

    async def _verify(self, server: SMTPProtocol, username: bytes, password: bytes) -> AuthResult:
        try:
            login_name = unicodedata.normalize("NFC", username.decode("utf-8"))
            secret = password.decode("utf-8")
        except UnicodeDecodeError:
            return _refuse(codes.AUTH_INVALID)
        try:
            login = await self.services.verifier.verify(login_name, secret, server.client_ip)
        except RateLimitedError:
            return _refuse(codes.AUTH_RATE_LIMITED)
        except LoginDisabledError:
            return _refuse(codes.LOGIN_DISABLED)
        except AuthError:
            log.info("SMTP submission from %s: failed login %r", server.client_ip, login_name)
            return _refuse(codes.AUTH_INVALID)
        if login.account.submission_disabled:
            return _refuse(codes.SUBMISSION_DISABLED)
        session_state(server.session).login = login
        log.info("SMTP submission from %s: logged in as %s", server.client_ip, login_name)
        return AuthResult(success=True, auth_data=login, message=codes.AUTH_SUCCEEDED.line())


def _initial_response(text: str) -> bytes | None:
    if text == "=":
        return b""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _refuse(reply: codes.Reply) -> AuthResult:
    return AuthResult(success=False, handled=False, message=reply.line())

"""The credentials of an HTTP request (Basic or Bearer) and the client's IP address."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from starlette.requests import Request


@dataclass(frozen=True, slots=True, kw_only=True)
class Basic:
    username: str
    password: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Bearer:
    token: str


def request_credentials(request: Request) -> Basic | Bearer | None:
    """The `Authorization` header's credentials, or None if absent or undecodable."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return Bearer(token=value) if value else None
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    if not colon:
        return None
    return Basic(username=username, password=password)


def client_ip(request: Request, *, forwarded: bool) -> str:
    """The client's address: the first `X-Forwarded-For` entry behind a proxy, else the peer."""
    if forwarded:
        first = request.headers.get("x-forwarded-for", "").split(",", 1)[0].strip()
        if first:
            return first
    return request.client.host if request.client else "unknown"

"""The mox-compatible webapi: `/webapi/v0/<Method>`, its wire types and its errors."""

from __future__ import annotations

from postroom.webapi.app import create_app, create_webapi_routes
from postroom.webapi.context import Call, WebapiServices
from postroom.webapi.errors import APIError, ErrorCode
from postroom.webapi.methods import METHODS, Method

__all__ = [
    "METHODS",
    "APIError",
    "Call",
    "ErrorCode",
    "Method",
    "WebapiServices",
    "create_app",
    "create_webapi_routes",
]

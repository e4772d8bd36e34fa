"""HTTP plumbing shared by the webapi, the admin API and the account API: reading a
call (form, multipart or JSON body with the `request` field) and its credentials
(Basic or Bearer), below the APIs so that sibling APIs need not import each other."""

from __future__ import annotations

from postroom.rpc.credentials import Basic, Bearer, client_ip, request_credentials
from postroom.rpc.errors import RequestError, RequestTooLargeError
from postroom.rpc.transport import (
    FILE_FIELDS,
    MAX_MULTIPART_PARTS,
    BodyLimits,
    CallBody,
    UploadedFile,
    read_call_body,
)

__all__ = [
    "FILE_FIELDS",
    "MAX_MULTIPART_PARTS",
    "Basic",
    "Bearer",
    "BodyLimits",
    "CallBody",
    "RequestError",
    "RequestTooLargeError",
    "UploadedFile",
    "client_ip",
    "read_call_body",
    "request_credentials",
]

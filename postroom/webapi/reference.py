"""The webapi as documentation: its method table read into an `ApiTable`, for its method
pages, the OpenAPI document and docs/webapi.md."""

from __future__ import annotations

from postroom.apidoc import ApiTable, Auth
from postroom.webapi.errors import STATUS, ErrorCode
from postroom.webapi.methods import METHODS
from postroom.webapi.transport import FILE_FIELDS

BASE_PATH = "/webapi/v0/"

WEBAPI = ApiTable.from_methods(
    METHODS.values(),
    name="webapi",
    title="Webapi",
    base_path=BASE_PATH,
    summary="Send messages and manage the account's suppression list and stored messages."
    " Wire-compatible with the webapi of mox: a client written for mox works unchanged.",
    error_codes=ErrorCode,
    auth=(Auth.BASIC, Auth.BEARER),
    file_fields={"Send": FILE_FIELDS},
    json_error_statuses=tuple(sorted({400, *STATUS.values()})),
)
"""Every webapi method, documented from its handler and wire types."""

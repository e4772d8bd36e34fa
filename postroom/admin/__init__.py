"""Administration: the admin API (`/admin/api/v0/`), the account API (`/account/api/v0/`),
their method tables, roles, and declarative provisioning (`postroom apply`).

Other subpackages import only the names in `__all__`.
"""

from __future__ import annotations

from postroom.admin.app import ADMIN_USERNAME, create_admin_routes
from postroom.admin.context import GLOBAL_ADMIN, AdminCall, AdminServices, Principal, Role
from postroom.admin.errors import AdminCode, AdminError
from postroom.admin.methods import ACCOUNT_METHODS, ADMIN_METHODS, Access, Method
from postroom.admin.setup import has_admin_password, set_admin_password

__all__ = [
    "ACCOUNT_METHODS",
    "ADMIN_METHODS",
    "ADMIN_USERNAME",
    "GLOBAL_ADMIN",
    "Access",
    "AdminCall",
    "AdminCode",
    "AdminError",
    "AdminServices",
    "Method",
    "Principal",
    "Role",
    "create_admin_routes",
    "has_admin_password",
    "set_admin_password",
]

"""The code read as API documentation, for the server's pages and spec and for gendoc.

    docstrings  attribute docstrings read with `ast`
    structs     the structs a wire type reaches, with their docstrings checked
    table       ApiTable: an RPC API's methods, read from its method table
    schema      JSON Schema of wire types
    openapi     the OpenAPI 3.1 document of the APIs and webhooks
    pages       the HTML index and method pages
    errors      DocError, MissingDocError

It sits low (beside `mail` and `store`) and imports only the wire types, so that the
webapi and admin apps serve their pages, and the server its OpenAPI document, from the
same code that writes docs/.
"""

from __future__ import annotations

from postroom.apidoc.docstrings import (
    ClassDoc,
    attribute_docs,
    class_attribute_docs,
    module_attribute_docs,
)
from postroom.apidoc.errors import DocError, MissingDocError
from postroom.apidoc.openapi import DocumentInfo, Webhook, openapi_document, openapi_json
from postroom.apidoc.pages import index_page, method_page
from postroom.apidoc.structs import class_doc, is_struct, nested_structs
from postroom.apidoc.table import ApiTable, Auth, MethodDoc, MethodRow

__all__ = [
    "ApiTable",
    "Auth",
    "ClassDoc",
    "DocError",
    "DocumentInfo",
    "MethodDoc",
    "MethodRow",
    "MissingDocError",
    "Webhook",
    "attribute_docs",
    "class_attribute_docs",
    "class_doc",
    "index_page",
    "is_struct",
    "method_page",
    "module_attribute_docs",
    "nested_structs",
    "openapi_document",
    "openapi_json",
]

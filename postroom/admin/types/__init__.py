"""The wire types of the admin and account APIs: one module per subject.

Field names are PascalCase as in the webapi; every field has an attribute docstring,
which the generated reference shows. Optional settings in update requests are
`X | None`: null (or absent) leaves the setting as it is.
"""

"""Attribute docstrings, read by `postroom.apidoc` (which the server's pages use too)."""

from __future__ import annotations

from postroom.apidoc import ClassDoc, attribute_docs, module_attribute_docs

__all__ = ["ClassDoc", "attribute_docs", "module_attribute_docs"]

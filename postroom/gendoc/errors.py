"""Errors of the doc generator: those of `postroom.apidoc`, which reads the code.

PostroomError
└── GendocError          the code cannot be documented as it stands (apidoc's DocError)
    └── MissingDocError  a field, enum member, class or method has no docstring
"""

from __future__ import annotations

from postroom.apidoc import DocError as GendocError
from postroom.apidoc import MissingDocError

__all__ = ["GendocError", "MissingDocError"]

"""Message flags as the webapi takes and shows them: system flags and keywords.

Owns mox's rules (docs/webapi.md): flags are lower-cased; ten names are system flags;
anything else is a keyword with RFC 9051 §9 atom syntax. Flags are stored as a
lower-case list; they are shown system flags first, in mox's fixed order, then
keywords sorted.
"""

from __future__ import annotations

from collections.abc import Iterable

from postroom.webapi.errors import APIError, ErrorCode

# mox's order in MessageMeta.Flags: the `$` flags, then the `\` flags, each alphabetical.
SYSTEM_FLAGS = (
    "$forwarded",
    "$junk",
    "$mdnsent",
    "$notjunk",
    "$phishing",
    "\\answered",
    "\\deleted",
    "\\draft",
    "\\flagged",
    "\\seen",
)
# RFC 9051 §9: a flag-keyword is an atom, so none of the atom-specials: "(" ")" "{",
# SP and CTL (checked separately), list-wildcards, quoted-specials, resp-specials.
_KEYWORD_SPECIALS = frozenset('(){%*"\\]')


def parse_flags(values: Iterable[str]) -> list[str]:
    """The lower-cased flags of a request, duplicates dropped, in request order.

    A keyword that is empty, not printable ASCII, or holds a space or one of
    `(){%*"\\]` fails as `user` "parsing flags: invalid keyword <kw>". Duplicates
    are ignored, as mox does outside its pedantic mode.
    """
    flags: list[str] = []
    for value in values:
        flag = value.lower()
        if flag not in SYSTEM_FLAGS and not _is_keyword(flag):
            raise APIError(ErrorCode.USER, f"parsing flags: invalid keyword {flag}")
        if flag not in flags:
            flags.append(flag)
    return flags


def ordered_flags(stored: Iterable[str]) -> list[str]:
    """Stored flags in the order MessageMeta shows them."""
    present = set(stored)
    system = [flag for flag in SYSTEM_FLAGS if flag in present]
    return system + sorted(present.difference(SYSTEM_FLAGS))


def _is_keyword(flag: str) -> bool:
    return bool(flag) and all(" " < c <= "~" and c not in _KEYWORD_SPECIALS for c in flag)

"""Media-type style header values with parameters, as Go's `mime.FormatMediaType` writes them.

Owns parameter quoting (RFC 2045 §5.1) and RFC 2231 extended parameters for
non-ASCII values, e.g. `attachment; filename*=utf-8''%C3%BC.txt`.
"""

from __future__ import annotations

from postroom.mail.encodedword import needs_encoding

# RFC 2045 §5.1 tspecials.
_TSPECIALS = frozenset('()<>@,;:\\"/[]?=')
# RFC 2231 §7 attribute-char: CHAR except SPACE, CTLs, "*", "'", "%", or tspecials.
_ATTRIBUTE_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F)) - _TSPECIALS - set("*'%")
# Keep each RFC 2231 §3 continuation section short enough for a comfortable line.
_SECTION_LENGTH = 60
# Past this a parameter is split into continuations, so the header line stays
# under RFC 5322 §2.1.1's 998 octets with room for the header name.
_LONGEST_SINGLE = 900


def format_media_type(value: str, params: dict[str, str]) -> str:
    """`value; key=param` with params sorted by key, each a token, quoted-string or RFC 2231.

    `value` (e.g. "attachment" or "text/plain") must already be a valid token.
    """
    parts = [value.lower()]
    for key in sorted(params):
        parts.append(_format_param(key.lower(), params[key]))
    return "; ".join(parts)


def _format_param(key: str, value: str) -> str:
    if needs_encoding(value):
        encoded = _percent_encode(value)
        if len(encoded) <= _LONGEST_SINGLE:
            return f"{key}*=utf-8''{encoded}"
        return _continuations(key, encoded)
    if _is_token(value):
        formatted = f"{key}={value}"
    else:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        formatted = f'{key}="{escaped}"'
    if len(formatted) <= _LONGEST_SINGLE:
        return formatted
    return _continuations(key, _percent_encode(value))


def _continuations(key: str, encoded: str) -> str:
    """RFC 2231 §3 and §4.1: `key*0*=utf-8''...; key*1*=...`, one section per folded line."""
    sections: list[str] = []
    start = 0
    while start < len(encoded):
        end = min(start + _SECTION_LENGTH, len(encoded))
        # Never split a %XX escape.
        percent = encoded.rfind("%", end - 2, end)
        if percent != -1 and end < len(encoded):
            end = percent
        sections.append(encoded[start:end])
        start = end
    lines = [f"{key}*0*=utf-8''{sections[0]}"]
    lines.extend(f"{key}*{i}*={section}" for i, section in enumerate(sections[1:], 1))
    # The caller joins with "; "; fold before each section after the first.
    return ";\r\n\t".join(lines)


def _percent_encode(value: str) -> str:
    out: list[str] = []
    for c in value:
        if c in _ATTRIBUTE_CHARS:
            out.append(c)
        else:
            out.extend(f"%{b:02X}" for b in c.encode("utf-8"))
    return "".join(out)


def _is_token(value: str) -> bool:
    return bool(value) and all(0x20 < ord(c) < 0x7F and c not in _TSPECIALS for c in value)

"""Errors raised by the pure mail code: addresses, composing messages and reading them.

    PostroomError
    └── MailError
        ├── AddressError          an address is not an RFC 5321 Mailbox we accept
        ├── HeaderValueError      a control character in a header value
        ├── HeaderNameError       a request header name is not an RFC 5322 field name
        ├── ForbiddenHeaderError  a request header the composer writes itself
        ├── TraceHeaderError      a request header only mail servers add (trace, signatures)
        ├── HeaderTooLongError    a header line that cannot be folded to 998 octets
        ├── MessageIDError        a Message-ID without its <>
        ├── AttachmentError       file data that is not valid base64
        ├── MessageTooLargeError  the composed message exceeds the size limit
        └── PartNotFoundError     a part path points at a part a message does not have

The messages of HeaderValueError, MessageIDError, AttachmentError,
MessageTooLargeError and PartNotFoundError are mox's, word for word: webapi
clients see them. Parsing received messages raises nothing else: it accepts
whatever it is given.
"""

from __future__ import annotations

from postroom.errors import PostroomError


class MailError(PostroomError):
    """Base class for errors about addresses and messages."""


class SRSError(MailError):
    """An address that is not a valid SRS address of ours (forged, damaged or expired)."""


class AddressError(MailError):
    """An address failed to parse; `reason` says why."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"parsing address {quoted(address)}: {reason}")
        self.address = address
        self.reason = reason


class HeaderValueError(MailError):
    """A header value, display name, file name or similar contains a control character."""

    def __init__(self) -> None:
        super().__init__("checking header values: control characters not allowed")


class HeaderNameError(MailError):
    """A request header name is not an RFC 5322 §3.6.8 field name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"invalid header name {quoted(name)}")
        self.name = name


class ForbiddenHeaderError(MailError):
    """A request header that the composer writes itself, so a copy would duplicate it."""

    def __init__(self, name: str, *, structural: bool) -> None:
        detail = "it is set by the composer" if structural else "use the request field instead"
        super().__init__(f"header {quoted(name)} cannot be set in Headers, {detail}")
        self.name = name


class TraceHeaderError(MailError):
    """A request header that only the mail servers a message passes add: trace fields
    (RFC 5321 §4.4) and authentication results and signatures (RFC 6376, RFC 8617,
    RFC 8601). A sender's copy would pass for theirs."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"header {quoted(name)} cannot be set in Headers, it is added by mail servers"
            " (trace and authentication header fields)"
        )
        self.name = name


class HeaderTooLongError(MailError):
    """A header has a run of more than 998 octets without whitespace to fold at."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"header {quoted(name)} has a line longer than 998 octets that cannot be folded"
        )
        self.name = name


class MessageIDError(MailError):
    """A given Message-ID does not start with < and end with >."""

    def __init__(self) -> None:
        super().__init__("missing <> in message-id")


class AttachmentError(MailError):
    """File data is not valid standard base64."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"parsing attachment as base64: {detail}")
        self.detail = detail


class MessageTooLargeError(MailError):
    """The composed message is larger than the allowed maximum."""

    def __init__(self) -> None:
        super().__init__("message too large")


class PartNotFoundError(MailError):
    """A part path index is negative or beyond the sub-parts of the part it indexes."""

    def __init__(self, index: int, position: int) -> None:
        super().__init__(f"part {index} at index {position} not found")
        self.index = index
        self.position = position


def quoted(text: str) -> str:
    """Quote text for an error message like Go's %q: escape quotes and control characters."""
    out = ['"']
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c.isprintable():
            out.append(c)
        else:
            out.append(repr(c)[1:-1])
    out.append('"')
    return "".join(out)

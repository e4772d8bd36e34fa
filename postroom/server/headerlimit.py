"""A bound on the request line and header section of every HTTP request.

uvicorn's httptools protocol (the fast C parser) buffers a header section of any
size: a 300 MB header field, sent before any authentication, took the server to
700 MB of RSS and was answered 200. Its h11 protocol has a bound, but parses in
Python. This subclass keeps httptools and counts the octets read while a request's
header section is incomplete; past the bound it answers 431 (RFC 6585 §5) and closes
the connection, so a request costs at most the bound plus one read.

It subclasses `uvicorn.protocols.http.httptools_impl.HttpToolsProtocol` and uses its
parser callbacks `on_message_begin` and `on_headers_complete`; pyproject.toml keeps
uvicorn below 1.0 for that reason, and tests/rpc/test_header_limit.py checks it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_LINGER_SECONDS = 1.0
_BODY = b'{"Code":"requestTooLarge","Message":"request header section too large"}'
_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json; charset=utf-8\r\n"
    b"content-length: " + str(len(_BODY)).encode("ascii") + b"\r\n"
    b"connection: close\r\n\r\n" + _BODY
)


class _HeadTooLargeError(Exception):
    """Raised from a parser callback: httptools then fails the parse, and uvicorn
    answers through `send_400_response`, which the subclass turns into a 431."""


def bounded_headers_protocol(max_header_bytes: int) -> type[HttpToolsProtocol]:
    """The httptools protocol class for uvicorn's `http` setting, refusing requests
    whose request line and header fields together exceed `max_header_bytes`."""

    class BoundedHeadersProtocol(HttpToolsProtocol):
        # Two lower bounds of a head's size, each checked against the bound: the
        # octets of the reads that ended inside the head (so a head that never ends
        # is refused), and the URL and fields parsed so far (so a large head that
        # arrives in one read is refused too).

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # A connection starts in a request's head, before on_message_begin fires.
            self._in_head = True
            self._read_in_head = 0
            self._parsed_head = 0
            self._refused = False

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head = True
            self._read_in_head = 0
            self._parsed_head = 0

        def on_url(self, url: bytes) -> None:
            self._count_parsed(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count_parsed(len(name) + len(value) + 4)  # ": " and CRLF
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            super().data_received(data)
            if self._refused or not self._in_head:
                return
            self._read_in_head += len(data)
            if self._read_in_head > max_header_bytes:
                self._refuse()

        def send_400_response(self, msg: str) -> None:
            if self._refused:
                self._answer_and_close()
            else:
                super().send_400_response(msg)

        def _count_parsed(self, octets: int) -> None:
            self._parsed_head += octets
            if self._parsed_head > max_header_bytes:
                self._refused = True
                raise _HeadTooLargeError

        def _refuse(self) -> None:
            self._refused = True
            self._answer_and_close()

        def _answer_and_close(self) -> None:
            # Closing with unread octets makes the kernel send RST, which can destroy
            # the answer before the client reads it (RFC 9112 §9.6). So: answer, end
            # our side, drop what still arrives, and close a moment later.
            self.transport.write(_RESPONSE)
            if self.transport.can_write_eof():
                self.transport.write_eof()
            asyncio.get_running_loop().call_later(_LINGER_SECONDS, self.transport.close)

    return BoundedHeadersProtocol

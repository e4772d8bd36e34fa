"""The wire codec: JSON as Go's `encoding/json` reads and writes it, driven by type hints.

Decodes requests into dataclasses as mox's webapi does, encodes responses and webhook
bodies, builds the example values of method pages, and parses and formats RFC 3339 times.
Pure: text in and values out. It sits at the bottom layer so that `webapi` and `hooks`
both use it.

    rfc3339   Go's strict RFC 3339 parser, RFC3339Nano and the zero time
    jsontext  reading JSON text: the first value only, Go's syntax error messages
    nodes     one node per Go type: decode into the current value, encode, example
    hints     type hints to nodes, dataclasses as Go structs
    codec     decode_request, decode_response, encode_response, encode_html_safe,
              example_value
    quote     Go's `%q` for error messages
    errors    WireError
    webapi    the webapi's request and result types
    webhooks  the webhook bodies

Other subpackages import only the names in `__all__`, and the type modules `webapi` and
`webhooks` (they live here, beside the codec, so that `postroom.client` can use them with
nothing but the standard library).
"""

from __future__ import annotations

from postroom.wire.codec import (
    decode_request,
    decode_response,
    encode_html_safe,
    encode_response,
    example_value,
)
from postroom.wire.errors import WireError
from postroom.wire.nodes import INT64_MAX, INT64_MIN
from postroom.wire.rfc3339 import ZERO_TIME, format_rfc3339_nano, parse_rfc3339

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "ZERO_TIME",
    "WireError",
    "decode_request",
    "decode_response",
    "encode_html_safe",
    "encode_response",
    "example_value",
    "format_rfc3339_nano",
    "parse_rfc3339",
]

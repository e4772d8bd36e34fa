"""The wire codec: Go encoding/json decoding rules, Go-style encoding, RFC 3339 times and
examples, exercised on the webapi wire types."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postroom import wire
from postroom.errors import PostroomError
from postroom.webapi.types import (
    Error,
    File,
    MessageGetRequest,
    MessageGetResult,
    MessageMeta,
    MessagePartGetRequest,
    NameAddress,
    SendRequest,
    SendResult,
    Structure,
    Submission,
    Suppression,
    SuppressionListResult,
)
from postroom.wire import (
    ZERO_TIME,
    WireError,
    decode_request,
    encode_html_safe,
    encode_response,
    example_value,
    format_rfc3339_nano,
    parse_rfc3339,
)

PLUS_ONE = timezone(timedelta(hours=1))
MINUS_0730 = timezone(-timedelta(hours=7, minutes=30))


def send(text: str) -> SendRequest:
    return decode_request(SendRequest, text)


WANT = "want YYYY-MM-DDTHH:MM:SS[.fraction] followed by Z or ±hh:mm"
NOT_OBJECT = "json: cannot unmarshal {} into Go value of type webapi.SendRequest"


def mismatch(value: str, field: str, go_type: str) -> str:
    """Go's UnmarshalTypeError text for a struct field."""
    return f"json: cannot unmarshal {value} into Go struct field {field} of type {go_type}"


def decode_error(cls: type[Any], text: str) -> str:
    with pytest.raises(WireError) as info:
        decode_request(cls, text)
    return str(info.value)


# --- Decoding: what is accepted ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Keys match case-insensitively.
        (
            '{"to":[{"address":"x@y"}],"text":"hi"}',
            SendRequest(To=[NameAddress(Address="x@y")], Text="hi"),
        ),
        ('{"SUBJECT":"s","sAvEsEnT":true}', SendRequest(Subject="s", SaveSent=True)),
        # Go folds like bytes.EqualFold: LATIN SMALL LETTER LONG S matches s.
        ('{"\u017fubject":"s"}', SendRequest(Subject="s")),
        # JSON escapes in keys are undone before matching.
        ('{"\\u0053ubject":"s"}', SendRequest(Subject="s")),
        # The last occurrence wins, in any case.
        ('{"Subject":"a","subject":"b"}', SendRequest(Subject="b")),
        ('{"SaveSent":true,"savesent":false}', SendRequest(SaveSent=False)),
        # null leaves strings, numbers, bools and times alone …
        ('{"Subject":"a","SUBJECT":null}', SendRequest(Subject="a")),
        ('{"SaveSent":true,"SaveSent":null}', SendRequest(SaveSent=True)),
        # … but resets lists, maps and pointers.
        ('{"To":[{"Address":"x"}],"to":null}', SendRequest()),
        ('{"Extra":{"a":"1"},"extra":null}', SendRequest()),
        ('{"RequireTLS":true,"requiretls":null}', SendRequest()),
        ('{"Date":"2024-01-02T03:04:05Z","Date":null}', SendRequest()),
        # A second object merges into the first, element by element (Go decodes in place).
        (
            '{"To":[{"Name":"n"}],"To":[{"Address":"x"},{"Address":"y"}]}',
            SendRequest(To=[NameAddress(Name="n", Address="x"), NameAddress(Address="y")]),
        ),
        ('{"Extra":{"a":"1"},"extra":{"b":"2"}}', SendRequest(Extra={"a": "1", "b": "2"})),
        ('{"Headers":[["A","B"]],"Headers":[[null]]}', SendRequest(Headers=[("A", "")])),
        # Duplicate map keys: the last wins.
        ('{"Extra":{"a":"1","a":"2"}}', SendRequest(Extra={"a": "2"})),
        # null for the whole request, and for every field.
        ("null", SendRequest()),
        (
            "{" + ",".join(f'"{f.name}":null' for f in dataclasses.fields(SendRequest)) + "}",
            SendRequest(),
        ),
        # null inside containers is the element's zero value.
        (
            '{"To":[null],"References":[null],"Extra":{"k":null}}',
            SendRequest(To=[NameAddress()], References=[""], Extra={"k": ""}),
        ),
        # Only the first value is read; what follows is ignored.
        ("{} xyz", SendRequest()),
        ("{}{}", SendRequest()),
        ('{"Subject":"a"}]', SendRequest(Subject="a")),
        ("null x", SendRequest()),
        (' \t\r\n{"Subject":"a"}', SendRequest(Subject="a")),
        # Go [2]string: extra elements dropped (unchecked), missing ones "".
        (
            '{"Headers":[["X-A","1","2"],["X-B"],[],null,["X-C",null],["X-D","v",5,{}]]}',
            SendRequest(
                Headers=[("X-A", "1"), ("X-B", ""), ("", ""), ("", ""), ("X-C", ""), ("X-D", "v")]
            ),
        ),
        # Extra is not validated: any keys, including "".
        (
            '{"Extra":{"":"","a-b":"c","ü":"\\u00fc"}}',
            SendRequest(Extra={"": "", "a-b": "c", "ü": "ü"}),
        ),
        # Lone surrogate escapes become U+FFFD, as in Go.
        ('{"Subject":"\\ud800x\\ud83d\\ude00"}', SendRequest(Subject="\ufffdx\U0001f600")),
        ('{"RequireTLS":false}', SendRequest(RequireTLS=False)),
        (
            '{"Date":"2024-01-02T03:04:05.5+01:00","FutureRelease":"2024-01-02T03:04:05Z"}',
            SendRequest(
                Date=datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=PLUS_ONE),
                FutureRelease=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
            ),
        ),
    ],
)
def test_decode_accepts(text: str, expected: SendRequest) -> None:
    assert send(text) == expected


def test_decode_typical_send_request() -> None:
    text = json.dumps(
        {
            "From": [{"Name": "Shop", "Address": "shop@example.org"}],
            "To": [{"Name": "Ann", "Address": "ann@example.org"}, {"Address": "bob@example.org"}],
            "BCC": [{"Address": "audit@example.org"}],
            "Subject": "Your order",
            "Text": "Hello\nthere",
            "HTML": "<p>Hello</p>",
            "Extra": {"userid": "456"},
            "Headers": [["X-Campaign", "spring"]],
            "AttachedFiles": [{"Name": "a.txt", "ContentType": "text/plain", "Data": "aGk="}],
            "SaveSent": True,
        }
    )
    assert send(text) == SendRequest(
        From=[NameAddress(Name="Shop", Address="shop@example.org")],
        To=[
            NameAddress(Name="Ann", Address="ann@example.org"),
            NameAddress(Address="bob@example.org"),
        ],
        BCC=[NameAddress(Address="audit@example.org")],
        Subject="Your order",
        Text="Hello\nthere",
        HTML="<p>Hello</p>",
        Extra={"userid": "456"},
        Headers=[("X-Campaign", "spring")],
        AttachedFiles=[File(Name="a.txt", ContentType="text/plain", Data="aGk=")],
        SaveSent=True,
    )


@pytest.mark.parametrize(
    ("text", "msg_id"),
    [
        ('{"MsgID":0}', 0),
        ('{"MsgID":-0}', 0),
        ('{"msgid":42}', 42),
        ('{"MsgID":9223372036854775807}', 2**63 - 1),
        ('{"MsgID":-9223372036854775808}', -(2**63)),
    ],
)
def test_decode_int64(text: str, msg_id: int) -> None:
    assert decode_request(MessageGetRequest, text) == MessageGetRequest(MsgID=msg_id)


def test_decode_list_of_int() -> None:
    assert decode_request(MessagePartGetRequest, '{"MsgID":1,"PartPath":[0,2,null]}') == (
        MessagePartGetRequest(MsgID=1, PartPath=[0, 2, 0])
    )


def test_decode_nested_and_recursive() -> None:
    text = '{"contenttype":"multipart/mixed","Parts":[{"ContentType":"text/plain","Parts":null}]}'
    assert decode_request(Structure, text) == Structure(
        ContentType="multipart/mixed", Parts=[Structure(ContentType="text/plain")]
    )


def test_decode_kelvin_sign_folds_to_k() -> None:
    meta = decode_request(MessageMeta, '{"D\u212aIMVerifiedDomains":["x"]}')
    assert meta.DKIMVerifiedDomains == ["x"]


def test_decoded_lists_are_not_shared() -> None:
    first, second = send("{}"), send("{}")
    assert first.To is not second.To


# --- Decoding: errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "text", "message"),
    [
        # Unknown keys, also inside nested types; no Unicode case folding beyond Go's.
        (SendRequest, '{"Foo":1}', 'json: unknown field "Foo"'),
        (SendRequest, '{"To":[{"Address":"x","Nmae":"y"}]}', 'json: unknown field "Nmae"'),
        (SendRequest, '{"Me\u00dfageID":"x"}', 'json: unknown field "Me\u00dfageID"'),
        (SendRequest, '{"\\ud800":1}', 'json: unknown field "\ufffd"'),
        (SendRequest, '{"a\\nb":1}', 'json: unknown field "a\\nb"'),
        # Not an object.
        (SendRequest, "[]", NOT_OBJECT.format("array")),
        (SendRequest, "5", NOT_OBJECT.format("number")),
        (SendRequest, '"x"', NOT_OBJECT.format("string")),
        (SendRequest, "true", NOT_OBJECT.format("bool")),
        # Strings.
        (SendRequest, '{"Subject":5}', mismatch("number", "SendRequest.Subject", "string")),
        (SendRequest, '{"Subject":true}', mismatch("bool", "SendRequest.Subject", "string")),
        (SendRequest, '{"Subject":[]}', mismatch("array", "SendRequest.Subject", "string")),
        (SendRequest, '{"Subject":{}}', mismatch("object", "SendRequest.Subject", "string")),
        # Integers.
        (
            MessageGetRequest,
            '{"MsgID":"5"}',
            mismatch("string", "MessageGetRequest.MsgID", "int64"),
        ),
        (
            MessageGetRequest,
            '{"MsgID":5.0}',
            mismatch("number 5.0", "MessageGetRequest.MsgID", "int64"),
        ),
        (
            MessageGetRequest,
            '{"MsgID":5e0}',
            mismatch("number 5e0", "MessageGetRequest.MsgID", "int64"),
        ),
        (MessageGetRequest, '{"MsgID":true}', mismatch("bool", "MessageGetRequest.MsgID", "int64")),
        (MessageGetRequest, '{"MsgID":[1]}', mismatch("array", "MessageGetRequest.MsgID", "int64")),
        (
            MessageGetRequest,
            '{"MsgID":9223372036854775808}',
            mismatch("number 9223372036854775808", "MessageGetRequest.MsgID", "int64"),
        ),
        (
            MessageGetRequest,
            '{"MsgID":-9223372036854775809}',
            mismatch("number -9223372036854775809", "MessageGetRequest.MsgID", "int64"),
        ),
        (
            MessageGetRequest,
            '{"MsgID":' + "9" * 5000 + "}",
            mismatch("number " + "9" * 5000, "MessageGetRequest.MsgID", "int64"),
        ),
        (
            MessagePartGetRequest,
            '{"PartPath":["0"]}',
            mismatch("string", "MessagePartGetRequest.PartPath", "int64"),
        ),
        # Booleans.
        (SendRequest, '{"SaveSent":"true"}', mismatch("string", "SendRequest.SaveSent", "bool")),
        (SendRequest, '{"SaveSent":1}', mismatch("number", "SendRequest.SaveSent", "bool")),
        (SendRequest, '{"RequireTLS":"yes"}', mismatch("string", "SendRequest.RequireTLS", "bool")),
        # Lists.
        (SendRequest, '{"To":"a@b"}', mismatch("string", "SendRequest.To", "[]webapi.NameAddress")),
        (SendRequest, '{"To":{}}', mismatch("object", "SendRequest.To", "[]webapi.NameAddress")),
        (SendRequest, '{"References":[1]}', mismatch("number", "SendRequest.References", "string")),
        (SendRequest, '{"To":[5]}', mismatch("number", "SendRequest.To", "webapi.NameAddress")),
        (SendRequest, '{"To":[{"Name":5}]}', mismatch("number", "NameAddress.To.Name", "string")),
        # Maps.
        (SendRequest, '{"Extra":[]}', mismatch("array", "SendRequest.Extra", "map[string]string")),
        (
            SendRequest,
            '{"Extra":"a"}',
            mismatch("string", "SendRequest.Extra", "map[string]string"),
        ),
        (SendRequest, '{"Extra":{"a":5}}', mismatch("number", "SendRequest.Extra", "string")),
        (SendRequest, '{"Extra":{"a":{}}}', mismatch("object", "SendRequest.Extra", "string")),
        # Go arrays.
        (
            SendRequest,
            '{"Headers":["X-A: b"]}',
            mismatch("string", "SendRequest.Headers", "[2]string"),
        ),
        (SendRequest, '{"Headers":[[1]]}', mismatch("number", "SendRequest.Headers", "string")),
        # Times: Go's Time.UnmarshalJSON.
        (SendRequest, '{"Date":5}', "Time.UnmarshalJSON: input is not a JSON string"),
        (SendRequest, '{"Date":true}', "Time.UnmarshalJSON: input is not a JSON string"),
        (SendRequest, '{"FutureRelease":[]}', "Time.UnmarshalJSON: input is not a JSON string"),
        (
            SendRequest,
            '{"Date":"2024-01-02"}',
            f'parsing time "2024-01-02" as RFC 3339: {WANT}',
        ),
        (
            SendRequest,
            '{"Date":"2023-02-29T00:00:00Z"}',
            'parsing time "2023-02-29T00:00:00Z" as RFC 3339: day out of range',
        ),
        # Nested structs.
        (
            MessageGetResult,
            '{"Meta":[]}',
            mismatch("array", "MessageGetResult.Meta", "webapi.MessageMeta"),
        ),
        (
            MessageGetResult,
            '{"Structure":{"Parts":[{"DecodedSize":"1"}]}}',
            mismatch("string", "Structure.Structure.Parts.DecodedSize", "int64"),
        ),
    ],
)
def test_decode_rejects(cls: type[Any], text: str, message: str) -> None:
    assert decode_error(cls, text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The first recorded error wins, and decoding goes on after it …
        ('{"Foo":1,"Subject":5}', 'json: unknown field "Foo"'),
        ('{"Subject":5,"Foo":1}', mismatch("number", "SendRequest.Subject", "string")),
        ('{"Subject":5,"Subject":"ok"}', mismatch("number", "SendRequest.Subject", "string")),
        # … so that a bad time later on, which stops Go's decoder at once, wins.
        (
            '{"Foo":1,"Date":"x"}',
            f'parsing time "x" as RFC 3339: {WANT}',
        ),
        # Syntax is checked over the whole value first.
        ('{"Foo":1,"Subject":', "unexpected EOF"),
    ],
)
def test_decode_error_precedence(text: str, message: str) -> None:
    assert decode_error(SendRequest, text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "EOF"),
        (" \n", "EOF"),
        ("{", "unexpected EOF"),
        ('{"Subject":', "unexpected EOF"),
        ('{"Subject":"abc', "unexpected EOF"),
        ('{"Subject":"\\u12', "unexpected EOF"),
        ("x", "invalid character 'x' looking for beginning of value"),
        ("\x00", "invalid character '\\x00' looking for beginning of value"),
        ("'a'", "invalid character '\\'' looking for beginning of value"),
        ("{x}", "invalid character 'x' looking for beginning of object key string"),
        ('{"Subject":"a",}', "invalid character '}' looking for beginning of object key string"),
        ("[1,]", "invalid character ']' looking for beginning of value"),
        ('{"Subject" "a"}', "invalid character '\"' after object key"),
        ('{"Subject":"a" "b"}', "invalid character '\"' after object key:value pair"),
        ('{"To":[{} {}]}', "invalid character '{' after array element"),
        ('{"Subject":"a\nb"}', "invalid character '\\n' in string literal"),
        ('{"Subject":"\\q"}', "invalid character 'q' in string escape code"),
        ('{"Subject":"\\u12G4"}', "invalid character 'G' in \\u hexadecimal character escape"),
        ("NaN", "invalid character 'N' looking for beginning of value"),
        ("Infinity", "invalid character 'I' looking for beginning of value"),
        ('{"MsgID":-Infinity}', "invalid character 'I' in numeric literal"),
        ("[" * 100_000, "exceeded max depth"),
    ],
)
def test_decode_syntax_errors(text: str, message: str) -> None:
    assert decode_error(SendRequest, text) == message


def test_wire_error_is_a_postroom_error() -> None:
    assert issubclass(WireError, PostroomError)


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsupported:
    Ratio: float = 0.0


def test_unsupported_hint_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="does not support"):
        decode_request(Unsupported, "{}")
    with pytest.raises(TypeError, match="not a dataclass"):
        decode_request(dict, "{}")


# --- RFC 3339 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.1Z", datetime(2024, 1, 2, 3, 4, 5, 100000, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T03:04:05.1234567891234Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T03:04:05+01:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=PLUS_ONE)),
        ("2024-01-02T03:04:05-07:30", datetime(2024, 1, 2, 3, 4, 5, tzinfo=MINUS_0730)),
        ("2024-01-02T03:04:05-00:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (
            "2024-01-02T03:04:05+23:59",
            datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=23, minutes=59))),
        ),
        ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", ZERO_TIME),
        ("9999-12-31T23:59:59.999999Z", datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_rfc3339_valid(text: str, expected: datetime) -> None:
    parsed = parse_rfc3339(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()
    assert send(json.dumps({"Date": text})).Date == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2024-01-02", WANT),
        ("2024-01-02 03:04:05Z", "want"),
        ("2024-01-02t03:04:05Z", "want"),
        ("2024-01-02T03:04:05z", "want"),
        ("2024-01-02T03:04:05", "want"),
        ("2024-01-02T03:04:05+0100", "want"),
        ("2024-01-02T03:04:05+01", "want"),
        ("2024-01-02T3:04:05Z", "want"),
        ("2024-01-02T03:04:05,1Z", "want"),
        ("2024-01-02T03:04:05.Z", "want"),
        (" 2024-01-02T03:04:05Z", "want"),
        ("2024-01-02T03:04:05Z ", "want"),
        ("\uff12\uff10\uff12\uff14-01-02T03:04:05Z", "want"),
        ("+2024-01-02T03:04:05Z", "want"),
        ("2024-13-01T00:00:00Z", "month out of range"),
        ("2024-00-01T00:00:00Z", "month out of range"),
        ("2023-02-29T00:00:00Z", "day out of range"),
        ("2024-01-00T00:00:00Z", "day out of range"),
        ("2024-01-02T24:00:00Z", "hour out of range"),
        ("2024-01-02T03:60:00Z", "minute out of range"),
        ("2024-01-02T03:04:60Z", "second out of range"),
        ("2024-01-02T03:04:05+24:00", "timezone hour out of range"),
        ("2024-01-02T03:04:05+01:60", "timezone minute out of range"),
        # Go accepts these; Python's datetime cannot hold them.
        ("0000-01-01T00:00:00Z", "year out of range"),
        ("0001-01-01T00:00:00+01:00", "year out of range"),
        ("9999-12-31T23:00:00-01:00", "year out of range"),
    ],
)
def test_rfc3339_invalid(text: str, why: str) -> None:
    with pytest.raises(WireError) as info:
        parse_rfc3339(text)
    assert str(info.value).startswith(f'parsing time "{text}" as RFC 3339: {why}')


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (ZERO_TIME, "0001-01-01T00:00:00Z"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        (datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC), "2024-01-02T03:04:05.12Z"),
        (datetime(2024, 1, 2, 3, 4, 5, 1, tzinfo=UTC), "2024-01-02T03:04:05.000001Z"),
        (datetime(2026, 11, 22, 19, 20, 46, 129037, tzinfo=UTC), "2026-11-22T19:20:46.129037Z"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=PLUS_ONE), "2024-01-02T03:04:05+01:00"),
        (datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=MINUS_0730), "2024-01-02T03:04:05.5-07:30"),
        (datetime(2024, 1, 2, tzinfo=timezone(timedelta(0))), "2024-01-02T00:00:00Z"),
        # Go drops the seconds of an offset (and only a zero offset is Z).
        (
            datetime(2024, 1, 2, tzinfo=timezone(timedelta(minutes=5, seconds=30))),
            "2024-01-02T00:00:00+00:05",
        ),
        (datetime(2024, 1, 2, tzinfo=timezone(timedelta(seconds=30))), "2024-01-02T00:00:00+00:00"),
        (
            datetime(2024, 1, 2, tzinfo=timezone(-timedelta(seconds=30))),
            "2024-01-02T00:00:00-00:00",
        ),
    ],
)
def test_go_time_format(value: datetime, text: str) -> None:
    assert format_rfc3339_nano(value) == text


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_rfc3339_nano(datetime(2024, 1, 2))


# --- Encoding -------------------------------------------------------------------------------


def test_encode_empty_collections() -> None:
    assert encode_response(SendRequest()) == (
        b'{"From":[],"To":[],"CC":[],"BCC":[],"ReplyTo":[],"MessageID":"","References":[],'
        b'"Date":null,"Subject":"","Text":"","HTML":"","Extra":{},"Headers":[],'
        b'"AlternativeFiles":[],"InlineFiles":[],"AttachedFiles":[],"RequireTLS":null,'
        b'"FutureRelease":null,"SaveSent":false}\n'
    )


def test_encode_none_collections_as_empty() -> None:
    # Lists and maps that are None (as they may be, coming from other code) are [] and {}.
    structure = Structure(ContentTypeParams=None, Parts=[Structure(Parts=None)])  # type: ignore[arg-type]
    assert encode_response(structure) == (
        b'{"ContentType":"","ContentTypeParams":{},"ContentID":"","ContentDisposition":"",'
        b'"Filename":"","DecodedSize":0,"Parts":[{"ContentType":"","ContentTypeParams":{},'
        b'"ContentID":"","ContentDisposition":"","Filename":"","DecodedSize":0,"Parts":[]}]}\n'
    )
    assert encode_response(SuppressionListResult(Suppressions=None)) == b'{"Suppressions":[]}\n'  # type: ignore[arg-type]


def test_encode_send_result_like_mox() -> None:
    result = SendResult(
        MessageID="<P_bbcD-gkgXnGV-h_jt5bg@localhost>",
        Submissions=[
            Submission(Address="mox@localhost", QueueMsgID=2, FromID="VHh7vp_k7POz2BdIPUJd2g")
        ],
    )
    assert encode_response(result) == (
        b'{"MessageID":"<P_bbcD-gkgXnGV-h_jt5bg@localhost>","Submissions":[{"Address":'
        b'"mox@localhost","QueueMsgID":2,"FromID":"VHh7vp_k7POz2BdIPUJd2g"}]}\n'
    )


def test_encode_suppression_time() -> None:
    entry = Suppression(
        ID=1,
        Created=datetime(2026, 11, 22, 19, 20, 46, 129037, tzinfo=UTC),
        Account="mox",
        BaseAddress="mox@localhost",
        OriginalAddress="mox@localhost",
        Reason='code "1.1"',
    )
    assert encode_response(entry) == (
        b'{"ID":1,"Created":"2026-11-22T19:20:46.129037Z","Account":"mox",'
        b'"BaseAddress":"mox@localhost","OriginalAddress":"mox@localhost","Manual":false,'
        b'"Reason":"code \\"1.1\\""}\n'
    )


def test_encode_error() -> None:
    assert encode_response(Error(Code="protocol", Message="missing/empty request")) == (
        b'{"Code":"protocol","Message":"missing/empty request"}\n'
    )


def test_encode_map_keys_sorted() -> None:
    body = encode_response(Structure(ContentTypeParams={"name": "x", "charset": "utf-8", "B": ""}))
    assert b'"ContentTypeParams":{"B":"","charset":"utf-8","name":"x"}' in body


@pytest.mark.parametrize(
    ("subject", "plain", "html_safe"),
    [
        (
            "<a href='x'>&</a>",
            "<a href='x'>&</a>",
            "\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e",
        ),
        (
            "hello w\u00f6rld \u2603 \U0001f600",
            "hello w\u00f6rld \u2603 \U0001f600",
            "hello w\u00f6rld \u2603 \U0001f600",
        ),
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c", "a\\u2028b\\u2029c"),
        ('q"b\\', 'q\\"b\\\\', 'q\\"b\\\\'),
        (
            "\n\r\t\b\f\x01\x1f\x7f",
            "\\n\\r\\t\\b\\f\\u0001\\u001f\x7f",
            "\\n\\r\\t\\b\\f\\u0001\\u001f\x7f",
        ),
        ("lone \ud800", "lone \ufffd", "lone \ufffd"),
    ],
)
def test_encode_escaping(subject: str, plain: str, html_safe: str) -> None:
    value = SendResult(MessageID=subject)
    assert encode_response(value) == f'{{"MessageID":"{plain}","Submissions":[]}}\n'.encode()
    assert encode_html_safe(value) == f'{{"MessageID":"{html_safe}","Submissions":[]}}'.encode()


def test_encode_headers_as_arrays() -> None:
    body = encode_response(SendRequest(Headers=[("X-A", "b")]))
    assert b'"Headers":[["X-A","b"]]' in body


def test_encode_refuses_non_dataclass() -> None:
    with pytest.raises(TypeError):
        encode_response({"a": 1})


def test_round_trip_full_send_request() -> None:
    request = SendRequest(
        From=[NameAddress(Name="Sh\u00f6p", Address="shop@example.org")],
        To=[NameAddress(Address="a@example.org"), NameAddress(Name="B", Address="b@example.org")],
        CC=[NameAddress(Address="c@example.org")],
        BCC=[NameAddress(Address="d@example.org")],
        ReplyTo=[NameAddress(Address="r@example.org")],
        MessageID="<x@example.org>",
        References=["<1@example.org>", "<2@example.org>"],
        Date=datetime(2024, 1, 2, 3, 4, 5, 600, tzinfo=MINUS_0730),
        Subject="<hello> & \u2028",
        Text="text\n",
        HTML="<p>html</p>",
        Extra={"b": "2", "a": "1"},
        Headers=[("X-A", "1"), ("X-B", "")],
        AlternativeFiles=[File(Name="a.ics", ContentType="text/calendar", Data="QQ==")],
        InlineFiles=[File(ContentID="<logo>", Data="QQ==")],
        AttachedFiles=[File(Name="b.pdf", Data="QQ==")],
        RequireTLS=True,
        FutureRelease=datetime(2024, 6, 1, 9, tzinfo=UTC),
        SaveSent=True,
    )
    assert send(encode_response(request).decode()) == request
    assert send(encode_html_safe(request).decode()) == request


# --- Examples -------------------------------------------------------------------------------


def test_example_send_request() -> None:
    example = example_value(SendRequest)
    assert example == SendRequest(
        From=[NameAddress()],
        To=[NameAddress()],
        CC=[NameAddress()],
        BCC=[NameAddress()],
        ReplyTo=[NameAddress()],
        References=[""],
        Date=ZERO_TIME,
        Extra={"example": ""},
        Headers=[("", "")],
        AlternativeFiles=[File()],
        InlineFiles=[File()],
        AttachedFiles=[File()],
        RequireTLS=False,
        FutureRelease=ZERO_TIME,
    )
    body = json.loads(encode_response(example))
    assert body["Date"] == "0001-01-01T00:00:00Z"
    assert body["RequireTLS"] is False
    assert body["Headers"] == [["", ""]]


def test_example_recursive_structure() -> None:
    # A type is not expanded inside itself: one level of Parts, holding an empty Structure.
    assert example_value(Structure) == Structure(
        ContentTypeParams={"example": ""}, Parts=[Structure()]
    )
    assert example_value(MessageGetResult).Structure == example_value(Structure)


# --- Properties -------------------------------------------------------------------------------

_FIELD_NAMES = [f.name for f in dataclasses.fields(SendRequest)] + ["Name", "Address", "Data"]
_keys = st.one_of(
    st.sampled_from(_FIELD_NAMES).flatmap(
        lambda name: st.sampled_from([name, name.lower(), name.upper(), name.swapcase()])
    ),
    st.text(max_size=5),
)
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.5+01:00", "0001-01-01"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=5),
    max_leaves=25,
)


@given(st.text())
def test_arbitrary_text_raises_only_wire_error(text: str) -> None:
    try:
        result = send(text)
    except WireError:
        return
    assert isinstance(result, SendRequest)


@settings(max_examples=300)
@given(st.dictionaries(_keys, _json_values, max_size=8), st.text(max_size=4))
def test_arbitrary_json_raises_only_wire_error(value: dict[str, Any], trailer: str) -> None:
    try:
        result = send(json.dumps(value) + trailer)
    except WireError:
        return
    assert isinstance(result, SendRequest)
    encode_response(result)


_texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=10)
_name_addresses = st.builds(NameAddress, Name=_texts, Address=_texts)
_times = st.datetimes(
    min_value=datetime(2, 1, 1),
    max_value=datetime(9998, 12, 31),
    timezones=st.sampled_from([UTC, PLUS_ONE, MINUS_0730]),
)


@given(
    st.builds(
        SendRequest,
        To=st.lists(_name_addresses, max_size=3),
        ReplyTo=st.lists(_name_addresses, max_size=1),
        References=st.lists(_texts, max_size=2),
        Date=st.none() | _times,
        Subject=_texts,
        Extra=st.dictionaries(_texts, _texts, max_size=3),
        Headers=st.lists(st.tuples(_texts, _texts), max_size=2),
        AttachedFiles=st.lists(st.builds(File, Name=_texts, Data=_texts), max_size=2),
        RequireTLS=st.none() | st.booleans(),
        SaveSent=st.booleans(),
    )
)
def test_round_trip(request: SendRequest) -> None:
    body = encode_response(request)
    decoded = send(body.decode())
    assert decoded == request
    assert encode_response(decoded) == body
    assert (decoded.Date and decoded.Date.utcoffset()) == (
        request.Date and request.Date.utcoffset()
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Shapes:
    """Every hint shape the codec knows, for a last catch-all check."""

    Times: list[datetime] = field(default_factory=list)
    Maybe: NameAddress | None = None
    Nested: dict[str, list[int]] = field(default_factory=dict)


def test_less_common_shapes() -> None:
    value = decode_request(
        Shapes,
        '{"Times":["2024-01-02T03:04:05Z",null],"Maybe":{"Name":"n"},"Nested":{"a":[1,2],"b":null}}',
    )
    assert value == Shapes(
        Times=[datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), ZERO_TIME],
        Maybe=NameAddress(Name="n"),
        Nested={"a": [1, 2], "b": []},
    )
    assert decode_request(Shapes, '{"Maybe":{"Name":"n"},"Maybe":{"Address":"a"}}').Maybe == (
        NameAddress(Name="n", Address="a")
    )
    assert encode_response(value) == (
        b'{"Times":["2024-01-02T03:04:05Z","0001-01-01T00:00:00Z"],'
        b'"Maybe":{"Name":"n","Address":""},"Nested":{"a":[1,2],"b":[]}}\n'
    )
    assert example_value(Shapes) == Shapes(
        Times=[ZERO_TIME], Maybe=NameAddress(), Nested={"example": [0]}
    )


def test_public_names() -> None:
    assert sorted(wire.__all__) == [
        "INT64_MAX",
        "INT64_MIN",
        "WireError",
        "ZERO_TIME",
        "decode_request",
        "decode_response",
        "encode_html_safe",
        "encode_response",
        "example_value",
        "format_rfc3339_nano",
        "parse_rfc3339",
    ]


def test_decode_response_skips_unknown_fields_but_not_type_errors() -> None:
    text = '{"MessageID":"<a@b>","Submissions":[{"Address":"x@y","Later":1}],"New":{"a":[1]}}'
    assert wire.decode_response(SendResult, text) == SendResult(
        MessageID="<a@b>", Submissions=[Submission(Address="x@y")]
    )
    with pytest.raises(WireError, match='unknown field "Later"'):
        decode_request(SendResult, text)
    with pytest.raises(WireError, match="cannot unmarshal string"):
        wire.decode_response(SendResult, '{"Submissions":[{"QueueMsgID":"1"}],"New":1}')

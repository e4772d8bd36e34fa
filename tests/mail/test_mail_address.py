"""Address parsing (RFC 5321 §4.1.2 Mailbox, RFC 6531 UTF-8, IDNA) and suppression keys."""

from __future__ import annotations

import pytest

from postroom.mail import Address, AddressError, base_address, parse_address

# (input, localpart, domain, str(), ascii_domain)
VALID = [
    ("mox@localhost", "mox", "localhost", "mox@localhost", "localhost"),
    ("M.O.X+whatever@LOCALHOST", "M.O.X+whatever", "localhost", "M.O.X+whatever@localhost", None),
    ("a!#$%&'*+/=?^_`{|}~-@x.org", "a!#$%&'*+/=?^_`{|}~-", "x.org", None, None),
    ("first.last@Mail.Example.CO.UK", "first.last", "mail.example.co.uk", None, None),
    ("x@a-b.c-d.example", "x", "a-b.c-d.example", None, None),
    ("x@123.example", "x", "123.example", None, None),
    ("x@x.123a", "x", "x.123a", None, None),
    # Quoted localparts are unquoted; str() quotes again only when needed.
    ('"a b"@x.org', "a b", "x.org", '"a b"@x.org', None),
    ('"abc"@x.org', "abc", "x.org", "abc@x.org", None),
    ('"a\\"b"@x.org', 'a"b', "x.org", '"a\\"b"@x.org', None),
    ('"a\\\\b"@x.org', "a\\b", "x.org", '"a\\\\b"@x.org', None),
    ('"a@b"@x.org', "a@b", "x.org", '"a@b"@x.org', None),
    ('"a..b"@x.org', "a..b", "x.org", '"a..b"@x.org', None),
    ('"\\a"@x.org', "a", "x.org", "a@x.org", None),
    # RFC 6531: UTF-8 localparts; IDNA domains in either form.
    ("jörg@bücher.de", "jörg", "bücher.de", "jörg@bücher.de", "xn--bcher-kva.de"),
    ("x@XN--BCHER-KVA.de", "x", "bücher.de", "x@bücher.de", "xn--bcher-kva.de"),
    ("x@Bücher.DE", "x", "bücher.de", None, "xn--bcher-kva.de"),
    ("用户@例子.广告", "用户", "例子.广告", None, "xn--fsqu00a.xn--4rr70v"),
    ("x@ｅｘａｍｐｌｅ.com", "x", "example.com", None, "example.com"),
    ("x@a\u3002b.com", "x", "a.b.com", None, None),
    ('"jö rg"@x.org', "jö rg", "x.org", '"jö rg"@x.org', None),
    # RFC 5321 §4.5.3.1.1 and §4.5.3.1.2 limits, exactly at the limit.
    ("a" * 64 + "@x.org", "a" * 64, "x.org", None, None),
    ("ü" * 32 + "@x.org", "ü" * 32, "x.org", None, None),
    ("a@" + "b" * 63 + ".org", "a", "b" * 63 + ".org", None, None),
]

INVALID = [
    ("", "missing @"),
    ("mox", "missing @"),
    ('"a b"', "missing @"),
    (" a@x.org", "leading or trailing whitespace"),
    ("a@x.org ", "leading or trailing whitespace"),
    ("a@x.org\n", "leading or trailing whitespace"),
    ("\u00a0a@x.org", "leading or trailing whitespace"),
    ("@x.org", "empty localpart"),
    ('""@x.org', "empty localpart"),
    ("a@", "empty domain"),
    ("a@b@c.org", "more than one @"),
    ("a b@x.org", 'invalid character " " in localpart'),
    ("a,b@x.org", 'invalid character "," in localpart'),
    ("a\\b@x.org", 'invalid character "\\\\" in localpart'),
    ("a\x00@x.org", 'invalid character "\\x00" in localpart'),
    ("a\x85@x.org", 'invalid character "\\x85" in localpart'),
    ("\ud800@x.org", 'invalid character "\\ud800" in localpart'),
    ('"a\x00"@x.org', 'invalid character "\\x00" in localpart'),
    ('"a\\\x00"@x.org', 'invalid character "\\x00" in localpart'),
    ('"a\tb"@x.org', 'invalid character "\\t" in localpart'),
    (".a@x.org", "localpart starts with a dot"),
    ("a.@x.org", "localpart ends with a dot"),
    ("a..b@x.org", "consecutive dots in localpart"),
    ('"abc@x.org', "unterminated quoted localpart"),
    ('"a"b@x.org', "unexpected text after quoted localpart"),
    ("a@[1.2.3.4]", "IP address literals not allowed"),
    ("a@[IPv6:::1]", "IP address literals not allowed"),
    ("a@1.2.3.4", 'invalid domain name "1.2.3.4": top-level label is all-numeric'),
    ("a@-b.com", 'invalid domain name "-b.com": label "-b" starts or ends with a hyphen'),
    ("a@b-.com", 'invalid domain name "b-.com": label "b-" starts or ends with a hyphen'),
    ("a@x_y.com", 'invalid domain name "x_y.com": invalid character "_"'),
    ("a@b..c", 'invalid domain name "b..c": empty label'),
    ("a@.b.c", 'invalid domain name ".b.c": empty label'),
    ("a@b.c.", 'invalid domain name "b.c.": trailing dot'),
    ("a@b\x00.c", 'invalid domain name "b\\x00.c": invalid character "\\x00"'),
    ("a@b c.d", 'invalid domain name "b c.d": invalid character " "'),
    ("a@xn--zz.de", 'invalid domain name "xn--zz.de": label "xn--zz" is not a valid A-label'),
    ("a@" + "b" * 64 + ".org", "label longer than 63 octets"),
    ("a@\u00ad.org", "IDNA: label empty or too long"),
    ("a@ｘ＿ｙ.org", "is not a valid host name label"),
    # IDNA 2003 maps these away where IDNA 2008 keeps them: refuse, don't misdeliver.
    ("a@straße.de", "map differently"),
    ("a@xn--strae-oqa.de", "map differently"),
    ("a@a\u200db.org", "map differently"),
    ("a" * 65 + "@x.org", "localpart longer than 64 octets"),
    ("ü" * 33 + "@x.org", "localpart longer than 64 octets"),
    ('"' + "a " * 32 + '"@x.org', "localpart longer than 64 octets"),
    ("a@" + ("b" * 63 + ".") * 4 + "org", "domain longer than 255 octets"),
    ("a" * 64 + "@" + ("b" * 62 + ".") * 3 + "org", "address longer than 254 octets"),
]


@pytest.mark.parametrize(("text", "localpart", "domain", "rendered", "ascii_domain"), VALID)
def test_parse_valid(
    text: str, localpart: str, domain: str, rendered: str | None, ascii_domain: str | None
) -> None:
    address = parse_address(text)
    assert address == Address(localpart=localpart, domain=domain)
    if rendered is not None:
        assert str(address) == rendered
    assert address.ascii_domain == (ascii_domain or domain)
    # What we render parses back to the same address.
    assert parse_address(str(address)) == address


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_parse_invalid(text: str, reason: str) -> None:
    with pytest.raises(AddressError) as info:
        parse_address(text)
    assert info.value.address == text
    assert reason in info.value.reason
    assert str(info.value).startswith("parsing address ")
    assert str(info.value).endswith(": " + info.value.reason)


def test_error_message_quotes_like_go() -> None:
    with pytest.raises(AddressError) as info:
        parse_address("mox")
    assert str(info.value) == 'parsing address "mox": missing @'


def test_exact_reason_for_domain() -> None:
    with pytest.raises(AddressError) as info:
        parse_address("a@-b.com")
    assert (
        info.value.reason == 'invalid domain name "-b.com": label "-b" starts or ends with a hyphen'
    )


@pytest.mark.parametrize(
    ("text", "smtputf8", "path", "is_ascii"),
    [
        ("mox@localhost", False, "mox@localhost", True),
        ("x@bücher.de", False, "x@xn--bcher-kva.de", True),
        ("x@bücher.de", True, "x@bücher.de", True),
        ("jörg@bücher.de", True, "jörg@bücher.de", False),
        ('"a b"@x.org', False, '"a b"@x.org', True),
    ],
)
def test_smtp_path(text: str, smtputf8: bool, path: str, is_ascii: bool) -> None:
    address = parse_address(text)
    assert address.smtp_path(smtputf8) == path
    assert address.is_ascii is is_ascii


@pytest.mark.parametrize(
    ("text", "separators", "base"),
    [
        ("M.O.X+whatever@localhost", ["+"], "m.o.x@localhost"),
        ("M.O.X+whatever@localhost", [], "m.o.x@localhost"),
        ("mox@localhost", ["+"], "mox@localhost"),
        # "-" is kept unless the domain uses it as a catch-all separator (Postroom's rule).
        ("x-permerror@example.org", ["+"], "x-permerror@example.org"),
        ("x-permerror@example.org", ["-"], "x@example.org"),
        ("m-o-x+tag@x.org", ["+"], "m-o-x@x.org"),
        # The first occurrence of any separator wins.
        ("a_b-c+d@x.org", ["-", "_"], "a@x.org"),
        ("a+b_c@x.org", ["_"], "a@x.org"),
        ("ab@x.org", [""], "ab@x.org"),
        # Dots only matter at Gmail.
        ("First.Last+news@gmail.com", ["+"], "firstlast@gmail.com"),
        ("f.i.r.s.t@googlemail.com", [], "first@googlemail.com"),
        ("first.last@example.com", [], "first.last@example.com"),
        # Unicode is lower-cased too; quoting is kept where needed.
        ("JÖRG+x@bücher.de", ["+"], "jörg@bücher.de"),
        ('"A B+x"@x.org', ["+"], '"a b"@x.org'),
        # A localpart that starts with a separator is kept whole.
        ("+tag@x.org", ["+"], "+tag@x.org"),
    ],
)
def test_base_address(text: str, separators: list[str], base: str) -> None:
    assert base_address(parse_address(text), separators) == base

"""EPC URIs (GS1 TDS 2.x §6-§8) -> canonical keys and back."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracehub.identifiers import (
    Gs1Id,
    IdentifierError,
    canonical_key,
    gs1_check_digit,
    parse_identifier,
    to_canonical_digital_link,
    to_epc_urn,
)

# (EPC URI, canonical key, scheme, is_class). Keys were worked out by hand: the SGTIN indicator digit
# moves to the front of the GTIN, the SSCC extension digit likewise, and the check digit is computed
# (see test_check_digits.KNOWN for the arithmetic). Most values are GS1 TDS 2.x worked examples.
SCHEMES = [
    ("urn:epc:id:sgtin:0614141.812345.6789", "01/80614141123458/21/6789", "sgtin", False),
    ("urn:epc:id:sgtin:0614141.107346.2017", "01/10614141073464/21/2017", "sgtin", False),
    ("urn:epc:id:sgtin:952123.0456789.A-1", "01/09521234567899/21/A-1", "sgtin", False),
    ("urn:epc:id:sgtin:061414100003.0.1", "01/00614141000036/21/1", "sgtin", False),  # GTIN-12
    ("urn:epc:class:lgtin:0614141.812345.LOT-1", "01/80614141123458/10/LOT-1", "lgtin", True),
    ("urn:epc:idpat:sgtin:0614141.812345.*", "01/80614141123458", "gtin", True),
    ("urn:epc:id:sscc:0614141.1234567890", "00/106141412345678908", "sscc", False),
    ("urn:epc:id:sgln:0614141.12345.5678", "414/0614141123452/254/5678", "sgln", False),
    ("urn:epc:id:sgln:0614141.12345.0", "414/0614141123452", "sgln", False),
    ("urn:epc:id:pgln:0614141.12345", "417/0614141123452", "pgln", False),
    ("urn:epc:id:pgln:061414112345.", "417/0614141123452", "pgln", False),
    ("urn:epc:id:grai:0614141.12345.5678", "8003/006141411234525678", "grai", False),
    ("urn:epc:idpat:grai:0614141.12345.*", "8003/00614141123452", "grai", True),
    ("urn:epc:id:giai:0614141.12345400", "8004/061414112345400", "giai", False),
    ("urn:epc:id:gsrn:0614141.1234567890", "8018/061414112345678902", "gsrn", False),
    ("urn:epc:id:gsrnp:0614141.1234567890", "8017/061414112345678902", "gsrnp", False),
    ("urn:epc:id:gdti:0614141.12345.006847", "253/0614141123452006847", "gdti", False),
    ("urn:epc:idpat:gdti:0614141.12345.*", "253/0614141123452", "gdti", True),
    ("urn:epc:id:cpi:0614141.123ABC.123456789", "8010/0614141123ABC/8011/123456789", "cpi", False),
    ("urn:epc:idpat:cpi:0614141.123ABC.*", "8010/0614141123ABC", "cpi", True),
    ("urn:epc:id:sgcn:4012345.67890.12345", "255/401234567890112345", "sgcn", False),
    ("urn:epc:idpat:sgcn:4012345.67890.*", "255/4012345678901", "sgcn", True),
    ("urn:epc:id:ginc:0614141.xyz3311cba", "401/0614141xyz3311cba", "ginc", False),
    ("urn:epc:id:gsin:0614141.123456789", "402/06141411234567890", "gsin", False),
    ("urn:epc:id:itip:0614141.812345.01.02.987", "8006/806141411234580102/21/987", "itip", False),
    ("urn:epc:idpat:itip:0614141.812345.01.02.*", "8006/806141411234580102", "itip", True),
    ("urn:epc:id:upui:0614141.812345.Ab-1", "01/80614141123458/235/Ab-1", "upui", False),
]


@pytest.mark.parametrize(("urn", "key", "scheme", "is_class"), SCHEMES)
def test_urn_to_key(urn, key, scheme, is_class):
    prefix_length = len(urn.rsplit(":", 1)[1].split(".")[0])
    assert parse_identifier(urn) == Gs1Id(
        scheme=scheme, key=key, company_prefix_length=prefix_length, is_class=is_class
    )
    assert canonical_key(urn) == key
    assert to_canonical_digital_link(urn) == "https://id.gs1.org/" + key


@pytest.mark.parametrize(("urn", "key", "scheme", "is_class"), SCHEMES)
def test_key_to_urn_round_trip(urn, key, scheme, is_class):
    prefix_length = len(urn.rsplit(":", 1)[1].split(".")[0])
    assert to_epc_urn(key, prefix_length) == urn
    assert canonical_key(to_epc_urn(key, prefix_length)) == key


@pytest.mark.parametrize(("urn", "key", "scheme", "is_class"), SCHEMES)
def test_every_prefix_length_round_trips(urn, key, scheme, is_class):
    for length in range(6, 13):
        try:
            other = to_epc_urn(key, length)
        except IdentifierError:
            # only keys without a fixed numeric layout can fail: the prefix must be digits
            assert scheme in ("giai", "ginc", "cpi")
            continue
        gs1_id = parse_identifier(other)
        assert (gs1_id.key, gs1_id.company_prefix_length, gs1_id.scheme) == (key, length, scheme)


def test_sgln_without_extension_becomes_extension_zero():
    assert to_epc_urn("414/0614141123452", 7) == "urn:epc:id:sgln:0614141.12345.0"


def test_same_key_with_other_prefix_lengths():
    assert to_epc_urn("01/80614141123458/21/6789", 6) == "urn:epc:id:sgtin:061414.8112345.6789"
    assert to_epc_urn("01/80614141123458/21/6789", 12) == "urn:epc:id:sgtin:061414112345.8.6789"
    assert canonical_key("urn:epc:id:sgtin:061414112345.8.6789") == "01/80614141123458/21/6789"
    assert to_epc_urn("00/106141412345678908", 9) == "urn:epc:id:sscc:061414123.14567890"
    assert to_epc_urn("8004/061414112345400", 12) == "urn:epc:id:giai:061414112345.400"


@pytest.mark.parametrize("length", [5, 13, 0, -1])
def test_prefix_length_out_of_range(length):
    with pytest.raises(IdentifierError, match="must be 6 to 12 digits"):
        to_epc_urn("01/80614141123458/21/6789", length)


def test_prefix_length_that_does_not_fit_a_variable_length_key():
    with pytest.raises(IdentifierError, match="12-digit GS1 Company Prefix"):
        to_epc_urn("8004/0614141AB", 12)
    with pytest.raises(IdentifierError, match="12-digit GS1 Company Prefix"):
        to_epc_urn("401/061414112345", 12)  # nothing left for the consignment reference


def test_keys_without_an_epc_form():
    with pytest.raises(IdentifierError, match="ITIP with lot"):
        to_epc_urn("8006/806141411234580102/10/L1", 7)
    with pytest.raises(IdentifierError, match="AI 8019"):
        to_epc_urn("8018/061414112345678902/8019/12", 7)


# --- escaping (TDS 2.x §6.3: " % & / < > ? are %-escaped in EPC URIs) -----------------------


def test_urn_escapes_are_decoded_and_the_key_uses_digital_link_escapes():
    urn = "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()"
    assert canonical_key(urn) == "01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29"
    # and back: only the characters TDS requires are escaped in the URN, lower-case hex is fine on input
    assert to_epc_urn(canonical_key(urn), 7) == urn
    assert canonical_key("urn:epc:id:sgtin:0614141.812345.6789%2f%26%25%22!%3f()") == canonical_key(urn)


def test_escaped_ordinary_characters_are_the_same_serial():
    assert canonical_key("urn:epc:id:sgtin:0614141.812345.%41B") == "01/80614141123458/21/AB"


def test_serial_with_dots_and_apostrophe():
    assert canonical_key("urn:epc:id:sgtin:0614141.812345.a.b.c") == "01/80614141123458/21/a.b.c"
    assert canonical_key("urn:epc:id:upui:0614141.812345.x'y*z") == "01/80614141123458/235/x'y%2Az"


def test_cpi_reference_escapes():
    urn = "urn:epc:id:cpi:0614141.5PQ7%2FZ43%23.12345"
    assert canonical_key(urn) == "8010/06141415PQ7%2FZ43%23/8011/12345"
    assert to_epc_urn(canonical_key(urn), 7) == urn


def test_prefix_is_case_insensitive():
    assert canonical_key("URN:EPC:ID:SGTIN:0614141.812345.6789") == "01/80614141123458/21/6789"


# --- not GS1, or malformed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "urn:epc:id:bic:CSQU3054383",
        "urn:epc:id:gid:95100000.12345.400",
        "urn:epc:id:usdod:2S194.12345678901",
        "urn:epc:id:adi:W81X9C.3KL984PX1.2WMA-52",
        "urn:epc:class:something:1.2",
        "urn:epc:idpat:gid:95100000.12345.*",
        "urn:epc:idpat:sgtin:0614141.*.*",
        "urn:epc:idpat:sgtin:*.*.*",
        "urn:epc:idpat:sscc:0614141.*",
        "urn:epc:idpat:sgln:0614141.12345.*",
        "urn:example:foo",
        "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
        "urn:epcglobal:cbv:bizstep:shipping",
        "urn:epc",
        "urn:epc:id",
        "sgtin:0614141.812345.6789",
        "",
    ],
)
def test_not_a_single_gs1_key(uri):
    assert parse_identifier(uri) is None
    assert canonical_key(uri) == uri.strip()
    assert to_canonical_digital_link(uri) == uri


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("urn:epc:id:sgtin:0614141.812345", "needs 3 dot-separated components"),
        ("urn:epc:id:sscc:0614141.1234567890.1", r"digits 0-9"),
        ("urn:epc:id:sscc:0614141", "needs 2 dot-separated components"),
        ("urn:epc:id:itip:0614141.812345.01.987", "needs 5 dot-separated components"),
        ("urn:epc:id:sgtin:06141A1.812345.1", "Company Prefix '06141A1'"),
        ("urn:epc:id:sgtin:06141.8123456.1", "6 to 12 digits"),
        ("urn:epc:id:sgtin:0614141.81234.1", "must total 13 digits"),
        ("urn:epc:id:sgtin:0614141.8123456.1", "must total 13 digits"),
        ("urn:epc:class:lgtin:0614141.81234.L", "must total 13 digits"),
        ("urn:epc:id:sgtin:0614141.812345.", "serial number in EPC sgtin URI is empty"),
        ("urn:epc:id:sgtin:0614141.812345.123456789012345678901", "21 characters long; at most 20"),
        ("urn:epc:id:sgtin:0614141.812345.a~b", "'~', which is not in GS1 AI encodable character set 82"),
        ("urn:epc:id:sgtin:0614141.812345.a%7Eb", "'~', which is not in GS1 AI encodable character set 82"),
        ("urn:epc:id:sgtin:0614141.812345.a b", "' ', which is not in GS1 AI encodable character set 82"),
        ("urn:epc:id:sgtin:0614141.812345.a%20b", "%20, which is not a character"),
        ("urn:epc:id:sgtin:0614141.812345.a%C3%A9", "%C3, which is not a character"),
        ("urn:epc:id:sgtin:0614141.812345.5%", "does not start a %XX percent-escape"),
        ("urn:epc:id:sgtin:0614141.812345.5%2", "does not start a %XX percent-escape"),
        ("urn:epc:id:sgtin:0614141.812345.a/b", "must percent-encode as %2F"),
        ("urn:epc:id:sgtin:0614141.812345.a?b", "must percent-encode as %3F"),
        ("urn:epc:id:sgtin:0614141.812345.a#b", "'#', which is not in GS1 AI encodable character set 82"),
        ("urn:epc:id:sscc:0614141.123456789", "must total 17 digits"),
        ("urn:epc:id:sgln:0614141.1234.5", "must total 12 digits"),
        ("urn:epc:id:grai:0614141.12345.", "serial number in EPC grai URI is empty"),
        ("urn:epc:id:grai:0614141.12345.12345678901234567", "at most 16"),
        ("urn:epc:id:gdti:0614141.12345.123456789012345678", "at most 17"),
        ("urn:epc:id:giai:0614141.1234567890123456789012345", "at most 23"),
        ("urn:epc:id:cpi:0614141.abc.1", "'a', which is not in GS1 AI encodable character set 39"),
        ("urn:epc:id:cpi:0614141.A/B.1", "must percent-encode as %2F"),
        ("urn:epc:id:cpi:0614141.AB.1x", "serial number '1x'"),
        ("urn:epc:id:sgcn:4012345.67890.12a", "serial number '12a'"),
        ("urn:epc:id:sgcn:4012345.67890.1234567890123", "more than 12 digits"),
        ("urn:epc:id:itip:0614141.812345.1.02.987", "piece number '1'"),
        ("urn:epc:id:upui:0614141.812345." + "x" * 29, "at most 28"),
        ("urn:epc:idpat:sgtin:0614141.*.6789", "only a trailing run of components may be '*'"),
        ("urn:epc:idpat:sgtin:06A4141.*.*", "Company Prefix '06A4141'"),
    ],
)
def test_malformed_gs1_epc_uris_raise(uri, message):
    with pytest.raises(IdentifierError, match=message):
        parse_identifier(uri)
    with pytest.raises(IdentifierError):
        canonical_key(uri)
    with pytest.raises(ValueError):  # IdentifierError is a ValueError
        to_canonical_digital_link(uri)


# --- round trips over generated values --------------------------------------------------------

_CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_URN_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}


def _urn_escape(text):
    return "".join(_URN_ESCAPES.get(char, char) for char in text)


@given(
    prefix_length=st.integers(min_value=6, max_value=12),
    digits=st.text(alphabet="0123456789", min_size=13, max_size=13),
    serial=st.text(alphabet=_CSET82, min_size=1, max_size=20),
)
def test_sgtin_round_trip(prefix_length, digits, serial):
    urn = f"urn:epc:id:sgtin:{digits[:prefix_length]}.{digits[prefix_length:]}.{_urn_escape(serial)}"
    gs1_id = parse_identifier(urn)
    gtin_body = digits[prefix_length] + digits[:prefix_length] + digits[prefix_length + 1 :]
    assert gs1_id.key.startswith(f"01/{gtin_body}{gs1_check_digit(gtin_body)}/21/")
    assert to_epc_urn(gs1_id.key, prefix_length) == urn
    assert parse_identifier(to_canonical_digital_link(urn)).key == gs1_id.key


@given(
    prefix_length=st.integers(min_value=6, max_value=12),
    digits=st.text(alphabet="0123456789", min_size=12, max_size=12),
    extension=st.text(alphabet=_CSET82, min_size=1, max_size=20),
)
def test_sgln_round_trip(prefix_length, digits, extension):
    urn = f"urn:epc:id:sgln:{digits[:prefix_length]}.{digits[prefix_length:]}.{_urn_escape(extension)}"
    key = canonical_key(urn)
    assert to_epc_urn(key, prefix_length) == urn
    assert key.endswith(f"{digits}{gs1_check_digit(digits)}") == (extension == "0")


# The plain SGTIN URN is read by a fast path (issue #2, capture speed); it must agree with the
# general reader on every input it takes, and leave everything else to it.
_plain_serials = st.text(
    alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20
)


@given(
    prefix_length=st.integers(min_value=6, max_value=12),
    digits=st.text(alphabet="0123456789", min_size=13, max_size=13),
    serial=_plain_serials,
)
def test_plain_sgtin_fast_path_agrees_with_the_general_reader(prefix_length, digits, serial):
    from tracehub.identifiers import epc

    uri = f"urn:epc:id:sgtin:{digits[:prefix_length]}.{digits[prefix_length:]}.{serial}"
    assert epc._SIMPLE_SGTIN.match(uri)
    fast = epc.parse_epc_urn(uri)
    # The same URN with an upper-case scheme prefix skips the fast path (RFC 8141: case-insensitive).
    general = epc.parse_epc_urn("URN:EPC:" + uri[8:])
    assert fast == general
    body = digits[prefix_length] + digits[:prefix_length] + digits[prefix_length + 1 :]
    assert fast.key == f"01/{body}{gs1_check_digit(body)}/21/{serial}"
    assert (fast.scheme, fast.company_prefix_length, fast.is_class) == ("sgtin", prefix_length, False)


@pytest.mark.parametrize(
    "uri",
    [
        "urn:epc:id:sgtin:0614141.112345.400%2F1",  # escaped serial: general path decodes it
        "urn:epc:id:sgtin:0614141.112345.a-b",  # '-' is outside the fast path's alphabet
        "urn:epc:id:sgtin:0614141.11234.400",  # 12 digits: refused with the general reader's reason
        "urn:epc:id:sgtin:0614141.112345.123456789012345678901",  # serial over 20 characters
    ],
)
def test_uris_outside_the_fast_path_take_the_general_reader(uri):
    from tracehub.identifiers import epc

    try:
        general = epc.parse_epc_urn("URN:EPC:" + uri[8:])
    except ValueError as exc:
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            epc.parse_epc_urn(uri)
    else:
        assert epc.parse_epc_urn(uri) == general

"""GS1 Digital Link URIs (DL URI Syntax 1.x) -> canonical keys, and their equivalence with EPC URIs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracehub.identifiers import (
    Gs1Id,
    IdentifierError,
    canonical_key,
    parse_identifier,
    to_canonical_digital_link,
    to_digital_link,
    to_epc_urn,
)

GTIN = "09521234567899"  # 0952123456789 + check digit 9 (worked out in test_check_digits)


@pytest.mark.parametrize(
    ("uri", "key", "scheme"),
    [
        (f"https://id.gs1.org/01/{GTIN}/21/ABC", f"01/{GTIN}/21/ABC", "sgtin"),
        (f"https://id.gs1.org/01/{GTIN}/10/LOT1", f"01/{GTIN}/10/LOT1", "lgtin"),
        (f"https://id.gs1.org/01/{GTIN}", f"01/{GTIN}", "gtin"),
        (f"https://example.com/some/prefix/01/{GTIN}/21/ABC", f"01/{GTIN}/21/ABC", "sgtin"),
        (f"https://example.com/01/{GTIN}/21/ABC?17=261231&linkType=gs1:pip", f"01/{GTIN}/21/ABC", "sgtin"),
        (f"https://example.com/01/{GTIN}/21/ABC#section", f"01/{GTIN}/21/ABC", "sgtin"),
        (f"https://example.com/01/{GTIN}/", f"01/{GTIN}", "gtin"),
        (f"HTTP://Example.COM/01/{GTIN}", f"01/{GTIN}", "gtin"),
        ("https://example.com:8443/01/9521234567899", f"01/{GTIN}", "gtin"),  # GTIN-13 padded
        ("https://example.com/01/614141000036", "01/00614141000036", "gtin"),  # GTIN-12 padded
        ("https://example.com/01/95012346/21/1", "01/00000095012346/21/1", "sgtin"),  # GTIN-8 padded
        (f"https://id.gs1.org/gtin/{GTIN}/ser/ABC", f"01/{GTIN}/21/ABC", "sgtin"),  # DL 1.0 short names
        (f"https://id.gs1.org/01/{GTIN}/22/V1/10/L1/21/S1", f"01/{GTIN}/21/S1", "sgtin"),
        (f"https://id.gs1.org/01/{GTIN}/22/V1/10/L1", f"01/{GTIN}/10/L1", "lgtin"),
        (f"https://id.gs1.org/01/{GTIN}/22/V1", f"01/{GTIN}", "gtin"),
        (f"https://id.gs1.org/01/{GTIN}/235/TPX1", f"01/{GTIN}/235/TPX1", "upui"),
        ("https://id.gs1.org/00/106141412345678908", "00/106141412345678908", "sscc"),
        ("https://id.gs1.org/414/0614141123452/254/5678", "414/0614141123452/254/5678", "sgln"),
        ("https://id.gs1.org/414/0614141123452/254/0", "414/0614141123452", "sgln"),
        ("https://id.gs1.org/414/0614141123452", "414/0614141123452", "sgln"),
        ("https://example.org/party/0614141123452", "417/0614141123452", "pgln"),
        ("https://id.gs1.org/8003/006141411234525678", "8003/006141411234525678", "grai"),
        ("https://id.gs1.org/8004/061414112345400", "8004/061414112345400", "giai"),
        ("https://id.gs1.org/8018/061414112345678902", "8018/061414112345678902", "gsrn"),
        ("https://id.gs1.org/8017/061414112345678902", "8017/061414112345678902", "gsrnp"),
        ("https://id.gs1.org/253/0614141123452006847", "253/0614141123452006847", "gdti"),
        ("https://id.gs1.org/8010/0614141123ABC/8011/123456789", "8010/0614141123ABC/8011/123456789", "cpi"),
        ("https://id.gs1.org/255/401234567890112345", "255/401234567890112345", "sgcn"),
        ("https://id.gs1.org/401/0614141xyz3311cba", "401/0614141xyz3311cba", "ginc"),
        ("https://id.gs1.org/402/06141411234567890", "402/06141411234567890", "gsin"),
        ("https://id.gs1.org/8006/806141411234580102/21/987", "8006/806141411234580102/21/987", "itip"),
    ],
)
def test_digital_link_to_key(uri, key, scheme):
    gs1_id = parse_identifier(uri)
    assert gs1_id == Gs1Id(scheme=scheme, key=key, company_prefix_length=None, is_class=gs1_id.is_class)
    assert gs1_id.is_class == (scheme in ("gtin", "lgtin"))
    assert to_canonical_digital_link(uri) == f"https://id.gs1.org/{key}"


@pytest.mark.parametrize(
    ("urn", "dl"),
    [
        ("urn:epc:id:sgtin:0614141.812345.6789", "https://example.com/01/80614141123458/21/6789"),
        ("urn:epc:class:lgtin:0614141.812345.L%2F1", "https://id.gs1.org/01/80614141123458/10/L%2F1"),
        ("urn:epc:idpat:sgtin:0614141.812345.*", "https://id.gs1.org/01/80614141123458"),
        ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/sscc/106141412345678908"),
        ("urn:epc:id:sgln:0614141.12345.0", "https://id.gs1.org/414/0614141123452"),
        (
            "urn:epc:id:cpi:0614141.5PQ7%2FZ43%23.12345",
            "https://id.gs1.org/8010/06141415PQ7%2FZ43%23/8011/12345",
        ),
        ("urn:epc:id:itip:0614141.812345.01.02.987", "https://shop.example/8006/806141411234580102/21/987"),
        (
            "urn:epc:id:upui:0614141.812345.51qIgY)%3C%26",
            "https://id.gs1.org/01/80614141123458/235/51qIgY)%3C&",
        ),
    ],
)
def test_urn_and_digital_link_have_the_same_key(urn, dl):
    assert canonical_key(urn) == canonical_key(dl)


# --- percent-encoding: decoded on input, one canonical spelling in keys --------------------------


def test_digital_link_spellings_of_one_serial_give_one_key():
    spellings = [
        f"https://id.gs1.org/01/{GTIN}/21/a!b(c)",
        f"https://id.gs1.org/01/{GTIN}/21/a%21b%28c%29",
        f"https://id.gs1.org/01/{GTIN}/21/%61%21b%28c%29",
        f"https://id.gs1.org/01/{GTIN}/21/a%21b%28c%29?",
    ]
    assert {canonical_key(uri) for uri in spellings} == {f"01/{GTIN}/21/a%21b%28c%29"}


def test_canonical_escapes_match_the_event_hash_rules():
    # CBV 2.0 event-hash reference output: ! ( ) * + , : " % & / < > ? # are escaped, ' ; = are not.
    key = canonical_key(f"https://id.gs1.org/01/{GTIN}/21/%27%3B%3D%2A%2B%2C%3A")
    assert key == f"01/{GTIN}/21/';=%2A%2B%2C%3A"
    urn_key = canonical_key("urn:epc:id:sgtin:952123.0456789.%22%25%26%2F%3C%3E%3F")
    assert urn_key == f"01/{GTIN}/21/%22%25%26%2F%3C%3E%3F"


def test_tilde_is_not_in_character_set_82():
    with pytest.raises(IdentifierError, match="'~', which is not in GS1 AI encodable character set 82"):
        parse_identifier(f"https://id.gs1.org/01/{GTIN}/21/A~1")
    with pytest.raises(IdentifierError, match="'~', which is not in GS1 AI encodable character set 82"):
        parse_identifier(f"https://id.gs1.org/01/{GTIN}/21/A%7E1")


@given(st.text(alphabet="!\"%&'()*+,-./0123456789:;<=>?AZ_az", min_size=1, max_size=20))
def test_every_character_82_serial_survives_dl_and_urn(serial):
    encoded = "".join(f"%{ord(char):02X}" for char in serial)
    key = canonical_key(f"https://example.com/01/{GTIN}/21/{encoded}")
    assert "/" not in key.removeprefix(f"01/{GTIN}/21/")
    urn = to_epc_urn(key, 6)
    assert canonical_key(urn) == key
    assert canonical_key(to_digital_link(key, "https://example.com/a/b/")) == key


# --- not GS1 / malformed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "https://example.com/things/1",
        "https://example.com/blog/2024/01/15",
        "http://transaction.acme.com/po/12345678",
        "http://example.org/123/4012345ABC987/456/4711",
        "http://example.de/abc/9780345418913",
        "https://example.com/01/shop",
        "https://example.com/8004/ABC123",
        f"https://example.com/01/{GTIN}/reviews",
        "https://id.gs1.org/",
        "https://id.gs1.org",
        "https://id.gs1.org/AQnYUc1gmkax7ipGrOHDPC5YNI8hMz",  # compressed: not decompressed here
        "ftp://id.gs1.org/01/09521234567899",
        "mailto:someone@example.com",
    ],
)
def test_web_uris_without_a_gs1_key(uri):
    assert parse_identifier(uri) is None
    assert to_canonical_digital_link(uri) == uri


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("https://id.gs1.org/01/09521234567897", "wrong GS1 check digit in GTIN 09521234567897: expected 9"),
        (
            "https://example.com/01/09521234567897/21/1",
            "wrong GS1 check digit in GTIN 09521234567897: expected 9",
        ),
        ("https://example.com/01/95212345678", "must have 8, 12, 13 or 14 digits"),
        ("https://example.com/01/095212345678999", "must have 8, 12, 13 or 14 digits"),
        ("https://id.gs1.org/01/shoes", "must have 8, 12, 13 or 14 digits"),
        ("https://id.gs1.org/00/10614141234567890", "has 17 digits; 18 required"),
        (
            "https://id.gs1.org/00/106141412345678907",
            "wrong GS1 check digit in SSCC 106141412345678907: expected 8",
        ),
        ("https://id.gs1.org/414/0614141123453", "wrong GS1 check digit in GLN"),
        ("https://id.gs1.org/8003/106141411234525678", "must start with the digit 0"),
        ("https://id.gs1.org/8006/04012345123456/22/ABCD/10/XYZ", "has 14 digits; 18 required"),
        ("https://id.gs1.org/8010/0614141abc", "not in GS1 AI encodable character set 39"),
        (f"https://id.gs1.org/01/{GTIN}/21/" + "x" * 21, "at most 20"),
        (f"https://id.gs1.org/01/{GTIN}/21/", "key qualifier '21' has no value"),
        (f"https://id.gs1.org/01/{GTIN}/21/A/10/B", "out of order"),
        (f"https://id.gs1.org/01/{GTIN}/21/A/21/B", "repeated or out of order"),
        (f"https://id.gs1.org/01/{GTIN}/235/A/21/B", "cannot be combined"),
        (f"https://id.gs1.org/01/{GTIN}/99/x", "'99' is not a key qualifier of the GTIN"),
        (f"https://id.gs1.org/01/{GTIN}/254/x", "'254' is not a key qualifier of the GTIN"),
        (f"https://id.gs1.org/01/{GTIN}/21/A/extra", "has no value"),
        ("https://id.gs1.org/99/9780345418913", "has no GS1 primary key"),
        (f"https://id.gs1.org/01/{GTIN}/21/a%zz", "does not start a %XX percent-escape"),
    ],
)
def test_malformed_digital_links_raise(uri, message):
    with pytest.raises(IdentifierError, match=message):
        parse_identifier(uri)


def test_to_digital_link():
    assert to_digital_link(f"01/{GTIN}/21/ABC") == f"https://id.gs1.org/01/{GTIN}/21/ABC"
    assert to_digital_link(f"01/{GTIN}", base="https://trace.example.gov.cn/") == (
        f"https://trace.example.gov.cn/01/{GTIN}"
    )
    with pytest.raises(IdentifierError, match="not a canonical GS1 key"):
        to_digital_link("urn:uuid:1")
    with pytest.raises(IdentifierError, match="canonical form is"):
        to_digital_link("01/9521234567899")  # GTIN-13 must be padded in a canonical key
    with pytest.raises(IdentifierError, match="canonical form is"):
        to_digital_link(f"01/{GTIN}/10/L/21/S")  # lot is dropped when the serial is there

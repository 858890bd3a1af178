"""Complete GS1 Digital Link URIs: element strings <-> URIs, compression, EPC URIs with a prefix look-up."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehub.identifiers import (
    IdentifierError,
    build_digital_link,
    compress_digital_link,
    decompress_digital_link,
    digital_link_to_element_strings,
    digital_link_to_epc_urn,
    element_strings_to_digital_link,
    epc_urn_to_digital_link,
    gs1_check_digit,
    prefix_length_lookup,
    read_digital_link,
)
from tracehub.identifiers.dl_compression import compress_pairs, decompress_segment
from tracehub.identifiers.dl_uri import normalise_stem

ES = "(01)09521234567899(10)LOT1(21)ABC(17)261231"
DL = "https://id.gs1.org/01/09521234567899/10/LOT1/21/ABC?17=261231"


def test_element_strings_to_digital_link_and_back():
    assert element_strings_to_digital_link(ES) == DL
    assert digital_link_to_element_strings(DL) == ES
    assert element_strings_to_digital_link("(17)261231(21)ABC(10)LOT1(01)09521234567899") == DL
    assert element_strings_to_digital_link(ES, short_names=True) == (
        "https://id.gs1.org/gtin/09521234567899/lot/LOT1/ser/ABC?exp=261231"
    )
    assert element_strings_to_digital_link(ES, stem="https://example.com:443/r/") == DL.replace(
        "https://id.gs1.org", "https://example.com/r"
    )


def test_values_are_percent_encoded():
    link = element_strings_to_digital_link("(8004)0614141A&B/C(7040)1ABC")
    assert link == "https://id.gs1.org/8004/0614141A%26B%2FC/7040/1ABC"
    assert read_digital_link(link).pairs == (("8004", "0614141A&B/C"), ("7040", "1ABC"))


@pytest.mark.parametrize("compression", ["none", "partial", "full"])
@pytest.mark.parametrize("optimise", [False, True])
def test_compression_levels_round_trip(compression, optimise):
    link = read_digital_link(DL).uri(compression=compression, optimise=optimise)
    again = read_digital_link(link)
    assert set(again.pairs) == set(read_digital_link(DL).pairs)
    assert (
        again.form
        == {"none": "uncompressed", "partial": "partially compressed", "full": "compressed"}[compression]
    )
    assert decompress_digital_link(link) == DL


def test_the_reference_example_of_the_compression_standard():
    uri = "https://id.gs1.org/01/05412345000013/10/ABC123?17=290331&arv=true&donor=bmgf"
    assert compress_digital_link(uri) == "https://id.gs1.org/AQnYUc1gmiCNV4JGLo3DY?arv=true&donor=bmgf"
    assert compress_digital_link(uri, partial=True) == (
        "https://id.gs1.org/01/05412345000013/EEarwSMXRuGw?arv=true&donor=bmgf"
    )
    packed = compress_digital_link(uri, compress_other=True)
    assert packed == "https://id.gs1.org/AQnYUc1gmiCNV4JGLo3Dfg2q72Etrue8K7RPRWwjc0D4"
    assert decompress_digital_link(packed) == uri


def test_other_query_content_and_fragment_survive():
    link = read_digital_link(f"{DL}&utm=x&flag#top")
    assert link.other == (("utm", "x"),) and link.other_query == ("flag",) and link.fragment == "top"
    assert link.uri() == f"{DL}&utm=x&flag#top"


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("ftp://id.gs1.org/01/09521234567899", "scheme 'ftp' is not recognised"),
        ("not a uri", "is not a URI"),
        ("https://id.gs1.org/01/09521234567898", "wrong GS1 check digit"),
        ("https://id.gs1.org/01/09521234567899/21/A/10/B", "invalid sequence of key qualifiers"),
        ("https://id.gs1.org/01/09521234567899/22/V/235/T", "invalid sequence of key qualifiers"),
        ("https://id.gs1.org/01/09521234567899?3103=0001957", "has 7 characters"),
        ("https://id.gs1.org/01/09521234567899?5999=1", "all-numeric name"),
        ("https://id.gs1.org/01/09521234567899?x=[y]", "percent-encode"),
        ("https://id.gs1.org/about/us", "not a GS1 Digital Link"),
        ("https://id.gs1.org/%%%", "no primary key"),
    ],
)
def test_bad_digital_links_say_why(uri, reason):
    with pytest.raises(
        IdentifierError, match=reason.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
    ):
        read_digital_link(uri)


def test_building_needs_exactly_one_primary_key():
    with pytest.raises(IdentifierError, match="exactly one primary key"):
        build_digital_link([("10", "LOT1")])
    with pytest.raises(IdentifierError, match="exactly one primary key"):
        build_digital_link([("01", "09521234567899"), ("00", "106141412345678908")])
    # A lot next to an SSCC is a data attribute, not a key qualifier (GS1 DL 1.2 §4.7).
    assert build_digital_link([("00", "106141412345678908"), ("10", "L1")]).endswith("?10=L1")


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        (None, "https://id.gs1.org"),
        ("dlr.example.org", "https://dlr.example.org"),
        ("HTTP://Example.ORG:80/x/", "http://example.org/x"),
        ("https://example.org:8443", "https://example.org:8443"),
    ],
)
def test_stems(stem, expected):
    assert normalise_stem(stem) == expected


@pytest.mark.parametrize(
    "stem",
    ["https:+www.acme.org", ":/wwwacmeorg/", "https://www.acme.org:99999", "https://a b/", "ftp://x.org"],
)
def test_bad_stems(stem):
    with pytest.raises(IdentifierError, match="stem"):
        normalise_stem(stem)


def test_epc_urn_from_digital_link_with_a_prefix_lookup():
    lookup = prefix_length_lookup({"952123", "0614141"})
    assert digital_link_to_epc_urn(DL, lookup) == "urn:epc:id:sgtin:952123.0456789.ABC"
    assert digital_link_to_epc_urn("https://example.com/00/106141412345678908", lookup) == (
        "urn:epc:id:sscc:0614141.1234567890"
    )
    compressed = compress_digital_link(DL)
    assert digital_link_to_epc_urn(compressed, lookup) == "urn:epc:id:sgtin:952123.0456789.ABC"
    # A URN knows its own prefix length; the look-up is not asked.
    urn = "urn:epc:id:sgtin:952123.0456789.ABC"
    assert digital_link_to_epc_urn(urn, lambda key: pytest.fail("asked")) == urn
    with pytest.raises(IdentifierError, match="company prefix length unknown for 01/04012345123456"):
        digital_link_to_epc_urn("https://id.gs1.org/01/04012345123456/21/1", lookup)
    with pytest.raises(IdentifierError, match="is not a GS1 Digital Link"):
        digital_link_to_epc_urn("https://example.com/about", lookup)
    with pytest.raises(IdentifierError, match="carries no GS1 key"):
        digital_link_to_epc_urn("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e", lookup)


def test_epc_urn_to_digital_link():
    assert epc_urn_to_digital_link("urn:epc:id:sgtin:952123.0456789.ABC") == (
        "https://id.gs1.org/01/09521234567899/21/ABC"
    )
    with pytest.raises(IdentifierError):
        epc_urn_to_digital_link("urn:uuid:1")


_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@st.composite
def gtin_data(draw):
    body = draw(st.text("0123456789", min_size=13, max_size=13))
    pairs = {"01": body + gs1_check_digit(body)}
    for ai, alphabet in (
        ("10", _CSET82),
        ("21", draw(st.sampled_from([_CSET82, _SAFE, "0123456789", "abc"]))),
    ):
        if draw(st.booleans()):
            pairs[ai] = draw(st.text(alphabet, min_size=1, max_size=20))
    if draw(st.booleans()):
        pairs["17"] = f"{draw(st.dates(dt.date(2000, 1, 1), dt.date(2049, 12, 31))):%y%m%d}"
    if draw(st.booleans()):
        pairs["3103"] = draw(st.text("0123456789", min_size=6, max_size=6))
    if draw(st.booleans()):
        pairs["400"] = draw(st.text(_CSET82, min_size=1, max_size=30))
    return tuple(pairs.items())


@settings(max_examples=300, deadline=None)
@given(gtin_data(), st.booleans(), st.sampled_from(["none", "partial", "full"]))
def test_random_digital_links_round_trip_through_every_compression(pairs, optimise, compression):
    link = build_digital_link(pairs, compression=compression, optimise=optimise)
    assert set(read_digital_link(link).pairs) == set(pairs)
    assert set(decompress_segment(compress_pairs(pairs, optimise=optimise))[0]) == set(pairs)

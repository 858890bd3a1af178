"""EPCIS query patterns (EPC pattern URIs, TDS 2.x §8) -> SQL LIKE patterns over canonical keys."""

import sqlite3

import pytest

from tracehub.identifiers import IdentifierError, canonical_key, key_like_pattern, like_escape

# Canonical keys a store might hold (worked out in test_epc / test_digital_link).
KEYS = [
    "01/10614141073464/21/2017",  # sgtin 0614141.107346.2017
    "01/10614141073464/21/2018",
    "01/10614141073464/10/2017",  # lgtin of the same GTIN: never an instance match
    "01/10614141073464",  # the GTIN class itself
    "01/80614141123458/21/6789",  # sgtin 0614141.812345.6789: same prefix, other GTIN
    "01/09521234567899/21/2017",  # other company prefix
    "01/10614141073464/235/TPX",  # upui of the same GTIN
    "00/106141412345678908",  # sscc 0614141.1234567890
    "00/006141410000000017",  # sscc 0614141.0000000001
    "00/095212300000000014",  # sscc 952123.00000000001 (other prefix)
    "414/0614141123452",  # sgln 0614141.12345.0
    "414/0614141123452/254/5678",  # sgln 0614141.12345.5678
    "414/0614141000005/254/1",  # sgln 0614141.00000.1
    "8003/006141411234525678",  # grai 0614141.12345.5678
    "8003/00614141123452",  # grai class 0614141.12345.* (no serial)
    "01/40614141000010/10/A_B%25C",  # lgtin with '_' and an escaped '%' in the lot
    "01/40614141000010/10/AxB%25C",
]


@pytest.fixture(scope="module")
def db():
    connection = sqlite3.connect(":memory:")
    # LIKE must be case-sensitive (PostgreSQL's is; SQLite's needs this pragma): serials differ by case.
    connection.execute("PRAGMA case_sensitive_like = ON")
    connection.execute("CREATE TABLE ident (key TEXT)")
    connection.executemany("INSERT INTO ident VALUES (?)", [(key,) for key in KEYS])
    yield connection
    connection.close()


def _matches(db, pattern):
    rows = db.execute("SELECT key FROM ident WHERE key LIKE ? ESCAPE '\\' ORDER BY rowid", (pattern,))
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    ("uri", "pattern", "matched"),
    [
        (
            "urn:epc:idpat:sgtin:0614141.107346.*",
            "01/10614141073464/21/%",
            ["01/10614141073464/21/2017", "01/10614141073464/21/2018"],
        ),
        (
            "urn:epc:idpat:sgtin:0614141.*.*",
            "01/_0614141%/21/%",
            ["01/10614141073464/21/2017", "01/10614141073464/21/2018", "01/80614141123458/21/6789"],
        ),
        (
            "urn:epc:idpat:sgtin:*.*.*",
            "01/%/21/%",
            [
                "01/10614141073464/21/2017",
                "01/10614141073464/21/2018",
                "01/80614141123458/21/6789",
                "01/09521234567899/21/2017",
            ],
        ),
        (
            "urn:epc:idpat:sgtin:0614141.107346.2017",
            "01/10614141073464/21/2017",
            ["01/10614141073464/21/2017"],
        ),
        ("urn:epc:idpat:upui:0614141.107346.*", "01/10614141073464/235/%", ["01/10614141073464/235/TPX"]),
        ("urn:epc:idpat:sscc:0614141.*", "00/_0614141%", ["00/106141412345678908", "00/006141410000000017"]),
        (
            "urn:epc:idpat:sscc:*.*",
            "00/%",
            ["00/106141412345678908", "00/006141410000000017", "00/095212300000000014"],
        ),
        (
            "urn:epc:idpat:sgln:0614141.12345.*",
            "414/0614141123452%",
            ["414/0614141123452", "414/0614141123452/254/5678"],
        ),
        ("urn:epc:idpat:sgln:0614141.12345.0", "414/0614141123452", ["414/0614141123452"]),
        (
            "urn:epc:idpat:sgln:0614141.*.*",
            "414/0614141%",
            ["414/0614141123452", "414/0614141123452/254/5678", "414/0614141000005/254/1"],
        ),
        ("urn:epc:idpat:grai:0614141.12345.*", "8003/00614141123452_%", ["8003/006141411234525678"]),
        ("urn:epc:idpat:grai:0614141.*.*", "8003/00614141_______%", ["8003/006141411234525678"]),
        (
            "urn:epc:class:lgtin:0614141.107346.2017",
            "01/10614141073464/10/2017",
            ["01/10614141073464/10/2017"],
        ),
        (
            "urn:epc:class:lgtin:0614141.400001.A_B%25C",
            "01/40614141000010/10/A\\_B\\%25C",
            ["01/40614141000010/10/A_B%25C"],
        ),
    ],
)
def test_pattern_to_like(db, uri, pattern, matched):
    assert key_like_pattern(uri) == pattern
    assert _matches(db, pattern) == matched


def test_instance_patterns_never_match_class_keys(db):
    for uri in (
        "urn:epc:idpat:sgtin:0614141.107346.*",
        "urn:epc:idpat:sgtin:0614141.*.*",
        "urn:epc:idpat:sgtin:*.*.*",
    ):
        matched = _matches(db, key_like_pattern(uri))
        assert all("/21/" in key for key in matched)
        assert "01/10614141073464/10/2017" not in matched
        assert "01/10614141073464" not in matched


@pytest.mark.parametrize(
    ("uri", "pattern"),
    [
        ("urn:epc:idpat:pgln:0614141.*", "417/0614141_%"),
        ("urn:epc:idpat:giai:0614141.*", "8004/0614141_%"),
        ("urn:epc:idpat:gsrn:0614141.*", "8018/0614141_%"),
        ("urn:epc:idpat:gsrnp:0614141.*", "8017/0614141_%"),
        ("urn:epc:idpat:ginc:0614141.*", "401/0614141_%"),
        ("urn:epc:idpat:gsin:0614141.*", "402/0614141_%"),
        ("urn:epc:idpat:gdti:0614141.12345.*", "253/0614141123452_%"),
        ("urn:epc:idpat:gdti:0614141.*.*", "253/0614141_______%"),
        ("urn:epc:idpat:sgcn:4012345.67890.*", "255/4012345678901_%"),
        ("urn:epc:idpat:cpi:0614141.5PQ7%2FZ43%23.*", "8010/06141415PQ7\\%2FZ43\\%23/8011/%"),
        ("urn:epc:idpat:cpi:0614141.*.*", "8010/0614141%/8011/%"),
        ("urn:epc:idpat:itip:0614141.812345.01.02.*", "8006/806141411234580102/21/%"),
        ("urn:epc:idpat:itip:0614141.812345.01.*.*", "8006/8061414112345801__/21/%"),
        ("urn:epc:idpat:itip:0614141.812345.*.*.*", "8006/80614141123458____/21/%"),
        ("urn:epc:idpat:itip:0614141.*.*.*.*", "8006/_0614141%/21/%"),
        ("urn:epc:idpat:itip:*.*.*.*.*", "8006/%/21/%"),
    ],
)
def test_other_scheme_patterns(uri, pattern):
    assert key_like_pattern(uri) == pattern


@pytest.mark.parametrize(
    "uri",
    [
        "urn:epc:id:sgtin:0614141.107346.2017",  # an identifier, not a pattern
        "https://id.gs1.org/01/10614141073464",
        "urn:epc:idpat:gid:95100000.12345.*",  # not a GS1 scheme
        "urn:example:foo",
        "",
    ],
)
def test_not_a_pattern(uri):
    assert key_like_pattern(uri) is None


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("urn:epc:idpat:sgtin:0614141.*.2017", "only a trailing run"),
        ("urn:epc:idpat:sgtin:*.107346.*", "only a trailing run"),
        ("urn:epc:idpat:sgtin:0614141.*", "needs 3 dot-separated components"),
        ("urn:epc:idpat:sgtin:061414.107346.*", "must total 13 digits"),
        ("urn:epc:idpat:sscc:0614.*", "6 to 12 digits"),
    ],
)
def test_malformed_patterns_raise(uri, message):
    with pytest.raises(IdentifierError, match=message):
        key_like_pattern(uri)


def test_like_escape():
    assert like_escape("a_b%c\\d") == "a\\_b\\%c\\\\d"
    assert like_escape(canonical_key("urn:epc:id:sgtin:0614141.107346.50%25_off")) == (
        "01/10614141073464/21/50\\%25\\_off"
    )

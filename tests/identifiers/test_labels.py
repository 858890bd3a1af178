"""Labels (追溯标签) and allocated serials: what a phone reads back is what was encoded.

The decoded round trip renders labels as PNG and reads them with zbar's ``zbarimg`` (Debian
zbar-tools, installed by scripts/ensure-chromium.sh from ``make test``). Without zbarimg these tests
fail: they must not pass unseen.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_11_10

from tracehub.identifiers import IdentifierError, make_platform_trace_code
from tracehub.identifiers.labels import (
    LAYOUTS,
    Label,
    gs1_labels,
    gs1_uri_prefix,
    label_png,
    label_svg,
    labels_html,
    labels_pdf,
    platform_labels,
    qr_runs,
)
from tracehub.identifiers.serials import SERIAL_SPACE, SerialCipher, serial_check_digit

KEY = bytes(range(16))
GTIN = "06953182040019"
BASE = "https://trace.xm.example.cn"


def zbarimg() -> str:
    path = shutil.which("zbarimg")
    assert path, "zbarimg is missing: apt-get install zbar-tools (scripts/ensure-chromium.sh does it)"
    return path


def decode(tmp_path, name: str, png: bytes) -> list[str]:
    file = tmp_path / name
    file.write_bytes(png)
    result = subprocess.run(  # noqa: S603 - a fixed program on a file the test wrote
        [zbarimg(), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


# -- the decoded round trip ---------------------------------------------------------------------------


def test_gs1_labels_decode_to_the_digital_link_that_was_encoded(tmp_path):
    serials = list(SerialCipher(KEY).serials(0, 4))
    labels = list(gs1_labels(base=BASE, gtin=GTIN, lot="L20261128", serials=serials))
    for i, (label, serial) in enumerate(zip(labels, serials, strict=True)):
        expected = f"{BASE}/01/{GTIN}/10/L20261128/21/{serial}"
        assert label.uri == expected
        assert label.lines == (f"(01) {GTIN}", "(10) L20261128", f"(21) {serial}")
        assert decode(tmp_path, f"gs1-{i}.png", label_png(label)) == [expected]


def test_platform_and_escaped_uris_decode_exactly(tmp_path):
    code = make_platform_trace_code("350213", 12, date(2026, 11, 28), 42)
    (label,) = platform_labels(base=BASE + "/", codes=[code])
    assert label.uri == f"{BASE}/t/{code}"
    assert label.lines == (f"{code[:10]}-{code[10:16]}-{code[16:]}",)
    assert decode(tmp_path, "platform.png", label_png(label, scale=4)) == [label.uri]
    # A lot with characters that need percent-encoding in a Digital Link (GS1 DL 1.2 §7.1).
    (odd,) = gs1_labels(base=BASE, gtin=GTIN, lot="A/B&1", serials=["1234567890128"])
    assert odd.uri == f"{BASE}/01/{GTIN}/10/A%2FB%261/21/1234567890128"
    assert decode(tmp_path, "odd.png", label_png(odd)) == [odd.uri]


# -- the renderings -----------------------------------------------------------------------------------


def test_svg_label_is_one_well_formed_image_with_its_text():
    label = Label(f"{BASE}/01/{GTIN}/21/1", ("(01) " + GTIN, "(21) 1 <&>"))
    svg = label_svg(label, size_mm=30)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("width") == "30mm" and root.get("aria-label") == label.uri
    assert [t.text for t in root.iter(f"{ns}text")] == ["(01) " + GTIN, "(21) 1 <&>"]
    size, runs = qr_runs(label.uri)
    assert (
        size == segno.make_qr(label.uri, error="m").symbol_size(border=0)[0]
        and len(root.find(f"{ns}path").get("d").split("M")) == len(runs) + 1
    )


def test_html_sheets_stream_page_by_page():
    labels = [Label(f"{BASE}/t/{i}", (f"code {i}",)) for i in range(36)]
    chunks = list(
        labels_html(iter(labels), layout=LAYOUTS["a4"], title="猪肉 <L1>", stylesheet="/s/labels.css")
    )
    assert len(chunks) == 4  # head, two sheets, end
    document = "".join(chunks)
    assert (
        "<title>猪肉 &lt;L1&gt;</title>" in document
        and "<style" not in document
        and "<script" not in document
    )
    assert document.count('<section class="sheet sheet-a4"') == 2
    assert chunks[1].count("<figure") == 35 and chunks[2].count("<figure") == 1
    assert "grid-template-columns:repeat(5,38mm)" in chunks[1]
    roll = "".join(labels_html(labels[:3], layout=LAYOUTS["roll"], title="t", stylesheet="/s.css"))
    assert roll.count('<section class="sheet sheet-roll"') == 3


def test_pdf_has_a_page_per_sheet():
    labels = list(gs1_labels(base=BASE, gtin=GTIN, lot="L1", serials=SerialCipher(KEY).serials(0, 70)))
    pdf = labels_pdf(labels, layout=LAYOUTS["a4"], title="labels")
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") == 3  # 35 + 35 + 1
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf
    roll = labels_pdf(labels[:2], layout=LAYOUTS["roll"])
    assert roll.count(b"/Type /Page\n") == 2 and b"/MediaBox [0 0 141.73 113.39]" in roll


def test_a_lot_that_is_not_a_gs1_lot_is_refused():
    with pytest.raises(IdentifierError, match="not allowed"):
        gs1_uri_prefix(base=BASE, gtin=GTIN, lot="批号1")
    with pytest.raises(IdentifierError):
        gs1_uri_prefix(base=BASE, gtin="06953182040018", lot="")


# -- serials ------------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=SERIAL_SPACE - 1))
def test_a_serial_decodes_to_its_sequence(sequence):
    cipher = SerialCipher(KEY)
    serial = cipher.encode(sequence)
    assert re.fullmatch(r"\d{13}", serial) and mod_11_10.is_valid(serial)
    assert serial_check_digit(serial[:12]) == mod_11_10.calc_check_digit(serial[:12])
    assert cipher.decode(serial) == sequence
    assert (
        SerialCipher(bytes(16)).decode(serial) != sequence
        or SerialCipher(bytes(16)).encode(sequence) == serial
    )


def test_serials_are_a_permutation_with_no_repeats():
    cipher = SerialCipher(KEY)
    serials = list(cipher.serials(0, 49_999))
    assert len(set(serials)) == 50_000
    assert serials[:3] == [cipher.encode(0), cipher.encode(1), cipher.encode(2)]
    assert list(cipher.serials(SERIAL_SPACE - 2, SERIAL_SPACE - 1)) == [
        cipher.encode(SERIAL_SPACE - 2),
        cipher.encode(SERIAL_SPACE - 1),
    ]
    with pytest.raises(ValueError):
        list(cipher.serials(5, SERIAL_SPACE))
    with pytest.raises(ValueError):
        SerialCipher(b"short")


def test_every_single_typo_and_adjacent_swap_is_caught():
    cipher = SerialCipher(KEY)
    serial = cipher.encode(123_456)
    for position in range(13):
        for digit in "0123456789":
            if digit != serial[position]:
                typo = serial[:position] + digit + serial[position + 1 :]
                assert cipher.decode(typo) is None, typo
    for position in range(12):
        a, b = serial[position], serial[position + 1]
        if a != b:
            assert cipher.decode(serial[:position] + b + a + serial[position + 2 :]) is None
    for bad in ("", "12345", "ABCDEFGHIJKLM", "１２３４５６７８９０１２３", serial + "0"):
        assert cipher.decode(bad) is None

"""Printable trace labels (追溯标签): a QR code with the human-readable code under it.

Each label is a :class:`Label`: the URI its QR code carries (a GS1 Digital Link URI, or the
platform's ``/t/{code}`` URL for a platform trace code) and the lines printed under the symbol (the
GS1 human-readable interpretation, GS1 GS §4.15: ``(01) 0952…``, ``(10) LOT1``, ``(21) …``; or the
grouped platform code). They are rendered as

* one label as SVG (:func:`label_svg`) or PNG (:func:`label_png`), the QR code by segno;
* sheets of labels in a :class:`Layout`: an A4 sheet of 5 × 7 labels, or a label printer's roll
  with one 50 × 40 mm label per page, as print-ready HTML (:func:`labels_html`, streamed page by
  page, sized in millimetres with CSS ``@page``) or PDF (:func:`labels_pdf`, fpdf2, the QR
  modules drawn as vector rectangles so they print sharp at any resolution).

QR codes use error correction level M at least (segno raises it when that costs no extra size)
and the 4-module quiet zone of ISO/IEC 18004. Pure code (DESIGN.md §2): no Django, no models;
the caller hands in the URIs' base and the stylesheet's URL.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import segno

from .dl_uri import build_digital_link

__all__ = [
    "LAYOUTS",
    "Label",
    "Layout",
    "gs1_labels",
    "gs1_uri_prefix",
    "label_png",
    "label_svg",
    "labels_html",
    "labels_pdf",
    "platform_code_url",
    "platform_labels",
    "qr_runs",
]

#: Quiet zone around a QR code, in modules (ISO/IEC 18004 §6.3.8).
QUIET = 4


@dataclass(frozen=True, slots=True)
class Label:
    """One label: the URI in its QR code and the text lines printed under it."""

    uri: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where labels go on a page, in millimetres."""

    name: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_left: float
    margin_top: float
    qr_size: float  # the symbol with its quiet zone
    font_pt: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


LAYOUTS: dict[str, Layout] = {
    # An A4 sheet (210 × 297 mm) of 5 × 7 labels of 38 × 39.5 mm: self-adhesive label sheets or
    # plain paper cut up.
    "a4": Layout("a4", 210, 297, 5, 7, 38, 39.5, 10, 10.25, 28, 6.5),
    # A thermal label printer's roll: one 50 × 40 mm label per page.
    "roll": Layout("roll", 50, 40, 1, 1, 50, 40, 0, 0, 28, 6.5),
}


# -- what goes on a label --------------------------------------------------------------------------


def gs1_uri_prefix(*, base: str, gtin: str, lot: str = "") -> str:
    """``{base}/01/{gtin}[/10/{lot}]/21/``: the Digital Link of a serialised item without its
    serial, checked once (GS1 Digital Link 1.2 §4: the lot qualifier precedes the serial)."""
    pairs = [("01", gtin), *([("10", lot)] if lot else []), ("21", "0")]
    return build_digital_link(pairs, stem=base)[:-1]


def gs1_labels(*, base: str, gtin: str, lot: str, serials: Iterable[str]) -> Iterator[Label]:
    """Labels of serials (digits, no percent-encoding needed) of one GTIN and lot."""
    prefix = gs1_uri_prefix(base=base, gtin=gtin, lot=lot)
    head = (f"(01) {gtin}", *((f"(10) {lot}",) if lot else ()))
    for serial in serials:
        yield Label(prefix + serial, (*head, f"(21) {serial}"))


def platform_code_url(*, base: str, code: str) -> str:
    """The URL a platform trace code's QR code carries: the platform's ``/t/{code}`` page."""
    return f"{base.rstrip('/')}/t/{code}"


def platform_labels(*, base: str, codes: Iterable[str]) -> Iterator[Label]:
    """Labels of platform trace codes (plain 22 digits), printed grouped as on a receipt."""
    for code in codes:
        yield Label(platform_code_url(base=base, code=code), (f"{code[:10]}-{code[10:16]}-{code[16:]}",))


# -- the QR symbol ------------------------------------------------------------------------------------


def _qr(uri: str) -> segno.QRCode:
    return segno.make_qr(uri, error="m", boost_error=True)


def qr_runs(uri: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The QR code of ``uri`` as (size in modules without quiet zone, dark runs (x, y, length))."""
    matrix = _qr(uri).matrix
    runs = []
    for y, row in enumerate(matrix):
        x, size = 0, len(row)
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append((start, y, x - start))
            else:
                x += 1
    return len(matrix), runs


def _path(runs: list[tuple[int, int, int]], offset: int) -> str:
    return "".join(f"M{x + offset} {y + offset}h{n}v1h-{n}z" for x, y, n in runs)


def _font_units(lines: tuple[str, ...], width: float, preferred: float) -> float:
    """A monospace font size (in the units of ``width``) at which the longest line fits."""
    longest = max((len(line) for line in lines), default=1)
    return min(preferred, width * 0.94 / (0.6 * longest))


def _svg_symbol(label: Label, *, size_mm: float, text_mm: float, font_pt: float, lines: bool) -> str:
    size, runs = qr_runs(label.uri)
    total = size + 2 * QUIET
    unit = size_mm / total  # millimetres per module
    font = _font_units(label.lines, total, font_pt * 0.3528 / unit) if lines else 0
    height = total + (len(label.lines) * font * 1.2 + font * 0.3 if lines else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {height:.2f}" '
        f'width="{size_mm}mm" height="{height * unit:.2f}mm" role="img" '
        f'aria-label="{html.escape(label.uri)}">',
        f'<rect width="{total}" height="{height:.2f}" fill="#fff"/>',
        f'<path fill="#000" d="{_path(runs, QUIET)}"/>',
    ]
    if lines:
        for i, line in enumerate(label.lines):
            y = total + font * (1.0 + 1.2 * i)
            parts.append(
                f'<text x="{total / 2}" y="{y:.2f}" font-family="DejaVu Sans Mono, Courier New, monospace" '
                f'font-size="{font:.2f}" text-anchor="middle" fill="#000">{html.escape(line)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def label_svg(label: Label, *, size_mm: float = 28, font_pt: float = 6.5) -> str:
    """One label as a standalone SVG document: the QR code ``size_mm`` wide, the lines under it."""
    return _svg_symbol(label, size_mm=size_mm, text_mm=0, font_pt=font_pt, lines=True)


def label_png(label: Label, *, scale: int = 8) -> bytes:
    """One label as a PNG: ``scale`` pixels per module, the lines under the symbol's quiet zone."""
    from PIL import Image, ImageDraw, ImageFont

    size, runs = qr_runs(label.uri)
    total = (size + 2 * QUIET) * scale
    font_px = max(8, int(_font_units(label.lines, total, 2.6 * scale)))
    font = ImageFont.load_default(size=font_px)
    line_height = int(font_px * 1.25)
    height = total + line_height * len(label.lines) + scale
    image = Image.new("1", (total, height), 1)
    draw = ImageDraw.Draw(image)
    offset = QUIET * scale
    for x, y, n in runs:
        x0, y0 = offset + x * scale, offset + y * scale
        draw.rectangle((x0, y0, x0 + n * scale - 1, y0 + scale - 1), fill=0)
    for i, line in enumerate(label.lines):
        draw.text((total / 2, total + i * line_height), line, font=font, fill=0, anchor="ma")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# -- sheets ----------------------------------------------------------------------------------------


def _pages(labels: Iterable[Label], per_page: int) -> Iterator[list[Label]]:
    it = iter(labels)
    while page := list(islice(it, per_page)):
        yield page


def labels_html(
    labels: Iterable[Label],
    *,
    layout: Layout,
    title: str,
    stylesheet: str,
    lang: str = "zh-Hans",
    caption: str = "",
) -> Iterator[str]:
    """A print-ready HTML document of labels, yielded page by page (a ``StreamingHttpResponse``).

    Sizes are millimetres in ``style`` attributes; the page size (``@page a4`` / ``@page roll``)
    and the print rules are in ``stylesheet`` (no ``<style>`` element: the platform's CSP). Each
    sheet breaks to a new page; ``caption`` (e.g. the product name) is printed above each code.
    """
    yield (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="stylesheet" href="{html.escape(stylesheet)}"></head>'
        f'<body class="labels labels-{layout.name}">\n'
    )
    cell = f"width:{layout.label_width}mm;height:{layout.label_height}mm"
    sheet = (
        f"width:{layout.page_width}mm;height:{layout.page_height}mm;"
        f"padding:{layout.margin_top}mm 0 0 {layout.margin_left}mm;"
        f"grid-template-columns:repeat({layout.columns},{layout.label_width}mm);"
        f"grid-auto-rows:{layout.label_height}mm"
    )
    head = f'<p class="label-caption">{html.escape(caption)}</p>' if caption else ""
    for page in _pages(labels, layout.per_page):
        parts = [f'<section class="sheet sheet-{layout.name}" style="{sheet}">']
        for label in page:
            symbol = _svg_symbol(label, size_mm=layout.qr_size, text_mm=0, font_pt=0, lines=False)
            text = "".join(f"<span>{html.escape(line)}</span>" for line in label.lines)
            parts.append(
                f'<figure class="label" style="{cell}">{head}{symbol}'
                f'<figcaption style="font-size:{layout.font_pt}pt">{text}</figcaption></figure>'
            )
        parts.append("</section>\n")
        yield "".join(parts)
    yield "</body></html>\n"


def labels_pdf(labels: Iterable[Label], *, layout: Layout, title: str = "") -> bytes:
    """Labels as a PDF in ``layout``: vector QR codes, the lines under each in Courier.

    Only Latin text is printed (the PDF core fonts); the codes and GS1 HRI are ASCII."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=(layout.page_width, layout.page_height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    if title:
        pdf.set_title(title.encode("latin-1", "replace").decode("latin-1"))
    pdf.set_creator("TraceHub")
    line_mm = layout.font_pt * 0.3528 * 1.2
    for page in _pages(labels, layout.per_page):
        pdf.add_page()
        for index, label in enumerate(page):
            column, row = index % layout.columns, index // layout.columns
            left = layout.margin_left + column * layout.label_width
            top = layout.margin_top + row * layout.label_height
            size, runs = qr_runs(label.uri)
            total = size + 2 * QUIET
            unit = layout.qr_size / total
            text_height = line_mm * len(label.lines)
            x0 = left + (layout.label_width - layout.qr_size) / 2
            y0 = top + (layout.label_height - layout.qr_size - text_height) / 2
            # One path per symbol in module units (a transformation matrix maps them onto the
            # page): fpdf2's rect() per module run is ten times slower for a full sheet.
            k = pdf.k
            modules = " ".join(f"{x + QUIET} {y + QUIET} {n} 1 re" for x, y, n in runs)
            pdf._out(  # noqa: SLF001 - raw content stream, see above
                f"q 0 g {unit * k:.4f} 0 0 {-unit * k:.4f} {x0 * k:.2f} {(pdf.h - y0) * k:.2f} cm "
                f"{modules} f Q"
            )
            longest = max((len(line) for line in label.lines), default=1)
            font_pt = min(layout.font_pt, layout.label_width * 0.94 / (0.6 * longest) / 0.3528)
            pdf.set_font("Courier", size=font_pt)
            for i, line in enumerate(label.lines):
                pdf.set_xy(left, y0 + layout.qr_size + i * line_mm)
                pdf.cell(layout.label_width, line_mm, line, align="C")
    return bytes(pdf.output())

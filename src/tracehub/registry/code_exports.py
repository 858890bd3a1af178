"""The codes of an allocation as files (docs/codes.md): CSV, streamed, and printable labels.

Shared by the API (``api_codes``) and the console (``views/codes``). The CSV of a million codes
streams in chunks with constant memory (a ``StreamingHttpResponse`` over a generator). Labels are
asked for by page (``pages=3`` or ``pages=1-20`` of the layout) or, for one SVG or PNG, by
position (``index``), so no request renders a million labels.

Which URI a QR code carries: a GS1 serial's Digital Link under ``TRACEHUB_DIGITAL_LINK_BASE`` (the
platform's resolver in a deployment, DESIGN.md §4); a platform trace code's ``/t/{code}`` page on
the host that serves the request.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tracehub.core.csvsafe import csv_safe
from tracehub.identifiers.labels import (
    LAYOUTS,
    Label,
    gs1_labels,
    gs1_uri_prefix,
    label_png,
    label_svg,
    labels_html,
    labels_pdf,
    platform_code_url,
    platform_labels,
)
from tracehub.registry.models import CodeAllocation, CodeScheme
from tracehub.registry.selectors import code_allocation_codes

#: Most labels one request renders (about 29 A4 sheets); ask for further pages in further requests.
MAX_LABELS_PER_REQUEST = 1000
LABEL_FORMATS = ("svg", "png", "html", "pdf")
_CSV_CHUNK = 2048


def site_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _gtin(allocation: CodeAllocation) -> str:
    return allocation.counter_key  # the GTIN-14 for GS1 allocations


def allocation_labels(
    allocation: CodeAllocation, *, request: HttpRequest, start: int, stop: int
) -> Iterator[Label]:
    """Labels of positions ``start`` … ``stop - 1`` (0-based) of the allocation."""
    codes = code_allocation_codes(allocation, start=start, stop=stop)
    if allocation.scheme == CodeScheme.GS1:
        return gs1_labels(
            base=settings.TRACEHUB_DIGITAL_LINK_BASE,
            gtin=_gtin(allocation),
            lot=allocation.lot,
            serials=codes,
        )
    return platform_labels(base=site_base(request), codes=codes)


def _quoted(value: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value])
    return out.getvalue()


def csv_chunks(allocation: CodeAllocation, *, base: str, gs1_base: str | None = None) -> Iterator[str]:
    """The allocation's codes as CSV text, a header then chunks of rows (RFC 4180, CRLF)."""
    codes = code_allocation_codes(allocation)
    if allocation.scheme == CodeScheme.GS1:
        gtin, lot = _gtin(allocation), allocation.lot
        prefix = gs1_uri_prefix(base=gs1_base or settings.TRACEHUB_DIGITAL_LINK_BASE, gtin=gtin, lot=lot)
        element = f"(01){gtin}" + (f"(10){lot}" if lot else "") + "(21)"
        yield "index,gtin,lot,serial,uri,element_string\r\n"
        if '"' in lot or "," in lot or csv_safe(lot) != lot:  # rare (GS1 set 82 allows them)
            # Quoted per row, and a lot starting like a formula (=, +, -, @) is written as text.
            rows = (
                f"{i},{gtin},{_quoted(csv_safe(lot))},{s},{prefix}{s},{_quoted(element + s)}\r\n"
                for i, s in enumerate(codes, 1)
            )
        else:
            rows = (f"{i},{gtin},{lot},{s},{prefix}{s},{element}{s}\r\n" for i, s in enumerate(codes, 1))
    else:
        yield "index,code,printed,uri\r\n"
        rows = (
            f"{i},{c},{c[:10]}-{c[10:16]}-{c[16:]},{platform_code_url(base=base, code=c)}\r\n"
            for i, c in enumerate(codes, 1)
        )
    chunk: list[str] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CSV_CHUNK:
            yield "".join(chunk)
            chunk.clear()
    if chunk:
        yield "".join(chunk)


def csv_response(allocation: CodeAllocation, *, request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_chunks(allocation, base=site_base(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="codes-{allocation.pk}.csv"'
    return response


def parse_layout(value: str | None) -> str:
    layout = value or "a4"
    if layout not in LAYOUTS:
        raise ValidationError(
            {"layout": [_("Expected one of: %(choices)s.") % {"choices": ", ".join(LAYOUTS)}]}
        )
    return layout


def page_count(allocation: CodeAllocation, layout: str) -> int:
    per_page = LAYOUTS[layout].per_page
    return (allocation.count + per_page - 1) // per_page


def parse_pages(allocation: CodeAllocation, layout: str, value: str | None) -> tuple[int, int]:
    """``3`` or ``1-20`` (1-based, inclusive) → positions (start, stop) of the labels on them."""
    per_page = LAYOUTS[layout].per_page
    last_page = page_count(allocation, layout)
    text = (value or "1").strip()
    first_text, dash, last_text = text.partition("-")
    if not first_text.isdigit() or (dash and not last_text.isdigit()):
        raise ValidationError({"pages": [_("Expected a page number or a range such as 1-5.")]})
    first, last = int(first_text), int(last_text) if dash else int(first_text)
    if not 1 <= first <= last <= last_page:
        raise ValidationError(
            {"pages": [_("Expected pages from 1 to %(n)d, the first not after the last.") % {"n": last_page}]}
        )
    if (last - first + 1) * per_page > MAX_LABELS_PER_REQUEST:
        raise ValidationError(
            {
                "pages": [
                    _("At most %(n)d pages of this layout at once; ask for the next pages after.")
                    % {"n": MAX_LABELS_PER_REQUEST // per_page}
                ]
            }
        )
    return (first - 1) * per_page, min(last * per_page, allocation.count)


def parse_index(allocation: CodeAllocation, value: int | str | None) -> int:
    """The 1-based position of one label → its 0-based position."""
    text = str(value if value is not None else 1).strip()
    if not text.isdigit() or not 1 <= int(text) <= allocation.count:
        raise ValidationError(
            {"index": [_("Expected a position from 1 to %(n)d.") % {"n": allocation.count}]}
        )
    return int(text) - 1


def labels_response(
    allocation: CodeAllocation,
    *,
    request: HttpRequest,
    file_format: str,
    layout: str | None = None,
    pages: str | None = None,
    index: int | str | None = None,
) -> HttpResponse:
    """One label (svg, png: ``index``) or sheets of labels (html, pdf: ``layout``, ``pages``)."""
    if file_format in ("svg", "png"):
        position = parse_index(allocation, index)
        label = next(allocation_labels(allocation, request=request, start=position, stop=position + 1))
        name = f"label-{allocation.pk}-{position + 1}.{file_format}"
        if file_format == "svg":
            response = HttpResponse(label_svg(label), content_type="image/svg+xml")
        else:
            response = HttpResponse(label_png(label), content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    layout_name = parse_layout(layout)
    start, stop = parse_pages(allocation, layout_name, pages)
    labels = allocation_labels(allocation, request=request, start=start, stop=stop)
    title = f"{allocation.product.name} {allocation.lot}".strip()
    if file_format == "pdf":
        body = labels_pdf(labels, layout=LAYOUTS[layout_name], title=f"labels {allocation.pk}")
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="labels-{allocation.pk}-{start + 1}-{stop}.pdf"'
        return response
    document = labels_html(
        labels,
        layout=LAYOUTS[layout_name],
        title=title,
        stylesheet=static("registry/labels.css"),
        lang=get_language() or "zh-hans",
        caption=allocation.product.name,
    )
    return StreamingHttpResponse(document, content_type="text/html; charset=utf-8")

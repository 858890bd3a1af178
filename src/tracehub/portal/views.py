"""Pages of the public portal: the GS1 resolver, the product page, the search box, reports;
and the officials' console pages for reports and authenticity alerts (docs/portal.md).

The resolver answers every GS1 Digital Link form of the keys it holds and the platform codes
under ``/t/``: an HTML page for browsers, a GS1 linkset (RFC 9264, ``application/linkset+json``)
for machines that ask for one (``Accept`` or ``?linkType=all``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracehub.identifiers import IdentifierError, parse_liquor_slip_number
from tracehub.portal import codes, selectors, services
from tracehub.portal.codes import CodeRef
from tracehub.portal.models import AlertKind, ReportCategory, ReportStatus
from tracehub.registry.models import FilingStatus

LINKSET_TYPE = "application/linkset+json"
GS1_VOC = "https://gs1.org/voc/"


# ------------------------------------------------------------------------------------------------
# Reading the request.
# ------------------------------------------------------------------------------------------------


class BadCode(Exception):
    """A code that cannot be read: the 400 page says why."""

    def __init__(self, reason: str, field: str = "code") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def agent_family(user_agent: str) -> str:
    """The browser family of a User-Agent (what scanned the code), never the string itself."""
    text = user_agent or ""
    for needle, family in (
        ("MicroMessenger", "WeChat"),
        ("AlipayClient", "Alipay"),
        ("DingTalk", "DingTalk"),
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("python", "Python"),
    ):
        if needle in text:
            return family
    return "other" if text else ""


def read_geo(request: HttpRequest) -> tuple[float | None, float | None]:
    """The optional coarse area a scanner app passes: ``?geo=24.5,118.1`` (latitude,longitude)."""
    text = request.GET.get("geo", "").strip()
    if not text:
        return None, None
    try:
        lat_text, lon_text = text.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise BadCode(str(_("geo must be latitude,longitude in degrees, e.g. 24.5,118.1")), "geo") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadCode(str(_("geo must be latitude,longitude in degrees, e.g. 24.5,118.1")), "geo")
    return lat, lon


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def wants_linkset(request: HttpRequest) -> bool:
    """Whether the client asked for the linkset instead of the page (GS1 resolver behaviour)."""
    if request.GET.get("linkType") == "all":
        return True
    accept = request.headers.get("Accept", "")
    if "text/html" in accept:
        return False
    return LINKSET_TYPE in accept or "application/json" in accept


# ------------------------------------------------------------------------------------------------
# The product page.
# ------------------------------------------------------------------------------------------------


def _bad(request: HttpRequest, exc: BadCode | IdentifierError, status: int = 400) -> HttpResponse:
    reason = exc.reason if isinstance(exc, BadCode) else str(exc)
    field = exc.field if isinstance(exc, BadCode) else "code"
    return render(request, "portal/bad_code.html", {"reason": reason, "field": field}, status=status)


def _not_found(request: HttpRequest, ref: CodeRef | None = None) -> HttpResponse:
    return render(request, "portal/not_found.html", {"ref": ref}, status=404)


def story(ref: CodeRef) -> dict[str, Any] | None:
    """Everything the page and the consumer API show of a code, or None for an unknown code.

    A platform trace code (``/t/``) is known by the allocation range that holds it (its product and
    lot) or by events naming its platform URI; an unallocated code nobody reported is unknown."""
    allocation = selectors.allocation_for(ref) if ref.kind == "platform" else None
    product = selectors.product_for_code(ref, allocation)
    own = selectors.own_events(ref.key)
    if product is None and not own.rows:
        return None
    chain = selectors.chain_rows(ref, own)
    names = selectors.places({row["location"] for row in chain})
    english = (get_language() or "").startswith("en")
    steps = []
    for row in chain:
        place = names.get(row["location"]) or {}
        steps.append(
            {
                **row,
                "label": selectors.step_label(row["step"]),
                "place": place.get("name_en" if english else "name", ""),
                "district": place.get("district_label", ""),
                "holder": place.get("party_en" if english else "party", ""),
            }
        )
    origin = steps[0] if steps else None
    badges: list[dict[str, Any]] = []
    seen = set()
    for step in steps:
        for kind, number in step["documents"]:
            if (kind, number) not in seen:
                seen.add((kind, number))
                label = selectors.PUBLIC_DOCUMENTS.get(kind)
                badges.append({"kind": kind, "label": str(label) if label else kind, "number": number})
        for item, result in step["inspections"]:
            badges.append(
                {
                    "kind": "inspection",
                    "label": item.replace("_", " "),
                    "number": str(selectors.RESULT_LABELS.get(result, result)),
                    "ok": result in ("pass", "negative"),
                }
            )
    readings: dict[tuple[str, str], list[float]] = {}
    for step in steps:
        for kind, value, uom in step["sensors"]:
            readings.setdefault((kind, uom), []).append(value)
    for (kind, uom), values in sorted(readings.items()):
        label = selectors.SENSOR_LABELS.get(kind)
        badges.append(
            {
                "kind": "sensor",
                "label": str(label) if label else kind,
                "number": f"{min(values):g}–{max(values):g} {selectors.UNIT_SYMBOLS.get(uom, uom)}".strip(),
                "ok": True,
            }
        )
    lot = own.lot or ref.lot or (allocation or {}).get("lot", "")
    recall = selectors.recall_for(ref, own, product=product, lot=lot)
    return {
        "ref": ref,
        "product": product,
        "own": own,
        "allocation": allocation,
        "steps": steps,
        "origin": origin,
        "badges": badges,
        "recall": recall,
        "lot": lot,
        "english": english,
    }


def _render_page(request: HttpRequest, ref: CodeRef) -> HttpResponse:
    try:
        latitude, longitude = read_geo(request)
    except BadCode as exc:
        return _bad(request, exc)
    if wants_linkset(request):
        return linkset_response(request, ref)
    link_type = request.GET.get("linkType", "")
    if link_type in ("gs1:traceability", f"{GS1_VOC}traceability"):
        return HttpResponseRedirect(_api_url(request, ref), status=307)
    data = story(ref)
    if data is None:
        return _not_found(request, ref)
    if request.method == "HEAD":  # a link checker, not a person: shown, not counted
        counter = selectors.counter_get(ref.key)
        scan = services.ScanOutcome(
            count=counter.count if counter else 0, first_at=counter.first_at if counter else timezone.now()
        )
    else:
        scan = services.scan_record(
            ref=ref,
            own=data["own"],
            product=data["product"],
            latitude=latitude,
            longitude=longitude,
            agent=agent_family(request.headers.get("User-Agent", "")),
            allocated=(data["allocation"] is not None) if ref.kind == "platform" else None,
        )
    shell = _page_shell(request, ref, data)
    alerts = ""
    if data["recall"] or scan.warnings:
        warnings = [{"kind": kind, "label": AlertKind(kind).label} for kind in scan.warnings]
        alerts = render_to_string(
            "portal/_alerts.html",
            {"recall": data["recall"], "warnings": warnings, "scan": scan, "details": scan.details},
        )
    first = date_format(localtime(scan.first_at), "Y-m-d H:i")
    lookups = format_html(
        "<p>{}</p><p>{}</p>",
        gettext("First looked up on %(date)s") % {"date": first},
        ngettext("Looked up %(n)s time", "Looked up %(n)s times", scan.count) % {"n": scan.count},
    )
    html = (
        shell.replace(SLOT_ALERTS, alerts)
        .replace(SLOT_LOOKUPS, lookups)
        .replace(SLOT_CODE, escape(ref.display))
        .replace(SLOT_PATH, escape(ref.path))
        .replace(SLOT_NEXT, escape(request.get_full_path()))
        .replace(SLOT_CSRF, get_token(request))
    )
    response = HttpResponse(html)
    linkset_url = request.build_absolute_uri(ref.path) + "?linkType=all"
    response["Link"] = f'<{linkset_url}>; rel="linkset"; type="{LINKSET_TYPE}"'
    response["Cache-Control"] = "no-store"
    return response


#: Placeholders of the page shell, replaced per scan (letters only: escaping leaves them as they are).
SLOT_ALERTS = "PORTALSLOTALERTS"
SLOT_LOOKUPS = "PORTALSLOTLOOKUPS"
SLOT_CODE = "PORTALSLOTCODE"
SLOT_PATH = "PORTALSLOTPATH"
SLOT_NEXT = "PORTALSLOTNEXT"
SLOT_CSRF = "PORTALSLOTCSRF"


class _ShellRequest:
    """The request as the shell sees it: the language switch's "next" is a placeholder."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def get_full_path(self) -> str:
        return SLOT_NEXT

    def __getattr__(self, name: str):
        return getattr(self._request, name)


def _page_shell(request: HttpRequest, ref: CodeRef, data: dict[str, Any]) -> str:
    """The page without what changes from scan to scan (the alerts, the counter, the code, the CSRF
    token), rendered once per language, product version, lot and chain and cached: the serials of a
    lot share it, and a scan then costs a few string replacements instead of a template."""
    product = data["product"] or {}
    party = product.get("party") or {}
    ilmd = data["own"].ilmd
    production = str(ilmd.get("productionDate", "") or "")
    expiry = str(ilmd.get("itemExpirationDate", "") or "")
    chain_key = ",".join(str(step["pk"]) for step in data["steps"])
    parts = (
        get_language(),
        product.get("id"),
        product.get("version"),
        data["lot"],
        production,
        expiry,
        chain_key,
    )
    key = "portal:shell:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    # A signed-in user's page shows their name in the header: it is rendered for them, never cached.
    shared = not request.user.is_authenticated
    cache = selectors.portal_cache()
    shell = cache.get(key) if shared else None
    if shell is not None:
        return shell
    attributes = [
        (selectors.ATTRIBUTE_LABELS[name], value)
        for name, value in (product.get("attributes") or {}).items()
        if name in selectors.ATTRIBUTE_LABELS and value
    ]
    context = {
        **data,
        "request": _ShellRequest(request),
        "csrf_token": SLOT_CSRF,
        "messages": (),  # none on this page; any pending stay for the next one
        "slot_alerts": mark_safe(SLOT_ALERTS),  # noqa: S308 - a constant placeholder
        "slot_lookups": mark_safe(SLOT_LOOKUPS),  # noqa: S308
        "code_display": SLOT_CODE,
        "code_path": SLOT_PATH,
        "attributes": attributes,
        "production_date": production,
        "expiry_date": expiry,
        "filing_label": FilingStatus(party["filing_status"]).label if party.get("filing_status") else "",
        "filed": party.get("filing_status") == FilingStatus.APPROVED,
        "categories": ReportCategory.choices,
    }
    shell = render_to_string("portal/product.html", context, request=request)
    if shared:
        cache.set(key, shell, settings.TRACEHUB_PORTAL_CACHE_SECONDS)
    return shell


@require_http_methods(["GET", "HEAD"])
def resolve_gs1(request: HttpRequest, path: str) -> HttpResponse:
    """``/01/{gtin}[/10/{lot}][/21/{serial}]``, ``/00/{sscc}``, ``/414/{gln}``, ``/8004/{grai}``, and
    compressed links (``/{base64}``, ``/01/{gtin}/{base64}``), with any query."""
    try:
        ref = codes.from_resolver_path(path, request.META.get("QUERY_STRING", ""))
    except IdentifierError as exc:
        return _bad(request, exc)
    return _render_page(request, ref)


@require_http_methods(["GET", "HEAD"])
def resolve_compressed(request: HttpRequest, segment: str) -> HttpResponse:
    """A fully compressed Digital Link ``/{base64}``; anything else at the root is not found."""
    try:
        ref = codes.from_resolver_path(segment, request.META.get("QUERY_STRING", ""))
    except IdentifierError:
        # Not compressed GS1 data: an ordinary path such as /console, which APPEND_SLASH would
        # have sent on to /console/ had this pattern not matched it.
        from django.urls import Resolver404, resolve

        try:
            resolve(f"/{segment}/")
        except Resolver404:
            raise Http404 from None
        return HttpResponseRedirect(f"/{segment}/", status=301)
    return _render_page(request, ref)


@require_http_methods(["GET", "HEAD"])
def resolve_platform(request: HttpRequest, code: str) -> HttpResponse:
    """``/t/{platform code}``: drug, veterinary drug, pesticide and platform trace codes."""
    try:
        ref = codes.from_platform_code(code)
    except IdentifierError as exc:
        return _bad(request, exc)
    return _render_page(request, ref)


class LookupForm(forms.Form):
    """The search box (on the home page, the product page and /lookup/): any code, typed or pasted."""

    q = forms.CharField(
        label=_("Product code"),
        max_length=500,
        error_messages={
            "required": _("Enter or paste the code on the package."),
            "max_length": _("This is too long for a product code (at most %(limit_value)d characters)."),
        },
    )

    ref: CodeRef | None = None
    detail = ""

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        try:
            self.ref = codes.from_text(text)
        except IdentifierError as exc:
            self.detail = str(exc)
            raise ValidationError(lookup_error(text, self.detail), code="invalid") from None
        return text


def lookup_error(text: str, reason: str) -> str:
    """Why a typed code was refused, in the user's language (the reason itself is technical)."""
    compact = "".join(ch for ch in text.strip() if ch not in " -")
    if len(compact) == 12 and compact.isdigit():
        try:
            parse_liquor_slip_number(compact)
        except IdentifierError:
            pass
        else:
            return gettext(
                "This is the number of a liquor accompanying slip (随附单): slips are checked by the "
                "liquor bureau, not on this page. Look up the bottle by the code on its label."
            )
    if "wrong check digit" in reason or "wrong GS1 check digit" in reason:
        return gettext(
            "The check digit does not match: a digit was probably mistyped. Compare the code with "
            "the package again."
        )
    return gettext(
        "This is not a code the platform can read. Type the digits under the barcode, paste the "
        "link of the QR code, or type the trace code printed on the package or the receipt."
    )


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """The search box: any code typed or pasted (a GET form, no script), sent on to its page; a bad
    one gets the form again with the error on its field (400)."""
    if "q" not in request.GET:
        return render(request, "portal/search.html", {"form": LookupForm()})
    form = LookupForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "q": request.GET.get("q", "")[:500], "detail": form.detail}
        return render(request, "portal/search.html", context, status=400)
    return HttpResponseRedirect(form.ref.path)


# ------------------------------------------------------------------------------------------------
# Machines: linkset and resolver description.
# ------------------------------------------------------------------------------------------------


def _api_url(request: HttpRequest, ref: CodeRef) -> str:
    from urllib.parse import quote

    return request.build_absolute_uri(f"/api/v1/public/codes?code={quote(ref.path, safe='')}")


def known(ref: CodeRef) -> bool:
    """Whether the platform knows the code: a registered product (by GTIN, or through the allocation
    that issued a platform trace code) or an event naming it."""
    return selectors.product_for_code(ref) is not None or bool(selectors.own_events(ref.key).rows)


def linkset(request: HttpRequest, ref: CodeRef) -> dict[str, Any]:
    """The GS1 linkset of a code (RFC 9264 JSON, as GS1 resolvers answer ``linkType=all``)."""
    page = request.build_absolute_uri(ref.path)
    anchor = ref.digital_link or page
    title = str(_("Product traceability page"))
    links = {
        f"{GS1_VOC}defaultLink": [
            {"href": page, "title": title, "type": "text/html", "hreflang": ["zh", "en"]}
        ],
        f"{GS1_VOC}pip": [{"href": page, "title": title, "type": "text/html", "hreflang": ["zh", "en"]}],
        f"{GS1_VOC}traceability": [
            {
                "href": _api_url(request, ref),
                "title": str(_("Supply chain as JSON (consumer query API)")),
                "type": "application/json",
            }
        ],
        f"{GS1_VOC}recallStatus": [
            {
                "href": page + "#recall",
                "title": str(_("Recall status")),
                "type": "text/html",
                "hreflang": ["zh", "en"],
            }
        ],
        f"{GS1_VOC}customerSupport": [
            {
                "href": page + "#report",
                "title": str(_("Report a problem")),
                "type": "text/html",
                "hreflang": ["zh", "en"],
            }
        ],
    }
    return {"linkset": [{"anchor": anchor, **links}]}


def linkset_response(request: HttpRequest, ref: CodeRef) -> HttpResponse:
    if not known(ref):
        return JsonResponse({"title": "Not found", "status": 404, "detail": ref.display}, status=404)
    response = JsonResponse(
        linkset(request, ref), content_type=LINKSET_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    response["Vary"] = "Accept"
    return response


@require_GET
def well_known(request: HttpRequest) -> JsonResponse:
    """``/.well-known/gs1resolver``: what this resolver answers (GS1 resolver description file)."""
    root = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        {
            "name": str(selectors_platform_name()),
            "resolverRoot": root,
            "supportedPrimaryKeys": ["gtin", "sscc", "gln", "grai"],
            "supportedPrimaryKeyAIs": sorted(codes.HELD_PRIMARY_AIS),
            "linkTypeDefaultCanBeLinkset": False,
            "linksetMediaType": LINKSET_TYPE,
            "supportedLinkType": [
                {"namespace": GS1_VOC, "prefix": "gs1:", "profile": "https://gs1.org/voc/?show=linktypes"}
            ],
            "supportedContextValuesEnumerated": [],
            "compressedLinks": True,
            "platformCodes": {"path": f"{root}/t/{{code}}", "kinds": sorted(codes.PLAIN_CODE_KINDS.values())},
            "consumerQueryApi": f"{root}/api/v1/public/docs",
        },
        json_dumps_params={"ensure_ascii": False},
    )


def selectors_platform_name():
    from tracehub.core.context_processors import PLATFORM_NAME

    return PLATFORM_NAME


# ------------------------------------------------------------------------------------------------
# Reports.
# ------------------------------------------------------------------------------------------------


class ReportForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=500)
    category = forms.ChoiceField(label=_("What is wrong"), choices=ReportCategory.choices)
    text = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    contact = forms.CharField(
        label=_("Contact (optional)"),
        required=False,
        max_length=100,
        help_text=_("A phone number or e-mail address, if you want an answer."),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


def rate_limited(name: str, client: str, limit: int, seconds: int) -> bool:
    """Count one use of ``name`` by the client (its keyed digest) in the Django cache; True when
    the client is over ``limit`` uses in the window."""
    key = f"portal:rl:{name}:{services.client_digest(client)[:32]}"
    if cache.add(key, 1, seconds):
        return limit < 1
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        used = 1
    return used > limit


@require_POST
def report(request: HttpRequest) -> HttpResponse:
    """File a report on a code (the form on the page); CSRF-protected and rate-limited per client."""
    form = ReportForm(request.POST, request.FILES)
    ref = None
    if form.is_valid() or "code" not in form.errors:
        try:
            ref = codes.from_text(form.data.get("code", ""))
        except IdentifierError as exc:
            return _bad(request, exc)
    if ref is None:
        return _bad(request, BadCode(str(_("The form names no code."))))
    product = selectors.product_for_code(ref)
    if product is None and not selectors.own_events(ref.key).rows:
        return _not_found(request, ref)
    context = {"ref": ref, "product": product, "form": form}
    if not form.is_valid():
        return render(request, "portal/report_form.html", context, status=400)
    client = client_address(request)
    if rate_limited("report", client, settings.TRACEHUB_PORTAL_REPORTS_PER_HOUR, 3600):
        return render(request, "portal/report_form.html", {**context, "limited": True}, status=429)
    photo = form.cleaned_data.get("photo")
    data = None
    if photo is not None:
        if photo.size > settings.TRACEHUB_PORTAL_PHOTO_MAX_BYTES:
            data = photo.read(settings.TRACEHUB_PORTAL_PHOTO_MAX_BYTES + 1)
        else:
            data = photo.read()
    try:
        services.report_create(
            ref=ref,
            product=product,
            category=form.cleaned_data["category"],
            text=form.cleaned_data["text"],
            contact=form.cleaned_data["contact"],
            photo=data,
            client=client,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return render(request, "portal/report_form.html", context, status=400)
    return render(request, "portal/report_done.html", context, status=201)


# ------------------------------------------------------------------------------------------------
# Console: reports and alerts for officials.
# ------------------------------------------------------------------------------------------------


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    close = forms.BooleanField(label=_("Close the report"), required=False)


def _console():
    from tracehub.registry.views import base

    return base


def report_list(request: HttpRequest) -> HttpResponse:
    base = _console()

    @base.console_page(*base.OVERSEERS)
    def view(request, actor):
        status = request.GET.get("status", "")
        if status and status not in ReportStatus.values:
            status = ""
        page = base.paginate(request, selectors.report_list(actor=actor, status=status))
        return base.render_page(
            request,
            "portal/console/report_list.html",
            {"page": page, "status": status, "statuses": ReportStatus.choices},
        )

    return view(request)


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    base = _console()

    @base.console_page(*base.OVERSEERS)
    def view(request, actor, pk):
        report = selectors.report_get(actor=actor, pk=pk)
        form = AnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            result = base.call_service(
                form,
                lambda: services.report_answer(
                    actor=actor,
                    report=report,
                    answer=form.cleaned_data["answer"],
                    close=form.cleaned_data["close"],
                ),
            )
            if result is not base.FAILED:
                return HttpResponseRedirect(reverse("portal-console:report-detail", args=[report.pk]))
        status = 200
        if request.method == "POST":
            status = 409 if report.status == ReportStatus.CLOSED else 400
        return base.render_page(
            request, "portal/console/report_detail.html", {"report": report, "form": form}, status=status
        )

    return view(request, pk)


def report_photo(request: HttpRequest, pk: int) -> HttpResponse:
    base = _console()

    @base.console_page(*base.OVERSEERS)
    def view(request, actor, pk):
        report = selectors.report_get(actor=actor, pk=pk)
        if not report.photo:
            raise Http404
        with report.photo.open("rb") as handle:
            data = handle.read()
        response = HttpResponse(data, content_type=report.photo_type or "application/octet-stream")
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, no-store"
        return response

    return view(request, pk)


def alert_list(request: HttpRequest) -> HttpResponse:
    base = _console()

    @base.console_page(*base.OVERSEERS)
    def view(request, actor):
        page = base.paginate(request, selectors.alert_list(actor=actor))
        return base.render_page(request, "portal/console/alert_list.html", {"page": page})

    return view(request)

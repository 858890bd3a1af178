"""Console pages of the farm inputs subsystem (/console/sectors/agri_input/, G5).

A dealer records purchases and sales on phone-sized forms or by Excel upload, sees its ledgers and
its stock; the agriculture bureau's officials search sales (by buyer ID number, product, dealer, date)
and export them as CSV, keep the catalogue and designate outlets. Every page calls the services
and selectors the API calls; a buyer's ID number is shown masked everywhere, and revealing it is a
POST that the service audits.
"""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tracehub.core.csvsafe import csv_safe
from tracehub.core.errors import Conflict
from tracehub.registry.models import Party
from tracehub.registry.views.base import console_actor
from tracehub.sectors import selectors_agri_input as selectors
from tracehub.sectors.forms import UploadForm
from tracehub.sectors.messages import render as render_message
from tracehub.sectors.models_agri_input import AgriInputKind, LedgerDirection, LedgerSource
from tracehub.sectors.services_agri_input import (
    INPUTS,
    AgriInputInvalid,
    LedgerRefused,
    agri_input_product_set,
    buyer_digest,
    designated_outlet_designate,
    designated_outlet_undesignate,
    ledger_buyer_id_reveal,
    ledger_rows_record,
    ledger_template_xlsx,
    ledger_upload,
    oversees_agri_input,
)

NS = "sectors_agri_input"
DIRECTIONS = {"purchases": LedgerDirection.PURCHASE, "sales": LedgerDirection.SALE}
EXPORT_LIMIT = 5000


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _direction(name: str) -> str:
    if name not in DIRECTIONS:
        raise Http404("unknown ledger")
    return DIRECTIONS[name]


def _may_record(actor) -> bool:
    return actor.sees_all or actor.acts_for_party


def _title(direction: str) -> str:
    return (
        _("Purchase ledger (进货台账)")
        if direction == LedgerDirection.PURCHASE
        else _("Sale ledger (销售台账)")
    )


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes its value back into the page (the buyer's ID number: after a
    refused entry it is typed again rather than shown)."""

    def format_value(self, value):
        return None


class LedgerForm(forms.Form):
    """The phone form of one ledger row, built from the ledger's inputs (the Excel columns and API
    fields); the service checks the values again and names what is wrong."""

    def __init__(self, *args, direction: str, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if actor.sees_all:
            dealers = [(str(p.pk), p.name) for p in selectors.dealers_for(actor)[:200]]
            self.fields["dealer"] = forms.ChoiceField(label=_("Dealer"), choices=[("", "—"), *dealers])
        for item in INPUTS[direction]:
            common = {
                "label": item.zh if _zh() else item.en,
                "required": item.required,
                "help_text": item.help_zh if _zh() else item.help_en,
            }
            if item.key == "supplier":
                suppliers = selectors.filed_suppliers(exclude=actor.party_id)[:500]
                field = forms.ChoiceField(
                    choices=[("", "—"), *((p.uscc, p.name) for p in suppliers)], **common
                )
            elif item.key == "kind":
                field = forms.ChoiceField(choices=[("", "—"), *AgriInputKind.choices], **common)
            elif item.key == "quantity":
                field = forms.CharField(
                    max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
                )
            elif item.key == "date":
                field = forms.CharField(
                    max_length=10,
                    initial=timezone.localdate().isoformat(),
                    widget=forms.DateInput(attrs={"type": "date"}),
                    **common,
                )
            elif item.key == "buyer_id_number":
                field = forms.CharField(
                    max_length=18, widget=NoEchoTextInput(attrs={"autocomplete": "off"}), **common
                )
            elif item.key in ("unit_code",):
                field = forms.CharField(
                    max_length=40, widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common
                )
            else:
                field = forms.CharField(max_length=300, **common)
            self.fields[item.key] = field

    def inputs(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.cleaned_data.items() if k != "dealer" and v not in (None, "")}


@login_required
def index(request):
    actor = console_actor(request.user)
    return render(
        request,
        "sectors/agri_input/index.html",
        {"may_record": _may_record(actor), "may_oversee": oversees_agri_input(actor), "ns": NS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def ledger_form(request, ledger: str):
    direction = _direction(ledger)
    actor = console_actor(request.user)
    if not _may_record(actor):
        raise PermissionDenied(_("Only a dealer's users and the platform record ledgers."))
    form = LedgerForm(request.POST or None, direction=direction, actor=actor)
    status, recorded = 200, None
    if request.method == "POST":
        if form.is_valid():
            dealer = None
            if actor.sees_all:
                dealer = Party.objects.filter(pk=form.cleaned_data["dealer"]).first()
            try:
                recorded = ledger_rows_record(
                    actor=actor,
                    direction=direction,
                    rows=[form.inputs()],
                    dealer=dealer,
                    source=LedgerSource.FORM,
                )[0]
            except LedgerRefused as exc:
                status = 400
                for error in exc.errors:
                    name = error["field"] if error["field"] in form.fields else None
                    form.add_error(
                        name, render_message(error) if name else f"{error['field']}: {render_message(error)}"
                    )
            else:
                form = LedgerForm(direction=direction, actor=actor)
        else:
            status = 400
    return render(
        request,
        "sectors/agri_input/form.html",
        {"title": _title(direction), "ledger": ledger, "form": form, "recorded": recorded, "ns": NS},
        status=status,
    )


def _parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _search(request, actor):
    """The filters of the ledger page and the export. A search by buyer ID number is a POST (the
    number must not stand in a URL, where access logs would keep it); it becomes the keyed digest
    here and is never echoed back."""
    data = request.POST if request.method == "POST" else request.GET
    filters = {
        "ledger": data.get("ledger", "") if data.get("ledger", "") in LedgerDirection.values else "",
        "dealer": data.get("dealer", ""),
        "product": data.get("product", "").strip(),
        "date_from": data.get("date_from", ""),
        "date_to": data.get("date_to", ""),
    }
    error = ""
    digest = ""
    buyer = request.POST.get("buyer_id_number", "").strip() if request.method == "POST" else ""
    if buyer:
        try:
            digest = buyer_digest(buyer)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            digest = "-"  # matches nothing
    rows = selectors.ledger_entries(
        actor=actor,
        direction=filters["ledger"],
        dealer_id=int(filters["dealer"]) if filters["dealer"].isdigit() else None,
        product=filters["product"],
        buyer_digest=digest,
        date_from=_parse_day(filters["date_from"]),
        date_to=_parse_day(filters["date_to"]),
    )
    return filters, bool(buyer), error, rows


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def ledger_list(request):
    actor = console_actor(request.user)
    if not (_may_record(actor) or oversees_agri_input(actor)):
        raise PermissionDenied(_("Only dealers and the agriculture bureau see farm input ledgers."))
    filters, buyer_given, error, rows = _search(request, actor)
    return render(
        request,
        "sectors/agri_input/ledger.html",
        {
            "entries": list(rows[: selectors.LIST_LIMIT]),
            "filters": filters,
            "buyer_given": buyer_given,
            "error": error,
            "dealers": list(selectors.dealers_for(actor)[:200]),
            "may_oversee": oversees_agri_input(actor),
            "directions": LedgerDirection.choices,
            "ns": NS,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ledger_export(request):
    """The search's rows as CSV (UTF-8 with BOM for Excel); every text cell formula-safe, the buyer's
    ID number masked."""
    actor = console_actor(request.user)
    if not oversees_agri_input(actor):
        raise PermissionDenied(_("Only the agriculture bureau's officials export sales."))
    _filters, _buyer, _error, rows = _search(request, actor)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tracehub-agri-input-ledger.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["台账", "日期", "经营者", "登记证号", "产品名称", "规格", "产品追溯码", "数量", "单位",
         "供货方/购买单位", "购买人", "身份证号（脱敏）", "电话", "住址", "使用作物/对象", "防治对象"]
    )  # fmt: skip
    for e in rows[:EXPORT_LIMIT]:
        writer.writerow(
            [
                csv_safe(v)
                for v in (
                    e.get_direction_display(),
                    e.day.isoformat(),
                    e.dealer.name,
                    e.registration_number,
                    e.product_name,
                    e.specification,
                    e.unit_code,
                    format(e.quantity.normalize(), "f"),
                    e.unit,
                    e.counterparty.name if e.counterparty_id else "",
                    e.buyer_name,
                    e.buyer_id_masked,
                    e.buyer_phone_masked,
                    e.buyer_address,
                    e.use_crop,
                    e.use_target,
                )
            ]
        )
    return response


@login_required
@never_cache
@require_POST
def buyer_reveal(request, pk: int):
    """Show a real-name sale's full ID number to the bureau (audited by the service). Not cached."""
    actor = console_actor(request.user)
    entry = selectors.ledger_entry_get(actor=actor, pk=pk)
    if entry is None:
        raise Http404("no such entry")
    try:
        number = ledger_buyer_id_reveal(actor=actor, entry=entry)
    except Conflict as exc:
        return HttpResponse(str(exc.message), status=409, content_type="text/plain; charset=utf-8")
    return render(request, "sectors/agri_input/reveal.html", {"entry": entry, "number": number, "ns": NS})


@login_required
def stock(request):
    actor = console_actor(request.user)
    dealers = list(selectors.dealers_for(actor)[:200])
    wanted = request.GET.get("dealer", "")
    dealer_id = int(wanted) if wanted.isdigit() else actor.party_id
    if dealer_id is None and dealers:
        dealer_id = dealers[0].pk
    if dealer_id is not None and not any(d.pk == dealer_id for d in dealers):
        raise Http404("no such dealer")
    rows = selectors.stock_by_product(actor=actor, dealer_id=dealer_id) if dealer_id else []
    return render(
        request,
        "sectors/agri_input/stock.html",
        {"rows": rows, "dealers": dealers, "dealer_id": dealer_id, "ns": NS},
    )


@login_required
def template(request, ledger: str):
    direction = _direction(ledger)
    response = HttpResponse(
        ledger_template_xlsx(direction),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="tracehub-agri-input-{ledger}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request, ledger: str):
    """Upload an Excel file of ledger rows: "check" shows every row with its errors (row, column,
    reason); "import" stores all rows or none. Nothing of the file is kept between the two."""
    direction = _direction(ledger)
    actor = console_actor(request.user)
    if not actor.acts_for_party:
        raise PermissionDenied(_("A dealer's users upload its ledgers."))
    form = UploadForm(request.POST or None, request.FILES or None)
    status, upload = 200, None
    if request.method == "POST":
        if form.is_valid():
            commit = request.POST.get("action") == "import"
            try:
                upload = ledger_upload(
                    actor=actor, direction=direction, content=form.cleaned_data["file"].read(), commit=commit
                )
            except PermissionDenied:
                raise
            if upload.errors:
                status = 400
            elif commit:
                messages.success(request, _("%(n)d rows stored.") % {"n": upload.stored})
                return redirect(f"{NS}:ledger")
        else:
            status = 400
    return render(
        request,
        "sectors/agri_input/import.html",
        {
            "title": _title(direction),
            "ledger": ledger,
            "form": form,
            "upload": upload,
            "headers": [i.zh if _zh() else i.en for i in INPUTS[direction]],
            "ns": NS,
        },
        status=status,
    )


# -- the bureau: catalogue and designated outlets --------------------------------------------------------


class ProductForm(forms.Form):
    registration_number = forms.CharField(label=gettext_lazy("Registration number"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AgriInputKind.choices)
    holder = forms.CharField(label=gettext_lazy("Registration holder"), max_length=200, required=False)
    restricted = forms.BooleanField(label=gettext_lazy("Restricted use (限制使用)"), required=False)
    highly_toxic = forms.BooleanField(label=gettext_lazy("Highly toxic (高毒)"), required=False)


class DesignateForm(forms.Form):
    dealer = forms.ModelChoiceField(label=gettext_lazy("Dealer"), queryset=Party.objects.none())
    valid_from = forms.DateField(
        label=gettext_lazy("Designated from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document_number = forms.CharField(
        label=gettext_lazy("Designation document"), max_length=100, required=False
    )

    def __init__(self, *args, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = selectors.dealers_for(actor)


def _form_errors(form, errors: dict[str, str]) -> None:
    # The service's messages are English with their code; the form shows them in the reader's
    # language (issue #7 i18n).
    for key, message in errors.items():
        form.add_error(key if key in form.fields else None, render_message(message))


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request):
    actor = console_actor(request.user)
    official = oversees_agri_input(actor)
    form = ProductForm(request.POST or None) if official else None
    status = 200
    if request.method == "POST":
        if not official:
            raise PermissionDenied(_("Only the agriculture bureau's officials and the platform do this."))
        if form.is_valid():
            try:
                agri_input_product_set(actor=actor, **form.cleaned_data)
            except AgriInputInvalid as exc:
                _form_errors(form, exc.errors)
                status = 400
            else:
                messages.success(request, _("The catalogue is saved."))
                return redirect(f"{NS}:catalogue")
        else:
            status = 400
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "sectors/agri_input/catalogue.html",
        {"products": list(selectors.catalogue(q=q)[:500]), "q": q, "form": form, "ns": NS},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outlets(request):
    actor = console_actor(request.user)
    official = oversees_agri_input(actor)
    form = DesignateForm(request.POST or None, actor=actor) if official else None
    status = 200
    if request.method == "POST":
        if not official:
            raise PermissionDenied(_("Only the agriculture bureau's officials and the platform do this."))
        if form.is_valid():
            try:
                designated_outlet_designate(
                    actor=actor,
                    dealer=form.cleaned_data["dealer"],
                    valid_from=form.cleaned_data["valid_from"],
                    document_number=form.cleaned_data["document_number"],
                )
            except AgriInputInvalid as exc:
                _form_errors(form, exc.errors)
                status = 400
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("The dealer is designated."))
                return redirect(f"{NS}:outlets")
        else:
            status = 400
    return render(
        request,
        "sectors/agri_input/outlets.html",
        {
            "outlets": list(selectors.designated_outlets()[: selectors.LIST_LIMIT]),
            "form": form,
            "official": official,
            "today": timezone.localdate().isoformat(),
            "ns": NS,
        },
        status=status,
    )


@login_required
@require_POST
def outlet_undesignate(request, pk: int):
    actor = console_actor(request.user)
    outlet = selectors.outlet_get(pk=pk)
    if outlet is None:
        raise Http404("no such designation")
    until = _parse_day(request.POST.get("valid_until", "")) or timezone.localdate()
    try:
        designated_outlet_undesignate(
            actor=actor, outlet=outlet, valid_until=until, reason=request.POST.get("reason", "")
        )
    except AgriInputInvalid as exc:
        return HttpResponse(
            "; ".join(render_message(m) for m in exc.errors.values()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    except Conflict as exc:
        return HttpResponse(str(exc.message), status=409, content_type="text/plain; charset=utf-8")
    messages.success(request, _("The designation has ended."))
    return redirect(f"{NS}:outlets")


# -- usage filing (使用备案) -------------------------------------------------------------------------------


class UsageForm(forms.Form):
    """The phone form of one usage filing (使用备案): a farm's use of a farm input on one of its own
    plots (issue #6 items 4 and 6). The service checks every value again and names what is wrong."""

    plot = forms.ChoiceField(label=gettext_lazy("Plot"))
    registration_number = forms.CharField(label=gettext_lazy("Registration number"), max_length=40)
    product_name = forms.CharField(label=gettext_lazy("Product name"), max_length=200)
    unit_code = forms.CharField(
        label=gettext_lazy("Pesticide unit code (32 digits)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    quantity = forms.CharField(
        label=gettext_lazy("Quantity"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20)
    date = forms.CharField(
        label=gettext_lazy("Date"), max_length=10, widget=forms.DateInput(attrs={"type": "date"})
    )
    crop = forms.CharField(label=gettext_lazy("Crop"), max_length=100)
    target = forms.CharField(label=gettext_lazy("Target pest or disease"), max_length=100)
    operator_name = forms.CharField(label=gettext_lazy("Applied by"), max_length=100)
    pre_harvest_interval_days = forms.CharField(
        label=gettext_lazy("Pre-harvest interval, days (安全间隔期)"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, plots, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plot"].choices = [("", "—"), *((str(p.pk), f"{p.name} · {p.crop}") for p in plots)]
        self.fields["date"].initial = timezone.localdate().isoformat()


@login_required
@require_http_methods(["GET", "POST"])
def usages(request):
    """A farm files its usage and sees its filings; the agriculture bureau sees its districts'."""
    from tracehub.sectors.selectors_agri import plots_of
    from tracehub.sectors.services_agri_input import input_usage_record

    actor = console_actor(request.user)
    may_file = actor.acts_for_party
    if not (may_file or oversees_agri_input(actor)):
        raise PermissionDenied(_("Only a farm's users and the agriculture bureau see usage filings."))
    plots = list(plots_of(actor, actor.party_id)) if may_file else []
    form = UsageForm(request.POST or None, plots=plots) if may_file else None
    status, recorded = 200, None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only a farm's users file usage."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                recorded = input_usage_record(
                    actor=actor,
                    party=Party.objects.get(pk=actor.party_id),
                    plot=next((p for p in plots if str(p.pk) == data["plot"]), None),
                    registration_number=data["registration_number"],
                    product_name=data["product_name"],
                    quantity=data["quantity"],
                    unit=data["unit"],
                    date=data["date"],
                    crop=data["crop"],
                    target=data["target"],
                    operator_name=data["operator_name"],
                    pre_harvest_interval_days=data["pre_harvest_interval_days"] or None,
                    unit_code=data["unit_code"],
                    source=LedgerSource.FORM,
                )
            except AgriInputInvalid as exc:
                status = 400
                _form_errors(form, exc.errors)
            else:
                form = UsageForm(plots=plots)
        else:
            status = 400
    return render(
        request,
        "sectors/agri_input/usages.html",
        {"form": form, "recorded": recorded, "rows": selectors.usages(actor=actor)[:100], "ns": NS},
        status=status,
    )


# -- usage filing by Excel (issue #6 item 6) ---------------------------------------------------------------


def _usage_filer(request):
    """Who uploads usage filings: a farm's users, as for the form (each row's service checks again)."""
    actor = console_actor(request.user)
    if not actor.acts_for_party:
        raise PermissionDenied(_("Only a farm's users file usage."))
    return actor


@login_required
def usage_template(request):
    from tracehub.sectors import services_agri_excel

    _usage_filer(request)
    response = HttpResponse(
        services_agri_excel.template_xlsx("usages"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="tracehub-agri-input-usages.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def usage_import(request):
    """Upload a filled template of usage filings: "check" shows every row with its errors (row,
    column, reason); "import" stores all rows or none. Nothing of the file is kept between the two."""
    from django.urls import reverse

    from tracehub.sectors import services_agri_excel

    actor = _usage_filer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status, upload = 200, None
    if request.method == "POST":
        if form.is_valid():
            commit = request.POST.get("action") == "import"
            upload = services_agri_excel.excel_upload(
                actor=actor, kind="usages", content=form.cleaned_data["file"].read(), commit=commit
            )
            if upload.errors:
                status = 400
            elif commit:
                messages.success(request, _("%(n)d rows stored.") % {"n": upload.stored})
                return redirect(f"{NS}:usages")
        else:
            status = 400
    return render(
        request,
        "sectors/agri/import.html",
        {
            "title": _("Usage filing (使用备案)"),
            "template_url": reverse(f"{NS}:usage-template"),
            "form": form,
            "upload": upload,
            "headers": [services_agri_excel.column_label(i) for i in services_agri_excel.USAGE_COLUMNS],
        },
        status=status,
    )

"""Console pages of the farm produce subsystem (农产品, G4): /console/sectors/agri/.

Farms and co-operatives record their planting plots and livestock farms, issue compliance
certificates (承诺达标合格证, printable A6/A4 with a QR code) and record rapid tests; the
agriculture bureau's officials see their districts' records, record rapid tests and market
inspections, and read the information evaluation (信息评价) and the coverage statistics. Every
write goes through ``services_agri``; errors are shown on the form field they name.
"""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tracehub.accounts.models import District
from tracehub.registry.models import Location, Party
from tracehub.registry.views.base import console_actor
from tracehub.sectors import selectors, selectors_agri, services_agri_excel
from tracehub.sectors.forms import UploadForm
from tracehub.sectors.messages import render as render_message
from tracehub.sectors.models_agri import (
    CertificateCommitment,
    CommitmentBasis,
    InspectionOutcome,
    LivestockSpecies,
    LotTestResult,
    ProduceUnit,
)
from tracehub.sectors.services import StepRefused
from tracehub.sectors.services_agri import (
    AgriInvalid,
    certificate_issue,
    farm_create,
    farm_delete,
    market_inspection_record,
    plot_create,
    plot_delete,
    plot_update,
    rapid_test_record,
)

LIST = 50
DISTRICTS = [(c, label) for c, label in District.choices if c != District.CITY]


def _actor(request):
    actor = console_actor(request.user)
    if not (actor.sees_all or actor.acts_for_party or selectors_agri.is_agri_official(actor)):
        raise PermissionDenied(
            _("Farm produce records are for farms, the agriculture bureau and the platform.")
        )
    return actor


def _require_bureau(actor) -> None:
    if not (actor.sees_all or selectors_agri.is_agri_official(actor)):
        raise PermissionDenied(_("For the agriculture bureau's officials and the platform only."))


def _own_party(actor) -> Party:
    party = Party.objects.filter(pk=actor.party_id).first() if actor.acts_for_party else None
    if party is None:
        raise PermissionDenied(_("Only a farm's or co-operative's users record this."))
    return party


def _show(form: forms.Form, exc: AgriInvalid) -> None:
    # The service's messages are English with their code; the form shows them in the reader's
    # language (issue #7 i18n).
    for key, message in exc.errors.items():
        form.add_error(key if key in form.fields else None, render_message(message))


def _own_locations(actor):
    return [("", "—")] + [
        (loc.pk, loc.name) for loc in selectors.locations_for(actor)[: selectors.CHOICES_LIMIT]
    ]


class PlotForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("plot name"), max_length=100)
    area_mu = forms.DecimalField(
        label=gettext_lazy("area (mu)"), max_digits=10, decimal_places=2, min_value=0
    )
    crop = forms.CharField(label=gettext_lazy("crop"), max_length=100)
    variety = forms.CharField(label=gettext_lazy("variety"), max_length=100)
    district = forms.ChoiceField(label=gettext_lazy("district"), choices=DISTRICTS)
    location = forms.ChoiceField(label=gettext_lazy("location"), required=False)

    def __init__(self, *args, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = _own_locations(actor)


class FarmForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("farm name"), max_length=100)
    species = forms.ChoiceField(label=gettext_lazy("species"), choices=LivestockSpecies.choices)
    head_count = forms.IntegerField(label=gettext_lazy("stock on hand (head)"), min_value=0)
    annual_output = forms.IntegerField(label=gettext_lazy("yearly output (head)"), min_value=0, initial=0)
    epidemic_certificate = forms.CharField(
        label=gettext_lazy("animal epidemic prevention certificate"), max_length=60, required=False
    )
    district = forms.ChoiceField(label=gettext_lazy("district"), choices=DISTRICTS)


class CertificateForm(forms.Form):
    location = forms.ChoiceField(label=gettext_lazy("issuing site"))
    lot = forms.CharField(label=gettext_lazy("lot"), max_length=300)
    product_name = forms.CharField(label=gettext_lazy("product"), max_length=100)
    quantity = forms.DecimalField(
        label=gettext_lazy("quantity"), max_digits=14, decimal_places=3, min_value=0
    )
    unit = forms.ChoiceField(label=gettext_lazy("unit"), choices=ProduceUnit.choices)
    origin = forms.CharField(label=gettext_lazy("origin"), max_length=200)
    production_date = forms.DateField(
        label=gettext_lazy("production or harvest date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    commitments = forms.MultipleChoiceField(
        label=gettext_lazy("commitments"),
        choices=CertificateCommitment.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(CertificateCommitment.values),
    )
    test_basis = forms.ChoiceField(
        label=gettext_lazy("basis of the commitment"), choices=CommitmentBasis.choices
    )
    plot = forms.ChoiceField(label=gettext_lazy("plot"), required=False)
    contact_phone = forms.CharField(label=gettext_lazy("contact phone"), max_length=40, required=False)

    def __init__(self, *args, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = _own_locations(actor)[1:]
        plots = selectors_agri.plots_of(actor, actor.party_id)
        self.fields["plot"].choices = [("", "—")] + [(p.pk, f"{p.name} · {p.variety}") for p in plots]


class TestForm(forms.Form):
    lot = forms.CharField(label=gettext_lazy("lot"), max_length=300)
    sample = forms.CharField(label=gettext_lazy("sample"), max_length=100)
    item = forms.CharField(label=gettext_lazy("test item"), max_length=100)
    method = forms.CharField(label=gettext_lazy("method"), max_length=100, required=False)
    value = forms.DecimalField(
        label=gettext_lazy("measured value"), max_digits=12, decimal_places=4, min_value=0
    )
    limit = forms.DecimalField(label=gettext_lazy("limit"), max_digits=12, decimal_places=4, min_value=0)
    unit = forms.CharField(label=gettext_lazy("unit"), max_length=20)
    tester = forms.CharField(label=gettext_lazy("tester"), max_length=100)


class InspectionForm(forms.Form):
    market = forms.CharField(label=gettext_lazy("market"), max_length=300)
    seller = forms.CharField(label=gettext_lazy("seller"), max_length=30)
    lot = forms.CharField(label=gettext_lazy("lot"), max_length=300)
    certificate_number = forms.CharField(
        label=gettext_lazy("certificate number quoted"), max_length=40, required=False
    )
    test_result = forms.ChoiceField(
        label=gettext_lazy("test result"), choices=[("", "—")] + LotTestResult.choices, required=False
    )
    outcome = forms.ChoiceField(label=gettext_lazy("outcome"), choices=InspectionOutcome.choices)
    note = forms.CharField(label=gettext_lazy("note"), max_length=300, required=False)


def _location_of(actor, pk) -> Location | None:
    if not pk:
        return None
    return selectors.locations_for(actor).filter(pk=pk).first()


@login_required
def index(request):
    actor = _actor(request)
    return render(
        request,
        "sectors/agri/index.html",
        {
            "records": actor.sees_all or actor.acts_for_party,
            "bureau": actor.sees_all or selectors_agri.is_agri_official(actor),
            "plots": list(selectors_agri.plots_for(actor)[:LIST]),
            "farms": list(selectors_agri.farms_for(actor)[:LIST]),
            "certificates": list(selectors_agri.certificates_for(actor)[:LIST]),
            "tests": list(selectors_agri.tests_for(actor)[:LIST]),
            "inspections": list(selectors_agri.inspections_for(actor)[:LIST]),
        },
    )


def _form_page(request, form, title: str, status: int = 200):
    return render(request, "sectors/agri/form.html", {"form": form, "title": title}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plot_new(request):
    actor = _actor(request)
    party = _own_party(actor)
    form = PlotForm(request.POST or None, actor=actor, initial={"district": party.district})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plot_create(
                actor=actor,
                party=party,
                name=data["name"],
                area_mu=data["area_mu"],
                crop=data["crop"],
                variety=data["variety"],
                district=data["district"],
                location=_location_of(actor, data["location"]),
            )
        except AgriInvalid as exc:
            _show(form, exc)
        else:
            return redirect("sectors_agri:index")
    return _form_page(request, form, _("New planting plot"), 400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def plot_edit(request, pk: int):
    actor = _actor(request)
    plot = selectors_agri.plots_for(actor).filter(pk=pk).first()
    if plot is None or not selectors_agri.may_edit_party(actor, plot.party):
        raise Http404("no such plot")
    initial = {
        "name": plot.name,
        "area_mu": plot.area_mu,
        "crop": plot.crop,
        "variety": plot.variety,
        "district": plot.district,
        "location": plot.location_id or "",
    }
    form = PlotForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plot_update(
                actor=actor,
                plot=plot,
                name=data["name"],
                area_mu=data["area_mu"],
                crop=data["crop"],
                variety=data["variety"],
                district=data["district"],
                location=_location_of(actor, data["location"]),
            )
        except AgriInvalid as exc:
            _show(form, exc)
        else:
            return redirect("sectors_agri:index")
    return _form_page(request, form, _("Change planting plot"), 400 if request.method == "POST" else 200)


@login_required
@require_POST
def plot_remove(request, pk: int):
    actor = _actor(request)
    plot = selectors_agri.plots_for(actor).filter(pk=pk).first()
    if plot is None:
        raise Http404("no such plot")
    try:
        plot_delete(actor=actor, plot=plot)
    except AgriInvalid as exc:
        return render(request, "sectors/agri/refused.html", {"errors": exc.errors}, status=409)
    return redirect("sectors_agri:index")


@login_required
@require_http_methods(["GET", "POST"])
def farm_new(request):
    actor = _actor(request)
    party = _own_party(actor)
    form = FarmForm(request.POST or None, initial={"district": party.district})
    if request.method == "POST" and form.is_valid():
        try:
            farm_create(actor=actor, party=party, **form.cleaned_data)
        except AgriInvalid as exc:
            _show(form, exc)
        else:
            return redirect("sectors_agri:index")
    return _form_page(
        request, form, _("New livestock or poultry farm"), 400 if request.method == "POST" else 200
    )


@login_required
@require_POST
def farm_remove(request, pk: int):
    actor = _actor(request)
    farm = selectors_agri.farms_for(actor).filter(pk=pk).first()
    if farm is None:
        raise Http404("no such farm")
    farm_delete(actor=actor, farm=farm)
    return redirect("sectors_agri:index")


@login_required
@require_http_methods(["GET", "POST"])
def certificate_new(request):
    actor = _actor(request)
    _own_party(actor)
    form = CertificateForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plot = selectors_agri.plots_of(actor, actor.party_id).filter(pk=data["plot"] or 0).first()
        try:
            found = certificate_issue(
                actor=actor,
                location=_location_of(actor, data["location"]),
                lot=data["lot"],
                product_name=data["product_name"],
                quantity=data["quantity"],
                unit=data["unit"],
                origin=data["origin"],
                production_date=data["production_date"],
                commitments=data["commitments"],
                test_basis=data["test_basis"],
                plot=plot,
                contact_phone=data["contact_phone"],
            )
        except AgriInvalid as exc:
            _show(form, exc)
        except StepRefused as exc:
            for error in exc.errors:
                form.add_error(None, f"{error['field']}: {render_message(error)}")
        else:
            return redirect("sectors_agri:certificate", number=found.number)
    return _form_page(
        request, form, _("Issue a compliance certificate"), 400 if request.method == "POST" else 200
    )


@login_required
def certificate(request, number: str):
    """The certificate, print-ready: A6 by default (the paper label size), ``?size=a4``."""
    actor = _actor(request)
    found = selectors_agri.certificate_get(actor, number=number)
    if found is None:
        raise Http404("no such certificate")
    size = "a4" if request.GET.get("size") == "a4" else "a6"
    url = request.build_absolute_uri(reverse("sectors_agri:certificate", kwargs={"number": found.number}))
    qr = segno.make(url, error="m").svg_inline(scale=3, dark="#000", title=found.number)
    return render(
        request,
        "sectors/agri/certificate.html",
        {
            "c": found,
            "qr": qr,
            "size": size,
            "commitments": [
                (label, value in found.commitments) for value, label in CertificateCommitment.choices
            ],
            "bases": [(label, value == found.test_basis) for value, label in CommitmentBasis.choices],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def test_new(request):
    actor = _actor(request)
    form = TestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rapid_test_record(actor=actor, **form.cleaned_data)
        except AgriInvalid as exc:
            _show(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("sectors_agri:index")
    return _form_page(
        request, form, _("Record a rapid residue test"), 400 if request.method == "POST" else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    actor = _actor(request)
    _require_bureau(actor)
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        market = (
            Location.objects.filter(key=data["market"].strip()).first()
            or Location.objects.filter(identifier=data["market"].strip()).first()
        )
        seller = Party.objects.filter(uscc=data["seller"].strip().upper()).first()
        if market is None:
            form.add_error("market", _("No such location."))
        if seller is None:
            form.add_error("seller", _("No party has this USCC."))
        if market is not None and seller is not None:
            try:
                market_inspection_record(
                    actor=actor,
                    market=market,
                    seller=seller,
                    lot=data["lot"],
                    certificate_number=data["certificate_number"],
                    test_result=data["test_result"],
                    outcome=data["outcome"],
                    note=data["note"],
                )
            except AgriInvalid as exc:
                _show(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("sectors_agri:index")
    return _form_page(
        request, form, _("Record a market inspection"), 400 if request.method == "POST" else 200
    )


# -- Excel uploads of certificates, rapid tests and plots (issue #6 item 6) ----------------------

EXCEL_TITLES = {
    "certificates": gettext_lazy("Compliance certificates"),
    "tests": gettext_lazy("Rapid residue tests"),
    "plots": gettext_lazy("Planting plots"),
}


def _excel_actor(request, kind: str):
    """Who uploads a kind: whoever may use its phone form (certificates and plots: a farm's or
    co-operative's users; tests: those and the agriculture bureau). Each row's service checks again."""
    if kind not in services_agri_excel.AGRI_KINDS:
        raise Http404("no such upload")
    actor = _actor(request)
    if kind != "tests":
        _own_party(actor)
    return actor


@login_required
def excel_template(request, kind: str):
    _excel_actor(request, kind)
    response = HttpResponse(
        services_agri_excel.template_xlsx(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="tracehub-agri-{kind}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def excel_import(request, kind: str):
    """Upload a filled template: "check" shows every row with its errors (row, column, reason);
    "import" stores all rows or none. Nothing of the file is kept between the two."""
    actor = _excel_actor(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    status, upload = 200, None
    if request.method == "POST":
        if form.is_valid():
            commit = request.POST.get("action") == "import"
            upload = services_agri_excel.excel_upload(
                actor=actor, kind=kind, content=form.cleaned_data["file"].read(), commit=commit
            )
            if upload.errors:
                status = 400
            elif commit:
                messages.success(request, _("%(n)d rows stored.") % {"n": upload.stored})
                return redirect("sectors_agri:index")
        else:
            status = 400
    return render(
        request,
        "sectors/agri/import.html",
        {
            "title": EXCEL_TITLES[kind],
            "template_url": reverse("sectors_agri:template", kwargs={"kind": kind}),
            "form": form,
            "upload": upload,
            "headers": [services_agri_excel.column_label(i) for i in services_agri_excel.KINDS[kind].columns],
        },
        status=status,
    )


SORT_COLUMNS = (
    ("name", gettext_lazy("Party")),
    ("certificates", gettext_lazy("Certificates")),
    ("completeness", gettext_lazy("Completeness")),
    ("timeliness", gettext_lazy("Timeliness")),
    ("tests", gettext_lazy("Tests passed")),
    ("score", gettext_lazy("Score")),
)


@login_required
def evaluation(request):
    """信息评价: every party's score, sortable by each column, 25 a page."""
    actor = _actor(request)
    _require_bureau(actor)
    sort = request.GET.get("sort", "-score")
    if sort.lstrip("-") not in selectors_agri.SORTS:
        sort = "-score"
    page = Paginator(selectors_agri.evaluation(actor, sort=sort), 25).get_page(request.GET.get("page"))
    columns = [
        (key, label, f"-{key}" if sort == key else key, sort.lstrip("-") == key)
        for key, label in SORT_COLUMNS
    ]
    return render(request, "sectors/agri/evaluation.html", {"page": page, "columns": columns, "sort": sort})


@login_required
def coverage(request):
    actor = _actor(request)
    _require_bureau(actor)
    districts, total = selectors_agri.coverage(actor)
    names = dict(District.choices)
    return render(
        request,
        "sectors/agri/coverage.html",
        {"districts": [(names.get(d.district, d.district), d) for d in districts], "total": total},
    )

"""Code allocation (赋码) and printable labels in the console (issue #5 item 2; docs/codes.md).

An enterprise's administrator or staff allocates codes for one of its products and a lot, downloads
them as CSV and prints labels (A4 sheets or a label printer's roll, as HTML or PDF, page by page);
officials and operators read the allocations of what they oversee. The same services, selectors
and files as ``/api/v1/codes`` (``registry.code_exports``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracehub.identifiers.labels import label_svg
from tracehub.registry import code_exports, selectors, services
from tracehub.registry.forms import _blank, _Form, _label
from tracehub.registry.models import CodeAllocation, CodeScheme, Product
from tracehub.registry.permissions import can
from tracehub.registry.views.base import (
    ENTERPRISE,
    FAILED,
    OVERSEERS,
    call_service,
    console_page,
    is_enterprise,
    paginate,
    render_page,
)
from tracehub.registry.views.places import acting_party

ROLES = (*ENTERPRISE, *OVERSEERS)
#: Labels shown on an allocation's page before printing.
PREVIEW = 6


class CodeFilterForm(_Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    scheme = forms.ChoiceField(
        label=_label(CodeAllocation, "scheme"), choices=_blank(CodeScheme.choices), required=False
    )


class CodeAllocationForm(_Form):
    product = forms.ModelChoiceField(label=_label(CodeAllocation, "product"), queryset=Product.objects.none())
    scheme = forms.ChoiceField(
        label=_label(CodeAllocation, "scheme"),
        choices=CodeScheme.choices,
        initial=CodeScheme.GS1,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "GS1 serial numbers for products with a GTIN; platform trace codes (at most 10,000 a day) "
            "for products without one."
        ),
    )
    count = forms.IntegerField(
        label=_label(CodeAllocation, "count"), min_value=1, max_value=services.MAX_CODES_PER_ALLOCATION
    )
    lot = forms.CharField(
        label=_label(CodeAllocation, "lot"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("The batch or lot number printed on the pack (批号)."),
    )

    def __init__(self, *args, products, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class LabelForm(forms.Form):
    """What to print: a layout, pages of it, and HTML or PDF (a GET form to ``code-labels``)."""

    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        choices=[
            ("a4", gettext_lazy("A4 sheet, 5 × 7 labels")),
            ("roll", gettext_lazy("Label printer, 50 × 40 mm")),
        ],
    )
    pages = forms.CharField(
        label=gettext_lazy("Pages"),
        initial="1",
        max_length=20,
        help_text=gettext_lazy("A page or a range such as 1-10."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("html", gettext_lazy("Web page to print")), ("pdf", "PDF")],
    )


def _exportable(actor, pk: int) -> CodeAllocation:
    allocation = selectors.code_allocation_get(actor=actor, pk=pk)
    if not can(actor, "code.export", allocation):
        raise PermissionDenied
    return allocation


@console_page(*ROLES)
def code_list(request, actor):
    form = CodeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    allocations = selectors.code_allocation_list(
        actor=actor, scheme=filters.get("scheme"), q=filters.get("q")
    )
    context = {"form": form, "page": paginate(request, allocations), "can_add": is_enterprise(actor)}
    return render_page(request, "registry/code_list.html", context)


@console_page(*ENTERPRISE, "operator")
def code_create(request, actor):
    party = acting_party(request, actor)
    products = selectors.product_list(actor=actor, party_id=party.pk).filter(active=True)
    form = CodeAllocationForm(request.POST or None, products=products)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        allocation = call_service(
            form,
            lambda: services.code_allocation_create(
                actor=actor,
                party=party,
                product=data["product"],
                count=data["count"],
                scheme=data["scheme"],
                lot=data["lot"],
            ),
        )
        if allocation is not FAILED:
            messages.success(request, _("%(count)d codes are allocated.") % {"count": allocation.count})
            return redirect("registry:code-detail", pk=allocation.pk)
    return render_page(request, "registry/code_form.html", {"form": form, "party": party})


@console_page(*ROLES)
def code_detail(request, actor, pk: int):
    allocation = selectors.code_allocation_get(actor=actor, pk=pk)
    can_export = can(actor, "code.export", allocation)
    context = {
        "allocation": allocation,
        "can_export": can_export,
        "label_pages": {name: code_exports.page_count(allocation, name) for name in code_exports.LAYOUTS},
        "max_labels": code_exports.MAX_LABELS_PER_REQUEST,
    }
    if can_export:
        context["first_code"], context["last_code"] = selectors.code_allocation_first_last(allocation)
        labels = code_exports.allocation_labels(allocation, request=request, start=0, stop=PREVIEW)
        # SVG written by identifiers.labels, every text in it escaped there.
        context["preview"] = [mark_safe(label_svg(label)) for label in labels]  # noqa: S308
        context["label_form"] = LabelForm(initial={"layout": "a4", "pages": "1", "format": "html"})
    return render_page(request, "registry/code_detail.html", context)


@console_page(*ROLES)
def code_csv(request, actor, pk: int):
    return code_exports.csv_response(_exportable(actor, pk), request=request)


@console_page(*ROLES)
def code_labels(request, actor, pk: int):
    allocation = _exportable(actor, pk)
    form = LabelForm({"layout": "a4", "pages": "1", "format": "html", **request.GET.dict()})
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect("registry:code-detail", pk=pk)
    data = form.cleaned_data
    try:
        return code_exports.labels_response(
            allocation,
            request=request,
            file_format=data["format"],
            layout=data["layout"],
            pages=data["pages"],
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("registry:code-detail", pk=pk)

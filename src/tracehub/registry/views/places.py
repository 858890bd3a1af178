"""Locations (节点/场所) and products (产品) in the console (issue #3 item 3; G1, P3)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tracehub.accounts.models import Sector
from tracehub.registry import selectors, services
from tracehub.registry.forms import (
    PRODUCT_ATTRIBUTE_LABELS,
    LocationFilterForm,
    LocationForm,
    ProductFilterForm,
    ProductForm,
)
from tracehub.registry.permissions import can
from tracehub.registry.views.base import (
    ENTERPRISE,
    FAILED,
    OVERSEERS,
    call_service,
    console_page,
    is_enterprise_admin,
    paginate,
    render_page,
)

#: Locations and products are the enterprise's own and what officials oversee; certification
#: auditors read parties, filings and licences only (docs/permissions.md).
ROLES = (*ENTERPRISE, *OVERSEERS)


def acting_party(request, actor):
    """The party a new location, product or licence is for: the user's own; an operator names it
    with ``?party=<id>``. Anyone else has no party to add to (403)."""
    if actor.party_id is not None:
        return selectors.party_get(actor=actor, pk=actor.party_id)
    party_id = request.GET.get("party", "")
    if actor.sees_all and party_id.isdigit():
        return selectors.party_get(actor=actor, pk=int(party_id))
    raise PermissionDenied


def _party_filter(request) -> int | None:
    value = request.GET.get("party", "")
    return int(value) if value.isdigit() else None


# -- locations -------------------------------------------------------------------------------------


@console_page(*ROLES)
def location_list(request, actor):
    form = LocationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    locations = selectors.location_list(
        actor=actor,
        party_id=_party_filter(request),
        kind=filters.get("kind"),
        district=filters.get("district"),
        q=filters.get("q"),
    )
    context = {"form": form, "page": paginate(request, locations), "can_add": is_enterprise_admin(actor)}
    return render_page(request, "registry/location_list.html", context)


@console_page(*ROLES)
def location_detail(request, actor, pk: int):
    location = selectors.location_get(actor=actor, pk=pk)
    context = {"location": location, "can_change": can(actor, "location.change", location)}
    return render_page(request, "registry/location_detail.html", context)


@console_page(*ENTERPRISE, "operator")
def location_create(request, actor):
    party = acting_party(request, actor)
    if not can(actor, "location.change", party):
        raise PermissionDenied
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        location = call_service(form, lambda: services.location_create(actor=actor, party=party, **data))
        if location is not FAILED:
            messages.success(request, _("The location is registered."))
            return redirect("registry:location-detail", pk=location.pk)
    context = {"form": form, "party": party, "location": None}
    return render_page(request, "registry/location_form.html", context)


@console_page(*ROLES)
def location_edit(request, actor, pk: int):
    location = selectors.location_get(actor=actor, pk=pk)
    if not can(actor, "location.change", location):
        raise PermissionDenied
    form = LocationForm(request.POST or None, location=location, initial=LocationForm.initial_for(location))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_service(form, lambda: services.location_update(actor=actor, location=location, **data))
        if saved is not FAILED:
            messages.success(request, _("The location is saved."))
            return redirect("registry:location-detail", pk=saved.pk)
    context = {"form": form, "party": location.party, "location": location}
    return render_page(request, "registry/location_form.html", context)


# -- products --------------------------------------------------------------------------------------

#: A sector attribute the service names ``attributes.<name>`` is the form's ``attr_<name>``.
_ATTRIBUTE_FIELDS = {f"attributes.{name}": f"attr_{name}" for name in PRODUCT_ATTRIBUTE_LABELS}


@console_page(*ROLES)
def product_list(request, actor):
    form = ProductFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    products = selectors.product_list(
        actor=actor, party_id=_party_filter(request), sector=filters.get("sector"), q=filters.get("q")
    )
    context = {"form": form, "page": paginate(request, products), "can_add": is_enterprise_admin(actor)}
    return render_page(request, "registry/product_list.html", context)


@console_page(*ROLES)
def product_detail(request, actor, pk: int):
    product = selectors.product_get(actor=actor, pk=pk)
    attributes = [
        (PRODUCT_ATTRIBUTE_LABELS.get(name, name), value)
        for name, value in (product.attributes or {}).items()
    ]
    context = {
        "product": product,
        "sectors": [Sector(code).label for code in product.sector_codes],
        "attributes": attributes,
        "can_change": can(actor, "product.change", product),
    }
    return render_page(request, "registry/product_detail.html", context)


@console_page(*ENTERPRISE, "operator")
def product_create(request, actor):
    party = acting_party(request, actor)
    if not can(actor, "product.change", party):
        raise PermissionDenied
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        product = call_service(
            form, lambda: services.product_create(actor=actor, party=party, **data), _ATTRIBUTE_FIELDS
        )
        if product is not FAILED:
            messages.success(request, _("The product is registered."))
            return redirect("registry:product-detail", pk=product.pk)
    context = {"form": form, "party": party, "product": None}
    return render_page(request, "registry/product_form.html", context)


@console_page(*ROLES)
def product_edit(request, actor, pk: int):
    product = selectors.product_get(actor=actor, pk=pk)
    if not can(actor, "product.change", product):
        raise PermissionDenied
    form = ProductForm(request.POST or None, product=product, initial=ProductForm.initial_for(product))
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        saved = call_service(
            form, lambda: services.product_update(actor=actor, product=product, **data), _ATTRIBUTE_FIELDS
        )
        if saved is not FAILED:
            messages.success(request, _("The product is saved."))
            return redirect("registry:product-detail", pk=saved.pk)
    context = {"form": form, "party": product.party, "product": product}
    return render_page(request, "registry/product_form.html", context)

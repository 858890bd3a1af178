"""Parties in the console: self-registration, the party page, its data, the audited ID reveal,
and the officials' party search (issue #3 items 1, 2, 6; G1, G4, P3)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tracehub.accounts.models import Sector
from tracehub.accounts.selectors import notification_list
from tracehub.registry import selectors, services
from tracehub.registry.forms import PartyEditForm, PartyFilterForm, PartyRegisterForm
from tracehub.registry.models import OPEN_FILING_STATUSES, FilingStatus, IdKind
from tracehub.registry.permissions import can
from tracehub.registry.views.base import (
    FAILED,
    READERS,
    call_service,
    console_actor,
    console_page,
    is_enterprise,
    lacks_party,
    paginate,
    render_page,
)
from tracehub.registry.views.filings import available_actions

#: Statuses in which the filing's last reason is the bureau's word to the party.
BUREAU_REASON_STATUSES = (
    FilingStatus.MORE_INFO,
    FilingStatus.SUSPENDED,
    FilingStatus.REJECTED,
    FilingStatus.REVOKED,
)

#: How many rows of each kind the party page shows before "see all".
PREVIEW_ROWS = 10


@never_cache
def register(request):
    """Self-signup of a new enterprise (自主注册, G4): its administrator account and its party.

    Open to anyone (the party is unfiled until a bureau approves its filing, so signing up gives
    no right to capture). A signed-in member of a party goes to their party instead."""
    if request.user.is_authenticated and is_enterprise(console_actor(request.user)):
        return redirect("registry:my-party")
    form = PartyRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        result = call_service(
            form, lambda: services.party_register(**data), field_map={"password": "password1"}
        )
        if result is not FAILED:
            party, user = result
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("%(party)s is registered. Add its licences, then submit the filing for review.")
                % {"party": party.name},
            )
            return redirect("registry:party-detail", pk=party.pk)
    return render(request, "registry/register.html", {"form": form})


@login_required
def my_party(request):
    """The enterprise's own party page; an enterprise user without a party is asked to register it."""
    actor = console_actor(request.user)
    if is_enterprise(actor):
        return redirect("registry:party-detail", pk=actor.party_id)
    if lacks_party(request.user):
        return render_page(request, "registry/register_prompt.html")
    raise PermissionDenied


@console_page(*READERS)
def party_list(request, actor):
    """Search parties (officials: their sectors and districts; operators and auditors: all)."""
    form = PartyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    parties = selectors.party_list(
        actor=actor,
        q=filters.get("q"),
        sector=filters.get("sector"),
        district=filters.get("district"),
        party_type=filters.get("party_type"),
        status=filters.get("status"),
    )
    return render_page(
        request, "registry/party_list.html", {"form": form, "page": paginate(request, parties)}
    )


def _sector_labels(codes) -> list[str]:
    return [Sector(code).label for code in codes]


@console_page()
def party_detail(request, actor, pk: int):
    """A party's page: data (ID numbers masked), filing status and history with reasons, licences
    (expiry flagged), locations and products; the enterprise also sees its notifications."""
    party = selectors.party_get(actor=actor, pk=pk)
    filings = list(selectors.filing_list(actor=actor, party_id=party.pk)[:PREVIEW_ROWS])
    current = next((f for f in filings if f.status in OPEN_FILING_STATUSES), None)
    # The bureau's word the party must act on: why more is asked or the filing is suspended, or
    # why the last filing was closed.
    decided = current or (filings[0] if filings else None)
    bureau_reason = (
        decided.last_reason if decided is not None and decided.status in BUREAU_REASON_STATUSES else ""
    )
    licences = list(selectors.licence_list(actor=actor, party_id=party.pk)[:PREVIEW_ROWS])
    locations = selectors.location_list(actor=actor, party_id=party.pk)
    products = selectors.product_list(actor=actor, party_id=party.pk)
    own = actor.party_id == party.pk
    context = {
        "party": party,
        "sectors": _sector_labels(party.sector_codes),
        "filings": filings,
        "current_filing": current,
        "bureau_reason": bureau_reason,
        "filing_actions": available_actions(actor, current) if current else [],
        "licences": [(lic, selectors.licence_is_expiring(lic)) for lic in licences],
        "locations": list(locations[:PREVIEW_ROWS]),
        "location_count": locations.count(),
        "products": list(products[:PREVIEW_ROWS]),
        "product_count": products.count(),
        "can_edit": can(actor, "party.change", party),
        "can_submit": can(actor, "filing.submit", party) and party.filing_status not in OPEN_FILING_STATUSES,
        "can_add": can(actor, "licence.change", party),
        "can_reveal": party.id_kind == IdKind.RIC and can(actor, "party.reveal_id_number", party),
        "can_manage": can(actor, "party.manage_members", party),
        "own": own,
        "notifications": list(notification_list(user=request.user)[:5]) if own else [],
    }
    return render_page(request, "registry/party_detail.html", context)


@console_page()
def party_edit(request, actor, pk: int):
    """Change a party's data (its administrator, or an operator); identity never changes."""
    party = selectors.party_get(actor=actor, pk=pk)
    if not can(actor, "party.change", party):
        raise PermissionDenied
    form = PartyEditForm(request.POST or None, party=party, initial=PartyEditForm.initial_for(party))
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if call_service(form, lambda: services.party_update(actor=actor, party=party, **data)) is not FAILED:
            messages.success(request, _("The party's data is saved."))
            return redirect("registry:party-detail", pk=party.pk)
    return render_page(request, "registry/party_edit.html", {"form": form, "party": party})


@never_cache
@require_POST
@console_page()
def party_reveal(request, actor, pk: int):
    """Show an individual's full ID card number to those allowed (operators, the overseeing
    officials); the service records who looked (issue #3 item 8). Not cached anywhere."""
    party = selectors.party_get(actor=actor, pk=pk)
    number = services.party_id_number_reveal(actor=actor, party=party)
    template = "registry/_revealed.html" if request.htmx else "registry/party_reveal.html"
    return render_page(request, template, {"party": party, "number": number})

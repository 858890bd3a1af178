"""A party's staff accounts and API keys (企业用户, 企业系统接入; issue #3 items 4 and 5).

Only the party's administrator (a person) manages them, or an operator naming the party; the key
of a new API client is shown once, on the page that answers its creation, and never stored."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tracehub.accounts.models import ApiClient
from tracehub.registry import selectors, services
from tracehub.registry.forms import ApiKeyForm, MemberForm
from tracehub.registry.models import Party
from tracehub.registry.views.base import FAILED, call_service, console_page, paginate, render_page
from tracehub.registry.views.places import acting_party

ROLES = ("enterprise_admin", "operator")


def _managed_party(request, actor, permission: str):
    party = acting_party(request, actor)
    services.require(actor, permission, party, view="party.view", model=Party)
    return party


def _with_party(url: str, request, actor) -> str:
    party_id = request.GET.get("party", "")
    return f"{url}?party={party_id}" if actor.party_id is None and party_id.isdigit() else url


@console_page(*ROLES)
def member_list(request, actor):
    party = _managed_party(request, actor, "party.manage_members")
    page = paginate(request, selectors.party_members(party=party))
    return render_page(request, "registry/member_list.html", {"party": party, "page": page})


@console_page(*ROLES)
def member_create(request, actor):
    party = _managed_party(request, actor, "party.manage_members")
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        user = call_service(
            form,
            lambda: services.party_member_add(actor=actor, party=party, **data),
            field_map={"password": "password1"},
        )
        if user is not FAILED:
            messages.success(request, _("The account %(username)s is created.") % {"username": user.username})
            return redirect(_with_party(reverse("registry:member-list"), request, actor))
    return render_page(request, "registry/member_form.html", {"party": party, "form": form})


@console_page(*ROLES)
def apikey_list(request, actor):
    party = _managed_party(request, actor, "party.manage_api_clients")
    page = paginate(request, selectors.party_api_clients(party=party))
    return render_page(
        request, "registry/apikey_list.html", {"party": party, "page": page, "now": timezone.now()}
    )


@never_cache
@console_page(*ROLES)
def apikey_create(request, actor):
    """Create an API key for the party's system; the answer shows the key this once."""
    party = _managed_party(request, actor, "party.manage_api_clients")
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name, expires_on = form.cleaned_data["name"], form.cleaned_data["expires_on"]
        if expires_on is not None and expires_on <= timezone.localdate():
            form.add_error("expires_on", _("The expiry date must be after today."))
        else:
            expires_at = (
                timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), time.min))
                if expires_on
                else None
            )
            created = call_service(
                form,
                lambda: services.party_api_client_create(
                    actor=actor, party=party, name=name, expires_at=expires_at
                ),
                field_map={"expires_at": "expires_on"},
            )
            if created is not FAILED:
                client, key = created
                return render_page(
                    request,
                    "registry/apikey_created.html",
                    {"party": party, "client": client, "key": key},
                )
    return render_page(request, "registry/apikey_form.html", {"party": party, "form": form})


@require_POST
@console_page(*ROLES)
def apikey_revoke(request, actor, pk: int):
    party = _managed_party(request, actor, "party.manage_api_clients")
    binding = selectors.party_api_clients(party=party).filter(client_id=pk).first()
    if binding is None:
        raise ApiClient.DoesNotExist
    services.party_api_client_revoke(actor=actor, party=party, client=binding.client)
    messages.success(request, _("The key %(prefix)s is revoked.") % {"prefix": binding.client.key_prefix})
    return redirect(_with_party(reverse("registry:apikey-list"), request, actor))

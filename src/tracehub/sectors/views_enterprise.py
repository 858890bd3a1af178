"""Console pages of the enterprise full-chain subsystem (E2): the step forms and Excel uploads (the
same entry views as liquor's), recipes and control points, findings on lots, and warehouse stock by
lot computed from events. The enterprise sees its own; the officials overseeing it see the same."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from tracehub.registry.views.base import console_actor
from tracehub.sectors import selectors_enterprise
from tracehub.sectors.profile import registry
from tracehub.sectors.services_enterprise import ENTERPRISE_ENTRY
from tracehub.sectors.views_liquor import (
    _label,
    _may_record,
    entry_form,
    entry_import,
    entry_import_commit,
    entry_import_detail,
    entry_template,
)

NS = "enterprise"


@login_required
def index(request):
    actor = console_actor(request.user)
    profile = registry[ENTERPRISE_ENTRY.sector]
    return render(
        request,
        "sectors/enterprise/index.html",
        {
            "steps": [(s.key, _label(s)) for s in profile.steps],
            "may_record": _may_record(actor),
            "parties": list(selectors_enterprise.parties_for(actor)),
            "recipes": list(selectors_enterprise.recipes_for(actor)),
            "points": list(selectors_enterprise.control_points_for(actor)),
            "records": list(selectors_enterprise.production_records_for(actor)),
            "findings": list(selectors_enterprise.findings_for(actor, open_only=True)),
        },
    )


@login_required
def findings(request):
    actor = console_actor(request.user)
    lot = request.GET.get("lot") or None
    return render(
        request,
        "sectors/enterprise/findings.html",
        {"findings": list(selectors_enterprise.findings_for(actor, lot=lot)), "lot": lot},
    )


@login_required
def stock(request):
    """Warehouse stock by lot of one enterprise (the user's own, or ``?party=`` for officials)."""
    actor = console_actor(request.user)
    parties = list(selectors_enterprise.parties_for(actor))
    wanted = request.GET.get("party")
    party = None
    if wanted and wanted.isdigit():
        party = selectors_enterprise.party_visible(actor, int(wanted))
        if party is None:
            raise Http404("no such party")
    elif actor.party_id:
        party = selectors_enterprise.party_visible(actor, actor.party_id)
    elif len(parties) == 1:
        party = parties[0]
    rows = selectors_enterprise.stock_by_lot(party=party) if party else []
    return render(
        request, "sectors/enterprise/stock.html", {"party": party, "parties": parties, "rows": rows}
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_form(request, step: str):
    return entry_form(request, spec=ENTERPRISE_ENTRY, ns=NS, step=step)


@login_required
def template(request, step: str):
    return entry_template(request, spec=ENTERPRISE_ENTRY, step=step)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, step: str):
    return entry_import(request, spec=ENTERPRISE_ENTRY, ns=NS, step=step)


@login_required
def import_detail(request, pk: int):
    return entry_import_detail(request, spec=ENTERPRISE_ENTRY, ns=NS, pk=pk)


@login_required
@require_POST
def import_commit(request, pk: int):
    return entry_import_commit(request, spec=ENTERPRISE_ENTRY, ns=NS, pk=pk)

"""Console pages of the imported-food subsystem (/console/sectors/import_food/, G6): the steps, import
records with their sales records, deletion requests under the retention rule, foreign producers.
The step forms and Excel imports are the shared G2/G6 entry pages of ``views_drug``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tracehub.registry.views.base import console_actor
from tracehub.sectors import selectors_import
from tracehub.sectors.messages import render as render_message
from tracehub.sectors.services_import import RetentionRefused, import_record_delete
from tracehub.sectors.views_drug import NAMESPACES, _may_record, _steps


@login_required
def index(request):
    actor = console_actor(request.user)
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "sectors/import_food/index.html",
        {
            "steps": _steps("import_food"),
            "may_record": _may_record(actor),
            "records": list(selectors_import.import_record_list(actor=actor, q=q)[:100]),
            "q": q,
            "ns": NAMESPACES["import_food"],
        },
    )


def _record(request, pk: int):
    actor = console_actor(request.user)
    found = selectors_import.import_record_get(actor=actor, pk=pk)
    if found is None:
        raise Http404("no such import record")
    return actor, found


@login_required
def record(request, pk: int):
    _actor, found = _record(request, pk)
    return render(
        request,
        "sectors/import_food/record.html",
        {"record": found, "sales": selectors_import.import_sales_records(found), "refused": ""},
    )


@login_required
@require_POST
def record_delete(request, pk: int):
    actor, found = _record(request, pk)
    try:
        import_record_delete(actor=actor, record=found, reason=request.POST.get("reason", ""))
    except RetentionRefused as exc:
        return render(
            request,
            "sectors/import_food/record.html",
            {
                "record": found,
                "sales": selectors_import.import_sales_records(found),
                "refused": render_message(exc.reason),
            },
            status=409,
        )
    return redirect("sectors_import:index")


@login_required
def producers(request):
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "sectors/import_food/producers.html",
        {"producers": list(selectors_import.producer_list(q=q)[:200]), "q": q},
    )

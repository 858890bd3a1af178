"""Console pages of the food subsystem (/console/sectors/food/, G1): the food steps for food
operators — market declaration, product inspection, receipt with tickets and certificates, the
inspectors' check — as phone forms and Excel imports. The Excel pages are the shared G2/G6 entry
pages of ``views_drug``; the form is theirs too, with a refusal at market access (市场准入) or for an
unlicensed supplier (索证) explained in the user's language above the rule's own message."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracehub.registry.views.base import console_actor
from tracehub.sectors.messages import render as render_message
from tracehub.sectors.messages import rule_of
from tracehub.sectors.profile import registry
from tracehub.sectors.services import StepRefused, step_record
from tracehub.sectors.views_drug import NAMESPACES, EntryForm, _label, _may_record, _spec, _steps

SECTOR = "food"


def refusal_reason(error: dict) -> str:
    """A food rule's refusal, explained in the user's language, followed by the rule's message (in
    the user's language too). Decided by the error's rule code, never by its English text (G1; the
    codes of tracehub.sectors.profiles.food)."""
    message = render_message(error)
    code = error.get("code") or ""
    if rule_of(code) == "inspection_passed":
        reason = _("Market access refused: a product inspection of this lot failed; it cannot be received.")
    elif code == "supplier_licensed":
        reason = _("The supplier holds no food production or business licence valid on the day of receipt.")
    elif code in ("supplier_licensed:unregistered", "supplier_licensed:unfiled"):
        reason = _("The supplier is not filed: food is received only from filed parties.")
    else:
        return message
    return _("%(reason)s (%(message)s)") % {"reason": reason, "message": message}


@login_required
def index(request):
    actor = console_actor(request.user)
    return render(
        request,
        "sectors/food/index.html",
        {"steps": _steps(SECTOR), "may_record": _may_record(actor), "ns": NAMESPACES[SECTOR]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_form(request, step: str):
    spec = _spec(SECTOR, step)
    actor = console_actor(request.user)
    if not _may_record(actor):
        raise PermissionDenied(_("Only an enterprise's users record events."))
    form = EntryForm(request.POST or None, spec=spec, actor=actor)
    status, recorded = 200, None
    if request.method == "POST":
        if form.is_valid():
            try:
                recorded = step_record(actor=actor, sector=SECTOR, step=step, data=form.inputs())
            except StepRefused as exc:
                status = 403 if exc.forbidden else 400
                for error in exc.errors:
                    name = error["field"] if error["field"] in form.fields else None
                    message = refusal_reason(error)
                    form.add_error(name, message if name else f"{error['field']}: {message}")
            else:
                form = EntryForm(spec=spec, actor=actor)
        else:
            status = 400
    return render(
        request,
        "sectors/drug/step_form.html",
        {
            "step": step,
            "step_label": _label(registry[SECTOR].step(step)),
            "form": form,
            "recorded": recorded,
            "ns": NAMESPACES[SECTOR],
        },
        status=status,
    )

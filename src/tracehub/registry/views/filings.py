"""The filing workflow in the console (备案, G3-G6): the party submits and resubmits, the responsible
bureau reviews (approve, reject, ask for more, suspend, reinstate, revoke), each with a
confirmation form and the reason the service requires (docs/registry.md "Filing workflow")."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracehub.core.errors import Conflict
from tracehub.registry import selectors, services
from tracehub.registry.forms import FilingActionForm, FilingFilterForm, FilingSubmitForm
from tracehub.registry.models import OPEN_FILING_STATUSES, Filing, FilingAction, FilingStatus, LicenceKind
from tracehub.registry.permissions import can
from tracehub.registry.views.base import (
    FAILED,
    OVERSEERS,
    READERS,
    call_service,
    console_page,
    paginate,
    render_page,
)

#: The button and the heading of each action's confirmation, in the user's language.
ACTION_LABELS = {
    FilingAction.RESUBMIT: gettext_lazy("Resubmit"),
    FilingAction.APPROVE: gettext_lazy("Approve"),
    FilingAction.REJECT: gettext_lazy("Reject"),
    FilingAction.REQUEST_INFO: gettext_lazy("Ask for more information"),
    FilingAction.SUSPEND: gettext_lazy("Suspend"),
    FilingAction.REINSTATE: gettext_lazy("Reinstate"),
    FilingAction.REVOKE: gettext_lazy("Revoke"),
}

#: What each decision means for the party, shown on its confirmation page.
ACTION_HELP = {
    FilingAction.RESUBMIT: gettext_lazy(
        "The filing goes back to the bureau for review with the party's data and licences as they are now."
    ),
    FilingAction.APPROVE: gettext_lazy(
        "The party is filed: a filing number is assigned and its systems may capture events."
    ),
    FilingAction.REJECT: gettext_lazy("The filing is closed; the party may apply again with a new filing."),
    FilingAction.REQUEST_INFO: gettext_lazy(
        "The party is told what is missing and may resubmit the same filing."
    ),
    FilingAction.SUSPEND: gettext_lazy("The party cannot capture events until the filing is reinstated."),
    FilingAction.REINSTATE: gettext_lazy("The filing is approved again; the party may capture events."),
    FilingAction.REVOKE: gettext_lazy("The filing is closed for good; the party must apply again."),
}


@dataclass(frozen=True)
class ActionChoice:
    action: str
    label: object
    reason_required: bool
    danger: bool


def _transition(action: str):
    # The service's own table: which statuses an action starts from and whether it needs a reason,
    # so the console offers exactly what the workflow allows.
    return services._TRANSITIONS[action]


def _permission(action: str) -> str:
    return "filing.submit" if action == FilingAction.RESUBMIT else "filing.decide"


def available_actions(actor, filing: Filing) -> list[ActionChoice]:
    """The transitions this actor may take on the filing in its present status."""
    out = []
    for action in ACTION_LABELS:
        starts, _target, reason_required, _message = _transition(action)
        if filing.status in starts and can(actor, _permission(action), filing):
            out.append(
                ActionChoice(
                    action,
                    ACTION_LABELS[action],
                    reason_required,
                    action in (FilingAction.REJECT, FilingAction.SUSPEND, FilingAction.REVOKE),
                )
            )
    return out


def _kind_label(kind) -> str:
    return LicenceKind(kind).label if kind in LicenceKind.values else str(kind or "")


@console_page()
def filing_submit(request, actor, pk: int):
    """The party applies for filing with its data and licences as they are now (G4)."""
    party = selectors.party_get(actor=actor, pk=pk)
    if not can(actor, "filing.submit", party):
        raise PermissionDenied
    licences = list(selectors.licence_list(actor=actor, party_id=party.pk))
    form = FilingSubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        filing = call_service(form, lambda: services.filing_submit(actor=actor, party=party, note=note))
        if filing is not FAILED:
            messages.success(request, _("The filing is submitted; the bureau will review it."))
            return redirect("registry:filing-detail", pk=filing.pk)
    context = {
        "party": party,
        "form": form,
        "licences": [(lic, selectors.licence_is_expiring(lic)) for lic in licences],
        "without_file": [lic for lic in licences if not lic.file],
        "open_filing": party.filing_status in OPEN_FILING_STATUSES,
    }
    return render_page(request, "registry/filing_submit.html", context)


@console_page()
def filing_detail(request, actor, pk: int):
    """A filing with every transition (who, when, why) and the data as submitted."""
    filing = selectors.filing_get(actor=actor, pk=pk)
    context = {
        "filing": filing,
        "party": filing.party,
        "steps": list(filing.steps.all()),
        "snapshot_licences": [
            {**licence, "kind_label": _kind_label(licence.get("kind"))}
            for licence in (filing.snapshot or {}).get("licences", [])
            if isinstance(licence, dict)
        ],
        "actions": available_actions(actor, filing),
    }
    return render_page(request, "registry/filing_detail.html", context)


@console_page()
def filing_act(request, actor, pk: int, action: str):
    """Confirm and take one filing action; the reason is required where the service requires it.

    GET shows the confirmation (htmx loads it into the filing page, a phone without script opens it
    as a page); POST acts through ``services.filing_act``, which records the step and the audit row
    and notifies the party or the officials."""
    if action not in ACTION_LABELS:
        raise Http404
    filing = selectors.filing_get(actor=actor, pk=pk)
    if not can(actor, _permission(action), filing):
        raise PermissionDenied
    starts, _target, reason_required, _message = _transition(action)
    if filing.status not in starts:
        raise Conflict(
            _("A filing that is %(status)s cannot be %(action)s.")
            % {"status": FilingStatus(filing.status).label, "action": FilingAction(action).label}
        )
    label = _("Note to the reviewer") if action == FilingAction.RESUBMIT else None
    form = FilingActionForm(request.POST or None, reason_required=reason_required, reason_label=label)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = call_service(
            form,
            lambda: services.filing_act(actor=actor, filing=filing, action=action, reason=reason),
        )
        if done is not FAILED:
            if action == FilingAction.APPROVE:
                messages.success(
                    request,
                    _("The filing is approved. Filing number: %(number)s") % {"number": done.number},
                )
            else:
                messages.success(
                    request,
                    _("Done: the filing is now %(status)s.") % {"status": FilingStatus(done.status).label},
                )
            return redirect("registry:filing-detail", pk=done.pk)
    context = {
        "filing": filing,
        "party": filing.party,
        "action": action,
        "action_label": ACTION_LABELS[action],
        "action_help": ACTION_HELP[action],
        "danger": action in (FilingAction.REJECT, FilingAction.SUSPEND, FilingAction.REVOKE),
        "form": form,
    }
    template = "registry/_filing_action_form.html" if request.htmx else "registry/filing_act.html"
    return render_page(request, template, context)


@console_page(*OVERSEERS)
def review_queue(request, actor):
    """Filings waiting for this official's decision, oldest first (their sectors and districts)."""
    queue = selectors.filing_review_queue(actor=actor)
    return render_page(request, "registry/review_queue.html", {"page": paginate(request, queue)})


@console_page(*READERS)
def filing_list(request, actor):
    """Every filing the user may see, with filters (status, sector, district, party or number)."""
    form = FilingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    filings = selectors.filing_list(
        actor=actor,
        status=filters.get("status"),
        sector=filters.get("sector"),
        district=filters.get("district"),
        q=filters.get("q"),
    )
    return render_page(
        request, "registry/filing_list.html", {"form": form, "page": paginate(request, filings)}
    )

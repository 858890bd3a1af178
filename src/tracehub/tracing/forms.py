"""Forms of the tracing console pages (issue #4 item 5): a trace, a lot's destinations, a recall."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.epcis.validation import is_uri
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.tracing.genealogy import BACK, FORWARD

IDENTIFIER_HELP = _("An EPC URN (urn:epc:id:… or urn:epc:class:…) or a GS1 Digital Link URI.")


class IdentifierField(forms.CharField):
    """An identifier as typed; ``clean`` gives its canonical key and keeps what was typed."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Code"))
        kwargs.setdefault("help_text", IDENTIFIER_HELP)
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not is_uri(value):
            raise forms.ValidationError(IDENTIFIER_HELP, code="invalid")
        try:
            return canonical_key(value)
        except IdentifierError as exc:
            raise forms.ValidationError(
                _("Not a code TraceHub can read: %(reason)s"), params={"reason": exc}, code="invalid"
            ) from exc


class LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs) -> None:
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"], **kwargs)

    def clean(self, value):
        moment = super().clean(value)
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


class TraceForm(forms.Form):
    """O1/O2: trace a code back to its source or forward to where it went."""

    id = IdentifierField()
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[(FORWARD, _("Forward: where it went")), (BACK, _("Back: where it came from"))],
        initial=FORWARD,
    )
    since = LocalDateTimeField(label=_("From"), required=False)
    until = LocalDateTimeField(label=_("To"), required=False)
    max_depth = forms.IntegerField(
        label=_("Maximum depth"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("Links followed from the code; empty: no limit."),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("'To' is before 'From'."))
        return data


class DestinationForm(forms.Form):
    """G2 (去向可视化): where a lot went."""

    id = IdentifierField(label=_("Lot or item"))


class RecallForm(forms.Form):
    """O2: declare a recall (officials of the product's sector)."""

    id = IdentifierField(label=_("Lot or item"))
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."), code="required")
        return reason

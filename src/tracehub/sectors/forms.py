"""Phone-sized entry forms of the sector steps (issue #6 item 6), built from the step inputs."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tracehub.registry.actors import Actor
from tracehub.sectors import selectors
from tracehub.sectors.entry import STEP_INPUTS, Input, party_uri
from tracehub.sectors.profiles.meat_veg import GOODS_TYPE_LABELS


def _label(spec: Input) -> str:
    return spec.zh if (get_language() or "zh-hans").startswith("zh") else spec.en


def _help(spec: Input) -> str:
    return spec.help_zh if (get_language() or "zh-hans").startswith("zh") else ""


def _choice_label(value: str) -> str:
    zh, en = GOODS_TYPE_LABELS.get(value, (value, value))
    if value in ("pass", "fail"):
        zh, en = {"pass": ("合格", "pass"), "fail": ("不合格", "fail")}[value]
    return zh if (get_language() or "zh-hans").startswith("zh") else en


class StepForm(forms.Form):
    """The form of one step; the service checks the values again (and names what is wrong)."""

    def __init__(self, *args, step: str, actor: Actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        locations = list(selectors.locations_for(actor)[: selectors.CHOICES_LIMIT])
        parties = None
        for spec in STEP_INPUTS[step]:
            common = {"label": _label(spec), "required": spec.required, "help_text": _help(spec)}
            if spec.kind == "location":
                field = forms.ChoiceField(choices=[(loc.identifier, loc.name) for loc in locations], **common)
                if len(locations) == 1:
                    field.initial = locations[0].identifier
            elif spec.kind == "party":
                if parties is None:
                    parties = [(party_uri(p), p.name) for p in selectors.filed_parties()]
                field = forms.ChoiceField(choices=[("", "—")] + parties, **common)
            elif spec.kind == "number":
                field = forms.DecimalField(
                    min_value=0,
                    max_digits=12,
                    decimal_places=4,
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                    **common,
                )
            elif spec.kind == "choice":
                field = forms.ChoiceField(
                    choices=[("", "—")] + [(c, _choice_label(c)) for c in spec.choices], **common
                )
            elif spec.kind == "lot":
                lots = selectors.recent_lots([loc.key for loc in locations]) if locations else []
                field = forms.CharField(
                    max_length=300, widget=forms.TextInput(attrs={"list": f"lots-{spec.key}"}), **common
                )
                field.datalist = lots
            elif spec.kind == "voucher":
                field = forms.CharField(
                    max_length=80,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                    **common,
                )
            elif spec.kind == "time":
                field = forms.CharField(
                    max_length=40, widget=forms.TextInput(attrs={"placeholder": "2026-11-16 08:30"}), **common
                )
            elif spec.kind in ("tags", "lots", "outputs"):
                field = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), **common)
            else:
                field = forms.CharField(max_length=200, **common)
            self.fields[spec.key] = field

    def inputs(self) -> dict[str, str]:
        """The entered values as the service takes them (blank ones left out)."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

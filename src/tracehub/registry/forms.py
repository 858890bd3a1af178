"""Forms of the registry console (issue #3 item 6): they read what a person types, in their language.

Forms check the shape of the input (a date is a date, a file is a PDF, JPEG or PNG of at most
``TRACEHUB_DOCUMENT_MAX_BYTES``, two passwords match) and hand plain values to the services, which
check the meaning (a valid 统一社会信用代码, a GTIN check digit, a licence number format) and say
what is wrong by field name; ``tracehub.registry.views.base.call_service`` puts those messages on
the fields. Nothing here saves anything (DESIGN.md §2: every write goes through the services).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import District, Role, Sector
from tracehub.epcis.vocab import BIZ_STEPS
from tracehub.registry import validators
from tracehub.registry.models import (
    FilingStatus,
    IdKind,
    Licence,
    LicenceKind,
    Location,
    LocationKind,
    Party,
    PartyType,
    Product,
)


def _label(model, field: str):
    """The model field's translated name, so the form and the admin say one thing one way."""
    return capfirst(model._meta.get_field(field).verbose_name)


def _blank(choices, label=None) -> list[tuple[str, object]]:
    return [("", label or _("(any)")), *choices]


#: Xiamen districts a party or location may be in (city-wide is an official's scope, not a place).
DISTRICT_CHOICES = [(code, label) for code, label in District.choices if code != District.CITY]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Form(forms.Form):
    """A console form: ``fieldsets`` groups its fields under legends (a long form on a phone reads
    better in parts); ``service_data`` is what the service is called with."""

    #: (legend, field names); fields not named are shown after the groups.
    fieldsets: tuple = ()

    @property
    def groups(self) -> list[tuple[object, list]]:
        named = [name for _legend, names in self.fieldsets for name in names if name in self.fields]
        groups = [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.fieldsets
        ]
        rest = [field for field in self.visible_fields() if field.name not in named]
        if rest:
            groups.append((None, rest))
        return [(legend, fields) for legend, fields in groups if fields]

    def service_data(self) -> dict:
        """The cleaned values the service takes (fields it does not know are left out)."""
        return dict(self.cleaned_data)


# -- parties ---------------------------------------------------------------------------------------


class _PartyFields(_Form):
    name = forms.CharField(label=_label(Party, "name"), max_length=200)
    name_en = forms.CharField(label=_label(Party, "name_en"), max_length=200, required=False)
    party_type = forms.ChoiceField(label=_label(Party, "party_type"), choices=PartyType.choices)
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The sectors decide which bureau reviews the filing."),
    )
    district = forms.ChoiceField(
        label=_label(Party, "district"),
        choices=_blank(DISTRICT_CHOICES, _("(outside Xiamen)")),
        required=False,
    )
    address = forms.CharField(label=_label(Party, "address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_label(Party, "contact_name"), max_length=100, required=False)
    contact_phone = forms.CharField(
        label=_label(Party, "contact_phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_label(Party, "contact_email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PartyRegisterForm(_PartyFields):
    """An enterprise signs itself up (自主注册): its administrator account and its party (G4)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    id_kind = forms.ChoiceField(
        label=_label(Party, "id_kind"),
        choices=IdKind.choices,
        initial=IdKind.USCC,
        widget=forms.RadioSelect,
    )
    uscc = forms.CharField(
        label=_label(Party, "uscc"),
        max_length=40,
        required=False,
        help_text=_("18 characters, printed on the business licence."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("ID card number"),
        max_length=40,
        required=False,
        help_text=_("For individuals (farmers, stall holders): stored encrypted, shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    country = forms.CharField(
        label=_label(Party, "country"), max_length=2, initial="CN", help_text=_("ISO 3166-1 two-letter code.")
    )
    foreign_id = forms.CharField(label=_label(Party, "foreign_id"), max_length=100, required=False)

    fieldsets = (
        (_("Your account"), ("username", "full_name", "email", "password1", "password2")),
        (
            _("Your enterprise"),
            (
                "name",
                "name_en",
                "party_type",
                "id_kind",
                "uscc",
                "id_number",
                "country",
                "foreign_id",
                "sectors",
                "district",
                "address",
            ),
        ),
        (_("Contact"), ("contact_name", "contact_phone", "contact_email")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # console.js shows only the identity fields of the chosen kind (all show without script).
        for name, kind in (
            ("uscc", IdKind.USCC),
            ("id_number", IdKind.RIC),
            ("country", IdKind.FOREIGN),
            ("foreign_id", IdKind.FOREIGN),
        ):
            self.fields[name].widget.attrs["data-shown-for"] = f"id_kind={kind}"

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        kind = data.get("id_kind")
        if kind == IdKind.USCC and not data.get("uscc"):
            self.add_error("uscc", _("An enterprise gives its unified social credit code."))
        if kind == IdKind.RIC and not data.get("id_number"):
            self.add_error("id_number", _("An individual gives the ID card number."))
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["password"] = data.pop("password1")
        data.pop("password2", None)
        # Only the identity the chosen kind uses reaches the service; a foreign party keeps its
        # country, the others are Chinese.
        if data["id_kind"] != IdKind.USCC:
            data["uscc"] = ""
        if data["id_kind"] != IdKind.RIC:
            data["id_number"] = ""
        if data["id_kind"] != IdKind.FOREIGN:
            data["country"] = "CN"
            data["foreign_id"] = ""
        return data


class PartyEditForm(_PartyFields):
    """A party's data as its administrator may change it; identity never changes (docs/registry.md)."""

    pgln = forms.CharField(
        label=_label(Party, "pgln"),
        max_length=300,
        required=False,
        help_text=_("13 digits, an EPC URN or a GS1 Digital Link."),
    )
    company_prefixes = forms.CharField(
        label=_("GS1 company prefixes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("厂商识别代码, one per line or separated by commas."),
    )
    foreign_id = forms.CharField(label=_label(Party, "foreign_id"), max_length=100, required=False)

    def __init__(self, *args, party: Party, **kwargs):
        super().__init__(*args, **kwargs)
        if party.id_kind != IdKind.FOREIGN:
            del self.fields["foreign_id"]

    @staticmethod
    def initial_for(party: Party) -> dict:
        return {
            "name": party.name,
            "name_en": party.name_en,
            "party_type": party.party_type,
            "sectors": party.sector_codes,
            "district": party.district,
            "address": party.address,
            "contact_name": party.contact_name,
            "contact_phone": party.contact_phone,
            "contact_email": party.contact_email,
            "foreign_id": party.foreign_id,
            # Stored as its canonical key 417/<GLN>; the form takes (and shows) the 13 digits.
            "pgln": party.pgln.removeprefix("417/"),
            "company_prefixes": "\n".join(p.prefix for p in party.prefixes.all()),
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        text = data.get("company_prefixes") or ""
        data["company_prefixes"] = [p for p in text.replace(",", "\n").replace("，", "\n").split() if p]
        return data


# -- filing ------------------------------------------------------------------------------------------


class FilingSubmitForm(_Form):
    note = forms.CharField(
        label=_("Note to the reviewer"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FilingActionForm(_Form):
    """A filing decision (or the party's resubmission): the reason is required where the service
    requires it (reject, ask for more, suspend, revoke)."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, reason_required: bool, reason_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if reason_label is not None:
            self.fields["reason"].label = reason_label


class FilingFilterForm(_Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), choices=_blank(FilingStatus.choices), required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank(Sector.choices), required=False)
    district = forms.ChoiceField(label=_("District"), choices=_blank(DISTRICT_CHOICES), required=False)


class PartyFilterForm(_Form):
    q = forms.CharField(
        label=_("Name or credit code"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank(Sector.choices), required=False)
    district = forms.ChoiceField(label=_("District"), choices=_blank(DISTRICT_CHOICES), required=False)
    party_type = forms.ChoiceField(label=_("Type"), choices=_blank(PartyType.choices), required=False)
    status = forms.ChoiceField(label=_("Filing status"), choices=_blank(FilingStatus.choices), required=False)


# -- licences ----------------------------------------------------------------------------------------


def check_document(upload) -> None:
    """A licence scan: PDF, JPEG or PNG by its content, at most TRACEHUB_DOCUMENT_MAX_BYTES.

    The service checks the same again; checking here first answers before anything is written,
    so a wrong file never leaves a licence without its scan (nothing partial is stored)."""
    limit = settings.TRACEHUB_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is larger than %(n)d MiB.") % {"n": limit // (1024 * 1024)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    head = upload.read(16)
    upload.seek(0)
    if validators.sniff_document_type(head) is None:
        raise ValidationError(_("Only PDF, JPEG and PNG files are accepted."))


class LicenceForm(_Form):
    kind = forms.ChoiceField(label=_label(Licence, "kind"), choices=LicenceKind.choices)
    number = forms.CharField(label=_label(Licence, "number"), max_length=100)
    issuer = forms.CharField(label=_label(Licence, "issuer"), max_length=200, required=False)
    valid_from = forms.DateField(label=_label(Licence, "valid_from"), required=False, widget=_DATE)
    valid_until = forms.DateField(
        label=_label(Licence, "valid_until"), required=False, widget=_DATE, help_text=_("Empty: no expiry.")
    )
    file = forms.FileField(
        label=_("Scan (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, licence: Licence | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.TRACEHUB_DOCUMENT_MAX_BYTES // (1024 * 1024)
        if licence is None:
            self.fields["file"].help_text = _("PDF, JPEG or PNG, at most %(n)d MiB.") % {"n": limit}
        else:
            # The kind is part of the licence's identity (kind, number): it is not changed.
            del self.fields["kind"]
            self.fields["file"].help_text = _(
                "PDF, JPEG or PNG, at most %(n)d MiB. Leave empty to keep the attached scan."
            ) % {"n": limit}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_document(upload)
        return upload

    @staticmethod
    def initial_for(licence: Licence) -> dict:
        return {
            "number": licence.number,
            "issuer": licence.issuer,
            "valid_from": licence.valid_from,
            "valid_until": licence.valid_until,
        }


class LicenceFilterForm(_Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(LicenceKind.choices), required=False)


# -- locations and products ---------------------------------------------------------------------------


class LocationForm(_Form):
    fieldsets = (
        (None, ("identifier", "name", "name_en", "kind", "district", "address")),
        (_("Position"), ("latitude", "longitude")),
        (_("Farm plot"), ("area_mu", "crop", "variety")),
    )

    identifier = forms.CharField(
        label=_("SGLN or platform node code"),
        max_length=300,
        help_text=_(
            "13 GLN digits, urn:epc:id:sgln:…, a GS1 Digital Link, or urn:tracehub:loc:<credit code>:…"
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_label(Location, "name"), max_length=200)
    name_en = forms.CharField(label=_label(Location, "name_en"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_label(Location, "kind"), choices=LocationKind.choices)
    district = forms.ChoiceField(
        label=_label(Location, "district"), choices=_blank(DISTRICT_CHOICES, "—"), required=False
    )
    address = forms.CharField(label=_label(Location, "address"), max_length=300, required=False)
    latitude = forms.DecimalField(
        label=_label(Location, "latitude"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_label(Location, "longitude"), required=False, max_digits=9, decimal_places=6
    )
    area_mu = forms.DecimalField(
        label=_label(Location, "area_mu"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=_("Farm plots: 亩."),
    )
    crop = forms.CharField(label=_label(Location, "crop"), max_length=100, required=False)
    variety = forms.CharField(label=_label(Location, "variety"), max_length=100, required=False)
    active = forms.BooleanField(label=_label(Location, "active"), required=False, initial=True)

    def __init__(self, *args, location: Location | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if location is None:
            del self.fields["active"]
        else:
            # Events refer to a location by its identifier: it never changes.
            del self.fields["identifier"]

    @staticmethod
    def initial_for(location: Location) -> dict:
        return {
            name: getattr(location, name)
            for name in (
                "name",
                "name_en",
                "kind",
                "district",
                "address",
                "latitude",
                "longitude",
                "area_mu",
                "crop",
                "variety",
                "active",
            )
        }


#: Sector attributes of a product, as form fields named ``attr_<name>`` (validators.PRODUCT_ATTRIBUTES).
PRODUCT_ATTRIBUTE_LABELS = {
    "approval_number": _("Drug approval number (批准文号)"),
    "pesticide_registration": _("Pesticide registration number (农药登记证号)"),
    "toxicity": _("Toxicity class (毒性)"),
    "alcohol_strength": _("Alcohol strength (% vol)"),
    "origin_country": _("Country of origin"),
    "origin_region": _("Region of origin"),
    "variety": _("Variety"),
    "dosage_form": _("Dosage form"),
    "active_ingredient": _("Active ingredient"),
}


class ProductForm(_Form):
    fieldsets = (
        (
            None,
            (
                "gtin",
                "platform_code",
                "name",
                "name_en",
                "sectors",
                "brand",
                "category",
                "specification",
                "unit",
                "shelf_life_days",
            ),
        ),
        (
            _("Sector attributes"),
            tuple(f"attr_{name}" for name in PRODUCT_ATTRIBUTE_LABELS),
        ),
    )

    gtin = forms.CharField(
        label=_label(Product, "gtin"),
        max_length=300,
        required=False,
        help_text=_("8, 12, 13 or 14 digits with the GS1 check digit."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    platform_code = forms.CharField(
        label=_label(Product, "platform_code"),
        max_length=300,
        required=False,
        help_text=_("Without a GTIN: urn:tracehub:product:<credit code>:…"),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_label(Product, "name"), max_length=200)
    name_en = forms.CharField(label=_label(Product, "name_en"), max_length=200, required=False)
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"), choices=Sector.choices, widget=forms.CheckboxSelectMultiple
    )
    brand = forms.CharField(label=_label(Product, "brand"), max_length=100, required=False)
    category = forms.CharField(label=_label(Product, "category"), max_length=100, required=False)
    specification = forms.CharField(label=_label(Product, "specification"), max_length=200, required=False)
    unit = forms.CharField(
        label=_label(Product, "unit"),
        max_length=20,
        required=False,
        help_text=_("UN/ECE Rec. 20 code, e.g. KGM, H87."),
    )
    shelf_life_days = forms.IntegerField(
        label=_label(Product, "shelf_life_days"), required=False, min_value=1, max_value=36500
    )
    active = forms.BooleanField(label=_label(Product, "active"), required=False, initial=True)

    def __init__(self, *args, product: Product | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in PRODUCT_ATTRIBUTE_LABELS.items():
            if name == "toxicity":
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=_blank([(c, c) for c in validators.TOXICITY_CLASSES], "—"),
                )
            else:
                field = forms.CharField(label=label, max_length=200, required=False)
            self.fields[f"attr_{name}"] = field
        if product is None:
            del self.fields["active"]
        else:
            # A product's GTIN or code is how events name it: it never changes.
            del self.fields["gtin"]
            del self.fields["platform_code"]

    @staticmethod
    def initial_for(product: Product) -> dict:
        data = {
            name: getattr(product, name)
            for name in (
                "name",
                "name_en",
                "brand",
                "category",
                "specification",
                "unit",
                "shelf_life_days",
                "active",
            )
        }
        data["sectors"] = product.sector_codes
        data.update({f"attr_{k}": v for k, v in (product.attributes or {}).items()})
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("attr_")}
        data["attributes"] = {
            name: self.cleaned_data[f"attr_{name}"]
            for name in PRODUCT_ATTRIBUTE_LABELS
            if self.cleaned_data.get(f"attr_{name}")
        }
        return data

    @property
    def attribute_fields(self):
        return [self[name] for name in self.fields if name.startswith("attr_")]


class LocationFilterForm(_Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(LocationKind.choices), required=False)
    district = forms.ChoiceField(label=_("District"), choices=_blank(DISTRICT_CHOICES), required=False)


class ProductFilterForm(_Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank(Sector.choices), required=False)


# -- staff and API keys -------------------------------------------------------------------------------


class MemberForm(_Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Role.ENTERPRISE_STAFF, Role.ENTERPRISE_STAFF.label),
            (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_ADMIN.label),
        ],
        widget=forms.RadioSelect,
        initial=Role.ENTERPRISE_STAFF,
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["password"] = data.pop("password1")
        data.pop("password2", None)
        return data


class ApiKeyForm(_Form):
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=200,
        help_text=_("Who uses this key, e.g. our ERP or the weighing station."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=_DATE, help_text=_("Empty: the key does not expire.")
    )


# -- events and audit ---------------------------------------------------------------------------------

#: The platform's own bizSteps, for Chinese steps CBV has no word for (DESIGN.md §3; tracehub.demo.events).
PLATFORM_BIZ_STEP = "urn:tracehub:cbv:bizstep:"

#: Business steps as people in the sectors call them; the CBV word stays beside it on the pages.
BIZ_STEP_LABELS = {
    "commissioning": _("Commissioning (生产赋码)"),
    "receiving": _("Receiving (收货进场)"),
    "accepting": _("Accepting (验收)"),
    "shipping": _("Shipping (发货)"),
    "retail_selling": _("Retail selling (零售)"),
    "inspecting": _("Inspecting (检验检测)"),
    "sampling": _("Sampling (抽样)"),
    "storing": _("Storing (储存)"),
    "stocking": _("Stocking (上架)"),
    "picking": _("Picking (拣货)"),
    "packing": _("Packing (包装)"),
    "unpacking": _("Unpacking (拆包)"),
    "repackaging": _("Repackaging (分装)"),
    "loading": _("Loading (装车)"),
    "unloading": _("Unloading (卸货)"),
    "transporting": _("Transporting (运输)"),
    "arriving": _("Arriving (到达)"),
    "departing": _("Departing (离开)"),
    "holding": _("Holding (暂扣)"),
    "dispensing": _("Dispensing (调剂发药)"),
    "destroying": _("Destroying (销毁)"),
    "decommissioning": _("Decommissioning (注销)"),
    "void_shipping": _("Void shipping (撤销发货)"),
    PLATFORM_BIZ_STEP + "slaughtering": _("Slaughtering (屠宰)"),
    PLATFORM_BIZ_STEP + "customs_clearance": _("Customs clearance (通关放行)"),
}


def biz_step_label(step: str):
    """A bizStep as people say it, or the CBV word (or URI) itself when it has no name here."""
    return BIZ_STEP_LABELS.get(step, step)


def _biz_step_choices() -> list[tuple[str, object]]:
    named = list(BIZ_STEP_LABELS.items())
    others = [(s, s) for s in sorted(BIZ_STEPS) if s not in BIZ_STEP_LABELS]
    return _blank(named + others)


class EventFilterForm(_Form):
    since = forms.DateField(label=_("From"), required=False, widget=_DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=_DATE, help_text=_("Inclusive."))
    biz_step = forms.ChoiceField(label=_("Business step"), required=False, choices=_biz_step_choices)
    identifier = forms.CharField(
        label=_("Identifier"),
        max_length=300,
        required=False,
        help_text=_("A GTIN, an EPC URN, a GS1 Digital Link or a platform code."),
        widget=forms.TextInput(attrs={"type": "search", "autocapitalize": "none", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data


class AuditFilterForm(_Form):
    actor = forms.CharField(label=_("Who"), max_length=200, required=False)
    action = forms.CharField(
        label=_("What"),
        max_length=100,
        required=False,
        help_text=_("An action or its start, e.g. registry.filing"),
    )
    object_type = forms.CharField(label=_("Object type"), max_length=100, required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=200, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=_DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=_DATE, help_text=_("Inclusive."))

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data

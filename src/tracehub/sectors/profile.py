"""Sector profiles as data (DESIGN.md §3; issue #6 item 1): the framework.

A :class:`Profile` describes one sector (its code is an ``accounts.Sector`` code): its
:class:`Step` s, each mapped onto EPCIS (event type and CBV bizStep, or a platform bizStep under
:data:`PLATFORM_BIZ_STEP_NAMESPACE`), the :class:`Field` s each step must carry (the 采集指标, C2),
the documents it references, the codes it accepts, the fields the public may see, and
:class:`Rule` s (callables that may look at stored data). Profiles register with :data:`registry`;
``SectorsConfig.ready`` plugs :func:`check_event` into capture (``tracehub.epcis.profiles``), and
``tracehub sector_docs`` writes docs/sectors/<sector>.md from the same objects.

Which events a step checks: an event whose bizStep is a platform bizStep of a step is checked
against that step whatever its sector (the platform vocabulary means the same everywhere); an
event whose bizStep is a CBV word is checked against the steps bound to that word only when one
of the event's sectors (from its registered products and locations) is the profile's sector.

Every field compiles once, at registration, into a getter; checking an event is a dictionary
look-up of its bizStep, then one getter call per field of the step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tracehub.epcis.profiles import ProfileError
from tracehub.sectors.messages import Message, message, profile_error

#: The platform's own vocabulary (DESIGN.md §3; the namespaces of tracehub.demo.events).
PLATFORM_BIZ_STEP_NAMESPACE = "urn:tracehub:cbv:bizstep:"
PLATFORM_BTT_NAMESPACE = "urn:tracehub:cbv:btt:"
EXTENSION_PREFIX = "tracehub"
EXTENSION_NAMESPACE = "urn:tracehub:epcis:"
DOCUMENT_PREFIX = "urn:tracehub:doc:"
CBVMDA_NAMESPACE = "urn:epcglobal:cbv:mda:"


def platform_step(word: str) -> str:
    return PLATFORM_BIZ_STEP_NAMESPACE + word


def platform_btt(word: str) -> str:
    return PLATFORM_BTT_NAMESPACE + word


class FieldKind(StrEnum):
    """Where in an EPCIS event a field lives (docs/sectors: the "EPCIS" column)."""

    OBJECTS = "objects"  # epcList / quantityList (or input/output lists of a TransformationEvent)
    INPUTS = "inputs"  # inputEPCList / inputQuantityList
    OUTPUTS = "outputs"  # outputEPCList / outputQuantityList
    QUANTITY = "quantity"  # every quantityList element has quantity and uom
    CORE = "core"  # a standard field by path: bizLocation.id, readPoint.id …
    SOURCE = "source"  # sourceList entry of a type
    DESTINATION = "destination"  # destinationList entry of a type
    DOCUMENT = "document"  # bizTransactionList entry urn:tracehub:doc:<kind>:<number>
    TRANSACTION = "transaction"  # bizTransactionList entry of a type
    ILMD = "ilmd"  # ilmd.<prefix>:<term>
    EXTENSION = "extension"  # a top-level extension field tracehub:<term>


@dataclass(frozen=True)
class Field:
    """One data item (采集指标) a step carries.

    ``target`` depends on ``kind``: the path of a CORE field, the source/destination type, the
    document kind, the bizTransaction type, or the term of an ILMD/extension field (an ILMD term
    ``cbvmda:lotNumber`` names its prefix; a bare term is a TraceHub extension). ``values`` limits
    the accepted values; ``validator`` returns a reason for a wrong value, or None. ``required``
    False documents an optional item. ``public``: shown on the public product page. ``national``:
    the data item of the national meat-and-vegetable scheme it carries.
    """

    key: str
    zh: str
    en: str
    kind: FieldKind
    target: str = ""
    required: bool = True
    public: bool = False
    values: tuple[str, ...] = ()
    validator: Callable[[Any], str | None] | None = None
    national: str = ""
    note_zh: str = ""
    note_en: str = ""

    @property
    def label(self) -> str:
        return f"{self.zh} ({self.en})"

    def epcis(self) -> str:
        """Where the field is in an event, as the published standard writes it."""
        k, t = self.kind, self.target
        if k is FieldKind.OBJECTS:
            return "epcList / quantityList"
        if k is FieldKind.INPUTS:
            return "inputEPCList / inputQuantityList"
        if k is FieldKind.OUTPUTS:
            return "outputEPCList / outputQuantityList"
        if k is FieldKind.QUANTITY:
            return "quantityList[].quantity + uom"
        if k is FieldKind.CORE:
            return t
        if k is FieldKind.SOURCE:
            return f"sourceList[type={t}]"
        if k is FieldKind.DESTINATION:
            return f"destinationList[type={t}]"
        if k is FieldKind.DOCUMENT:
            return f"bizTransactionList[bizTransaction={DOCUMENT_PREFIX}{t}:<number>]"
        if k is FieldKind.TRANSACTION:
            return f"bizTransactionList[type={t}]"
        if k is FieldKind.ILMD:
            return f"ilmd.{t if ':' in t else f'{EXTENSION_PREFIX}:{t}'}"
        return f"{EXTENSION_PREFIX}:{t}"

    def path(self) -> str:
        """The error path of a missing field, relative to the event."""
        k, t = self.kind, self.target
        if k in (FieldKind.OBJECTS, FieldKind.QUANTITY):
            return "quantityList"
        if k is FieldKind.INPUTS:
            return "inputQuantityList"
        if k is FieldKind.OUTPUTS:
            return "outputQuantityList"
        if k is FieldKind.CORE:
            return t
        if k is FieldKind.SOURCE:
            return "sourceList"
        if k is FieldKind.DESTINATION:
            return "destinationList"
        if k in (FieldKind.DOCUMENT, FieldKind.TRANSACTION):
            return "bizTransactionList"
        if k is FieldKind.ILMD:
            return f"ilmd.{t if ':' in t else f'{EXTENSION_PREFIX}:{t}'}"
        return f"{EXTENSION_PREFIX}:{t}"


@dataclass
class CheckContext:
    """What a rule sees of one event."""

    normalized: Any
    event: dict[str, Any]
    namespaces: Mapping[str, str]
    sectors: Callable[[], frozenset[str]]
    profile: Profile
    step: Step
    values: dict[str, Any]  # field key -> value found (None when absent)

    def index(self, role: str, qualifier: str | None = None) -> list[str]:
        """Canonical keys of the event's identifiers in ``role`` (optionally of one type)."""
        return [
            e.key
            for e in self.normalized.index
            if e.role == role and (qualifier is None or e.qualifier == qualifier)
        ]


@dataclass(frozen=True)
class Rule:
    """A rule beyond "field present": ``check`` returns the errors of one event."""

    key: str
    zh: str
    en: str
    check: Callable[[CheckContext], list[ProfileError]]


@dataclass(frozen=True)
class Step:
    """One step of a sector (环节) and its EPCIS mapping."""

    key: str
    zh: str
    en: str
    biz_step: str  # a CBV word (receiving) or a platform bizStep URI
    event_types: tuple[str, ...]
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    disposition: str = ""  # the usual disposition (documented, not enforced)
    note_zh: str = ""
    note_en: str = ""

    @property
    def label(self) -> str:
        return f"{self.zh} ({self.en})"

    @property
    def documents(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind is FieldKind.DOCUMENT)

    @property
    def platform(self) -> bool:
        return self.biz_step.startswith(PLATFORM_BIZ_STEP_NAMESPACE)


@dataclass(frozen=True)
class Profile:
    """A sector's profile: its steps, codes and public fields."""

    sector: str  # accounts.Sector code
    zh: str
    en: str
    requirements: tuple[str, ...]
    department: str  # accounts Department code of the overseeing bureau
    steps: tuple[Step, ...]
    codes: tuple[tuple[str, str, str], ...] = ()  # (code kind, zh, en) accepted as identifiers
    note_zh: str = ""
    note_en: str = ""

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    @property
    def public_fields(self) -> list[tuple[Step, Field]]:
        return [(s, f) for s in self.steps for f in s.fields if f.public]


# ------------------------------------------------------------------------------------------------
# Compiling fields into getters.
# ------------------------------------------------------------------------------------------------

_MISSING = object()


_prefix_memo: list[Any] = [None, ()]


def _ext_prefixes(namespaces: Mapping[str, str]) -> tuple[str, ...]:
    """The prefixes a document declared for the TraceHub namespace (remembered for its last dict:
    the events of one document share it)."""
    if namespaces is _prefix_memo[0]:
        return _prefix_memo[1]
    prefixes = tuple(p for p, uri in namespaces.items() if uri == EXTENSION_NAMESPACE) or (EXTENSION_PREFIX,)
    _prefix_memo[0], _prefix_memo[1] = namespaces, prefixes
    return prefixes


def _lookup_term(container: Any, term: str, namespaces: Mapping[str, str]) -> Any:
    """A namespaced term of a dict, whatever prefix the document declared for its namespace."""
    if not isinstance(container, dict):
        return None
    if ":" in term:
        prefix, _, local = term.partition(":")
        namespace = {"cbvmda": CBVMDA_NAMESPACE}.get(prefix, namespaces.get(prefix, ""))
        value = container.get(term, _MISSING)
        if value is not _MISSING:
            return value
        for p, uri in namespaces.items():
            if uri == namespace and f"{p}:{local}" in container:
                return container[f"{p}:{local}"]
        return container.get(namespace + local) if namespace else None
    for prefix in _ext_prefixes(namespaces):
        value = container.get(f"{prefix}:{term}", _MISSING)
        if value is not _MISSING:
            return value
    return container.get(EXTENSION_NAMESPACE + term)


_EMPTY_TYPES = frozenset({str, list, dict, tuple})


def _compile(f: Field) -> Callable[[dict[str, Any], Mapping[str, str]], Any]:
    k, t = f.kind, f.target
    if k in (FieldKind.OBJECTS, FieldKind.INPUTS, FieldKind.OUTPUTS):
        names = {
            FieldKind.OBJECTS: ("epcList", "quantityList", "childEPCs", "childQuantityList"),
            FieldKind.INPUTS: ("inputEPCList", "inputQuantityList"),
            FieldKind.OUTPUTS: ("outputEPCList", "outputQuantityList"),
        }[k]

        def objects(event, ns):
            for name in names:
                found = event.get(name)
                if found:
                    return found
            return None

        return objects
    if k is FieldKind.QUANTITY:

        def quantities(event, ns):
            items = event.get("quantityList") or event.get("outputQuantityList") or ()
            return items or None

        return quantities
    if k is FieldKind.CORE:
        parts = t.split(".")

        def core(event, ns):
            value: Any = event
            for part in parts:
                value = value.get(part) if isinstance(value, dict) else None
            return value

        return core
    if k in (FieldKind.SOURCE, FieldKind.DESTINATION):
        list_name, member = (
            ("sourceList", "source") if k is FieldKind.SOURCE else ("destinationList", "destination")
        )

        def party(event, ns):
            for item in event.get(list_name) or ():
                if isinstance(item, dict) and item.get("type") in (t, f"urn:epcglobal:cbv:sdt:{t}"):
                    return item.get(member)
            return None

        return party
    if k is FieldKind.DOCUMENT:
        head = f"{DOCUMENT_PREFIX}{t}:"

        def document(event, ns):
            for item in event.get("bizTransactionList") or ():
                uri = item.get("bizTransaction") if isinstance(item, dict) else None
                if isinstance(uri, str) and uri.startswith(head) and len(uri) > len(head):
                    return uri[len(head) :]
            return None

        return document
    if k is FieldKind.TRANSACTION:

        def transaction(event, ns):
            for item in event.get("bizTransactionList") or ():
                if isinstance(item, dict) and item.get("type") == t:
                    return item.get("bizTransaction")
            return None

        return transaction
    usual = t if ":" in t else f"{EXTENSION_PREFIX}:{t}"  # the key as the platform writes it
    if k is FieldKind.ILMD:

        def ilmd(event, ns):
            container = event.get("ilmd")
            if container.__class__ is dict:
                value = container.get(usual, _MISSING)
                if value is not _MISSING:
                    return value
            return _lookup_term(container, t, ns)

        return ilmd

    def extension(event, ns):
        value = event.get(usual, _MISSING)
        return value if value is not _MISSING else _lookup_term(event, t, ns)

    return extension


#: Fields read from one pass over a list of the event (see ``_maps``): kind -> map index.
_MAPPED = {FieldKind.TRANSACTION: 0, FieldKind.DOCUMENT: 1, FieldKind.SOURCE: 2, FieldKind.DESTINATION: 3}
_SDT = "urn:epcglobal:cbv:sdt:"
_EMPTY_MAP: dict[str, Any] = {}


def _party_map(items: Any, member: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or ():
        if item.__class__ is dict:
            kind = item.get("type")
            if kind.__class__ is str:
                out.setdefault(kind[len(_SDT) :] if kind.startswith(_SDT) else kind, item.get(member))
    return out


def _maps(event: dict[str, Any], needs: frozenset[int]) -> tuple[dict[str, Any], ...]:
    """The event's bizTransactions by type and documents by kind, its sources and destinations by
    type: each list read once for all the fields of a step."""
    types: dict[str, Any] = _EMPTY_MAP
    documents: dict[str, Any] = _EMPTY_MAP
    if 0 in needs or 1 in needs:
        types, documents = {}, {}
        for item in event.get("bizTransactionList") or ():
            if item.__class__ is not dict:
                continue
            uri = item.get("bizTransaction")
            types.setdefault(item.get("type"), uri)
            if uri.__class__ is str and uri.startswith(DOCUMENT_PREFIX):
                kind, sep, number = uri[len(DOCUMENT_PREFIX) :].partition(":")
                if sep and number:
                    documents.setdefault(kind, number)
    sources = _party_map(event.get("sourceList"), "source") if 2 in needs else _EMPTY_MAP
    destinations = _party_map(event.get("destinationList"), "destination") if 3 in needs else _EMPTY_MAP
    return types, documents, sources, destinations


@dataclass
class _Compiled:
    profile: Profile
    step: Step
    getters: tuple[tuple[Field, Callable], ...]
    #: (field, getter or None, map index, key) in field order; mapped fields read ``_maps``.
    plan: tuple[tuple[Field, Callable | None, int, str], ...] = ()
    needs: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        self.plan = tuple(
            (f, None, _MAPPED[f.kind], f.target) if f.kind in _MAPPED else (f, get, -1, "")
            for f, get in self.getters
        )
        self.needs = frozenset(_MAPPED[f.kind] for f, _get in self.getters if f.kind in _MAPPED)


def _required(profile: Profile, step: Step, f: Field) -> ProfileError:
    # Code required:<field key> (refusal hooks read it); the message renders in the reader's
    # language from its params (tracehub.sectors.messages).
    return profile_error(
        f.path(),
        f"required:{f.key}",
        field=f.label,
        step=step.key,
        step_label=step.label,
        sector=profile.sector,
        epcis=f.epcis(),
    )


def _check_fields(
    c: _Compiled, event: dict[str, Any], ns: Mapping[str, str]
) -> tuple[list[ProfileError], dict]:
    errors: list[ProfileError] = []
    values: dict[str, Any] = {}
    maps = _maps(event, c.needs) if c.needs else ()
    for f, get, index, key in c.plan:
        value = get(event, ns) if get is not None else maps[index].get(key)
        values[f.key] = value
        if value is None or (value.__class__ in _EMPTY_TYPES and not value):
            if f.required:
                errors.append(_required(c.profile, c.step, f))
            continue
        if f.kind is FieldKind.QUANTITY:
            for i, item in enumerate(value):
                if not isinstance(item, dict) or item.get("quantity") is None or not item.get("uom"):
                    name = "quantityList" if event.get("quantityList") else "outputQuantityList"
                    errors.append(
                        profile_error(
                            f"{name}[{i}]",
                            "quantity_uom",
                            field=f.label,
                            step=c.step.key,
                            sector=c.profile.sector,
                        )
                    )
            continue
        if f.values and value not in f.values:
            errors.append(
                profile_error(
                    f.path(),
                    "value_choice",
                    field=f.label,
                    value=repr(value),
                    choices=", ".join(f.values),
                    step=c.step.key,
                )
            )
        elif f.validator is not None:
            reason = f.validator(value)
            if reason:
                errors.append(
                    profile_error(
                        f.path(),
                        "value_invalid",
                        field=f.label,
                        value=repr(value),
                        reason=reason,
                        step=c.step.key,
                    )
                )
    return errors, values


# ------------------------------------------------------------------------------------------------
# The registry.
# ------------------------------------------------------------------------------------------------


class ProfileRegistry:
    """The registered profiles, and per bizStep the compiled steps that check it."""

    def __init__(self) -> None:
        self._profiles: dict[str, Profile] = {}
        self._by_step: dict[str, list[_Compiled]] = {}
        #: Per bizStep bound only to CBV words: the sectors that bind it. An event of such a step
        #: whose sectors are none of them is passed with one set test (issue #2 capture speed).
        self._cbv_only: dict[str, frozenset[str]] = {}

    def register(self, profile: Profile) -> Profile:
        existing = self._profiles.get(profile.sector)
        if existing is profile:
            return profile
        if existing is not None:
            raise ValueError(f"sector {profile.sector} already has a profile")
        for step in profile.steps:
            for other in self._by_step.get(step.biz_step, ()):
                if step.platform:
                    raise ValueError(
                        f"platform bizStep {step.biz_step} is already a step of sector {other.profile.sector}"
                    )
        self._profiles[profile.sector] = profile
        for step in profile.steps:
            compiled = _Compiled(profile, step, tuple((f, _compile(f)) for f in step.fields))
            self._by_step.setdefault(step.biz_step, []).append(compiled)
        self._cbv_only = {
            biz_step: frozenset(c.profile.sector for c in compiled_steps)
            for biz_step, compiled_steps in self._by_step.items()
            if not any(c.step.platform for c in compiled_steps)
        }
        return profile

    def __iter__(self):
        return iter(sorted(self._profiles.values(), key=lambda p: p.sector))

    def __getitem__(self, sector: str) -> Profile:
        return self._profiles[sector]

    def __contains__(self, sector: str) -> bool:
        return sector in self._profiles

    def steps_for(self, biz_step: str | None) -> list[_Compiled]:
        return self._by_step.get(biz_step or "", [])

    def check_event(self, normalized, event, namespaces, sectors) -> list[ProfileError]:
        """The profile errors of one event (the checker plugged into capture).

        The event's sectors are looked up only for a step bound to a CBV bizStep; a platform bizStep
        is checked whatever the event's sector.
        """
        biz_step = normalized.biz_step or ""
        candidates = self._by_step.get(biz_step)
        if not candidates:
            return []
        binding = self._cbv_only.get(biz_step)
        if binding is not None and binding.isdisjoint(sectors()):
            return []
        errors: list[ProfileError] = []
        for c in candidates:
            # A CBV bizStep is checked only for events of the sector. The event's sectors are asked
            # first (once per event, cached per document): most events of a common CBV step belong
            # to no sector that binds it, and reading their fields would be wasted (issue #6 cost).
            if not c.step.platform and c.profile.sector not in sectors():
                continue
            if normalized.event_type not in c.step.event_types:
                errors.append(
                    profile_error(
                        "type",
                        "event_type",
                        step=c.step.key,
                        step_label=c.step.label,
                        sector=c.profile.sector,
                        expected=" or ".join(c.step.event_types),
                        event_type=normalized.event_type,
                    )
                )
                continue
            field_errors, values = _check_fields(c, event, namespaces)
            if field_errors:
                errors.extend(field_errors)
                continue
            if not c.step.rules:
                continue
            context = CheckContext(normalized, event, namespaces, sectors, c.profile, c.step, values)
            for rule in c.step.rules:
                # Each error names its rule, so a refusal hook knows why the event was refused.
                errors.extend(
                    e if e.code else ProfileError(e.path, e.message, rule.key, e.params)
                    for e in rule.check(context)
                )
        return errors


registry = ProfileRegistry()


def check_event(normalized, event, namespaces, sectors) -> list[ProfileError]:
    return registry.check_event(normalized, event, namespaces, sectors)


def field_values(profile: Profile, step: Step, event: dict[str, Any], namespaces: Mapping[str, str]) -> dict:
    """The values of a step's fields in an event (for pages and ledgers built from events)."""
    return {f.key: _compile(f)(event, namespaces) for f in step.fields}


# ------------------------------------------------------------------------------------------------
# Field helpers shared by the sector modules.
# ------------------------------------------------------------------------------------------------

_DECIMAL = re.compile(r"^\d{1,9}(\.\d{1,4})?$")


# Validators answer a Message (tracehub.sectors.messages), so the reason is translated with the rest.
def non_negative_number(value: Any) -> Message | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return message("number_required")
    return None


def short_text(value: Any) -> Message | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return message("short_text_required")
    return None


def iso_date(value: Any) -> Message | None:
    from datetime import date

    if not isinstance(value, str):
        return message("iso_date_required")
    try:
        date.fromisoformat(value)
    except ValueError:
        return message("iso_date_required")
    return None


def fields_by_key(fields: Iterable[Field]) -> dict[str, Field]:
    return {f.key: f for f in fields}


__all__ = [
    "CheckContext",
    "Field",
    "FieldKind",
    "Profile",
    "ProfileError",
    "Rule",
    "Step",
    "check_event",
    "field",
    "platform_btt",
    "platform_step",
    "registry",
]

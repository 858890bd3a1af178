"""Translatable sector validation messages (issue #7; the standard: every user-facing string translatable).

A sector refusal reaches two audiences: machine clients (EPCIS capture job errors, ``/api/v1``
4xx answers) and people (phone forms, console pages). An f-string cannot be translated, so every
sector validation message is a :class:`Message`: a stable ``code`` (the rule key — a
``ProfileError.code`` such as ``market_access``, ``designated_outlet`` or ``required:<field>``),
the ``params`` inserted, and a template of the :data:`CATALOGUE` with named placeholders
(``"supplier %(key)s is %(state)s: …"``), marked for translation.

The rule (docs/sectors/README.md "Messages"):

* the text stored and returned to machines (capture job errors, API answers, audit rows) is the
  template rendered in **English**: stable for clients and tests, and capture may run in a worker
  with no request language. Errors keep ``code`` and ``params`` beside it;
* forms and console pages render the message in the user's active language from code and params
  with :func:`render`.

A :class:`Message` *is* its English text (a ``str``), so code that joins, stores or compares
messages keeps working, and it remembers its code and params for :func:`render`. Each module
declares its templates with :func:`define` (``gettext_noop``, so ``makemessages`` finds them and
nothing is translated at import). A code ``<template>:<qualifier>`` (``required:certificate``)
uses the template ``<template>``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop

#: code -> English template with named placeholders (every sector's, filled by :func:`define`).
CATALOGUE: dict[str, str] = {}


def define(templates: Mapping[str, str]) -> dict[str, str]:
    """Add a module's templates (code -> ``gettext_noop("…%(name)s…")``) to the catalogue."""
    for code, template in templates.items():
        known = CATALOGUE.get(code)
        if known is not None and known != template:
            raise ValueError(f"message code {code} is already defined with another template")
        CATALOGUE[code] = template
    return dict(templates)


def template_of(code: str) -> str | None:
    """The template of ``code`` (``required:certificate`` -> the ``required`` template)."""
    if not code:
        return None
    found = CATALOGUE.get(code)
    if found is None and ":" in code:
        found = CATALOGUE.get(code.partition(":")[0])
    return found


def rule_of(code: str) -> str:
    """The rule a code belongs to (``supplier_licensed:unfiled`` -> ``supplier_licensed``); a
    ``required:<field>`` code is its own rule (refusal hooks tell fields apart)."""
    return code if code.startswith("required:") else code.partition(":")[0]


def _param(value: Any) -> Any:
    """A param as JSON can hold it (capture job errors are stored in jsonb: no NUL). A nested
    message is kept as ``{"code", "params", "message"}``, so a page reading a stored error still
    translates it."""
    if isinstance(value, Message):
        return {"code": value.code, "params": value.params, "message": str(value)}
    if value is None or isinstance(value, bool | int | float):
        return value
    if _nested(value):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).replace("\x00", "\\x00")


class Message(str):
    """A sector validation message: its English text, with its ``code`` and ``params``."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, params: Mapping[str, Any] | None = None) -> Message:
        template = template_of(code)
        if template is None:
            raise KeyError(f"no message template for code {code!r}")
        clean = {k: _param(v) for k, v in (params or {}).items()}
        obj = super().__new__(cls, template % {k: _english(v) for k, v in clean.items()})
        obj.code = code
        obj.params = clean
        return obj

    def __getnewargs__(self):  # pickling and copying rebuild from code and params
        return (self.code, self.params)

    def render(self, language: str | None = None) -> str:
        return _render(self.code, self.params, language) or str(self)


def notification_param(value: Any) -> Any:
    """``value`` as a console notification's parameter (``accounts.Notification``): a message
    becomes ``{"msgid", "params", "text"}``, which the notification translates when shown, so an
    official reads a quoted refusal reason in their own language; a list, a list of them."""
    if isinstance(value, list | tuple):
        return [notification_param(v) for v in value]
    if isinstance(value, Message) or _nested(value):
        code = value.code if isinstance(value, Message) else value["code"]
        params = value.params if isinstance(value, Message) else value.get("params")
        template = template_of(code)
        if template is not None and isinstance(params, Mapping):
            return {
                "msgid": template,
                "params": {k: notification_param(v) for k, v in params.items()},
                "text": _english(value) if _nested(value) else str(value),
            }
        return _english(value) if _nested(value) else str(value)
    return value


def message(code: str, /, **params: Any) -> Message:
    """The message of ``code`` with ``params`` (English text; see :func:`render`)."""
    return Message(code, params)


def reason(exc: BaseException) -> Any:
    """What an exception says: its :class:`Message` when it carries one (``str(exc)`` would drop the
    code and params), else its text."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else str(exc)


def profile_error(path: str, code: str, /, **params: Any):
    """A :class:`tracehub.epcis.profiles.ProfileError` whose message is the template of ``code``."""
    from tracehub.epcis.profiles import ProfileError

    m = Message(code, params)
    return ProfileError(path, m, code, m.params)


def refusal(field: str, text: Any) -> dict[str, Any]:
    """A refusal row ``{"field", "message", "code", "params"}``; a text that is not a catalogued
    :class:`Message` (already translated, or an EPCIS validation error) is ``{"field", "message"}``."""
    if isinstance(text, Message):
        return {"field": field, "message": text, "code": text.code, "params": text.params}
    return {"field": field, "message": text if isinstance(text, str) else str(text)}


def api_error(path: str, error: Any) -> dict[str, Any]:
    """An API problem's error ``{"path", "message"}`` of a refusal row or a text: the English message,
    with ``code`` and ``params`` when it has them (machine clients branch on the code)."""
    if isinstance(error, Mapping):
        text, code, params = error.get("message"), error.get("code"), error.get("params")
    else:
        text = error
        code, params = (error.code, error.params) if isinstance(error, Message) else (None, None)
    out: dict[str, Any] = {"path": path, "message": "" if text is None else str(text)}
    if code:
        out.update(code=code, params=params or {})
    return out


def _nested(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("code"), str) and "params" in value


def _english(value: Any) -> str:
    if _nested(value):
        return str(value.get("message") or "")
    return "" if value is None else str(value)


def _localized(value: Any, language: str | None) -> str:
    if _nested(value):
        params = value.get("params")
        found = _render(value["code"], params, language) if isinstance(params, Mapping) else None
        return found if found is not None else _english(value)
    return "" if value is None else str(value)


def _render(code: str, params: Mapping[str, Any], language: str | None) -> str | None:
    template = template_of(code)
    if template is None:
        return None
    with translation.override(language) if language else contextlib.nullcontext():
        text = translation.gettext(template)
        values = {k: _localized(v, language) for k, v in params.items()}
        try:
            return text % values
        except (KeyError, TypeError, ValueError):
            return template % values  # a broken translation must not hide the reason


def render(error: Any, language: str | None = None) -> str:
    """The message of ``error`` in ``language`` (default: the active language), from its code and
    params. ``error`` is a :class:`Message`, a ``ProfileError``, a refusal row dict
    (``message``/``code``/``params``) or a plain text, which is returned as it is."""
    if isinstance(error, Message):
        return error.render(language)
    if isinstance(error, Mapping):
        text = error.get("message")
        if isinstance(text, Message):
            return text.render(language)
        code, params = error.get("code") or "", error.get("params") or {}
    else:
        text = getattr(error, "message", error)
        if isinstance(text, Message):
            return text.render(language)
        code, params = getattr(error, "code", "") or "", getattr(error, "params", None) or {}
    if code and template_of(code) is not None and isinstance(params, Mapping):
        try:
            rendered = _render(code, params, language)
        except (KeyError, TypeError, ValueError):
            rendered = None
        if rendered is not None:
            return rendered
    return "" if text is None else str(text)


# -- the framework's own messages (tracehub.sectors.profile, tracehub.sectors.entry) ----------------

MESSAGES = define(
    {
        "required": gettext_noop(
            "%(field)s is required: step %(step)s %(step_label)s of sector %(sector)s carries it in "
            "%(epcis)s (docs/sectors/%(sector)s.md)"
        ),
        "quantity_uom": gettext_noop(
            "%(field)s: quantity and uom (e.g. KGM) are required on every element in step %(step)s "
            "of sector %(sector)s"
        ),
        "value_choice": gettext_noop("%(field)s %(value)s is not one of %(choices)s (step %(step)s)"),
        "value_invalid": gettext_noop("%(field)s %(value)s: %(reason)s (step %(step)s)"),
        "event_type": gettext_noop(
            "step %(step)s %(step_label)s of sector %(sector)s is a %(expected)s, not a %(event_type)s"
        ),
        "number_required": gettext_noop("a number ≥ 0 is required"),
        "signed_number_required": gettext_noop("a number is required"),
        "short_text_required": gettext_noop("a text of 1-200 characters is required"),
        "iso_date_required": gettext_noop("an ISO 8601 date (YYYY-MM-DD) is required"),
        # entry.py: the inputs of a form, a spreadsheet row or an API call.
        "input_required": gettext_noop("%(input)s is required"),
        "input_invalid": gettext_noop("%(input)s %(value)s: %(reason)s"),
        "input_unknown": gettext_noop("unknown input %(key)s; step %(step)s takes %(inputs)s"),
        "input_kind_unknown": gettext_noop("unknown input kind %(kind)s"),
        "codes_required": gettext_noop("at least one code is required"),
        "country_required": gettext_noop("an ISO 3166-1 two-letter country code such as FR is required"),
        "days_required": gettext_noop("a whole number of days > 0 is required"),
        "time_required": gettext_noop("a date and time such as 2026-11-16 08:30 is required"),
        "date_required": gettext_noop("a date such as 2026-11-16 is required"),
        "choice_required": gettext_noop("one of %(choices)s is required"),
        "party_unknown": gettext_noop("no party of the registry has this identifier"),
        "party_unfiled": gettext_noop("party %(party)s is not filed (备案): its filing is %(status)s"),
        "location_unknown": gettext_noop("no active location of the registry has this identifier"),
        "identifiers_required": gettext_noop("at least one identifier is required"),
        "outputs_format": gettext_noop("write each output as lot=weight"),
        "outputs_required": gettext_noop("at least one output lot is required"),
        "reference_format": gettext_noop("letters, digits and - _ / ( ) only, at most 100"),
        "text_too_long": gettext_noop("at most 200 characters"),
        # services.py: the step entries and their imports.
        "vouchers_exhausted": gettext_noop("stall %(stall)s has issued %(count)s vouchers today"),
        "voucher_unallocated": gettext_noop("no trace voucher could be allocated; try again"),
        "step_unknown": gettext_noop("unknown step %(step)s; steps: %(steps)s"),
        "import_step_unknown": gettext_noop("%(step)s is not a step with an entry"),
        "import_not_checked": gettext_noop("this import is %(status)s, not checked"),
        "import_expired": gettext_noop("this import has expired: upload the file again"),
    }
)

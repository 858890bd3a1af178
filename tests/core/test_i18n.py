"""Translations: the committed catalogue is complete, compiled, and consistent (docs/i18n.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.utils import translation
from django.utils.translation.template import templatize

SRC = Path(__file__).resolve().parents[2] / "src" / "tracehub"
LOCALE = SRC / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def _po():
    return polib.pofile(str(PO))


def _catalog(entries) -> dict[tuple[str | None, str], str | tuple[str, ...]]:
    out = {}
    for e in entries:
        if not e.msgid:
            continue  # the header
        value = tuple(e.msgstr_plural[k] for k in sorted(e.msgstr_plural)) if e.msgid_plural else e.msgstr
        out[(e.msgctxt, e.msgid)] = value
    return out


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = _po()
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_mo_is_up_to_date_with_the_po():
    # A fresh machine has no gettext: the .mo is committed, so it must say what the .po says.
    # Run `make compilemessages` after editing the .po.
    assert _catalog(polib.mofile(str(MO))) == _catalog(e for e in _po() if e.translated())


def test_translations_keep_the_placeholders():
    wrong = [
        e.msgid
        for e in _po()
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr or ""))
        and not e.msgid_plural
    ]
    assert wrong == []


def test_the_catalogue_is_used():
    with translation.override("zh-hans"):
        assert (
            translation.gettext("Xiamen Important Product Traceability Platform") == "厦门市重要产品追溯平台"
        )
    with translation.override("en"):
        assert translation.gettext("Xiamen Important Product Traceability Platform") == (
            "Xiamen Important Product Traceability Platform"
        )


# --- every marked string is in the catalogue --------------------------------------------------
# What `make messages` would gather, found without GNU gettext (a fresh machine has none): the
# same keywords as Django's makemessages, in the same files (.py, .html, .txt under src/tracehub).
_PY_KEYWORDS = {
    "_": 0,
    "gettext": 0,
    "gettext_lazy": 0,
    "gettext_noop": 0,
    "ngettext": 0,
    "ngettext_lazy": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
    "npgettext": 1,
    "npgettext_lazy": 1,
}
_LITERAL = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext)\(\s*({_LITERAL})(?:\s*,\s*({_LITERAL}))?")


def _python_strings(source: str) -> set[tuple[str | None, str]]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in _PY_KEYWORDS:
            continue
        args = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args
        ]
        if _PY_KEYWORDS[name]:  # pgettext(context, message, ...)
            if len(args) >= 2 and args[0] is not None and args[1] is not None:
                found.add((args[0], args[1]))
        elif args and args[0] is not None:
            found.add((None, args[0]))
    return found


def _template_strings(source: str, origin: str) -> set[tuple[str | None, str]]:
    found = set()
    for match in _TEMPLATE_CALL.finditer(templatize(source, origin=origin)):
        keyword, first, second = match.groups()
        first = ast.literal_eval(first)
        if keyword in ("pgettext", "npgettext"):
            found.add((first, ast.literal_eval(second)))
        else:
            found.add((None, first))
    return found


def _marked_strings() -> dict[tuple[str | None, str], str]:
    found: dict[tuple[str | None, str], str] = {}
    for path in sorted(SRC.rglob("*")):
        relative = path.relative_to(SRC).as_posix()
        if path.suffix not in (".py", ".html", ".txt") or "/static/" in f"/{relative}" or not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")
        strings = _python_strings(source) if path.suffix == ".py" else _template_strings(source, relative)
        for key in strings:
            found.setdefault(key, relative)
    return found


def test_the_string_finder_finds_what_makemessages_finds():
    template = (
        '{% load i18n %}{% translate "Tong\'an" %}{% translate \'say "hi"\' context "menu" %}'
        "{% blocktranslate trimmed with a=b %}\n  Hello {{ a }},\n  world{% endblocktranslate %}"
        "{% blocktranslate count n=k %}one{% plural %}{{ n }} things{% endblocktranslate %}"
    )
    assert _template_strings(template, "t.html") == {
        (None, "Tong'an"),
        ("menu", 'say "hi"'),
        (None, "Hello %(a)s, world"),
        (None, "one"),
    }
    python = (
        "from django.utils.translation import gettext_lazy as _, pgettext\n"
        "A = _('plain')\nB = pgettext('ctx', 'with context')\nC = _('joined ' 'parts')\n"
        "D = _(f'{A} dynamic')\nE = obj._('method')\n"
    )
    assert _python_strings(python) == {
        (None, "plain"),
        ("ctx", "with context"),
        (None, "joined parts"),
        (None, "method"),
    }


def test_every_marked_string_is_in_the_catalogue():
    # Fails when code or templates gained a string that `make messages` was not run for
    # (docs/i18n.md): the page would show it in English to a Chinese user.
    catalogue = {(e.msgctxt, e.msgid) for e in _po()}
    missing = sorted(
        f"{where}: {msgid!r}"
        for (ctx, msgid), where in _marked_strings().items()
        if (ctx, msgid) not in catalogue
    )
    assert missing == [], "run `make messages`, translate, `make compilemessages` (docs/i18n.md)"

"""The GS1 Digital Link test tables (Gherkin ``.feature`` files) run against our implementation.

``../shared/conformance/gs1-digital-link-lib-features`` holds the Gherkin scenarios of Solidsoft
Reply's Gs1DigitalLinkLib (a port of GS1's GS1DigitalLinkToolkit.js, Apache-2.0): element strings
<-> Digital Links, compression, extraction, query parameters, and the library's AI tables. They are
read in place, never copied. Each example row of a scenario outline (or each plain scenario) is one
*vector*; :func:`run_digital_link_vectors` interprets the steps with TraceHub's own functions and
says which vectors pass. Both ``make conformance`` and ``tests/identifiers`` call it.

How the steps are judged (docs/conformance.md, "GS1 Digital Link tables"):

* URIs and bracketed element strings must equal the expected text exactly;
* an *unbracketed* element string must hold the same AI/value pairs and be a valid barcode string
  (GS1 GS §7.8.5 leaves the order of element strings free; the library lists variable-length ones
  in reverse path order, TraceHub puts predefined-length ones first);
* "an exception … is thrown" passes when TraceHub raises :class:`IdentifierError` (the messages are
  the library's own wording);
* the library's table scenarios check what the tables mean for TraceHub: that the AI exists, its
  Digital Link role, short name, qualifiers, check-digit position, predefined length, its
  compression format, the AI-length and predefined-length tables and the optimisation codes; data
  titles and the library's regular-expression text are presentation and are not compared.

Vectors judged wrong in the data are listed in :data:`KNOWN_WRONG` with the reason; they must fail.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .ai_table import AI_LENGTH_BY_PREFIX, AI_TABLE, PREDEFINED_LENGTH, gs1_date
from .dl_compression import OPTIMISATIONS, compression_format
from .dl_uri import build_digital_link, element_strings_to_digital_link, read_digital_link
from .element_strings import GS, parse_element_strings
from .gs1 import IdentifierError

__all__ = ["KNOWN_WRONG", "Vector", "parse_feature", "run_digital_link_vectors"]

#: ``file:line`` of an example row (or scenario) -> why the expected result is wrong.
_OUT_OF_ORDER = (
    "the URI puts the lot (10) before the consumer product variant (22); GS1 DL URI Syntax 1.2 §4.5 "
    "(gtin-path = /01/…[/22/…][/10/…][/21/…]) fixes that order and GS1's own toolkit refuses it"
)
KNOWN_WRONG: dict[str, str] = {
    "AdditionalUriContent.feature:964": _OUT_OF_ORDER,
    "AdditionalUriContent.feature:975": _OUT_OF_ORDER,
    "DecompressGs1DigitalLink.feature:12": (
        "the compressed data holds (253) and a TPX (235); the expected URI silently drops the TPX, "
        "TraceHub keeps every compressed AI (as a query attribute, since 235 qualifies only a GTIN)"
    ),
}

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_]+)>")


@dataclass
class Vector:
    """One scenario instance: its steps (keyword, text, data table) with the example row filled in.

    The keyword is Given, When or Then (an ``And``/``But`` step takes the keyword before it).
    """

    name: str
    title: str
    steps: list[tuple[str, str, list[list[str]]]] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(line.strip())[1:-1]]


def parse_feature(path: Path) -> list[Vector]:
    """The vectors of one Gherkin file: each Examples row of an outline, or the scenario itself."""
    # split("\n"), not splitlines(): cells may hold control characters that splitlines() breaks at.
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    vectors: list[Vector] = []
    scenario: dict | None = None

    def finish() -> None:
        if scenario is None:
            return
        rows = [row for table in scenario["examples"] for row in table[1]]
        if not rows:
            vectors.append(Vector(f"{path.name}:{scenario['line']}", scenario["title"], scenario["steps"]))
            return
        for table in scenario["examples"]:
            header = table[0]
            for line_number, row in table[1]:
                values = dict(zip(header, row, strict=False))

                def fill(text: str, values: dict = values) -> str:
                    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

                steps = [
                    (keyword, fill(text), [[fill(c) for c in r] for r in data])
                    for keyword, text, data in scenario["steps"]
                ]
                vectors.append(Vector(f"{path.name}:{line_number}", scenario["title"], steps))

    mode = ""
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith(("Scenario:", "Scenario Outline:")):
            finish()
            scenario = {"line": number, "title": text, "steps": [], "examples": []}
            mode = "steps"
        elif scenario is None:
            continue
        elif text.startswith("Examples"):
            scenario["examples"].append([[], []])
            mode = "examples"
        elif text.startswith("|"):
            cells = _cells(text)
            if mode == "examples":
                table = scenario["examples"][-1]
                if not table[0]:
                    table[0] = cells
                else:
                    table[1].append((number, cells))
            elif scenario["steps"]:
                scenario["steps"][-1][2].append(cells)
        elif (word := text.split(" ", 1)[0]) in ("Given", "When", "Then", "And", "But"):
            keyword = word if word in ("Given", "When", "Then") else scenario["steps"][-1][0]
            scenario["steps"].append((keyword, text.split(" ", 1)[1].strip(), []))
            mode = "steps"
    finish()
    return vectors


# --------------------------------------------------------------------------------------------
# Interpreting the steps.
# --------------------------------------------------------------------------------------------


class _Mismatch(Exception):
    pass


_CONTROL_NAMES = tuple(
    (re.compile(re.escape(name), re.IGNORECASE), char)
    for name, char in (("<GS>", GS), ("<RS>", "\x1e"), ("<EOT>", "\x04"))
)


def _control_chars(text: str) -> str:
    for pattern, char in _CONTROL_NAMES:
        text = pattern.sub(char, text)
    return text


def _quoted(step: str) -> str:
    match = _QUOTED.search(step)
    return match.group(1) if match else ""


def _table_dict(data: list[list[str]]) -> list[dict[str, str]]:
    header = data[0]
    return [dict(zip(header, row, strict=False)) for row in data[1:]]


def _same_element_strings(actual: str, expected: str) -> bool:
    if expected.startswith("("):
        return actual == expected
    try:
        return set(parse_element_strings(actual)) == set(parse_element_strings(expected))
    except IdentifierError:
        return False


@dataclass
class _Context:
    element_string: str = ""
    digital_link: str = ""
    ais: list[tuple[str, str]] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)
    compression: str = "none"
    compress_other: bool = False
    optimise: bool = False
    fragment: str | None = None
    other_query: str = ""
    result: object = None
    error: Exception | None = None
    table: str = ""
    key: str = ""


_DIGITAL_LINK_GIVENS = (
    "I want to convert the following",
    "the following Digital Link",
    "I have a compressed",
    "I have a partially compressed",
    "I have a decompressed",
)


def _given(ctx: _Context, step: str, data: list[list[str]]) -> None:
    if step.startswith(_DIGITAL_LINK_GIVENS):
        ctx.digital_link = _quoted(step)
    elif "element string" in step and '"' in step:
        ctx.element_string = _control_chars(_quoted(step))
    elif step.startswith("the following AIs"):
        ctx.ais = [(row["AI"], row["Value"]) for row in _table_dict(data)]
    elif step.startswith("the following non-GS1 key-value pairs"):
        ctx.other = [(row["Key"], row["Value"]) for row in _table_dict(data)]
    elif step.strip() == "no compression":
        ctx.compression = "none"
    elif step.strip() == "partial compression":
        ctx.compression = "partial"
    elif step.strip() == "compression":
        ctx.compression = "full"
    elif step.startswith("compress other key-value pairs"):
        ctx.compress_other = True
    elif step.startswith("optimisation"):
        ctx.optimise = True
    elif step.startswith("a fragment specifier"):
        ctx.fragment = _quoted(step)
    elif step.startswith("other query content"):
        ctx.other_query = _quoted(step)
    elif step.startswith("I have the "):
        ctx.table = step[len("I have the ") :]
    else:
        raise _Mismatch(f"unknown step: Given {step}")


def _when(ctx: _Context, step: str) -> None:
    try:
        ctx.result = _act(ctx, step)
    except IdentifierError as error:
        ctx.error = error


def _act(ctx: _Context, step: str) -> object:
    short = "short names" in step or "short text" in step
    if step.startswith("I check the record in the"):
        ctx.key = step.rsplit(" ", 1)[1]
        return None
    if step.startswith("I translate the") and "element string" in step:
        stem = None
        if "URI stem set to " in step:
            stem = step.split("URI stem set to ", 1)[1].replace("<sp>", " ")
        elif "URI stem" in step:
            stem = "dlr.trvst4hp.org"  # the stem the library's step definitions hand in
        compression = ctx.compression
        if "partially compressed Digital Link" in step:
            compression = "partial"
        elif "compressed Digital Link" in step:
            compression = "full"
        return element_strings_to_digital_link(
            ctx.element_string,
            stem=stem,
            short_names=short,
            compression=compression,
            optimise=ctx.optimise,
            other=ctx.other,
            compress_other=ctx.compress_other,
            fragment=ctx.fragment,
        )
    if step.startswith("I convert the"):
        return read_digital_link(ctx.digital_link).element_strings(brackets="with brackets" in step)
    if step.startswith("I extract AIs and values from the Digital Link") or step.startswith(
        "I extract data from"
    ):
        return read_digital_link(ctx.digital_link)
    if step.startswith("I extract AIs and values"):
        return parse_element_strings(ctx.element_string, validate="without validation" not in step)
    if step.startswith(("I compress the", "I partially compress the")):
        compression = "partial" if step.startswith("I partially") else "full"
        short_out = "to a Digital Link with short names" in step
        return read_digital_link(ctx.digital_link).uri(compression=compression, short_names=short_out)
    if step.startswith("I decompress the"):
        return read_digital_link(ctx.digital_link).uri(short_names=short)
    if step.startswith("I build a GS1 Digital Link"):
        return build_digital_link(
            ctx.ais,
            compression=ctx.compression,
            optimise=ctx.optimise,
            other=ctx.other,
            compress_other=ctx.compress_other,
            other_query=ctx.other_query,
            fragment=ctx.fragment,
        )
    if step.startswith("I change the compression level"):
        link = read_digital_link(ctx.digital_link)
        return link.uri(compression=ctx.compression, optimise=ctx.optimise, compress_other=ctx.compress_other)
    if step.startswith("I analyse the semantics"):
        return ("semantics", read_digital_link(ctx.digital_link))
    if step.startswith("I analyse the GS1 Digital Link"):
        return ("analysis", read_digital_link(ctx.digital_link))
    raise _Mismatch(f"unknown step: When {step}")


_URI_THENS = (
    "the Digital Link should be",
    "the compressed Digital Link should be",
    "the decompressed Digital Link should be",
    "the result should be",
)
_DATA_THENS = ("the data extracted from the Digital Link should contain", "the data should contain")


def _then(ctx: _Context, step: str, data: list[list[str]]) -> None:
    if step.startswith("an exception with message"):
        if ctx.error is None:
            raise _Mismatch(f"expected an error ({_quoted(step)!r}) but got {ctx.result!r}")
        return
    if ctx.error is not None and not step.startswith("the record") and not step.startswith("the Format"):
        raise _Mismatch(f"unexpected error: {ctx.error}")
    expected = _quoted(step)
    if step.startswith(_URI_THENS):
        if ctx.result != expected:
            raise _Mismatch(f"got {ctx.result!r}, expected {expected!r}")
    elif step.startswith("the element string should be"):
        if not _same_element_strings(str(ctx.result), _control_chars(expected)):
            raise _Mismatch(f"got {ctx.result!r}, expected {_control_chars(expected)!r}")
    elif step.startswith(_DATA_THENS):
        pairs = ctx.result.pairs if hasattr(ctx.result, "pairs") else ctx.result
        values = dict(pairs)
        for row in _table_dict(data):
            if row["AI"] and values.get(row["AI"]) != row["Value"]:
                raise _Mismatch(f"({row['AI']}) is {values.get(row['AI'])!r}, expected {row['Value']!r}")
    elif step.startswith("the data result should be"):
        _check_data_result(ctx, data)
    elif step.startswith(("the analysis should contain", "the semantic analysis should contain")):
        _check_analysis(ctx, data)
    else:
        _check_table(ctx, step, expected)


def _check_data_result(ctx: _Context, data: list[list[str]]) -> None:
    link = ctx.result
    for row in _table_dict(data):
        name, value = row["PropertyName"], row["Value"]
        if name == "gs1DigitalLinkData":
            if dict(link.pairs) != json.loads(value):
                raise _Mismatch(f"AIs {dict(link.pairs)}, expected {value}")
        elif name == "NonGs1KeyValuePairs":
            expected = {
                k: str(v).lower() if isinstance(v, bool) else v for k, v in json.loads(value or "{}").items()
            }
            if dict(link.other) != expected:
                raise _Mismatch(f"other parameters {dict(link.other)}, expected {expected}")
        elif name == "OtherQueryStringContent":
            if "&".join(link.other_query) != value:
                raise _Mismatch(f"other query content {link.other_query}, expected {value!r}")
        elif name == "FragmentSpecifier" and (link.fragment or "") != value:
            raise _Mismatch(f"fragment {link.fragment!r}, expected {value!r}")


def _check_analysis(ctx: _Context, data: list[list[str]]) -> None:
    kind, link = ctx.result
    forms = {
        "uncompressed": "Uncompressed",
        "partially compressed": "PartiallyCompressed",
        "compressed": "Compressed",
    }
    path = "".join(f"/{ai}/{value}" for ai, value in (link.primary, *link.qualifiers))
    actual = {
        "DetectedForm": forms[link.form],
        "ElementStringOutput": link.element_strings(),
        "PathComponents": path,
        "UriStem": link.stem,
        "QueryString": "&".join(
            [f"{ai}={value}" for ai, value in link.attributes] + [f"{k}={v}" for k, v in link.other]
        ),
        "gs1:gtin": dict(link.pairs).get("01"),
        "schema:gtin": dict(link.pairs).get("01"),
        "gs1:hasBatchLot": dict(link.pairs).get("10"),
        "gs1:consumerProductVariant": dict(link.pairs).get("22"),
        "gs1:elementStrings": link.element_strings(),
    }
    if "17" in dict(link.pairs):
        actual["gs1:expirationDate"] = gs1_date(dict(link.pairs)["17"], zero_day=True).isoformat()
    for row in _table_dict(data):
        if actual.get(row["PropertyName"]) != row["Value"]:
            raise _Mismatch(
                f"{row['PropertyName']} is {actual.get(row['PropertyName'])!r}, expected {row['Value']!r}"
            )


def _check_table(ctx: _Context, step: str, expected: str) -> None:
    key = ctx.key
    if ctx.table in ("AI table", "Format table"):
        info = AI_TABLE.get(key)
        if info is None:
            raise _Mismatch(f"({key}) is not in TraceHub's AI table")
        if step.startswith("the record should contain the short name") and expected:
            actual = info.short_name
        elif step.startswith("the record should contain the type specifier"):
            actual = info.role
        elif step.startswith("the record should contain the predefined length specifier"):
            actual, expected = info.predefined_length, expected.upper() == "TRUE"
        elif step.startswith("the record should contain the check digit position specifier") and expected:
            actual = {-1: "L"}.get(info.check_digit_at, str(info.check_digit_at))
        elif step.startswith("the record should contain the AI qualifier") and expected:
            if not any(expected in path for path in info.qualifier_paths):
                raise _Mismatch(f"({key}) has no qualifier ({expected})")
            return
        elif step.startswith("the record should contain classifiers for a given type") and expected:
            wanted_fixed = expected == "Length"
            if not any(fixed == wanted_fixed for _, _, fixed in compression_format(key)):
                raise _Mismatch(f"({key}) compression format {compression_format(key)} has no {expected}")
            ctx.other_query = expected  # remembered for the next step
            return
        elif step.startswith("there should be a classifier for the expected type name") and expected:
            type_name, length = _QUOTED.findall(step)
            wanted = ("N" if type_name == "Numeric" else "X", int(length), ctx.other_query == "Length")
            if wanted not in compression_format(key):
                raise _Mismatch(f"({key}) compression format {compression_format(key)} lacks {wanted}")
            return
        else:
            return  # data title, format notation, regular expression: presentation, not compared
        if actual != expected:
            raise _Mismatch(f"({key}): {step.split(':')[0]} is {actual!r}, expected {expected!r}")
    elif ctx.table == "Predefined Length table":
        if PREDEFINED_LENGTH.get(key) != int(expected):
            raise _Mismatch(f"predefined length of {key}: {PREDEFINED_LENGTH.get(key)} != {expected}")
    elif ctx.table == "Prefix Length table":
        if AI_LENGTH_BY_PREFIX.get(key) != int(expected):
            raise _Mismatch(f"AI length of {key}: {AI_LENGTH_BY_PREFIX.get(key)} != {expected}")
    elif ctx.table == "Optimisations table":
        if expected and expected not in OPTIMISATIONS.get(key, ()):
            raise _Mismatch(
                f"optimisation {key} is {OPTIMISATIONS.get(key)}, expected it to hold ({expected})"
            )
    else:
        raise _Mismatch(f"unknown step: Then {step}")


def run_vector(vector: Vector) -> str | None:
    """Run one vector; None when it passes, else what went wrong."""
    ctx = _Context()
    try:
        for keyword, step, data in vector.steps:
            if keyword == "Given":
                _given(ctx, step, data)
            elif keyword == "When":
                _when(ctx, step)
            else:
                _then(ctx, step, data)
    except _Mismatch as mismatch:
        return str(mismatch)
    except (IdentifierError, KeyError, TypeError, AttributeError, ValueError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def run_digital_link_vectors(folder: Path | str) -> tuple[int, int, list[str]]:
    """Run every vector of the ``.feature`` files in ``folder``.

    Returns ``(passed, total, failures)``: vectors that pass, all vectors, and a line per vector
    that fails without being documented in :data:`KNOWN_WRONG` (or that is documented but passes).
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"no GS1 Digital Link test tables at {root}")
    passed = 0
    total = 0
    failures: list[str] = []
    for path in sorted(root.glob("*.feature")):
        for vector in parse_feature(path):
            total += 1
            problem = run_vector(vector)
            if vector.name in KNOWN_WRONG:
                if problem is None:
                    failures.append(f"{vector.name}: documented as wrong in the data but passes")
                continue
            if problem is None:
                passed += 1
            else:
                failures.append(f"{vector.name} ({vector.title}): {problem}")
    return passed, total, failures

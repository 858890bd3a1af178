"""GS1 element strings: ``(01)09521234567899(10)LOT1`` and the barcode form ``]d201…<GS>10…``.

An element string is a GS1 Application Identifier followed by its data (GS1 GS §3.1); a barcode
carries several, concatenated. Two written forms exist:

* the **bracketed** human-readable form, ``(01)09521234567899(10)LOT1(21)ABC`` (GS1 GS §4.15,
  "Human readable interpretation": AIs in parentheses);
* the **unbracketed** data a scanner transmits: optionally a symbology identifier (``]C1`` GS1-128,
  ``]e0`` GS1 DataBar, ``]d2`` GS1 DataMatrix, ``]Q3`` GS1 QR Code, ``]J1`` GS1 DotCode; ISO/IEC
  15424 and GS1 GS §5.1.2), then the element strings, each variable-length one terminated by FNC1,
  which scanners transmit as the group separator GS (ASCII 29) — except the last one (GS1 GS §7.8.5).

The AI's length comes from its first two digits, and element strings whose length is predefined
(GS1 GS Figure 7.8.5-2: 00, 01, 02, 11-17, 20, 31nn-36nn, 41n …) need no separator. Every value is
checked against the AI table (:mod:`tracehub.identifiers.ai_table`): character sets, lengths,
check digits, dates. biip (``biip.parse``) reads the same data; our parser is kept separate so that it
gives TraceHub's precise error messages and runs in microseconds, and the tests check that both agree.
"""

from __future__ import annotations

from .ai_table import AI_TABLE, ai_length, check_ai_value, predefined_length
from .gs1 import IdentifierError

__all__ = [
    "GS",
    "SYMBOLOGY_IDENTIFIERS",
    "format_element_strings",
    "parse_element_strings",
]

#: The group separator that scanners transmit for FNC1 (ASCII 29, GS1 GS §7.8.5.1).
GS = "\x1d"
#: Symbology identifiers of the GS1 symbologies (ISO/IEC 15424; GS1 GS §5.1.2, §5.4 …).
SYMBOLOGY_IDENTIFIERS = ("]C1", "]e0", "]d2", "]Q3", "]J1")

Pairs = tuple[tuple[str, str], ...]


def parse_element_strings(text: str, *, validate: bool = True) -> Pairs:
    """Read bracketed or unbracketed GS1 element strings into ``((ai, value), …)`` in their order.

    A leading symbology identifier is dropped. Raises :class:`IdentifierError` for an unknown AI, a
    value that breaks its AI's format (unless ``validate`` is False: then only the AIs and the split
    are checked), an AI given twice with different values (GS1 GS §4.14.1), or data that is not GS1
    element strings at all (e.g. ISO/IEC 15434 ``[)>`` messages).
    """
    data = text.strip()
    for prefix in SYMBOLOGY_IDENTIFIERS:
        if data.startswith(prefix):
            data = data[3:]
            break
    if not data:
        raise IdentifierError("the element string is empty")
    if data.startswith("[)>"):
        raise IdentifierError(
            f"{text!r} is an ISO/IEC 15434 message (ASC MH10.8.2 data identifiers), not GS1 element strings"
        )
    pairs = _parse_bracketed(data) if data[0] == "(" else _parse_unbracketed(data)
    seen: dict[str, str] = {}
    for ai, value in pairs:
        if ai in seen and seen[ai] != value:
            raise IdentifierError(
                f"AI ({ai}) occurs twice with different values {seen[ai]!r} and {value!r} (GS1 GS §4.14.1)"
            )
        seen[ai] = value
        if validate:
            check_ai_value(ai, value)
    return tuple(dict.fromkeys(pairs))


def _parse_bracketed(data: str) -> Pairs:
    pairs: list[tuple[str, str]] = []
    position = 0
    size = len(data)
    while position < size:
        if data[position] != "(":
            raise IdentifierError(f"expected '(' at position {position} of bracketed element string {data!r}")
        close = data.find(")", position)
        ai = data[position + 1 : close] if close > 0 else ""
        if not (2 <= len(ai) <= 4 and ai.isascii() and ai.isdigit()):
            raise IdentifierError(f"bracketed element string {data!r} has no valid AI at position {position}")
        if ai not in AI_TABLE:
            raise IdentifierError(f"({ai}) is not a GS1 Application Identifier (GS1 GS §3.2)")
        # The value runs to the next "(AI)"; a '(' inside a value that is not followed by a known
        # AI and ')' belongs to the value (character set 82 contains parentheses).
        start = close + 1
        end = start
        while True:
            end = data.find("(", end)
            if end < 0:
                end = size
                break
            close_next = data.find(")", end)
            candidate = data[end + 1 : close_next] if close_next > 0 else ""
            if candidate in AI_TABLE:
                break
            end += 1
        pairs.append((ai, data[start:end]))
        position = end
    return tuple(pairs)


def _parse_unbracketed(data: str) -> Pairs:
    pairs: list[tuple[str, str]] = []
    position = 0
    size = len(data)
    while position < size:
        if data[position] == GS:  # a stray FNC1 (e.g. after a predefined-length string) is allowed
            position += 1
            continue
        head = data[position : position + 2]
        if not (len(head) == 2 and head.isascii() and head.isdigit()):
            raise IdentifierError(f"({head}) is not a GS1 Application Identifier (GS1 GS §3.2)")
        length = ai_length(data, position)
        ai = data[position : position + length]
        if ai not in AI_TABLE:
            raise IdentifierError(f"({ai}) is not a GS1 Application Identifier (GS1 GS §3.2)")
        start = position + length
        total = predefined_length(ai)
        if total is not None:
            end = position + total
            if end > size:
                raise IdentifierError(
                    f"({ai}) needs {total - length} characters but the element string ends after "
                    f"{size - start} (GS1 GS Figure 7.8.5-2)"
                )
        else:
            end = data.find(GS, start)
            if end < 0:
                end = size
        pairs.append((ai, data[start:end]))
        position = end
    return tuple(pairs)


def format_element_strings(
    pairs: Pairs | list[tuple[str, str]], *, brackets: bool = True, symbology: str = ""
) -> str:
    """Write ``(ai, value)`` pairs as element strings.

    Bracketed: in the given order. Unbracketed (the data a barcode carries): the predefined-length
    element strings first, then the others separated by GS, so that no separator is needed after
    the last one (GS1 GS §7.8.5.2 recommends putting variable-length strings last), with an
    optional symbology identifier such as ``]d2`` in front.
    """
    if brackets:
        return "".join(f"({ai}){value}" for ai, value in pairs)
    fixed = [ai + value for ai, value in pairs if predefined_length(ai) is not None]
    variable = [ai + value for ai, value in pairs if predefined_length(ai) is None]
    return symbology + "".join(fixed) + GS.join(variable)

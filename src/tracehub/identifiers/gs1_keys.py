"""GS1 keys standing alone: GTIN-8/12/13/14, GLN and SSCC, validated with a reason.

The check digit is the GS1 mod-10 check digit of GS1 GS §7.9.1, computed with python-stdnum
(``stdnum.ean``, which implements exactly that weighting for every length) and cross-checked in the
tests against :func:`tracehub.identifiers.gs1.gs1_check_digit`.
"""

from __future__ import annotations

from stdnum import ean

from .gs1 import IdentifierError

__all__ = ["gtin_kind", "validate_gln", "validate_gtin", "validate_sscc"]

_GTIN_KINDS = {8: "GTIN-8", 12: "GTIN-12", 13: "GTIN-13", 14: "GTIN-14"}


def _checked(value: str, name: str, lengths: tuple[int, ...]) -> str:
    if not isinstance(value, str):
        raise IdentifierError(f"a {name} must be a string, not {type(value).__name__}")
    text = value.strip()
    for position, char in enumerate(text, start=1):
        if not ("0" <= char <= "9"):
            raise IdentifierError(f"{name} {value!r}: character {position} is {char!r}; digits 0-9 only")
    if len(text) not in lengths:
        allowed = ", ".join(str(n) for n in lengths)
        raise IdentifierError(f"{name} {value!r} has {len(text)} digits; {allowed} required (GS1 GS §3.2)")
    expected = ean.calc_check_digit(text[:-1])
    if text[-1] != expected:
        raise IdentifierError(
            f"{name} {value!r}: wrong check digit {text[-1]}; GS1 mod 10 (GS1 GS §7.9.1) gives {expected}"
        )
    return text


def validate_gtin(value: str) -> str:
    """Check a GTIN-8, -12, -13 or -14 and return it as GTIN-14 (GS1 GS §2.1, §3.3.2)."""
    text = _checked(value, "GTIN", (8, 12, 13, 14))
    return text.zfill(14)


def gtin_kind(value: str) -> str:
    """``GTIN-8``, ``GTIN-12``, ``GTIN-13`` or ``GTIN-14`` for a valid GTIN as written."""
    return _GTIN_KINDS[len(_checked(value, "GTIN", (8, 12, 13, 14)))]


def validate_gln(value: str) -> str:
    """Check a 13-digit Global Location Number (GS1 GS §2.4) and return it."""
    return _checked(value, "GLN", (13,))


def validate_sscc(value: str) -> str:
    """Check an 18-digit Serial Shipping Container Code (GS1 GS §2.2) and return it."""
    return _checked(value, "SSCC", (18,))

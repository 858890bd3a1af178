"""Checks of registry input: Chinese codes, GS1 keys, licence numbers, sector attributes, files.

Each check returns the value normalised or raises ``django.core.exceptions.ValidationError``
with a translatable message. Messages never repeat a personal ID number (it must not reach logs
or answers). New kinds of licence or sector attribute are added to the tables below
(docs/registry.md "Adding a new kind of thing").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from tracehub.accounts.models import Sector
from tracehub.identifiers import IdentifierError, has_valid_check_digit, parse_identifier
from tracehub.registry.models import LicenceKind

#: Longest identifier the registry stores (Location.key, Product.key).
MAX_KEY_LENGTH = 300


def normalize_uscc(value: str) -> str:
    """A 统一社会信用代码 (GB 32100-2015), check character validated, upper case."""
    try:
        return stdnum_uscc.validate(value or "")
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong."), code="checksum"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("A unified social credit code has 18 characters (digits and upper-case letters)."),
            code="format",
        ) from None


def normalize_ric(value: str) -> str:
    """A 居民身份证 number (GB 11643-1999): 18 characters, valid birth date and check character.

    The messages never contain the number (personal data, see ``protect``).
    """
    try:
        return stdnum_ric.validate(value or "")
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The check character of this ID card number is wrong."), code="checksum"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("An ID card number has 18 characters: 17 digits and a check character (digit or X)."),
            code="format",
        ) from None


def normalize_company_prefix(value: str) -> str:
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or not 6 <= len(value) <= 12:
        raise ValidationError(_("A GS1 company prefix has 6 to 12 digits."), code="format")
    return value


def _gs1(value: str, scheme: str, what) -> str | None:
    try:
        parsed = parse_identifier(value)
    except IdentifierError as exc:
        raise ValidationError(
            _("Not a valid %(what)s: %(reason)s") % {"what": what, "reason": str(exc)}
        ) from None
    if parsed is None:
        return None
    if parsed.scheme != scheme:
        raise ValidationError(_("This identifier is not a %(what)s.") % {"what": what}, code="scheme")
    return parsed.key


def normalize_pgln(value: str) -> str:
    """A party GLN: EPC URN, Digital Link or 13 digits → canonical key ``417/<GLN>``."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        if len(value) != 13 or not has_valid_check_digit(value):
            raise ValidationError(
                _("A GLN has 13 digits, the last a valid GS1 check digit."), code="checksum"
            )
        return f"417/{value}"
    key = _gs1(value, "pgln", _("party GLN (PGLN)"))
    if key is None:
        raise ValidationError(
            _("Give the PGLN as 13 digits, an EPC URN or a GS1 Digital Link."), code="format"
        )
    return key


def normalize_gtin(value: str) -> str:
    """A GTIN (8, 12, 13 or 14 digits, check digit validated) → GTIN-14."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) in (8, 12, 13, 14):
        if not has_valid_check_digit(value):
            raise ValidationError(_("The GS1 check digit of this GTIN is wrong."), code="checksum")
        return value.zfill(14)
    key = _gs1(value, "gtin", _("GTIN"))
    if key is None:
        raise ValidationError(_("A GTIN has 8, 12, 13 or 14 digits."), code="format")
    return key.split("/", 1)[1]


def _platform_uri(value: str) -> str:
    value = (value or "").strip()
    if (
        not value
        or len(value) > MAX_KEY_LENGTH
        or any(c.isspace() for c in value)
        or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value)
    ):
        raise ValidationError(
            _("A platform code is a URI without spaces of at most %(n)d characters, e.g. urn:tracehub:loc:…")
            % {"n": MAX_KEY_LENGTH},
            code="format",
        )
    return value


def normalize_location_identifier(value: str) -> tuple[str, str, str]:
    """(canonical key, kind, identifier as given) of a location: an SGLN or a platform node code.

    An SGLN may come as 13 GLN digits, an EPC URN (``urn:epc:id:sgln:…``) or a Digital Link
    (``…/414/<GLN>[/254/<extension>]``); its check digit is validated. Anything else must be a URI
    (a platform node code) that is not some other GS1 key.
    """
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        if len(value) != 13 or not has_valid_check_digit(value):
            raise ValidationError(
                _("A GLN has 13 digits, the last a valid GS1 check digit."), code="checksum"
            )
        return f"414/{value}", "sgln", value
    key = _gs1(value, "sgln", _("location GLN (SGLN)"))
    if key is not None:
        return key, "sgln", value
    return _platform_uri(value), "platform", value


def normalize_product_identifier(*, gtin: str | None, platform_code: str | None) -> tuple[str, str, str]:
    """(key, GTIN-14 or "", platform code or "") of a product: exactly one of the two is given."""
    gtin = (gtin or "").strip()
    platform_code = (platform_code or "").strip()
    if bool(gtin) == bool(platform_code):
        raise ValidationError(_("Give either a GTIN or a platform product code."), code="required")
    if gtin:
        gtin14 = normalize_gtin(gtin)
        return f"01/{gtin14}", gtin14, ""
    code = _platform_uri(platform_code)
    try:
        if parse_identifier(code) is not None:
            raise ValidationError(_("This is a GS1 key: give it as the GTIN."), code="scheme")
    except IdentifierError:
        raise ValidationError(_("This looks like a GS1 key but is not a valid one."), code="format") from None
    return code, "", code


# -- licence numbers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberRule:
    pattern: re.Pattern[str]
    message: Any


#: Format of each licence kind's number, where the format is fixed by regulation. Kinds not
#: listed take any number of at most 100 characters.
LICENCE_NUMBER_RULES: dict[str, NumberRule] = {
    # 食品生产许可证编号: SC + 14 digits (食品生产许可管理办法 第二十九条).
    LicenceKind.FOOD_PRODUCTION: NumberRule(
        re.compile(r"^SC\d{14}$"), _("A food production licence number is SC followed by 14 digits.")
    ),
    # 食品经营许可证编号: JY + 14 digits (食品经营许可管理办法).
    LicenceKind.FOOD_BUSINESS: NumberRule(
        re.compile(r"^JY\d{14}$"), _("A food business licence number is JY followed by 14 digits.")
    ),
    # 营业执照 carry the holder's 统一社会信用代码.
    LicenceKind.BUSINESS_LICENCE: NumberRule(
        re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
        _("A business licence number is the holder's 18-character unified social credit code."),
    ),
}


def normalize_licence_number(kind: str, number: str) -> str:
    number = (number or "").strip()
    if not number:
        raise ValidationError(_("A licence number is required."), code="required")
    if len(number) > 100:
        raise ValidationError(_("A licence number has at most 100 characters."), code="length")
    rule = LICENCE_NUMBER_RULES.get(kind)
    if rule is not None:
        number = number.upper()
        if not rule.pattern.match(number):
            raise ValidationError(rule.message, code="format")
        if kind == LicenceKind.BUSINESS_LICENCE:
            normalize_uscc(number)
    return number


# -- product sector attributes ------------------------------------------------------------------

TOXICITY_CLASSES = ("微毒", "低毒", "中等毒", "高毒", "剧毒")  # GB 15670 / 农药登记 toxicity classes


def _pattern(regex: str, message) -> Callable[[Any], Any]:
    compiled = re.compile(regex)

    def check(value: Any) -> str:
        if not isinstance(value, str) or not compiled.match(value.strip()):
            raise ValidationError(message, code="format")
        return value.strip()

    return check


def _text(max_length: int) -> Callable[[Any], Any]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > max_length:
            raise ValidationError(
                _("Expected text of 1 to %(n)d characters.") % {"n": max_length}, code="format"
            )
        return value.strip()

    return check


def _strength(value: Any) -> str:
    try:
        number = Decimal(str(value).strip().removesuffix("%vol").removesuffix("%").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Alcohol strength is a number of % vol, e.g. 13.5."), code="format") from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValidationError(_("Alcohol strength is between 0 and 100 % vol."), code="range")
    return str(number.normalize()) if number == number.to_integral() else str(number)


def _toxicity(value: Any) -> str:
    if value not in TOXICITY_CLASSES:
        raise ValidationError(
            _("Toxicity is one of %(classes)s.") % {"classes": "、".join(TOXICITY_CLASSES)}, code="choice"
        )
    return value


def _country(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^[A-Z]{2}$", value.strip().upper()):
        raise ValidationError(_("A country is its ISO 3166-1 two-letter code, e.g. FR."), code="format")
    return value.strip().upper()


#: Every sector attribute a product may carry, with its check.
PRODUCT_ATTRIBUTES: dict[str, Callable[[Any], Any]] = {
    # 药品批准文号: 国药准字 + H (chemical), Z (TCM), S (biological), J (imported packaging) + 8 digits.
    "approval_number": _pattern(
        r"^国药准字[HZSJ]\d{8}$", _("A drug approval number is 国药准字 + H, Z, S or J + 8 digits.")
    ),
    # 农药登记证号: PD (正式), PDN, LS (临时), WP/WPN (卫生用), WL + digits.
    "pesticide_registration": _pattern(
        r"^(PD|PDN|LS|WP|WPN|WL)\d{6,8}$",
        _("A pesticide registration number is PD, PDN, LS, WP, WPN or WL followed by 6 to 8 digits."),
    ),
    "toxicity": _toxicity,
    "alcohol_strength": _strength,
    "origin_country": _country,
    "origin_region": _text(200),
    "variety": _text(200),
    "dosage_form": _text(100),
    "active_ingredient": _text(200),
}

#: Attributes a product of each sector must carry.
REQUIRED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    Sector.DRUG: ("approval_number",),
    Sector.LIQUOR: ("alcohol_strength",),
    Sector.IMPORT_FOOD: ("origin_country",),
}


def check_product_attributes(attributes: Any, sectors: list[str]) -> dict[str, Any]:
    """The attributes normalised; ValidationError keyed ``attributes.<name>`` for each wrong one."""
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise ValidationError({"attributes": [_("Sector attributes are an object of name: value.")]})
    errors: dict[str, list] = {}
    out: dict[str, Any] = {}
    for name, value in attributes.items():
        check = PRODUCT_ATTRIBUTES.get(name)
        if check is None:
            errors[f"attributes.{name}"] = [
                _("Unknown attribute; known are %(names)s.")
                % {"names": ", ".join(sorted(PRODUCT_ATTRIBUTES))}
            ]
            continue
        try:
            out[name] = check(value)
        except ValidationError as exc:
            errors[f"attributes.{name}"] = exc.messages
    for sector in sectors:
        for name in REQUIRED_ATTRIBUTES.get(sector, ()):
            if name not in attributes:
                errors.setdefault(f"attributes.{name}", []).append(
                    _("Required for products of sector %(sector)s.") % {"sector": Sector(sector).label}
                )
    if errors:
        raise ValidationError(errors)
    return out


# -- documents -----------------------------------------------------------------------------------

#: Allowed document types by their first bytes (content sniffing, not the file name).
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_document_type(head: bytes) -> str | None:
    """The media type of a document from its first bytes: PDF, JPEG or PNG, else None."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    return None

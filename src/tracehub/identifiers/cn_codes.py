"""Chinese product and document codes (中国追溯编码), and the platform's own trace code.

Each code has ``parse_*`` (returns its parts, or raises :class:`IdentifierError` saying precisely what
is wrong) and ``format_*`` (the printed form), and maps to a platform URI (:mod:`.platform`) so that
it can stand in EPCIS events like a GS1 key. docs/coding-rules.md shows every rule with examples.

=====================  =========  =================================================================
code                   length     structure (check)
=====================  =========  =================================================================
药品追溯码 drug trace    20 digits  7 drug identification code (药品标识码) + 9 serial (单品序列号)
                                  + 4 verification digits (校验位, algorithm not public: structure only)
农药单元识别代码          32 digits  1 registration category (1 PD, 2 WP, 3 LS) + 6 last digits of the
pesticide unit                    registration number + 1 production type (1 own, 2 contract
                                  manufacture, 3 contract packing) + 3 specification + 21 random
兽药产品追溯码            24 digits  8 application date YYYYMMDD + 5 enterprise code + 11 random
veterinary drug
酒类随附单 liquor slip    12 digits  4 prefecture (GB/T 2260) + 2 year + 5 sequence + 1 check
                                  (ISO/IEC 7064 MOD 11,10) — TraceHub's own rule
报关单号 customs          18 digits  4 customs office (关区代码) + 4 year + 1 import/export flag
declaration                       (1 import, 0 export; I/E for 集中申报清单) + 9 sequence
平台追溯码 platform       22 digits  6 district (GB/T 2260) + 4 node + 6 date YYMMDD + 4 sequence
trace code                        + 2 check (ISO/IEC 7064 MOD 97-10) — TraceHub's own rule
=====================  =========  =================================================================

Input may carry spaces or hyphens between groups (as printed); they are dropped. Full-width digits
are not accepted: a code is ASCII.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from stdnum.iso7064 import mod_11_10, mod_97_10

from .gs1 import IdentifierError

__all__ = [
    "CustomsDeclarationNumber",
    "DrugTraceCode",
    "LiquorSlipNumber",
    "PesticideUnitCode",
    "PlatformTraceCode",
    "VetDrugTraceCode",
    "format_customs_declaration_number",
    "format_drug_trace_code",
    "format_liquor_slip_number",
    "format_pesticide_unit_code",
    "format_platform_trace_code",
    "format_vet_drug_trace_code",
    "make_liquor_slip_number",
    "make_platform_trace_code",
    "parse_customs_declaration_number",
    "parse_drug_trace_code",
    "parse_liquor_slip_number",
    "parse_pesticide_unit_code",
    "parse_platform_trace_code",
    "parse_vet_drug_trace_code",
]

_SEPARATORS = str.maketrans("", "", " -\u00a0")

#: GB/T 2260 province-level codes (省级行政区划代码): the first two digits of every district code.
PROVINCE_CODES = frozenset(
    ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42")
    + ("43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82")
)


def _digits(code: str, length: int, name: str) -> str:
    """``code`` without group separators; raise unless it is exactly ``length`` ASCII digits."""
    if not isinstance(code, str):
        raise IdentifierError(f"a {name} must be a string, not {type(code).__name__}")
    value = code.strip().translate(_SEPARATORS)
    for position, char in enumerate(value, start=1):
        if not ("0" <= char <= "9"):
            raise IdentifierError(
                f"{name} {code!r}: character {position} is {char!r}; only the digits 0-9 are allowed"
            )
    if len(value) != length:
        raise IdentifierError(f"{name} {code!r} has {len(value)} digits; {length} required")
    return value


def _group(value: str, sizes: tuple[int, ...], separator: str = " ") -> str:
    parts = []
    position = 0
    for size in sizes:
        parts.append(value[position : position + size])
        position += size
    return separator.join(part for part in parts if part)


def _district(value: str, name: str, code: str) -> None:
    """A GB/T 2260 county-level code: known province, and not a province or prefecture code itself."""
    if value[:2] not in PROVINCE_CODES:
        raise IdentifierError(f"{name} {code!r}: {value[:2]} is not a GB/T 2260 province code")
    if value[4:6] == "00":
        raise IdentifierError(
            f"{name} {code!r}: {value} is a prefecture code; a GB/T 2260 district or county code is needed"
        )


def _yymmdd(text: str, name: str, code: str) -> _dt.date:
    try:
        return _dt.date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise IdentifierError(f"{name} {code!r}: {text} is not a date YYMMDD") from None


# --------------------------------------------------------------------------------------------
# 药品追溯码 (drug trace code).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrugTraceCode:
    """A 20-digit drug trace code (药品追溯码) taken apart."""

    code: str
    drug_identification_code: str  # 药品标识码: product, form, strength, pack size (7 digits)
    serial: str  # 单品序列号: the pack's serial within the product (9 digits)
    verification: str  # 校验位: 4 digits from a non-public algorithm


def parse_drug_trace_code(code: str) -> DrugTraceCode:
    """Read a 20-digit drug trace code (药品追溯码).

    NMPA/T 1002-2019 《药品追溯码编码要求》 requires a drug trace code to contain a drug
    identification code (药品标识码) and a production identifier (生产标识码), to be unique per sales
    pack and never reused, and admits GS1 codes as well as the 20-digit codes of the 码上放心 platform
    (formerly 中国药品电子监管码). The 20-digit structure is: digits 1-7 the drug identification code
    (产品资源码: maker, product, form, strength, pack size), digits 8-16 the pack serial, digits 17-20
    a verification code "generated by a special encryption algorithm" that is not published
    (public descriptions of the 药品电子监管码 coding rule, e.g. the CFDA-era 药监码编码规则). So this
    checks the structure only: 20 ASCII digits. GS1-coded drugs (GTIN + serial) are read by the GS1
    functions of this package instead.
    """
    value = _digits(code, 20, "drug trace code (药品追溯码)")
    return DrugTraceCode(value, value[:7], value[7:16], value[16:])


def format_drug_trace_code(code: str, *, grouped: bool = False) -> str:
    """The code as printed under its barcode; ``grouped`` splits it 7-9-4 as its structure does."""
    value = parse_drug_trace_code(code).code
    return _group(value, (7, 9, 4)) if grouped else value


# --------------------------------------------------------------------------------------------
# 农药产品单元识别代码 (pesticide unit identification code).
# --------------------------------------------------------------------------------------------

#: Registration certificate categories (农药登记证类别) of the first digit.
PESTICIDE_CATEGORIES = {"1": "PD", "2": "WP", "3": "LS"}
#: Production types (生产类型) of digit 8.
PESTICIDE_PRODUCTION_TYPES = {
    "1": "made by the registration holder (农药登记证持有人生产)",
    "2": "contract manufacturing (委托加工)",
    "3": "contract packing (委托分装)",
}


@dataclass(frozen=True, slots=True)
class PesticideUnitCode:
    """A 32-digit pesticide unit identification code (农药产品单元识别代码) taken apart."""

    code: str
    category: str  # 'PD' (正式登记), 'WP' (卫生用农药), 'LS' (临时登记)
    registration_digits: str  # last six digits of the registration number (登记证号后六位)
    production_type: str  # '1', '2' or '3' (PESTICIDE_PRODUCTION_TYPES)
    specification: str  # 产品规格码, set by the company (3 digits)
    random: str  # 随机码 (21 digits)

    def matches_registration(self, registration_number: str) -> bool:
        """True when this code belongs to ``registration_number`` (e.g. ``PD20142631``)."""
        number = registration_number.strip().upper()
        return number.startswith(self.category) and number[-6:] == self.registration_digits


def parse_pesticide_unit_code(code: str) -> PesticideUnitCode:
    """Read a 32-digit pesticide unit identification code (农药产品单元识别代码).

    Structure per 农业部公告第2579号 (2017) 《农药标签二维码管理规定》 (the label QR-code rule of the
    农药标签和说明书管理办法): digit 1 the registration category (1 = PD, 2 = WP, 3 = LS temporary
    registration), digits 2-7 the last six digits of the registration number, digit 8 the production
    type (1 holder, 2 contract manufacture, 3 contract packing), digits 9-11 the product
    specification code chosen by the company, digits 12-32 a random code. No check digit is defined.
    The QR code itself carries the trace URL followed by this code; :func:`pesticide_code_in` finds it.
    """
    name = "pesticide unit code (农药单元识别代码)"
    value = _digits(code, 32, name)
    if value[0] not in PESTICIDE_CATEGORIES:
        raise IdentifierError(
            f"{name} {code!r}: digit 1 is {value[0]}; the registration category must be 1 (PD), "
            "2 (WP) or 3 (LS)"
        )
    if value[7] not in PESTICIDE_PRODUCTION_TYPES:
        raise IdentifierError(
            f"{name} {code!r}: digit 8 is {value[7]}; the production type must be 1 (own), 2 (contract "
            "manufacture) or 3 (contract packing)"
        )
    return PesticideUnitCode(
        value, PESTICIDE_CATEGORIES[value[0]], value[1:7], value[7], value[8:11], value[11:]
    )


def pesticide_code_in(text: str) -> PesticideUnitCode:
    """The pesticide unit code in a label QR code's text (a trace URL that ends with the code)."""
    digits = ""
    for char in reversed(text.strip()):
        if not ("0" <= char <= "9"):
            break
        digits = char + digits
    return parse_pesticide_unit_code(digits if len(digits) >= 32 else text)


def format_pesticide_unit_code(code: str, *, grouped: bool = False) -> str:
    """The printed form; ``grouped`` shows the fields 1-6-1-3-21."""
    value = parse_pesticide_unit_code(code).code
    return _group(value, (1, 6, 1, 3, 21)) if grouped else value


# --------------------------------------------------------------------------------------------
# 兽药产品追溯码 (veterinary drug trace code).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VetDrugTraceCode:
    """A 24-digit veterinary drug trace code (兽药产品追溯码) taken apart."""

    code: str
    applied_on: _dt.date  # 追溯码申请日期
    enterprise: str  # 企业标识 (5 digits)
    random: str  # 随机位 (11 digits)


def parse_vet_drug_trace_code(code: str) -> VetDrugTraceCode:
    """Read a 24-digit veterinary drug trace code (兽药产品追溯码).

    Structure per 农业农村部公告第174号 (2019, 兽药二维码): the code is generated at random by the
    国家兽药产品追溯系统; digits 1-8 are the date the code was applied for (YYYYMMDD), digits 9-13
    the enterprise identifier, digits 14-24 random. No check digit is defined; the date is checked.
    """
    name = "veterinary drug trace code (兽药产品追溯码)"
    value = _digits(code, 24, name)
    try:
        applied = _dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise IdentifierError(f"{name} {code!r}: digits 1-8 ({value[:8]}) are not a date YYYYMMDD") from None
    if applied.year < 2015:
        raise IdentifierError(f"{name} {code!r}: application date {applied} predates the trace system (2015)")
    return VetDrugTraceCode(value, applied, value[8:13], value[13:])


def format_vet_drug_trace_code(code: str, *, grouped: bool = False) -> str:
    """The printed form; ``grouped`` shows the fields 8-5-11."""
    value = parse_vet_drug_trace_code(code).code
    return _group(value, (8, 5, 11)) if grouped else value


# --------------------------------------------------------------------------------------------
# 酒类流通随附单 (liquor accompanying slip) — TraceHub's rule.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiquorSlipNumber:
    """A 12-digit liquor accompanying slip number (酒类流通随附单编号) taken apart."""

    number: str
    prefecture: str  # GB/T 2260 prefecture code, 4 digits (3502 = 厦门市)
    year: int
    sequence: str  # 5 digits
    check: str  # ISO/IEC 7064 MOD 11,10


def parse_liquor_slip_number(number: str) -> LiquorSlipNumber:
    """Read a 12-digit liquor accompanying slip number (随附单编号): TraceHub's own rule.

    The 酒类流通随附单 of Fujian's liquor circulation rules is numbered by the issuing bureau, but no
    public specification of the number exists, so TraceHub defines one following the practice of
    region + year + sequence: digits 1-4 the GB/T 2260 prefecture code of the issuing bureau (3502 =
    Xiamen), 5-6 the year (YY), 7-11 a sequence, 12 a check digit by ISO/IEC 7064 MOD 11,10 over the
    first 11 digits, which catches every single wrong digit and every swap of two adjacent digits
    (the slip is paper and its number is typed in by hand).
    """
    name = "liquor accompanying slip number (随附单编号)"
    value = _digits(number, 12, name)
    if value[:2] not in PROVINCE_CODES or value[2:4] == "00":
        raise IdentifierError(f"{name} {number!r}: {value[:4]} is not a GB/T 2260 prefecture code")
    if not mod_11_10.is_valid(value):
        raise IdentifierError(
            f"{name} {number!r}: wrong check digit {value[-1]}; ISO/IEC 7064 MOD 11,10 gives "
            f"{mod_11_10.calc_check_digit(value[:-1])}"
        )
    return LiquorSlipNumber(value, value[:4], 2000 + int(value[4:6]), value[6:11], value[11])


def make_liquor_slip_number(prefecture: str, year: int, sequence: int) -> str:
    """Compose a slip number (the allocator keeps sequences unique per prefecture and year)."""
    if not 0 <= sequence <= 99999 or not 2000 <= year <= 2099:
        raise IdentifierError(f"sequence {sequence} or year {year} out of range for a liquor slip number")
    body = f"{prefecture}{year % 100:02d}{sequence:05d}"
    return parse_liquor_slip_number(body + mod_11_10.calc_check_digit(body)).number


def format_liquor_slip_number(number: str, *, grouped: bool = False) -> str:
    """The printed form; ``grouped`` shows region, year and sequence: ``3502 25 000421``."""
    value = parse_liquor_slip_number(number).number
    return _group(value, (4, 2, 6)) if grouped else value


# --------------------------------------------------------------------------------------------
# 报关单号 (customs declaration number).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomsDeclarationNumber:
    """An 18-character customs declaration number (报关单海关编号) taken apart."""

    number: str
    customs_office: str  # 关区代码 of the office that accepted the declaration
    year: int
    direction: str  # 'import' or 'export'
    sequence: str
    is_manifest: bool  # 集中申报清单 (I/E flag) rather than a declaration (1/0)


def parse_customs_declaration_number(number: str) -> CustomsDeclarationNumber:
    """Read an 18-character customs declaration number (报关单号).

    Structure per 《中华人民共和国海关进出口货物报关单填制规范》 (海关总署公告2019年第18号, 海关编号):
    characters 1-4 the code of the accepting customs office (关区代码表), 5-8 the year of acceptance,
    9 the import/export flag ('1' import, '0' export; 'I'/'E' on a 集中申报清单), 10-18 a sequence.
    No check character is defined.
    """
    name = "customs declaration number (报关单号)"
    value = number.strip().translate(_SEPARATORS).upper() if isinstance(number, str) else number
    if not isinstance(value, str) or len(value) != 18:
        raise IdentifierError(f"{name} {number!r} must have 18 characters")
    flag = value[8]
    for position, char in enumerate(value, start=1):
        if position != 9 and not ("0" <= char <= "9"):
            raise IdentifierError(f"{name} {number!r}: character {position} is {char!r}; digits are required")
    if flag not in "10IE":
        raise IdentifierError(
            f"{name} {number!r}: character 9 is {flag!r}; the import/export flag is 1/0 (or I/E on a 清单)"
        )
    year = int(value[4:8])
    if not 1980 <= year <= 2099:
        raise IdentifierError(f"{name} {number!r}: {value[4:8]} is not a plausible year of acceptance")
    return CustomsDeclarationNumber(
        value, value[:4], year, "import" if flag in "1I" else "export", value[9:], flag in "IE"
    )


def format_customs_declaration_number(number: str, *, grouped: bool = False) -> str:
    """The printed form; ``grouped`` shows office, year, flag and sequence."""
    value = parse_customs_declaration_number(number).number
    return _group(value, (4, 4, 1, 9)) if grouped else value


# --------------------------------------------------------------------------------------------
# 平台追溯码 (the platform's own trace code) — TraceHub's rule after GB/T 44583-2024.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlatformTraceCode:
    """A 22-digit platform trace code (平台追溯码) taken apart."""

    code: str
    district: str  # GB/T 2260 district or county code (350203 = 思明区)
    node: str  # the registered node (场所: market, farm, cooperative) within the district
    day: _dt.date  # the day the code was allocated
    sequence: str  # sequence of the node on that day
    check: str  # ISO/IEC 7064 MOD 97-10, two digits


def parse_platform_trace_code(code: str) -> PlatformTraceCode:
    """Read a platform trace code (平台追溯码), plain (22 digits) or grouped (``…-…-…``).

    TraceHub's code for goods without a GS1 key (market stalls, small farms), designed after the
    principles of GB/T 44583-2024 《重要产品追溯 追溯码编码规范》 (unique, never reused, carries its
    origin, machine- and human-readable, with a check): digits 1-6 the GB/T 2260 district, 7-10 the
    node within it (0001-9999), 11-16 the allocation date YYMMDD (20YY), 17-20 a sequence of that node
    and day, 21-22 ISO/IEC 7064 MOD 97-10 check digits over the first 20. Digits only, so no O/0 or
    I/1 confusion can arise and the code is typed on a phone's number pad; MOD 97-10 catches every
    single wrong digit, every adjacent swap and all but about 1 % of other errors. Printed grouped as
    ``DDDDDDNNNN-YYMMDD-SSSSCC``: 24 characters.
    """
    name = "platform trace code (平台追溯码)"
    value = _digits(code, 22, name)
    _district(value[:6], name, code)
    if value[6:10] == "0000":
        raise IdentifierError(f"{name} {code!r}: node 0000 does not exist; nodes are 0001-9999")
    day = _yymmdd(value[10:16], name, code)
    if not mod_97_10.is_valid(value):
        raise IdentifierError(
            f"{name} {code!r}: wrong check digits {value[-2:]}; ISO/IEC 7064 MOD 97-10 gives "
            f"{mod_97_10.calc_check_digits(value[:-2])}"
        )
    return PlatformTraceCode(value, value[:6], value[6:10], day, value[16:20], value[20:])


def make_platform_trace_code(district: str, node: int, day: _dt.date, sequence: int) -> str:
    """Compose a platform trace code; the allocator keeps (district, node, day, sequence) unique."""
    if not 1 <= node <= 9999 or not 0 <= sequence <= 9999 or not 2000 <= day.year <= 2099:
        raise IdentifierError(f"node {node}, sequence {sequence} or day {day} out of range for a trace code")
    body = f"{district}{node:04d}{day:%y%m%d}{sequence:04d}"
    return parse_platform_trace_code(body + mod_97_10.calc_check_digits(body)).code


def format_platform_trace_code(code: str, *, grouped: bool = True) -> str:
    """The receipt form ``3502030012-250115-004237`` (24 characters), or the plain 22 digits."""
    value = parse_platform_trace_code(code).code
    return f"{value[:10]}-{value[10:16]}-{value[16:]}" if grouped else value

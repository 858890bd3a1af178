"""The GS1 Application Identifier table: formats, character sets, check digits, dates, DL roles.

Every AI of the GS1 General Specifications (GS1 GS 25, §3.2 "GS1 Application Identifiers in
numerical order", as published in the GS1 Barcode Syntax Dictionary) with its data format in the
notation of GS1 GS §3.1 (``N14``: 14 digits; ``X..20``: 1 to 20 characters of GS1 AI encodable
character set 82; ``Y``: set 39; ``Z``: set 64; ``[+…]``: an optional component) and its data title.
The table was cross-checked against the AI table that ``biip`` ships (tests/identifiers keep checking
it) and against the GS1 Digital Link toolkit's table in ``make conformance``.

On top of the format, this module knows what the GS1 standards say about each AI that a parser needs:

* the AI length by its first two digits (GS1 GS §3.2: AIs sharing their first two digits have
  the same length) and the *predefined-length* AIs that need no FNC1 separator (GS1 GS Figure 7.8.5-2);
* where the GS1 check digit sits (GS1 GS §7.9.1) for keys such as the GTIN, SSCC, GLN, GDTI, GRAI;
* dates (YYMMDD with the century rule of GS1 GS §7.12, DD = 00 meaning "end of month" where GS1 GS
  §3.4 allows it) and date-times;
* the roles in a GS1 Digital Link URI (GS1 Digital Link URI Syntax 1.2 §4.4-4.5): primary key (I),
  key qualifier (Q) or data attribute (D), the qualifier paths of each primary key and the
  DL 1.0 short names (``gtin``, ``lot``, ``ser`` …).

Pure Python, no Django, no regular expression at run time: values are checked against frozen sets.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .gs1 import CSET39, CSET82, IdentifierError, gs1_check_digit

__all__ = [
    "AI_TABLE",
    "AiInfo",
    "Component",
    "ai_info",
    "ai_length",
    "check_ai_value",
    "gs1_date",
    "predefined_length",
]

#: GS1 AI encodable character set 64 (GS1 GS §7.11, Figure 7.11-3): the file-safe URI-safe base64
#: alphabet plus '=' for padding; used by AI 8030 (DigSig).
CSET64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
_DIGITS = frozenset("0123456789")
_CSETS = {"N": _DIGITS, "X": CSET82, "Y": CSET39, "Z": CSET64}
_MINUS = frozenset("-")
_CSET_NAMES = {
    "N": "digits 0-9",
    "X": "GS1 AI encodable character set 82",
    "Y": "GS1 AI encodable character set 39",
    "Z": "GS1 AI encodable character set 64",
}

# AI, format (GS1 GS §3.1 notation, without the AI itself), data title. A range ``3100-3105`` stands
# for consecutive AIs that share format and title (the last digit of 31nn-36nn, 39nn is the decimal
# point position or a currency/country variant: GS1 GS §3.6-§3.7).
_RAW = """
00        N18          SSCC
01        N14          GTIN
02        N14          CONTENT
03        N14          MTO GTIN
10        X..20        BATCH/LOT
11        N6           PROD DATE
12        N6           DUE DATE
13        N6           PACK DATE
15        N6           BEST BEFORE or BEST BY
16        N6           SELL BY
17        N6           USE BY or EXPIRY
20        N2           VARIANT
21        X..20        SERIAL
22        X..20        CPV
235       X..28        TPX
240       X..30        ADDITIONAL ID
241       X..30        CUST. PART No.
242       N..6         MTO VARIANT
243       X..20        PCN
250       X..30        SECONDARY SERIAL
251       X..30        REF. TO SOURCE
253       N13[+X..17]  GDTI
254       X..20        GLN EXTENSION COMPONENT
255       N13[+N..12]  GCN
30        N..8         VAR. COUNT
3100-3105 N6           NET WEIGHT (kg)
3110-3115 N6           LENGTH (m)
3120-3125 N6           WIDTH (m)
3130-3135 N6           HEIGHT (m)
3140-3145 N6           AREA (m²)
3150-3155 N6           NET VOLUME (l)
3160-3165 N6           NET VOLUME (m³)
3200-3205 N6           NET WEIGHT (lb)
3210-3215 N6           LENGTH (in)
3220-3225 N6           LENGTH (ft)
3230-3235 N6           LENGTH (yd)
3240-3245 N6           WIDTH (in)
3250-3255 N6           WIDTH (ft)
3260-3265 N6           WIDTH (yd)
3270-3275 N6           HEIGHT (in)
3280-3285 N6           HEIGHT (ft)
3290-3295 N6           HEIGHT (yd)
3300-3305 N6           GROSS WEIGHT (kg)
3310-3315 N6           LENGTH (m), log
3320-3325 N6           WIDTH (m), log
3330-3335 N6           HEIGHT (m), log
3340-3345 N6           AREA (m²), log
3350-3355 N6           VOLUME (l), log
3360-3365 N6           VOLUME (m³), log
3370-3375 N6           KG PER m²
3400-3405 N6           GROSS WEIGHT (lb)
3410-3415 N6           LENGTH (in), log
3420-3425 N6           LENGTH (ft), log
3430-3435 N6           LENGTH (yd), log
3440-3445 N6           WIDTH (in), log
3450-3455 N6           WIDTH (ft), log
3460-3465 N6           WIDTH (yd), log
3470-3475 N6           HEIGHT (in), log
3480-3485 N6           HEIGHT (ft), log
3490-3495 N6           HEIGHT (yd), log
3500-3505 N6           AREA (in²)
3510-3515 N6           AREA (ft²)
3520-3525 N6           AREA (yd²)
3530-3535 N6           AREA (in²), log
3540-3545 N6           AREA (ft²), log
3550-3555 N6           AREA (yd²), log
3560-3565 N6           NET WEIGHT (troy oz)
3570-3575 N6           NET VOLUME (oz)
3600-3605 N6           NET VOLUME (qt)
3610-3615 N6           NET VOLUME (gal.)
3620-3625 N6           VOLUME (qt), log
3630-3635 N6           VOLUME (gal.), log
3640-3645 N6           NET VOLUME (in³)
3650-3655 N6           NET VOLUME (ft³)
3660-3665 N6           NET VOLUME (yd³)
3670-3675 N6           VOLUME (in³), log
3680-3685 N6           VOLUME (ft³), log
3690-3695 N6           VOLUME (yd³), log
37        N..8         COUNT
3900-3909 N..15        AMOUNT
3910-3919 N3+N..15     AMOUNT
3920-3929 N..15        PRICE
3930-3939 N3+N..15     PRICE
3940-3943 N4           PRCNT OFF
3950-3955 N6           PRICE/UoM
400       X..30        ORDER NUMBER
401       X..30        GINC
402       N17          GSIN
403       X..30        ROUTE
410       N13          SHIP TO LOC
411       N13          BILL TO
412       N13          PURCHASE FROM
413       N13          SHIP FOR LOC
414       N13          LOC No.
415       N13          PAY TO
416       N13          PROD/SERV LOC
417       N13          PARTY
420       X..20        SHIP TO POST
421       N3+X..9      SHIP TO POST
422       N3           ORIGIN
423       N3+N..12     COUNTRY - INITIAL PROCESS
424       N3           COUNTRY - PROCESS
425       N3+N..12     COUNTRY - DISASSEMBLY
426       N3           COUNTRY - FULL PROCESS
427       X..3         ORIGIN SUBDIVISION
4300      X..35        SHIP TO COMP
4301      X..35        SHIP TO NAME
4302      X..70        SHIP TO ADD1
4303      X..70        SHIP TO ADD2
4304      X..70        SHIP TO SUB
4305      X..70        SHIP TO LOC
4306      X..70        SHIP TO REG
4307      X2           SHIP TO COUNTRY
4308      X..30        SHIP TO PHONE
4309      N20          SHIP TO GEO
4310      X..35        RTN TO COMP
4311      X..35        RTN TO NAME
4312      X..70        RTN TO ADD1
4313      X..70        RTN TO ADD2
4314      X..70        RTN TO SUB
4315      X..70        RTN TO LOC
4316      X..70        RTN TO REG
4317      X2           RTN TO COUNTRY
4318      X..20        RTN TO POST
4319      X..30        RTN TO PHONE
4320      X..35        SRV DESCRIPTION
4321      N1           DANGEROUS GOODS
4322      N1           AUTH LEAVE
4323      N1           SIG REQUIRED
4324      N10          NBEF DEL DT
4325      N10          NAFT DEL DT
4326      N6           REL DATE
4330      N6+[-]       MAX TEMP F
4331      N6+[-]       MAX TEMP C
4332      N6+[-]       MIN TEMP F
4333      N6+[-]       MIN TEMP C
7001      N13          NSN
7002      X..30        MEAT CUT
7003      N10          EXPIRY TIME
7004      N..4         ACTIVE POTENCY
7005      X..12        CATCH AREA
7006      N6           FIRST FREEZE DATE
7007      N6[+N6]      HARVEST DATE
7008      X..3         AQUATIC SPECIES
7009      X..10        FISHING GEAR TYPE
7010      X..2         PROD METHOD
7011      N6[+N4]      TEST BY DATE
7020      X..20        REFURB LOT
7021      X..20        FUNC STAT
7022      X..20        REV STAT
7023      X..30        GIAI - ASSEMBLY
7030      N3+X..27     PROCESSOR # 0
7031      N3+X..27     PROCESSOR # 1
7032      N3+X..27     PROCESSOR # 2
7033      N3+X..27     PROCESSOR # 3
7034      N3+X..27     PROCESSOR # 4
7035      N3+X..27     PROCESSOR # 5
7036      N3+X..27     PROCESSOR # 6
7037      N3+X..27     PROCESSOR # 7
7038      N3+X..27     PROCESSOR # 8
7039      N3+X..27     PROCESSOR # 9
7040      N1+X3        UIC+EXT
7041      X..4         UFRGT UNIT TYPE
710       X..20        NHRN PZN
711       X..20        NHRN CIP
712       X..20        NHRN CN
713       X..20        NHRN DRN
714       X..20        NHRN AIM
715       X..20        NHRN NDC
716       X..20        NHRN AIC
717       X..20        NHRN SRN
7230      X2+X..28     CERT # 0
7231      X2+X..28     CERT # 1
7232      X2+X..28     CERT # 2
7233      X2+X..28     CERT # 3
7234      X2+X..28     CERT # 4
7235      X2+X..28     CERT # 5
7236      X2+X..28     CERT # 6
7237      X2+X..28     CERT # 7
7238      X2+X..28     CERT # 8
7239      X2+X..28     CERT # 9
7240      X..20        PROTOCOL
7241      N2           AIDC MEDIA TYPE
7242      X..25        VCN
7250      N8           DOB
7251      N12          DOB TIME
7252      N1           BIO SEX
7253      X..40        FAMILY NAME
7254      X..40        GIVEN NAME
7255      X..10        SUFFIX
7256      X..90        FULL NAME
7257      X..70        PERSON ADDR
7258      N1+X1+N1     BIRTH SEQUENCE
7259      X..40        BABY
8001      N14          DIMENSIONS
8002      X..20        CMT No.
8003      N14[+X..16]  GRAI
8004      X..30        GIAI
8005      N6           PRICE PER UNIT
8006      N14+N2+N2    ITIP
8007      X..34        IBAN
8008      N8[+N..4]    PROD TIME
8009      X..50        OPTSEN
8010      Y..30        CPID
8011      N..12        CPID SERIAL
8012      X..20        VERSION
8013      X..25        GMN
8014      X..25        MUDI
8017      N18          GSRN - PROVIDER
8018      N18          GSRN - RECIPIENT
8019      N..10        SRIN
8020      X..25        REF No.
8026      N14+N2+N2    ITIP CONTENT
8030      Z..90        DIGSIG
8040      N15          IMEI
8041      N15          IMEI2
8042      N32          ESIM
8043      N18+[N1..N2] PSIM
8110      X..70        -
8111      N4           POINTS
8112      X..70        -
8200      X..70        PRODUCT URL
90        X..30        INTERNAL
91-99     X..90        INTERNAL
"""


@dataclass(frozen=True, slots=True)
class Component:
    """One component of an AI's data: character set ('N', 'X', 'Y', 'Z', or '-' for the optional
    minus sign of AIs 4330-4333), minimum and maximum length, and whether it may be left out."""

    cset: str
    min_length: int
    max_length: int
    optional: bool = False


@dataclass(frozen=True, slots=True)
class AiInfo:
    """What the GS1 standards say about one Application Identifier.

    ``role`` is the GS1 Digital Link role: 'I' primary key, 'Q' key qualifier, 'D' data attribute.
    ``qualifier_paths`` lists, for a primary key, the allowed qualifier sequences in their required
    order (GS1 DL URI Syntax 1.2 §4.5 ABNF, e.g. ``gtin-path`` 22/10/21 and ``upui-path`` 235).
    ``check_digit_at`` is the 1-based position of the GS1 check digit, -1 for "the last digit",
    None when the AI has none. ``date`` names the date syntax the AI carries, if any.
    """

    ai: str
    format: str
    title: str
    components: tuple[Component, ...]
    predefined_length: bool
    role: str = "D"
    short_name: str | None = None
    qualifier_paths: tuple[tuple[str, ...], ...] = ()
    check_digit_at: int | None = None
    date: str | None = None

    @property
    def max_length(self) -> int:
        return sum(c.max_length for c in self.components)

    @property
    def min_length(self) -> int:
        return sum(c.min_length for c in self.components if not c.optional)

    @property
    def is_fixed_length(self) -> bool:
        return self.min_length == self.max_length


# --------------------------------------------------------------------------------------------
# Tables that are not in the format column.
# --------------------------------------------------------------------------------------------

#: Length of an AI by its first two digits (GS1 GS §3.2 and the "AI prefix" table of GS1 parsers).
AI_LENGTH_BY_PREFIX: dict[str, int] = {
    **dict.fromkeys(("00", "01", "02", "03", "10", "11", "12", "13", "15", "16", "17", "20", "21", "22"), 2),
    **dict.fromkeys(("23", "24", "25"), 3),
    "30": 2,
    **dict.fromkeys(("31", "32", "33", "34", "35", "36"), 4),
    "37": 2,
    "39": 4,
    **dict.fromkeys(("40", "41", "42"), 3),
    "43": 4,
    "70": 4,
    "71": 3,
    "72": 4,
    **dict.fromkeys(("80", "81", "82"), 4),
    **dict.fromkeys(("90", "91", "92", "93", "94", "95", "96", "97", "98", "99"), 2),
}

#: Element strings whose length (AI included) is predefined by their first two digits, so that no
#: FNC1 separator follows them (GS1 GS §7.8.5, Figure 7.8.5-2). Every other AI is terminated by FNC1
#: (GS, ASCII 29) unless it is the last one of the barcode.
PREDEFINED_LENGTH: dict[str, int] = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
    "11": 8, "12": 8, "13": 8, "14": 8, "15": 8, "16": 8, "17": 8, "18": 8, "19": 8,
    "20": 4,
    "31": 10, "32": 10, "33": 10, "34": 10, "35": 10, "36": 10,
    "41": 16,
}  # fmt: skip

#: GS1 Digital Link primary keys and their qualifier paths (GS1 DL URI Syntax 1.2 §4.5, ABNF).
_PRIMARY_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "00": ((),),
    "01": (("22", "10", "21"), ("235",)),
    "253": ((),),
    "255": ((),),
    "401": ((),),
    "402": ((),),
    "410": ((),),
    "411": ((),),
    "412": ((),),
    "413": ((),),
    "414": (("254",), ("7040",)),
    "415": (("8020",),),
    "416": ((),),
    "417": ((), ("7040",)),
    "8003": ((),),
    "8004": ((), ("7040",)),
    "8006": (("22", "10", "21"),),
    "8010": (("8011",),),
    "8013": ((),),
    "8017": (("8019",),),
    "8018": (("8019",),),
}
_QUALIFIERS = frozenset({"22", "10", "21", "235", "254", "7040", "8011", "8019", "8020"})

#: GS1 Digital Link 1.0 short names (GS1 DL 1.0 §6, still read by DL 1.2 resolvers).
SHORT_NAMES: dict[str, str] = {
    "00": "sscc", "01": "gtin", "10": "lot", "17": "exp", "21": "ser", "22": "cpv", "253": "gdti",
    "254": "glnx", "255": "gcn", "401": "ginc", "402": "gsin", "410": "shipTo", "411": "billTo",
    "412": "purchasedFrom", "413": "shipFor", "414": "gln", "415": "payTo", "416": "glnProd",
    "417": "party", "7003": "expdt", "8003": "grai", "8004": "giai", "8006": "itip", "8010": "cpid",
    "8011": "cpsn", "8013": "gmn", "8017": "gsrnp", "8018": "gsrn", "8019": "srin", "8020": "refno",
}  # fmt: skip
SHORT_NAME_TO_AI: dict[str, str] = {name: ai for ai, name in SHORT_NAMES.items()}

#: Position of the GS1 check digit (GS1 GS §7.9.1); -1 = last digit of the value.
_CHECK_DIGIT_AT: dict[str, int] = {
    "00": -1, "01": -1, "02": -1, "03": -1, "402": -1,
    "410": -1, "411": -1, "412": -1, "413": -1, "414": -1, "415": -1, "416": -1, "417": -1,
    "8017": -1, "8018": -1, "253": 13, "255": 13, "8003": 14, "8006": 14, "8026": 14,
}  # fmt: skip

#: Date syntaxes (GS1 GS §3.4 and §7.12). 'yymmd0': YYMMDD where DD may be 00 (end of month);
#: 'yymmdd': a real calendar date; 'yymmdd2': one or two dates (AI 7007 harvest date range);
#: 'yymmddhhmm': date and time to the minute; 'yymmddhh..': date, hour, optional minutes and seconds;
#: 'yymmdd+hhmm': date with optional time (AI 7011 test by date).
_DATES: dict[str, str] = {
    "11": "yymmd0", "12": "yymmd0", "13": "yymmd0", "15": "yymmd0", "16": "yymmd0", "17": "yymmd0",
    "4326": "yymmdd", "7006": "yymmdd", "7007": "yymmdd2", "7003": "yymmddhhmm", "4324": "yymmddhhmm",
    "4325": "yymmddhhmm", "8008": "yymmddhh..", "7011": "yymmdd+hhmm",
}  # fmt: skip


def _components(fmt: str) -> tuple[Component, ...]:
    """Parse GS1 GS §3.1 format notation (``N13[+X..17]``, ``N6+[-]``, ``N18+[N1..N2]``)."""
    parts: list[Component] = []
    for raw in fmt.replace("[+", "+[").split("+"):
        optional = raw.startswith("[")
        text = raw.strip("[]")
        if text == "-":
            parts.append(Component("-", 1, 1, True))
            continue
        cset, size = text[0], text[1:].replace("N", "")
        if size.startswith(".."):
            low, high = 1, int(size[2:])
        elif ".." in size:
            low_text, high_text = size.split("..")
            low, high = int(low_text), int(high_text)
        else:
            low = high = int(size)
        parts.append(Component(cset, low, high, optional))
    return tuple(parts)


def _build_table() -> dict[str, AiInfo]:
    table: dict[str, AiInfo] = {}
    for line in _RAW.strip().splitlines():
        span, fmt, title = line.split(None, 2)
        first, _, last = span.partition("-")
        ais = [first] if not last else [str(n).zfill(len(first)) for n in range(int(first), int(last) + 1)]
        components = _components(fmt)
        for ai in ais:
            role = "I" if ai in _PRIMARY_KEYS else "Q" if ai in _QUALIFIERS else "D"
            table[ai] = AiInfo(
                ai=ai,
                format=fmt,
                title=title,
                components=components,
                predefined_length=ai[:2] in PREDEFINED_LENGTH,
                role=role,
                short_name=SHORT_NAMES.get(ai),
                qualifier_paths=_PRIMARY_KEYS.get(ai, ()),
                check_digit_at=_CHECK_DIGIT_AT.get(ai),
                date=_DATES.get(ai),
            )
    return table


#: Every GS1 Application Identifier, by AI.
AI_TABLE: dict[str, AiInfo] = _build_table()


def ai_info(ai: str) -> AiInfo:
    """The :class:`AiInfo` of ``ai``; raises :class:`IdentifierError` for an unknown AI."""
    info = AI_TABLE.get(ai)
    if info is None:
        raise IdentifierError(f"({ai}) is not a GS1 Application Identifier (GS1 GS §3.2)")
    return info


def ai_length(data: str, position: int = 0) -> int:
    """How many digits the AI starting at ``data[position]`` has, by its first two digits."""
    length = AI_LENGTH_BY_PREFIX.get(data[position : position + 2])
    if length is None:
        raise IdentifierError(
            f"no GS1 Application Identifier starts with {data[position : position + 2]!r} (GS1 GS §3.2)"
        )
    return length


def predefined_length(ai: str) -> int | None:
    """The predefined total length (AI + data) of an element string, or None (GS1 GS Fig. 7.8.5-2)."""
    return PREDEFINED_LENGTH.get(ai[:2])


# --------------------------------------------------------------------------------------------
# Value checks.
# --------------------------------------------------------------------------------------------


def gs1_date(yymmdd: str, *, today: _dt.date | None = None, zero_day: bool = False) -> _dt.date:
    """The calendar date of a GS1 ``YYMMDD`` value.

    The century follows GS1 GS §7.12: with ``today``'s two-digit year C, a YY with YY - C in 51..99
    is in the previous century, in -99..-50 in the next, else in the current one. With ``zero_day``
    a DD of 00 means the last day of the month (GS1 GS §3.4.2, AIs 11-17).
    """
    if len(yymmdd) != 6 or not (yymmdd.isascii() and yymmdd.isdigit()):
        raise IdentifierError(f"date {yymmdd!r} must be six digits YYMMDD")
    today = today or _dt.date.today()
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = today.year - today.year % 100
    difference = yy - today.year % 100
    if 51 <= difference <= 99:
        century -= 100
    elif -99 <= difference <= -50:
        century += 100
    year = century + yy
    if not 1 <= month <= 12:
        raise IdentifierError(f"date {yymmdd!r} has month {yymmdd[2:4]}; 01-12 required")
    last = _last_day(year, month)
    if day == 0 and zero_day:
        return _dt.date(year, month, last)
    if not 1 <= day <= last:
        raise IdentifierError(
            f"date {yymmdd!r} has day {yymmdd[4:]}, which {year}-{month:02d} does not have"
            + (" (00 means the end of the month)" if zero_day else "")
        )
    return _dt.date(year, month, day)


def _last_day(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _check_time(value: str, ai: str) -> None:
    # hh 00-23, mm 00-59, ss 00-59 (GS1 GS §3.4, e.g. AI 7003 "YYMMDDHHMM"; 24 is not an hour).
    limits = (24, 60, 60)
    for index in range(0, len(value), 2):
        if int(value[index : index + 2]) >= limits[index // 2]:
            raise IdentifierError(f"({ai}) time {value!r} is not a valid hhmm[ss] time of day")


def _check_date(ai: str, kind: str, value: str) -> None:
    where = f"({ai}) {value!r}"
    try:
        if kind == "yymmd0":
            gs1_date(value, zero_day=True)
        elif kind == "yymmdd":
            gs1_date(value)
        elif kind == "yymmdd2":
            gs1_date(value[:6])
            if len(value) == 12:
                gs1_date(value[6:])
            elif len(value) != 6:
                raise IdentifierError("a harvest date is YYMMDD or YYMMDDYYMMDD")
        elif kind == "yymmddhhmm":
            gs1_date(value[:6])
            _check_time(value[6:], ai)
        elif kind == "yymmddhh..":
            gs1_date(value[:6])
            if len(value) % 2:
                raise IdentifierError("date-time digits come in pairs")
            _check_time(value[6:], ai)
        elif kind == "yymmdd+hhmm":
            gs1_date(value[:6])
            if len(value) not in (6, 10):
                raise IdentifierError("a date with optional time is YYMMDD or YYMMDDhhmm")
            _check_time(value[6:], ai)
    except IdentifierError as error:
        raise IdentifierError(f"{where} is not a valid date: {error}") from None


def check_ai_value(ai: str, value: str) -> AiInfo:
    """Check ``value`` against everything GS1 says about ``ai``; return the :class:`AiInfo`.

    Checks the components' lengths and character sets (GS1 GS §3.1, §7.11), the GS1 check digit
    (§7.9.1), dates (§3.4, §7.12) and the few fixed vocabularies (yes/no flags of AIs 4321-4323,
    the leading digit of AI 7040). Raises :class:`IdentifierError` naming the AI and the reason.
    """
    info = ai_info(ai)
    position = 0
    size = len(value)
    for component in info.components:
        rest = size - position
        if rest == 0 and component.optional:
            break
        # Fixed-length components take their length; a variable one is always the last (GS1 GS §3.1).
        take = min(component.max_length, rest)
        if take < component.min_length:
            raise IdentifierError(f"({ai}) value {value!r} is too short: format {info.format} (GS1 GS §3.2)")
        allowed = _CSETS.get(component.cset, _MINUS)
        for char in value[position : position + take]:
            if char not in allowed:
                name = _CSET_NAMES.get(component.cset, "'-'")
                raise IdentifierError(
                    f"({ai}) value {value!r} contains {char!r}, which is not allowed there ({name}; "
                    f"format {info.format})"
                )
        position += take
    if position != size:
        raise IdentifierError(
            f"({ai}) value {value!r} has {size} characters; format {info.format} allows "
            f"{info.min_length}..{info.max_length}"
        )
    if info.check_digit_at is not None:
        end = size if info.check_digit_at == -1 else info.check_digit_at
        digits = value[:end]
        if len(digits) >= 2 and digits[-1] != gs1_check_digit(digits[:-1]):
            raise IdentifierError(
                f"({ai}) {value}: wrong GS1 check digit {digits[-1]} at position {end}; "
                f"expected {gs1_check_digit(digits[:-1])} (GS1 GS §7.9.1)"
            )
    if info.date is not None:
        _check_date(ai, info.date, value)
    if ai in ("4321", "4322", "4323") and value not in ("0", "1"):
        raise IdentifierError(f"({ai}) {value!r} must be 0 (no) or 1 (yes)")
    return info

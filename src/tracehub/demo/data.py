"""Master data of the demo data set (示范数据主数据): parties, locations and products, described once.

The events of :mod:`tracehub.demo.events` carry identifiers only; names, addresses, licences and
product attributes live here, so that the registry (DESIGN.md §2, ``registry/``) can file the same
parties, locations and products later without the events changing.

Everything is invented. The names are plausible for Xiamen but belong to no real company. The
统一社会信用代码 (unified social credit codes, GB 32100-2015) carry valid check characters, computed
with python-stdnum (``stdnum.cn.uscc``) over an organisation code (组织机构代码, GB 11714-1997) whose
own check character is computed here, but nobody is registered under them. The GS1 company prefixes
(厂商识别代码) lie in the ranges GS1 China (690-699) and GS1 France (300-379) allocate and may
coincide with real allocations: one more reason ``make run`` loads the demo into an empty store only.

Identifiers (DESIGN.md §3):

* A party with a GS1 company prefix is named by its PGLN (``urn:epc:id:pgln:…``), its locations by
  SGLNs (``urn:epc:id:sgln:…``; a market stall or a dock is an SGLN extension of its site's GLN),
  its products by GTINs (serialised items as SGTINs, lots as LGTINs), its cases by SSCCs, and the
  business transactions it issues as ``urn:epcglobal:cbv:bt:<GLN>:<number>`` (CBV 2.0 §8.5).
* A party without one (a small farm, a cooperative, a stall holder, a small shop) gets platform
  URIs. The platform's namespace for non-GS1 codes is not designed yet (DESIGN.md §3 asks for one
  documented namespace with a check character); until it is, the demo uses ``urn:tracehub:`` URIs,
  all built by :func:`platform_uri`. The party code in them is the party's 统一社会信用代码, which
  carries its own check character:

  ==========================================  ==================================================
  ``urn:tracehub:party:<USCC>``               a party (主体)
  ``urn:tracehub:loc:<USCC>:<ref>``           a location (场所) of the party
  ``urn:tracehub:product:<USCC>:<item>``      a product (品种) of the party
  ``urn:tracehub:lot:<USCC>:<item>:<lot>``    a lot (批次) of that product: a class, used as epcClass
  ``urn:tracehub:bt:<USCC>:<number>``         a business transaction the party issued (order, invoice)
  ``urn:tracehub:eartag:<15 digits>``         a livestock ear tag (畜禽标识): species digit (1 = pig),
                                              county code (GB/T 2260), 8-digit serial
  ``urn:tracehub:doc:<kind>:<number>``        an official document (certificate, customs declaration,
                                              bill of lading); the kinds are :data:`DOCUMENT_KINDS`
  ``urn:tracehub:realname:<USCC>:<number>``   a seller's real-name purchase record (实名购买记录, G5);
                                              the record names the buyer, the URI does not
  ==========================================  ==================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import ean
from stdnum.cn import uscc as stdnum_uscc

#: The districts (市辖区) of Xiamen by GB/T 2260 code: (Chinese name, English name).
XIAMEN_DISTRICTS: dict[str, tuple[str, str]] = {
    "350203": ("思明区", "Siming"),
    "350205": ("海沧区", "Haicang"),
    "350206": ("湖里区", "Huli"),
    "350211": ("集美区", "Jimei"),
    "350212": ("同安区", "Tong'an"),
    "350213": ("翔安区", "Xiang'an"),
}

#: The prefix of every platform URI for a code without a GS1 key (see the module docstring).
PLATFORM_URN = "urn:tracehub:"

#: Kinds of official document referred to by ``urn:tracehub:doc:<kind>:<number>``.
DOCUMENT_KINDS: dict[str, str] = {
    "animal_quarantine_certificate": "动物检疫合格证明 (animal or animal product quarantine certificate)",
    "meat_quality_certificate": "肉品品质检验合格证 (a slaughterhouse's meat quality certificate)",
    "produce_compliance_certificate": "承诺达标合格证 (producer's compliance certificate for farm produce)",
    "entry_inspection_certificate": "入境货物检验检疫证明 (customs inspection certificate of imports)",
    "customs_declaration": "进口货物报关单 (import customs declaration)",
    "bill_of_lading": "提单 (ocean bill of lading)",
    "export_health_certificate": "出口国官方卫生证书 (official health certificate of the exporting country)",
}


def platform_uri(kind: str, *parts: str) -> str:
    """A platform URI ``urn:tracehub:<kind>:<part>:…`` for a code without a GS1 key."""
    return PLATFORM_URN + ":".join((kind, *parts))


def document_uri(kind: str, number: str) -> str:
    """The URI of an official document (certificate, declaration …) by its kind and number."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    return platform_uri("doc", kind, number)


def ear_tag(county: str, serial: int, *, species: str = "1") -> str:
    """A livestock ear tag (畜禽标识, 15 digits): species code (1 pig, 2 cattle, 3 sheep), the
    GB/T 2260 code of the county where the animal is registered, an 8-digit serial."""
    return platform_uri("eartag", f"{species}{county}{serial:08d}")


# ------------------------------------------------------------------------------------------------
# Check characters.
# ------------------------------------------------------------------------------------------------

_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
#: The characters a 统一社会信用代码 may contain (GB 32100-2015: no I, O, S, V, Z).
USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")


def organisation_code(body: str) -> str:
    """The 9-character organisation code (组织机构代码, GB 11714-1997): ``body`` and its check character.

    Each character counts its value (0-9, A = 10 … Z = 35), weighted 3, 7, 9, 10, 5, 8, 4, 2;
    the check is 11 minus the sum modulo 11, written X for 10 and 0 for 11.
    """
    if len(body) != 8 or not USCC_ALPHABET.issuperset(body):
        raise ValueError(f"an organisation code body is 8 characters of {sorted(USCC_ALPHABET)}: {body!r}")
    total = sum(int(char, 36) * weight for char, weight in zip(body, _GB11714_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(kind: str, region: str, organisation_body: str) -> str:
    """A 统一社会信用代码: registering authority and entity kind (``91`` enterprise, ``92`` individual
    business 个体工商户, ``93`` farmers' cooperative 农民专业合作社), the GB/T 2260 code of the
    registering region, the organisation code, and the check character python-stdnum computes."""
    if len(kind) != 2 or len(region) != 6 or not (kind + region).isdigit():
        raise ValueError(f"bad USCC kind {kind!r} or region {region!r}")
    base = kind + region + organisation_code(organisation_body)
    return base + stdnum_uscc.calc_check_digit(base)


def with_check_digit(digits: str) -> str:
    """``digits`` followed by their GS1 mod-10 check digit (GTIN, GLN, SSCC), computed by python-stdnum."""
    return digits + ean.calc_check_digit(digits)


# ------------------------------------------------------------------------------------------------
# Parties, locations, products.
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A party (主体): an enterprise, a cooperative, an individual business or a foreign exporter.

    ``uscc`` is None only for a foreign party; ``company_prefix`` is None for a party without a
    GS1 company prefix, which then gets platform URIs. ``licences`` are (licence, number) pairs
    the registry will file (invented numbers).
    """

    key: str
    name: str
    name_en: str
    role: str
    uscc: str | None
    district: str | None
    company_prefix: str | None = None
    country: str = "CN"
    licences: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.uscc is None and self.company_prefix is None:
            raise ValueError(f"party {self.key} needs a USCC or a GS1 company prefix")

    @property
    def gln(self) -> str | None:
        """The party's own GLN (location reference all zeros), None without a company prefix."""
        if self.company_prefix is None:
            return None
        return with_check_digit(self.company_prefix.ljust(12, "0"))

    @property
    def id(self) -> str:
        """The party's identifier in events (source/destination of type owning_party)."""
        if self.company_prefix is not None:
            return f"urn:epc:id:pgln:{self.company_prefix}.{'0' * (12 - len(self.company_prefix))}"
        return platform_uri("party", self.uscc or "")

    def transaction(self, number: str) -> str:
        """The URI of a business transaction (order, invoice, delivery note) the party issued."""
        if self.gln is not None:
            return f"urn:epcglobal:cbv:bt:{self.gln}:{number}"
        return platform_uri("bt", self.uscc or "", number)

    def sscc(self, serial: int, *, extension: str = "0") -> str:
        """An SSCC (logistic unit: a case, a pallet) of the party as an EPC URN."""
        if self.company_prefix is None:
            raise ValueError(f"party {self.key} has no GS1 company prefix for SSCCs")
        width = 16 - len(self.company_prefix)
        if not 0 <= serial < 10**width:
            raise ValueError(f"SSCC serial reference {serial} does not fit in {width} digits")
        return f"urn:epc:id:sscc:{self.company_prefix}.{extension}{serial:0{width}d}"

    def realname_record(self, number: str) -> str:
        """A reference to the party's real-name purchase record (实名购买记录, G5)."""
        return platform_uri("realname", self.uscc or "", number)


@dataclass(frozen=True)
class Location:
    """A location (场所/节点): a site, or a read point inside one, held by ``party``.

    ``ref`` is the GLN location reference (the digits after the company prefix) for a party with
    a GS1 company prefix, a platform reference otherwise; ``extension`` is the SGLN extension
    (GLN extension component, AI 254) of a stall or a dock, ``"0"`` for none. ``operator`` is who
    works there when it is not the holder of the identifier (a stall holder in a market).
    """

    key: str
    party: Party
    name: str
    name_en: str
    ref: str
    district: str | None
    address: str
    extension: str = "0"
    operator: Party | None = None

    def __post_init__(self) -> None:
        prefix = self.party.company_prefix
        if prefix is not None and (len(prefix) + len(self.ref) != 12 or not self.ref.isdigit()):
            raise ValueError(
                f"location {self.key}: company prefix and location reference must make 12 digits"
            )

    @property
    def gln(self) -> str | None:
        """The site's GLN (without the extension), None for a party without a company prefix."""
        prefix = self.party.company_prefix
        return None if prefix is None else with_check_digit(prefix + self.ref)

    @property
    def id(self) -> str:
        """The location's identifier in events (readPoint, bizLocation, source/destination)."""
        prefix = self.party.company_prefix
        if prefix is not None:
            return f"urn:epc:id:sgln:{prefix}.{self.ref}.{self.extension}"
        suffix = self.ref if self.extension == "0" else f"{self.ref}.{self.extension}"
        return platform_uri("loc", self.party.uscc or "", suffix)


@dataclass(frozen=True)
class Product:
    """A product (产品/品种) of ``owner`` (the brand owner, whose company prefix its GTIN uses).

    ``indicator`` 9 marks a variable-measure trade item (fresh meat sold by weight); ``uom`` is the
    UN/ECE Recommendation 20 unit its quantities are counted in (KGM kilogram, H87 piece).
    ``sectors`` are the requirement IDs (G1-G6, E1) whose subsystems trace it.
    """

    key: str
    owner: Party
    name: str
    name_en: str
    item_ref: str
    uom: str
    sectors: tuple[str, ...]
    indicator: str = "0"
    attributes: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        prefix = self.owner.company_prefix
        if prefix is not None and (len(prefix) + len(self.item_ref) != 12 or not self.item_ref.isdigit()):
            raise ValueError(f"product {self.key}: company prefix and item reference must make 12 digits")

    @property
    def gtin(self) -> str | None:
        """The GTIN-14, None for a product with a platform code only."""
        prefix = self.owner.company_prefix
        return None if prefix is None else with_check_digit(self.indicator + prefix + self.item_ref)

    @property
    def platform_code(self) -> str:
        return platform_uri("product", self.owner.uscc or "", self.item_ref)

    @property
    def id(self) -> str:
        """The product class: every item and lot of it (an EPC pattern URI, or the platform code)."""
        if self.gtin is not None:
            return f"urn:epc:idpat:sgtin:{self.owner.company_prefix}.{self.indicator}{self.item_ref}.*"
        return self.platform_code

    def instance(self, serial: str) -> str:
        """One serialised item (SGTIN)."""
        if self.gtin is None:
            raise ValueError(f"product {self.key} has no GTIN for serialised items")
        return f"urn:epc:id:sgtin:{self.owner.company_prefix}.{self.indicator}{self.item_ref}.{serial}"

    def lot(self, lot: str) -> str:
        """A lot (批次) of the product as a class: an LGTIN, or a platform lot URI."""
        if self.gtin is not None:
            return f"urn:epc:class:lgtin:{self.owner.company_prefix}.{self.indicator}{self.item_ref}.{lot}"
        return platform_uri("lot", self.owner.uscc or "", self.item_ref, lot)


# -- parties -------------------------------------------------------------------------------------
# Pork chain (E1 meat distribution, G4 livestock, G1 food).
PIG_FARM = Party(
    key="pig_farm",
    name="厦门市同安区溪源生猪养殖场",
    name_en="Xiyuan Pig Farm, Tong'an",
    role="pig farm (生猪养殖场)",
    uscc=make_uscc("91", "350212", "MA2YT4K8"),
    district="350212",
    licences=(("动物防疫条件合格证", "(同)动防合字第350212-0317号"),),
)
SLAUGHTERHOUSE = Party(
    key="slaughterhouse",
    name="厦门翔润肉类食品有限公司",
    name_en="Xiamen Xiangrun Meat Foods Co., Ltd.",
    role="designated pig slaughterhouse (生猪定点屠宰厂)",
    uscc=make_uscc("91", "350200", "26014375"),
    district="350213",
    company_prefix="695318204",
    licences=(("生猪定点屠宰证", "A35021302"), ("食品生产许可证", "SC10435021300218")),
)
WHOLESALE_MARKET = Party(
    key="wholesale_market",
    name="厦门鹭湖农副产品批发市场有限公司",
    name_en="Xiamen Luhu Agricultural Products Wholesale Market Co., Ltd.",
    role="wholesale market operator (农产品批发市场)",
    uscc=make_uscc("91", "350200", "70541982"),
    district="350206",
    company_prefix="694026713",
)
MEAT_TRADER = Party(
    key="meat_trader",
    name="厦门市湖里区鑫鹭肉类批发商行",
    name_en="Xinlu Meat Wholesale, Huli",
    role="meat wholesaler trading at the wholesale market (批发商户)",
    uscc=make_uscc("92", "350206", "MA33RW1P"),
    district="350206",
)
SUPERMARKET = Party(
    key="supermarket",
    name="厦门鹭岛优鲜超市有限公司",
    name_en="Xiamen Ludao Youxian Supermarket Co., Ltd.",
    role="supermarket (超市)",
    uscc=make_uscc("91", "350203", "MA2XN6Q3"),
    district="350203",
    company_prefix="697240156",
    licences=(("食品经营许可证", "JY13502030041726"),),
)
# Vegetable chain (G4 farm produce, E1 farmers' market, G1 food).
VEG_COOP = Party(
    key="veg_coop",
    name="厦门市集美区后溪绿野蔬菜专业合作社",
    name_en="Lüye Vegetable Cooperative, Houxi, Jimei",
    role="vegetable growers' cooperative (蔬菜专业合作社)",
    uscc=make_uscc("93", "350211", "MA31D8F2"),
    district="350211",
)
FARMERS_MARKET = Party(
    key="farmers_market",
    name="厦门海沧新阳农贸市场管理有限公司",
    name_en="Xiamen Haicang Xinyang Farmers' Market Management Co., Ltd.",
    role="farmers' market operator (农贸市场)",
    uscc=make_uscc("91", "350205", "MA2Y1H7C"),
    district="350205",
    company_prefix="696153847",
)
VEG_VENDOR = Party(
    key="veg_vendor",
    name="厦门市海沧区鲜丰蔬菜店",
    name_en="Xianfeng Vegetables, Haicang",
    role="vegetable stall holder at the farmers' market (摊位经营户)",
    uscc=make_uscc("92", "350205", "MA34K9T1"),
    district="350205",
)
# Imported wine chain (G6 imported food, G3 liquor).
WINERY = Party(
    key="winery",
    name="SCEA Château Belvue-Sainte-Croix",
    name_en="SCEA Château Belvue-Sainte-Croix",
    role="French wine producer and exporter (境外出口商)",
    uscc=None,
    district=None,
    company_prefix="376008153",
    country="FR",
)
IMPORTER = Party(
    key="importer",
    name="厦门海韵进口酒业有限公司",
    name_en="Xiamen Haiyun Imported Wines Co., Ltd.",
    role="wine importer (进口商)",
    uscc=make_uscc("91", "350200", "MA2XG5B9"),
    district="350206",
    company_prefix="694877301",
    licences=(("进口食品进口商备案号", "3700IM20190417"), ("酒类流通备案登记", "350206100382")),
)
PORT_LOGISTICS = Party(
    key="port_logistics",
    name="厦门海沧鹭港国际物流有限公司",
    name_en="Xiamen Haicang Lugang International Logistics Co., Ltd.",
    role="operator of the customs-controlled inspection site at Haicang port (海关监管作业场所)",
    uscc=make_uscc("91", "350205", "MA31Q2W6"),
    district="350205",
    company_prefix="693508126",
)
WINE_SHOP_A = Party(
    key="wine_shop_a",
    name="厦门醇境酒业有限公司",
    name_en="Xiamen Chunjing Wines Co., Ltd.",
    role="wine shop (酒类零售)",
    uscc=make_uscc("91", "350203", "MA32P7E4"),
    district="350203",
)
WINE_SHOP_B = Party(
    key="wine_shop_b",
    name="厦门市集美区鹭韵酒行",
    name_en="Luyun Wine Shop, Jimei",
    role="wine shop (酒类零售)",
    uscc=make_uscc("92", "350211", "MA35C1N8"),
    district="350211",
)
# Drug chain (G2).
DRUG_MAKER = Party(
    key="drug_maker",
    name="厦门鹭康制药有限公司",
    name_en="Xiamen Lukang Pharmaceutical Co., Ltd.",
    role="drug manufacturer (药品生产企业)",
    uscc=make_uscc("91", "350200", "15472803"),
    district="350205",
    company_prefix="693205718",
    licences=(("药品生产许可证", "闽20160087"),),
)
DRUG_DISTRIBUTOR = Party(
    key="drug_distributor",
    name="厦门瑞禾医药有限公司",
    name_en="Xiamen Ruihe Pharmaceutical Distribution Co., Ltd.",
    role="drug wholesaler (药品批发企业)",
    uscc=make_uscc("91", "350211", "MA2Y8U3L"),
    district="350211",
    company_prefix="695640293",
    licences=(("药品经营许可证", "闽AA5920316"),),
)
PHARMACY_A = Party(
    key="pharmacy_a",
    name="厦门鹭安大药房有限公司",
    name_en="Xiamen Lu'an Pharmacy Co., Ltd.",
    role="retail pharmacy (零售药店)",
    uscc=make_uscc("91", "350203", "MA2XU4H1"),
    district="350203",
    company_prefix="696902417",
    licences=(("药品经营许可证", "闽CB5920358"),),
)
PHARMACY_B = Party(
    key="pharmacy_b",
    name="厦门惠众大药房有限公司",
    name_en="Xiamen Huizhong Pharmacy Co., Ltd.",
    role="retail pharmacy (零售药店)",
    uscc=make_uscc("91", "350206", "MA33F6R2"),
    district="350206",
    licences=(("药品经营许可证", "闽CB5920412"),),
)
# Pesticide chain (G5 agricultural inputs).
PESTICIDE_MAKER = Party(
    key="pesticide_maker",
    name="江苏禾盛农化有限公司",
    name_en="Jiangsu Hesheng Agrochemical Co., Ltd.",
    role="pesticide manufacturer (农药生产企业), Rudong, Jiangsu",
    uscc=make_uscc("91", "320623", "13845206"),
    district=None,
    company_prefix="692837461",
    licences=(("农药生产许可证", "农药生许(苏)0217"),),
)
AGRI_DEALER = Party(
    key="agri_dealer",
    name="厦门市同安区丰民农资经营部",
    name_en="Fengmin Agricultural Inputs Store, Tong'an",
    role="agricultural input dealer (农资经营店)",
    uscc=make_uscc("92", "350212", "MA34W2Y7"),
    district="350212",
    licences=(("农药经营许可证", "农药经许(闽)35021220019"),),
)
FAMILY_FARM = Party(
    key="family_farm",
    name="厦门市同安区汀溪碧岭家庭农场",
    name_en="Biling Family Farm, Tingxi, Tong'an",
    role="family farm growing tea and vegetables (家庭农场)",
    uscc=make_uscc("92", "350212", "MA36B3K5"),
    district="350212",
)

PARTIES: dict[str, Party] = {
    party.key: party
    for party in (
        PIG_FARM, SLAUGHTERHOUSE, WHOLESALE_MARKET, MEAT_TRADER, SUPERMARKET,
        VEG_COOP, FARMERS_MARKET, VEG_VENDOR,
        WINERY, IMPORTER, PORT_LOGISTICS, WINE_SHOP_A, WINE_SHOP_B,
        DRUG_MAKER, DRUG_DISTRIBUTOR, PHARMACY_A, PHARMACY_B,
        PESTICIDE_MAKER, AGRI_DEALER, FAMILY_FARM,
    )
}  # fmt: skip


# -- locations -----------------------------------------------------------------------------------
# Read points inside a site (a lairage, a line, a dock) share the site's address.
_SLAUGHTER_ADDRESS = "翔安区内厝镇莲塘路66号"
_MARKET_ADDRESS = "湖里区枋湖北二路1号"
_FARMERS_MARKET_ADDRESS = "海沧区新阳街道新景路200号"
_DRUG_PLANT_ADDRESS = "海沧区新阳工业区翁角路268号"

PIG_FARM_SITE = Location(
    "pig_farm_site", PIG_FARM, "溪源生猪养殖场", "Xiyuan pig farm", "1", "350212", "同安区莲花镇溪源路18号"
)
SLAUGHTER_PLANT = Location(
    "slaughter_plant",
    SLAUGHTERHOUSE,
    "翔润屠宰厂",
    "Xiangrun slaughter plant",
    "001",
    "350213",
    _SLAUGHTER_ADDRESS,
)
SLAUGHTER_LAIRAGE = Location(
    "slaughter_lairage",
    SLAUGHTERHOUSE,
    "翔润屠宰厂待宰圈",
    "Xiangrun lairage",
    "002",
    "350213",
    _SLAUGHTER_ADDRESS,
)
SLAUGHTER_LINE = Location(
    "slaughter_line",
    SLAUGHTERHOUSE,
    "翔润屠宰厂屠宰线",
    "Xiangrun slaughter line",
    "003",
    "350213",
    _SLAUGHTER_ADDRESS,
)
SLAUGHTER_DISPATCH = Location(
    "slaughter_dispatch",
    SLAUGHTERHOUSE,
    "翔润屠宰厂发货口",
    "Xiangrun dispatch",
    "004",
    "350213",
    _SLAUGHTER_ADDRESS,
)
MARKET_SITE = Location(
    "market_site",
    WHOLESALE_MARKET,
    "鹭湖农副产品批发市场",
    "Luhu wholesale market",
    "001",
    "350206",
    _MARKET_ADDRESS,
)
MARKET_GATE = Location(
    "market_gate",
    WHOLESALE_MARKET,
    "鹭湖批发市场进场查验口",
    "Luhu market entry check",
    "002",
    "350206",
    _MARKET_ADDRESS,
)
MARKET_MEAT_STALL = Location(
    "market_meat_stall",
    WHOLESALE_MARKET,
    "鹭湖批发市场肉类交易区A018档",
    "Luhu market meat hall, stall A018",
    "001",
    "350206",
    _MARKET_ADDRESS,
    extension="A018",
    operator=MEAT_TRADER,
)
SUPERMARKET_STORE = Location(
    "supermarket_store",
    SUPERMARKET,
    "鹭岛优鲜超市厦禾路店",
    "Ludao Youxian, Xiahe Road",
    "001",
    "350203",
    "思明区厦禾路820号",
)
COOP_BASE = Location(
    "coop_base", VEG_COOP, "绿野蔬菜种植基地", "Lüye vegetable fields", "1", "350211", "集美区后溪镇城内村"
)
FARMERS_MARKET_SITE = Location(
    "farmers_market_site",
    FARMERS_MARKET,
    "新阳农贸市场",
    "Xinyang farmers' market",
    "001",
    "350205",
    _FARMERS_MARKET_ADDRESS,
)
FARMERS_MARKET_LAB = Location(
    "farmers_market_lab",
    FARMERS_MARKET,
    "新阳农贸市场快检室",
    "Xinyang market rapid-test room",
    "002",
    "350205",
    _FARMERS_MARKET_ADDRESS,
)
VEG_STALL = Location(
    "veg_stall",
    FARMERS_MARKET,
    "新阳农贸市场蔬菜区B06摊位",
    "Xinyang market vegetable hall, stall B06",
    "001",
    "350205",
    _FARMERS_MARKET_ADDRESS,
    extension="B06",
    operator=VEG_VENDOR,
)
WINERY_CELLAR = Location(
    "winery_cellar",
    WINERY,
    "Château Belvue-Sainte-Croix, chai",
    "Château Belvue-Sainte-Croix cellar",
    "001",
    None,
    "33330 Saint-Sulpice-de-Faleyrens, France",
)
PORT_INSPECTION_SITE = Location(
    "port_inspection_site",
    PORT_LOGISTICS,
    "海沧港区海关监管作业场所查验平台",
    "Haicang port customs inspection platform",
    "001",
    "350205",
    "海沧区海沧港区港南路9号",
)
IMPORTER_WAREHOUSE = Location(
    "importer_warehouse",
    IMPORTER,
    "海韵酒业象屿保税区仓库",
    "Haiyun warehouse, Xiangyu bonded zone",
    "001",
    "350206",
    "湖里区象屿路8号3号仓库",
)
WINE_SHOP_A_STORE = Location(
    "wine_shop_a_store",
    WINE_SHOP_A,
    "醇境酒业湖滨南路店",
    "Chunjing Wines, Hubin South Road",
    "1",
    "350203",
    "思明区湖滨南路188号",
)
WINE_SHOP_B_STORE = Location(
    "wine_shop_b_store", WINE_SHOP_B, "鹭韵酒行", "Luyun Wine Shop", "1", "350211", "集美区嘉庚路56号"
)
DRUG_PLANT = Location(
    "drug_plant", DRUG_MAKER, "鹭康制药海沧工厂", "Lukang Haicang plant", "001", "350205", _DRUG_PLANT_ADDRESS
)
DRUG_PACKAGING_LINE = Location(
    "drug_packaging_line",
    DRUG_MAKER,
    "鹭康制药包装线2号",
    "Lukang packaging line 2",
    "002",
    "350205",
    _DRUG_PLANT_ADDRESS,
)
DRUG_WAREHOUSE = Location(
    "drug_warehouse",
    DRUG_MAKER,
    "鹭康制药成品库",
    "Lukang finished goods store",
    "003",
    "350205",
    _DRUG_PLANT_ADDRESS,
)
DISTRIBUTOR_WAREHOUSE = Location(
    "distributor_warehouse",
    DRUG_DISTRIBUTOR,
    "瑞禾医药杏林物流中心",
    "Ruihe Xinglin distribution centre",
    "001",
    "350211",
    "集美区杏林湾路99号",
)
PHARMACY_A_STORE = Location(
    "pharmacy_a_store",
    PHARMACY_A,
    "鹭安大药房中山路店",
    "Lu'an Pharmacy, Zhongshan Road",
    "001",
    "350203",
    "思明区中山路112号",
)
PHARMACY_B_STORE = Location(
    "pharmacy_b_store",
    PHARMACY_B,
    "惠众大药房江头店",
    "Huizhong Pharmacy, Jiangtou",
    "1",
    "350206",
    "湖里区江头北路66号",
)
PESTICIDE_PLANT = Location(
    "pesticide_plant",
    PESTICIDE_MAKER,
    "禾盛农化如东工厂",
    "Hesheng Rudong plant",
    "001",
    None,
    "江苏省南通市如东县洋口化学工业园",
)
AGRI_DEALER_SHOP = Location(
    "agri_dealer_shop",
    AGRI_DEALER,
    "丰民农资经营部门店",
    "Fengmin store",
    "1",
    "350212",
    "同安区五显镇五显街21号",
)
FAMILY_FARM_SITE = Location(
    "family_farm_site", FAMILY_FARM, "碧岭家庭农场", "Biling family farm", "1", "350212", "同安区汀溪镇碧岭"
)

LOCATIONS: dict[str, Location] = {
    location.key: location
    for location in (
        PIG_FARM_SITE, SLAUGHTER_PLANT, SLAUGHTER_LAIRAGE, SLAUGHTER_LINE, SLAUGHTER_DISPATCH,
        MARKET_SITE, MARKET_GATE, MARKET_MEAT_STALL, SUPERMARKET_STORE,
        COOP_BASE, FARMERS_MARKET_SITE, FARMERS_MARKET_LAB, VEG_STALL,
        WINERY_CELLAR, PORT_INSPECTION_SITE, IMPORTER_WAREHOUSE, WINE_SHOP_A_STORE, WINE_SHOP_B_STORE,
        DRUG_PLANT, DRUG_PACKAGING_LINE, DRUG_WAREHOUSE, DISTRIBUTOR_WAREHOUSE, PHARMACY_A_STORE,
        PHARMACY_B_STORE,
        PESTICIDE_PLANT, AGRI_DEALER_SHOP, FAMILY_FARM_SITE,
    )
}  # fmt: skip

# -- products ------------------------------------------------------------------------------------
LIVE_PIG = Product(
    "live_pig",
    PIG_FARM,
    "生猪",
    "live pig",
    "LIVEPIG",
    "H87",
    ("E1", "G4"),
    attributes=(("品种", "杜长大三元猪 (Duroc × Landrace × Yorkshire)"),),
)


def _pork(key: str, name: str, name_en: str, item_ref: str) -> Product:
    # Fresh meat is sold by weight: variable-measure GTINs (indicator 9), quantities in kilograms.
    return Product(key, SLAUGHTERHOUSE, name, name_en, item_ref, "KGM", ("E1", "G1", "G4"), indicator="9")


PORK_CARCASS = _pork("pork_carcass", "冷鲜猪白条", "chilled pork half-carcass", "001")
PORK_SHOULDER = _pork("pork_shoulder", "冷鲜猪前腿肉", "chilled pork shoulder", "002")
PORK_HAM = _pork("pork_ham", "冷鲜猪后腿肉", "chilled pork leg", "003")
PORK_BELLY = _pork("pork_belly", "冷鲜五花肉", "chilled pork belly", "004")
PORK_RIBS = _pork("pork_ribs", "冷鲜猪肋排", "chilled pork spare ribs", "005")
PAK_CHOI = Product(
    "pak_choi",
    VEG_COOP,
    "上海青",
    "Shanghai pak choi",
    "SHQ",
    "KGM",
    ("E1", "G1", "G4"),
    attributes=(("产地", "厦门市集美区后溪镇"),),
)
WINE = Product(
    "wine",
    WINERY,
    "贝尔维圣十字城堡波尔多超级干红葡萄酒 2022 750毫升",
    "Château Belvue-Sainte-Croix Bordeaux Supérieur 2022, 750 mL",
    "021",
    "H87",
    ("G3", "G6"),
    attributes=(
        ("原产国", "FR"),
        ("产区", "Bordeaux Supérieur AOC"),
        ("酒精度", "13.5%vol"),
        ("净含量", "750 mL"),
        ("进口商", IMPORTER.name),
    ),
)
DRUG = Product(
    "drug",
    DRUG_MAKER,
    "布洛芬缓释胶囊 0.3g×20粒",
    "ibuprofen sustained-release capsules 0.3 g × 20",
    "105",
    "H87",
    ("G2",),
    attributes=(("批准文号", "国药准字H35021187"), ("剂型", "胶囊剂"), ("类别", "甲类非处方药 (OTC)")),
)
PESTICIDE = Product(
    "pesticide",
    PESTICIDE_MAKER,
    "10%吡虫啉可湿性粉剂 100克/袋",
    "imidacloprid 10% WP, 100 g bag",
    "318",
    "H87",
    ("G5",),
    attributes=(("农药登记证号", "PD20142631"), ("毒性", "低毒"), ("有效成分", "吡虫啉 10%")),
)

PRODUCTS: dict[str, Product] = {
    product.key: product
    for product in (
        LIVE_PIG,
        PORK_CARCASS,
        PORK_SHOULDER,
        PORK_HAM,
        PORK_BELLY,
        PORK_RIBS,
        PAK_CHOI,
        WINE,
        DRUG,
        PESTICIDE,
    )
}

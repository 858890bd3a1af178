"""The registry part of the demo data set (issue #3 item 10): filed parties and console accounts.

``load_registry_demo`` registers the parties, locations, products and licences that
``tracehub.demo.data`` describes, files every party (approved by the demo loader), and creates a
console account for each role (README "Demo accounts"). Everything goes through the registry's
services, so the demo is audited like any other data. Running it again registers nothing twice.

The demo accounts share one password: ``TRACEHUB_DEMO_PASSWORD`` if set, else a new random one
each time the loader runs (``tracehub load_demo`` prints it; ``make run`` runs the loader).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracehub.accounts.models import Role, Sector
from tracehub.accounts.selectors import department_by_code
from tracehub.accounts.services import user_create, user_set_password
from tracehub.registry import services
from tracehub.registry.actors import Actor
from tracehub.registry.models import (
    FilingStatus,
    IdKind,
    Licence,
    LicenceKind,
    Location,
    LocationKind,
    Party,
    PartyMember,
    PartyType,
    Product,
)

ACTOR = Actor.system("demo loader")

#: Requirement IDs of the demo's products (REQUIREMENTS.md) -> sectors.
REQUIREMENT_SECTORS = {
    "G1": Sector.FOOD,
    "G2": Sector.DRUG,
    "G3": Sector.LIQUOR,
    "G4": Sector.AGRI,
    "G5": Sector.AGRI_INPUT,
    "G6": Sector.IMPORT_FOOD,
    "E1": Sector.MEAT_VEG,
    "E2": Sector.ENTERPRISE,
}

#: Each demo party's type and sectors (its role in tracehub.demo.data is free text).
PARTIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pig_farm": (PartyType.FARM, (Sector.AGRI, Sector.MEAT_VEG)),
    "slaughterhouse": (PartyType.SLAUGHTERHOUSE, (Sector.MEAT_VEG, Sector.FOOD, Sector.AGRI)),
    "wholesale_market": (PartyType.MARKET_OPERATOR, (Sector.MEAT_VEG, Sector.FOOD, Sector.AGRI)),
    "meat_trader": (PartyType.WHOLESALER, (Sector.MEAT_VEG, Sector.FOOD)),
    "supermarket": (PartyType.SUPERMARKET, (Sector.FOOD, Sector.MEAT_VEG)),
    "veg_coop": (PartyType.COOPERATIVE, (Sector.AGRI, Sector.MEAT_VEG)),
    "farmers_market": (PartyType.MARKET_OPERATOR, (Sector.MEAT_VEG, Sector.FOOD, Sector.AGRI)),
    "veg_vendor": (PartyType.STALL, (Sector.MEAT_VEG, Sector.AGRI)),
    "winery": (PartyType.FOREIGN_EXPORTER, (Sector.IMPORT_FOOD, Sector.LIQUOR)),
    "importer": (PartyType.IMPORTER, (Sector.IMPORT_FOOD, Sector.LIQUOR)),
    "port_logistics": (PartyType.LOGISTICS, (Sector.IMPORT_FOOD,)),
    "wine_shop_a": (PartyType.RETAILER, (Sector.LIQUOR,)),
    "wine_shop_b": (PartyType.RETAILER, (Sector.LIQUOR,)),
    "drug_maker": (PartyType.MANUFACTURER, (Sector.DRUG,)),
    "drug_distributor": (PartyType.WHOLESALER, (Sector.DRUG,)),
    "pharmacy_a": (PartyType.PHARMACY, (Sector.DRUG,)),
    "pharmacy_b": (PartyType.PHARMACY, (Sector.DRUG,)),
    "pesticide_maker": (PartyType.MANUFACTURER, (Sector.AGRI_INPUT,)),
    "agri_dealer": (PartyType.AGRI_INPUT_DEALER, (Sector.AGRI_INPUT,)),
    "family_farm": (PartyType.FARM, (Sector.AGRI,)),
}

#: Words in a party's role text -> its type, for a party added to tracehub.demo.data later.
_ROLE_WORDS = (
    ("slaughter", PartyType.SLAUGHTERHOUSE),
    ("cooperative", PartyType.COOPERATIVE),
    ("farm", PartyType.FARM),
    ("market", PartyType.MARKET_OPERATOR),
    ("stall", PartyType.STALL),
    ("supermarket", PartyType.SUPERMARKET),
    ("pharmacy", PartyType.PHARMACY),
    ("importer", PartyType.IMPORTER),
    ("exporter", PartyType.FOREIGN_EXPORTER),
    ("wholesale", PartyType.WHOLESALER),
    ("manufacturer", PartyType.MANUFACTURER),
    ("dealer", PartyType.AGRI_INPUT_DEALER),
    ("logistics", PartyType.LOGISTICS),
    ("shop", PartyType.RETAILER),
)

#: Licence names used in tracehub.demo.data -> licence kinds.
LICENCE_KINDS = {
    "动物防疫条件合格证": LicenceKind.ANIMAL_EPIDEMIC,
    "生猪定点屠宰证": LicenceKind.SLAUGHTER,
    "食品生产许可证": LicenceKind.FOOD_PRODUCTION,
    "食品经营许可证": LicenceKind.FOOD_BUSINESS,
    "进口食品进口商备案号": LicenceKind.IMPORTER_FILING,
    "酒类流通备案登记": LicenceKind.LIQUOR_FILING,
    "药品生产许可证": LicenceKind.DRUG_MANUFACTURING,
    "药品经营许可证": LicenceKind.DRUG_DISTRIBUTION,
    "农药生产许可证": LicenceKind.PESTICIDE_PRODUCTION,
    "农药经营许可证": LicenceKind.PESTICIDE_BUSINESS,
}

#: Each demo location's kind (and, for a farm plot, its area in mu and its crop).
LOCATION_KINDS: dict[str, tuple[str, dict]] = {
    "pig_farm_site": (LocationKind.BARN, {}),
    "slaughter_plant": (LocationKind.PLANT, {}),
    "slaughter_lairage": (LocationKind.BARN, {}),
    "slaughter_line": (LocationKind.PLANT, {}),
    "slaughter_dispatch": (LocationKind.WAREHOUSE, {}),
    "market_site": (LocationKind.MARKET, {}),
    "market_gate": (LocationKind.MARKET, {}),
    "market_meat_stall": (LocationKind.STALL, {}),
    "supermarket_store": (LocationKind.SHOP, {}),
    "coop_base": (LocationKind.FARM_PLOT, {"area_mu": "120", "crop": "蔬菜", "variety": "上海青"}),
    "farmers_market_site": (LocationKind.MARKET, {}),
    "farmers_market_lab": (LocationKind.OTHER, {}),
    "veg_stall": (LocationKind.STALL, {}),
    "winery_cellar": (LocationKind.WAREHOUSE, {}),
    "port_inspection_site": (LocationKind.PORT, {}),
    "importer_warehouse": (LocationKind.WAREHOUSE, {}),
    "wine_shop_a_store": (LocationKind.SHOP, {}),
    "wine_shop_b_store": (LocationKind.SHOP, {}),
    "drug_plant": (LocationKind.PLANT, {}),
    "drug_packaging_line": (LocationKind.PLANT, {}),
    "drug_warehouse": (LocationKind.WAREHOUSE, {}),
    "distributor_warehouse": (LocationKind.WAREHOUSE, {}),
    "pharmacy_a_store": (LocationKind.PHARMACY, {}),
    "pharmacy_b_store": (LocationKind.PHARMACY, {}),
    "pesticide_plant": (LocationKind.PLANT, {}),
    "agri_dealer_shop": (LocationKind.SHOP, {}),
    "family_farm_site": (LocationKind.FARM_PLOT, {"area_mu": "35", "crop": "茶叶、蔬菜"}),
}

#: Product attributes of tracehub.demo.data (Chinese labels) -> the registry's attribute names;
#: None moves the value to a product field instead.
_ATTRIBUTES = {
    "品种": "variety",
    "产地": "origin_region",
    "产区": "origin_region",
    "原产国": "origin_country",
    "酒精度": "alcohol_strength",
    "批准文号": "approval_number",
    "剂型": "dosage_form",
    "农药登记证号": "pesticide_registration",
    "毒性": "toxicity",
    "有效成分": "active_ingredient",
}
_PRODUCT_FIELDS = {"净含量": "specification", "类别": "category"}

#: The demo console accounts: username -> (role, department code, districts, party key).
ACCOUNTS: dict[str, tuple[str, str | None, tuple[str, ...], str | None]] = {
    "demo-operator": (Role.OPERATOR, None, (), None),
    "demo-amr": (Role.OFFICIAL, "amr", ("350200",), None),
    "demo-commerce-huli": (Role.OFFICIAL, "commerce", ("350206",), None),
    "demo-liquor": (Role.OFFICIAL, "liquor", ("350200",), None),
    "demo-agri": (Role.OFFICIAL, "agri", ("350200",), None),
    "demo-customs": (Role.OFFICIAL, "customs", ("350200",), None),
    "demo-slaughterhouse-admin": (Role.ENTERPRISE_ADMIN, None, (), "slaughterhouse"),
    "demo-slaughterhouse-staff": (Role.ENTERPRISE_STAFF, None, (), "slaughterhouse"),
    "demo-importer-admin": (Role.ENTERPRISE_ADMIN, None, (), "importer"),
    "demo-auditor": (Role.AUDITOR, None, (), None),
}


@dataclass
class RegistryDemoResult:
    password: str
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, what it is)
    parties: int = 0
    locations: int = 0
    products: int = 0
    licences: int = 0


def demo_password() -> str:
    """TRACEHUB_DEMO_PASSWORD, checked by the password validators, or a new random password."""
    chosen = os.environ.get("TRACEHUB_DEMO_PASSWORD")
    if not chosen:
        # A random password can, rarely, look like one of the demo usernames, and the similarity
        # validator would then refuse it half-way through loading: draw until every account takes it.
        while True:
            drawn = secrets.token_urlsafe(12)
            if _accepted_for_every_account(drawn):
                return drawn
    try:
        validate_password(chosen)
    except ValidationError as exc:
        raise ValueError(f"TRACEHUB_DEMO_PASSWORD is not accepted: {' '.join(exc.messages)}") from None
    return chosen


def _accepted_for_every_account(password: str) -> bool:
    user_model = get_user_model()
    try:
        for username in ACCOUNTS:
            validate_password(password, user_model(username=username))
    except ValidationError:
        return False
    return True


def describe(result: RegistryDemoResult | None) -> list[str]:
    """Lines telling the user the demo accounts and their password (``tracehub load_demo``)."""
    if result is None:
        return []
    lines = []
    if result.parties or result.locations or result.products or result.licences:
        lines.append(
            f"Registry: {result.parties} parties filed and approved, {result.locations} locations, "
            f"{result.products} products, {result.licences} licences."
        )
    lines.append("Demo console accounts (log in at /admin/ or /console/):")
    lines.extend(f"  {username:<28} {what}" for username, what in result.accounts)
    lines.append(f"Password of every demo account: {result.password}")
    return lines


def _party_kind(party) -> tuple[str, tuple[str, ...]]:
    if party.key in PARTIES:
        return PARTIES[party.key]
    from tracehub.demo import data

    role = party.role.lower()
    kind = next((t for word, t in _ROLE_WORDS if word in role), PartyType.PROCESSOR)
    sectors = {REQUIREMENT_SECTORS[r] for p in data.PRODUCTS.values() if p.owner is party for r in p.sectors}
    return kind, tuple(sorted(sectors)) or (Sector.ENTERPRISE,)


def _file_party(party) -> tuple[Party, bool]:
    """The registry's party for a demo party, registered and approved if it was not."""
    if party.uscc:
        existing = Party.objects.filter(uscc=party.uscc).first()
    else:
        existing = Party.objects.filter(name=party.name, id_kind=IdKind.FOREIGN).first()
    if existing is not None:
        return existing, False
    kind, sectors = _party_kind(party)
    registered = services.party_create(
        actor=ACTOR,
        name=party.name,
        name_en=party.name_en,
        party_type=kind,
        id_kind=IdKind.USCC if party.uscc else IdKind.FOREIGN,
        uscc=party.uscc or "",
        country=party.country,
        sectors=list(sectors),
        district=party.district or "",
        pgln=party.id if party.company_prefix else "",
        company_prefixes=[party.company_prefix] if party.company_prefix else [],
    )
    return registered, True


def _licence_dates(index: int) -> tuple[date, date]:
    today = timezone.localdate()
    if index == 0:
        # One licence expires soon, so the expiry flag and `tracehub licence_expiry` show something.
        return today - timedelta(days=5 * 365 - 20), today + timedelta(days=20)
    return today - timedelta(days=365 + 30 * index), today + timedelta(days=4 * 365 - 30 * index)


def load_registry_demo(*, password: str | None = None) -> RegistryDemoResult:
    """Register and file the demo parties with their licences, locations and products, and create
    (or reset the password of) the demo accounts. Idempotent."""
    from tracehub.demo import data

    result = RegistryDemoResult(password=password or demo_password())
    with transaction.atomic():
        parties: dict[str, Party] = {}
        licence_index = 0
        for key, party in data.PARTIES.items():
            registered, created = _file_party(party)
            parties[key] = registered
            result.parties += created
            for name, number in party.licences:
                kind = LICENCE_KINDS.get(name)
                if kind is None or Licence.objects.filter(kind=kind, number=number).exists():
                    continue
                valid_from, valid_until = _licence_dates(licence_index)
                licence_index += 1
                services.licence_create(
                    actor=ACTOR,
                    party=registered,
                    kind=kind,
                    number=number,
                    issuer="",
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
                result.licences += 1
        for key, location in data.LOCATIONS.items():
            if Location.objects.filter(identifier=location.id).exists():
                continue
            kind, extra = LOCATION_KINDS.get(key, (LocationKind.OTHER, {}))
            services.location_create(
                actor=ACTOR,
                party=parties[location.party.key],
                operator=parties[location.operator.key] if location.operator else None,
                identifier=location.id,
                name=location.name,
                name_en=location.name_en,
                kind=kind,
                address=location.address,
                district=location.district or "",
                **extra,
            )
            result.locations += 1
        for product in data.PRODUCTS.values():
            code = {"gtin": product.gtin} if product.gtin else {"platform_code": product.platform_code}
            key = f"01/{product.gtin}" if product.gtin else product.platform_code
            if Product.objects.filter(key=key).exists():
                continue
            attributes, fields = {}, {}
            for label, value in product.attributes:
                if label in _ATTRIBUTES:
                    attributes[_ATTRIBUTES[label]] = value
                elif label in _PRODUCT_FIELDS:
                    fields[_PRODUCT_FIELDS[label]] = value
            services.product_create(
                actor=ACTOR,
                party=parties[product.owner.key],
                name=product.name,
                name_en=product.name_en,
                unit=product.uom,
                sectors=sorted({REQUIREMENT_SECTORS[r] for r in product.sectors}),
                attributes=attributes,
                **fields,
                **code,
            )
            result.products += 1
        for registered in parties.values():
            if registered.filing_status in (
                FilingStatus.UNFILED,
                FilingStatus.REJECTED,
                FilingStatus.REVOKED,
            ):
                filing = services.filing_submit(actor=ACTOR, party=registered, note="示范数据 demo data")
                services.filing_approve(actor=ACTOR, filing=filing, reason="示范数据 demo data")
        _accounts(result, parties)
    return result


def _accounts(result: RegistryDemoResult, parties: dict[str, Party]) -> None:
    users = get_user_model().objects
    for username, (role, department, districts, party_key) in ACCOUNTS.items():
        user = users.filter(username=username).first()
        if user is not None:
            user_set_password(user=user, password=result.password)
        elif party_key is not None:
            user = services.party_member_add(
                actor=ACTOR, party=parties[party_key], username=username, password=result.password, role=role
            )
        else:
            user = user_create(
                username=username,
                password=result.password,
                role=role,
                department=department_by_code(department) if department else None,
                districts=districts,
                admin_site=role == Role.OPERATOR,
            )
        what = Role(role).label
        if department:
            what = f"{what}: {department_by_code(department).name}, {', '.join(districts)}"
        if party_key is not None:
            member = PartyMember.objects.filter(user=user).select_related("party").first()
            what = f"{what}: {member.party.name if member else '?'}"
        result.accounts.append((username, str(what)))


def reset_demo_passwords(*, password: str | None = None) -> RegistryDemoResult | None:
    """Give the existing demo accounts a new password (``make run`` on a loaded database).
    None when there are no demo accounts."""
    users = list(get_user_model().objects.filter(username__in=list(ACCOUNTS)).order_by("username"))
    if not users:
        return None
    result = RegistryDemoResult(password=password or demo_password())
    with transaction.atomic():
        for user in users:
            user_set_password(user=user, password=result.password)
            result.accounts.append((user.get_username(), ""))
    return result

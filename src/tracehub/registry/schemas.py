"""Input and output schemas of the registry API (/api/v1/…): JSON in camelCase, as EPCIS is.

Inputs forbid unknown fields, so a misspelt field is named in the 400 rather than ignored.
Values are checked by the services (one set of rules for API, console and import); the schemas
only check shapes and types.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from tracehub.accounts.models import Role, Sector
from tracehub.registry.models import FilingStatus, IdKind, LicenceKind, LocationKind, PartyType


class In(Schema):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Out(Schema):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class PageOut(Out):
    count: int
    limit: int
    offset: int


# -- parties ------------------------------------------------------------------------------------------


class PartyIn(In):
    name: str
    name_en: str = ""
    party_type: PartyType
    id_kind: IdKind
    uscc: str = ""
    id_number: str = Field(
        "", description="居民身份证号码 of an individual; stored encrypted, never answered."
    )
    foreign_id: str = ""
    country: str = "CN"
    sectors: list[Sector]
    district: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    pgln: str = ""
    company_prefixes: list[str] = []


class PartyPatch(In):
    name: str | None = None
    name_en: str | None = None
    party_type: PartyType | None = None
    sectors: list[Sector] | None = None
    district: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    foreign_id: str | None = None
    pgln: str | None = None
    company_prefixes: list[str] | None = None


class PartyOut(Out):
    id: int
    name: str
    name_en: str
    party_type: str
    id_kind: str
    uscc: str
    id_number_masked: str = Field(description="The ID card number masked, e.g. 3502**********1234.")
    foreign_id: str
    country: str
    district: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    pgln: str
    company_prefixes: list[str]
    sectors: list[str]
    filing_status: FilingStatus
    filing_number: str
    created_at: datetime
    updated_at: datetime


class PartyPage(PageOut):
    items: list[PartyOut]


class IdNumberOut(Out):
    id_number: str


class MemberIn(In):
    username: str
    password: str
    role: Role
    full_name: str = ""
    email: str = ""


class MemberOut(Out):
    id: int
    username: str
    role: str
    full_name: str
    email: str
    active: bool


class ApiClientIn(In):
    name: str
    expires_at: datetime | None = None


class ApiClientOut(Out):
    name: str
    key_prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiClientCreatedOut(ApiClientOut):
    key: str = Field(description="The key, shown this once.")


# -- filings ------------------------------------------------------------------------------------------


class FilingSubmitIn(In):
    note: str = ""


class FilingActionIn(In):
    reason: str = ""


class FilingStepOut(Out):
    action: str
    from_status: str
    to_status: str
    at: datetime
    actor: str
    reason: str


class FilingOut(Out):
    id: int
    party_id: int
    party_name: str
    status: FilingStatus
    number: str
    note: str
    submitted_at: datetime
    decided_at: datetime | None
    last_reason: str
    steps: list[FilingStepOut]


class FilingPage(PageOut):
    items: list[FilingOut]


# -- licences -----------------------------------------------------------------------------------------


class LicenceIn(In):
    party_id: int | None = Field(None, description="Default: the caller's own party.")
    kind: LicenceKind
    number: str
    issuer: str = ""
    valid_from: date | None = None
    valid_until: date | None = None


class LicencePatch(In):
    number: str | None = None
    issuer: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


class LicenceOut(Out):
    id: int
    party_id: int
    kind: str
    number: str
    issuer: str
    valid_from: date | None
    valid_until: date | None
    expiring_soon: bool
    has_file: bool
    file_type: str
    file_size: int
    created_at: datetime
    updated_at: datetime


class LicencePage(PageOut):
    items: list[LicenceOut]


# -- locations ----------------------------------------------------------------------------------------


class LocationIn(In):
    party_id: int | None = Field(None, description="Default: the caller's own party.")
    identifier: str = Field(
        description="SGLN (13 digits, EPC URN or Digital Link) or a platform node code URI."
    )
    name: str
    name_en: str = ""
    kind: LocationKind
    address: str = ""
    district: str = ""
    latitude: float | None = None
    longitude: float | None = None
    area_mu: float | None = None
    crop: str = ""
    variety: str = ""
    operator_id: int | None = None


class LocationPatch(In):
    name: str | None = None
    name_en: str | None = None
    kind: LocationKind | None = None
    address: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    area_mu: float | None = None
    crop: str | None = None
    variety: str | None = None
    active: bool | None = None
    operator_id: int | None = None


class LocationOut(Out):
    id: int
    party_id: int
    operator_id: int | None
    key: str
    identifier: str
    id_kind: str
    name: str
    name_en: str
    kind: str
    address: str
    district: str
    latitude: float | None
    longitude: float | None
    area_mu: float | None
    crop: str
    variety: str
    active: bool


class LocationPage(PageOut):
    items: list[LocationOut]


# -- products -----------------------------------------------------------------------------------------


class ProductIn(In):
    party_id: int | None = Field(None, description="Default: the caller's own party.")
    gtin: str = ""
    platform_code: str = ""
    name: str
    name_en: str = ""
    brand: str = ""
    category: str = ""
    specification: str = ""
    unit: str = ""
    shelf_life_days: int | None = None
    sectors: list[Sector]
    attributes: dict[str, Any] = {}


class ProductPatch(In):
    name: str | None = None
    name_en: str | None = None
    brand: str | None = None
    category: str | None = None
    specification: str | None = None
    unit: str | None = None
    shelf_life_days: int | None = None
    sectors: list[Sector] | None = None
    attributes: dict[str, Any] | None = None
    active: bool | None = None


class ProductOut(Out):
    id: int
    party_id: int
    key: str
    gtin: str
    platform_code: str
    name: str
    name_en: str
    brand: str
    category: str
    specification: str
    unit: str
    shelf_life_days: int | None
    sectors: list[str]
    attributes: dict[str, Any]
    active: bool


class ProductPage(PageOut):
    items: list[ProductOut]


# -- audit and reference data ---------------------------------------------------------------------------


class AuditOut(Out):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    party_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(PageOut):
    items: list[AuditOut]


class DepartmentOut(Out):
    code: str
    name: str
    parent: str | None
    sectors: list[str]

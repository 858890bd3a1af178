"""The registry (主体与主数据): parties, their filing, licences, locations and products.

DESIGN.md §3 "Master data lives in registry": parties by 统一社会信用代码 (or 居民身份证 for
individuals) and PGLN, locations by SGLN with their GB/T 2260 district, products by GTIN or a
platform code with sector attributes, licences and documents. A traceability record is worth only
as much as the identity behind it (O3: 责任可究): a party captures only once its filing (备案) is
approved (G3, G4, G5, G6 filing-based management).

Nothing here is written except through ``tracehub.registry.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import ApiClient, District, Sector


class PartyType(models.TextChoices):
    """What a party is. Adding one: docs/registry.md "Adding a new kind of thing"."""

    FARM = "farm", _("Farm (养殖场/种植场)")
    COOPERATIVE = "cooperative", _("Cooperative (专业合作社)")
    SLAUGHTERHOUSE = "slaughterhouse", _("Slaughterhouse (屠宰场)")
    PROCESSOR = "processor", _("Processor (加工企业)")
    MANUFACTURER = "manufacturer", _("Manufacturer (生产企业)")
    WHOLESALER = "wholesaler", _("Wholesaler (批发商)")
    MARKET_OPERATOR = "market_operator", _("Market operator (市场开办方)")
    STALL = "stall", _("Stall holder (摊位经营户)")
    SUPERMARKET = "supermarket", _("Supermarket (超市)")
    RETAILER = "retailer", _("Retail shop (零售商店)")
    CATERING = "catering", _("Restaurant or canteen (餐饮/食堂)")
    PHARMACY = "pharmacy", _("Pharmacy (药店)")
    HOSPITAL = "hospital", _("Hospital (医疗机构)")
    IMPORTER = "importer", _("Importer (进口商)")
    FOREIGN_EXPORTER = "foreign_exporter", _("Foreign exporter (境外出口商)")
    AGRI_INPUT_DEALER = "agri_input_dealer", _("Agricultural input dealer (农资经营者)")
    LOGISTICS = "logistics", _("Logistics (物流仓储)")
    CERTIFICATION_BODY = "certification_body", _("Certification body (认证机构)")
    GOVERNMENT = "government", _("Government department (政府部门)")


class IdKind(models.TextChoices):
    """How a party is identified."""

    USCC = "uscc", _("Unified social credit code (统一社会信用代码)")
    RIC = "ric", _("Resident identity card (居民身份证)")
    FOREIGN = "foreign", _("Foreign party (境外主体)")


class FilingStatus(models.TextChoices):
    """Where a party's filing (备案) stands; only APPROVED parties capture events."""

    UNFILED = "unfiled", _("Not filed (未备案)")
    SUBMITTED = "submitted", _("Submitted, awaiting review (待审核)")
    MORE_INFO = "more_info", _("More information requested (待补正)")
    APPROVED = "approved", _("Approved (已备案)")
    REJECTED = "rejected", _("Rejected (已驳回)")
    SUSPENDED = "suspended", _("Suspended (已暂停)")
    REVOKED = "revoked", _("Revoked (已撤销)")


#: Filing statuses in which a party has an open filing: it may not apply again.
OPEN_FILING_STATUSES = (
    FilingStatus.SUBMITTED,
    FilingStatus.MORE_INFO,
    FilingStatus.APPROVED,
    FilingStatus.SUSPENDED,
)


class Party(models.Model):
    """A party (主体): an enterprise or other legal entity, an individual, or a foreign exporter.

    Legal entities are identified by their 统一社会信用代码 (GB 32100-2015, check character
    validated); individuals (farmers, stall holders) by their 居民身份证 number (GB 11643), which is
    personal data: it is stored encrypted (``id_number_protected``), found by a keyed digest
    (``id_number_digest``) and shown masked (``id_number_masked``, e.g. ``3502**********1234``);
    unmasking it is audited. Foreign exporters (G6) have neither and name their country.
    ``filing_status`` mirrors the party's current filing (``Filing``) for fast checks at capture.
    """

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    party_type = models.CharField(_("party type"), max_length=30, choices=PartyType.choices)
    id_kind = models.CharField(_("identified by"), max_length=10, choices=IdKind.choices)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_("统一社会信用代码, 18 characters."),
    )
    id_number_protected = models.TextField(
        _("ID number (encrypted)"),
        blank=True,
        editable=False,
        help_text=_("居民身份证号码, encrypted at rest."),
    )
    id_number_digest = models.CharField(
        _("ID number digest"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Keyed digest for look-up."),
    )
    id_number_masked = models.CharField(_("ID number (masked)"), max_length=18, blank=True, editable=False)
    foreign_id = models.CharField(
        _("foreign registration number"),
        max_length=100,
        blank=True,
        help_text=_("A foreign party's registration in its own country or with China Customs."),
    )
    country = models.CharField(_("country"), max_length=2, default="CN", help_text=_("ISO 3166-1 alpha-2."))
    district = models.CharField(
        _("district"),
        max_length=6,
        choices=District.choices,
        blank=True,
        help_text=_("GB/T 2260 district in Xiamen; empty for parties outside Xiamen."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    pgln = models.CharField(
        _("PGLN"), max_length=300, blank=True, help_text=_("The party's GLN as a canonical key (417/…).")
    )
    filing_status = models.CharField(
        _("filing status"), max_length=12, choices=FilingStatus.choices, default=FilingStatus.UNFILED
    )
    filing_number = models.CharField(_("filing number"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="party_uscc_unique"),
            models.UniqueConstraint(
                fields=["id_number_digest"], condition=~Q(id_number_digest=""), name="party_id_number_unique"
            ),
            models.UniqueConstraint(fields=["pgln"], condition=~Q(pgln=""), name="party_pgln_unique"),
            models.CheckConstraint(
                condition=(Q(id_kind="uscc") & ~Q(uscc="") & Q(id_number_digest=""))
                | (Q(id_kind="ric") & Q(uscc="") & ~Q(id_number_digest=""))
                | (Q(id_kind="foreign") & Q(uscc="") & Q(id_number_digest="") & ~Q(country="CN")),
                name="party_identity_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["filing_status"], name="party_filing_status_idx"),
            models.Index(fields=["district"], name="party_district_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identity_display(self) -> str:
        """What may be shown of the party's identity: the USCC, the masked ID, or the country."""
        if self.id_kind == IdKind.USCC:
            return self.uscc
        if self.id_kind == IdKind.RIC:
            return self.id_number_masked
        return f"{self.country} {self.foreign_id}".strip()

    @property
    def sector_codes(self) -> list[str]:
        return sorted(s.sector for s in self.sectors.all())

    @property
    def can_capture(self) -> bool:
        return self.filing_status == FilingStatus.APPROVED


class PartySector(models.Model):
    """A sector a party works in (所属行业): decides which department oversees it."""

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="sectors"
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)

    class Meta:
        verbose_name = _("party sector")
        verbose_name_plural = _("party sectors")
        constraints = [models.UniqueConstraint(fields=["party", "sector"], name="party_sector_unique")]
        indexes = [models.Index(fields=["sector", "party"], name="party_sector_idx")]

    def __str__(self) -> str:
        return self.sector


class PartyPrefix(models.Model):
    """A GS1 company prefix (厂商识别代码) licensed to a party; unique across parties.

    Registered prefixes tell the event store the prefix length, so answers give EPC URNs for
    the party's identifiers (DESIGN.md §3).
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="prefixes"
    )
    prefix = models.CharField(_("GS1 company prefix"), max_length=12, unique=True)

    class Meta:
        verbose_name = _("GS1 company prefix of a party")
        verbose_name_plural = _("GS1 company prefixes of parties")
        ordering = ["prefix"]

    def __str__(self) -> str:
        return self.prefix


class PartyMember(models.Model):
    """An enterprise user's party (企业用户): the administrator or staff of one party.

    The role (administrator or staff) is the user's profile role (``accounts.UserProfile``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="party_member",
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="members"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.party_id}"


class PartyApiClient(models.Model):
    """The party an API client belongs to (企业系统接入): it captures as that party (issue #3 item 5)."""

    client = models.OneToOneField(
        ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="party_binding"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="api_clients"
    )

    class Meta:
        verbose_name = _("API client of a party")
        verbose_name_plural = _("API clients of parties")

    def __str__(self) -> str:
        return f"{self.client_id}@{self.party_id}"


class Filing(models.Model):
    """A filing (备案): a party's application to be registered with the responsible bureau.

    Workflow (docs/registry.md): submitted → approved (a filing number is assigned) | rejected |
    more_info (the party amends and resubmits); approved → suspended → approved (reinstated);
    approved or suspended → revoked. Rejected and revoked filings are closed: the party applies
    again with a new filing. Each transition is a ``FilingStep`` naming who, when and why.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="filings"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED
    )
    number = models.CharField(_("filing number"), max_length=40, blank=True)
    note = models.TextField(_("applicant's note"), blank=True)
    snapshot = models.JSONField(
        _("data as submitted"),
        default=dict,
        blank=True,
        help_text=_("Party data and licences at submission."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    last_reason = models.TextField(_("reason of the last decision"), blank=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="filing_number_unique"),
            models.UniqueConstraint(
                fields=["party"],
                condition=Q(status__in=[s.value for s in OPEN_FILING_STATUSES]),
                name="filing_one_open_per_party",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="filing_status_idx")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class FilingAction(models.TextChoices):
    SUBMIT = "submit", _("submitted")
    RESUBMIT = "resubmit", _("resubmitted with more information")
    APPROVE = "approve", _("approved")
    REJECT = "reject", _("rejected")
    REQUEST_INFO = "request_info", _("asked for more information")
    SUSPEND = "suspend", _("suspended")
    REINSTATE = "reinstate", _("reinstated")
    REVOKE = "revoke", _("revoked")


class FilingStep(models.Model):
    """One transition of a filing (备案流转记录): who did what, when and why (O3)."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("filing"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("action"), max_length=20, choices=FilingAction.choices)
    from_status = models.CharField(_("from status"), max_length=12, choices=FilingStatus.choices)
    to_status = models.CharField(_("to status"), max_length=12, choices=FilingStatus.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("filing step")
        verbose_name_plural = _("filing steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.action}"


class LicenceKind(models.TextChoices):
    """Kinds of licence and document (证照与单证). Number formats: ``validators.LICENCE_NUMBER_RULES``."""

    BUSINESS_LICENCE = "business_licence", _("Business licence (营业执照)")
    FOOD_PRODUCTION = "food_production", _("Food production licence (食品生产许可证)")
    FOOD_BUSINESS = "food_business", _("Food business licence (食品经营许可证)")
    DRUG_MANUFACTURING = "drug_manufacturing", _("Drug manufacturing licence (药品生产许可证)")
    DRUG_DISTRIBUTION = "drug_distribution", _("Drug distribution licence (药品经营许可证)")
    LIQUOR_FILING = "liquor_filing", _("Liquor distribution filing (酒类流通备案登记)")
    PESTICIDE_PRODUCTION = "pesticide_production", _("Pesticide production licence (农药生产许可证)")
    PESTICIDE_BUSINESS = "pesticide_business", _("Pesticide business licence (农药经营许可证)")
    ANIMAL_EPIDEMIC = "animal_epidemic", _("Animal epidemic prevention certificate (动物防疫条件合格证)")
    SLAUGHTER = "slaughter", _("Designated slaughter certificate (生猪定点屠宰证)")
    IMPORTER_FILING = "importer_filing", _("Importer filing number (进口食品进口商备案号)")
    EXPORTER_FILING = "exporter_filing", _("Foreign exporter filing number (境外出口商备案号)")
    QUARANTINE_CERTIFICATE = "quarantine_certificate", _("Quarantine certificate (检疫证明)")
    TEST_REPORT = "test_report", _("Test report (检测报告)")


class Licence(models.Model):
    """A licence or document (证照/单证) of a party: number, issuer, validity, an attached scan.

    Licences expiring within ``TRACEHUB_LICENCE_EXPIRY_DAYS`` are flagged (``selectors.
    licences_expiring``; ``tracehub licence_expiry`` notifies the party's administrators once per
    expiry date, recorded in ``expiry_notified_for``).
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=LicenceKind.choices)
    number = models.CharField(_("number"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: no expiry."))
    file = models.FileField(_("file"), upload_to="licences/%Y/%m/", blank=True, max_length=300)
    file_type = models.CharField(_("file type"), max_length=40, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    expiry_notified_for = models.DateField(
        _("expiry notified for"), null=True, blank=True, help_text=_("The expiry date already notified.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("licence or document")
        verbose_name_plural = _("licences and documents")
        ordering = ["party_id", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="licence_kind_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="licence_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["valid_until"], name="licence_valid_until_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class LocationKind(models.TextChoices):
    FARM_PLOT = "farm_plot", _("Farm plot (种植地块)")
    BARN = "barn", _("Barn or pen (养殖场舍)")
    PLANT = "plant", _("Plant (工厂/车间)")
    WAREHOUSE = "warehouse", _("Warehouse (仓库)")
    MARKET = "market", _("Market (市场)")
    STALL = "stall", _("Stall (摊位)")
    SHOP = "shop", _("Shop (门店)")
    PHARMACY = "pharmacy", _("Pharmacy (药店)")
    PORT = "port", _("Port or inspection site (口岸/查验场所)")
    OTHER = "other", _("Other (其他)")


class LocationIdKind(models.TextChoices):
    SGLN = "sgln", _("GS1 SGLN")
    PLATFORM = "platform", _("Platform node code (平台节点编码)")


class Location(models.Model):
    """A location (节点/场所) held by a party: a site, or a read point inside one.

    ``key`` is the canonical identifier key (``tracehub.identifiers.canonical_key``), so an SGLN
    given as an EPC URN and as a Digital Link is the same location, and an event's readPoint or
    bizLocation finds it by the same key the event index uses. Without a GS1 prefix a location
    has a platform node code (a URI), which is its own key. ``operator`` is who works there when
    it is not the holder (a stall holder in a market, E1); both may capture there.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="locations"
    )
    operator = models.ForeignKey(
        Party,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operated_locations",
    )
    key = models.CharField(_("identifier key"), max_length=300, unique=True)
    identifier = models.CharField(
        _("identifier"), max_length=300, help_text=_("As given: SGLN URN, Digital Link or code.")
    )
    id_kind = models.CharField(_("identifier kind"), max_length=10, choices=LocationIdKind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LocationKind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.CharField(_("district"), max_length=6, choices=District.choices, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    area_mu = models.DecimalField(
        _("area (mu)"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=_("Farm plots: 亩.")
    )
    crop = models.CharField(_("crop"), max_length=100, blank=True)
    variety = models.CharField(_("variety"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["party_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(area_mu__isnull=True) | Q(area_mu__gt=0), name="location_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product (产品/品种) of a party, the brand owner.

    Identified by a GTIN (check digit validated) or a platform product code (a URI); ``key`` is
    the canonical key either way (``01/<GTIN-14>`` or the code). ``attributes`` hold the sector
    attributes (批准文号, 农药登记证号, toxicity, alcohol strength, origin country …), validated per
    sector by ``validators.check_product_attributes``.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="products"
    )
    key = models.CharField(_("identifier key"), max_length=300, unique=True)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    platform_code = models.CharField(_("platform product code"), max_length=300, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("UN/ECE Rec. 20 code, e.g. KGM, H87.")
    )
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    attributes = models.JSONField(_("sector attributes"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["party_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gtin"], condition=~Q(gtin=""), name="product_gtin_unique"),
            models.CheckConstraint(
                condition=(~Q(gtin="") & Q(platform_code="")) | (Q(gtin="") & ~Q(platform_code="")),
                name="product_gtin_xor_platform_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sector_codes(self) -> list[str]:
        return sorted(s.sector for s in self.sectors.all())


class ProductSector(models.Model):
    """A sector a product is traced in (所属行业), e.g. imported wine: liquor and imported food."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="sectors"
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)

    class Meta:
        verbose_name = _("product sector")
        verbose_name_plural = _("product sectors")
        constraints = [models.UniqueConstraint(fields=["product", "sector"], name="product_sector_unique")]

    def __str__(self) -> str:
        return self.sector


class ImportKind(models.TextChoices):
    """What a bulk import (批量导入) registers: one kind of master data per file."""

    PARTIES = "parties", _("Parties")
    LOCATIONS = "locations", _("Locations")
    PRODUCTS = "products", _("Products")


class ImportStatus(models.TextChoices):
    """Where a bulk import stands. Only a READY batch can be committed, once, before it expires."""

    READY = "ready", _("Checked, ready to store")
    INVALID = "invalid", _("Has errors")
    COMMITTED = "committed", _("Committed")
    FAILED = "failed", _("Refused when storing")
    EXPIRED = "expired", _("Expired")


class ImportBatch(models.Model):
    """A bulk import (批量导入) of parties, locations or products from an Excel or CSV file (P3).

    Uploading a file checks every row through the registry services in a transaction that is
    rolled back (a dry run) and stores the preview here: the rows as parsed and each error as (row
    number as Excel shows it, column header as in the file, reason). Committing runs the stored
    file again through the same services in one transaction, all or nothing, so the commit never
    trusts anything a browser posts back. The file is kept only while the batch can still be
    committed (it may hold ID card numbers); the preview and the outcome stay. Written only by
    ``tracehub.registry.imports``.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("uploaded by API client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The uploader's own party, for an enterprise's import."),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file_format = models.CharField(_("file format"), max_length=10)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    language = models.CharField(_("language of the messages"), max_length=10, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    rows = models.JSONField(_("rows as parsed"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_ids = models.JSONField(_("created objects"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    committed_at = models.DateTimeField(_("stored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk import")
        verbose_name_plural = _("bulk imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="import_status_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.status == ImportStatus.EXPIRED or (
            self.status == ImportStatus.READY and self.expires_at <= timezone.now()
        )

    @property
    def can_commit(self) -> bool:
        return self.status == ImportStatus.READY and not self.is_expired


class CodeScheme(models.TextChoices):
    """What kind of code an allocation (赋码) hands out (docs/codes.md)."""

    GS1 = "gs1", _("GS1 serial numbers under a GTIN (SGTIN)")
    PLATFORM = "platform", _("Platform trace codes (平台追溯码)")


class CodeCounter(models.Model):
    """A code counter (赋码计数器): the next unused sequence number of one numbering space.

    One row per (scheme, key): for GS1 serials the key is the GTIN-14 (serials are unique per
    GTIN), for platform trace codes district + node + day (``3502130001261128``: the code's own
    digits 1-16), for the node numbers of a district (scheme ``node``) the district.
    ``code_allocation_create`` locks the row (``SELECT … FOR UPDATE``) and moves ``next_sequence``
    on in the transaction that records the allocation, so two allocations never overlap and a
    number is never handed out twice. ``secret`` keys the permutation that turns a GS1
    sequence number into its printed serial (``tracehub.identifiers.serials``); it never leaves the
    database.
    """

    scheme = models.CharField(
        _("scheme"), max_length=10, help_text=_("gs1, platform, or node (the node numbers of a district).")
    )
    key = models.CharField(_("numbering space"), max_length=40)
    next_sequence = models.BigIntegerField(_("next sequence number"), default=0)
    secret = models.CharField(
        _("serial key"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Keys the serial permutation."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("code counter")
        verbose_name_plural = _("code counters")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="code_counter_scheme_key_unique"),
            models.CheckConstraint(condition=Q(next_sequence__gte=0), name="code_counter_next_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.key}@{self.next_sequence}"


class CodeNode(models.Model):
    """A party's node number (节点号) in a district, digits 7-10 of its platform trace codes.

    Given on the party's first allocation of platform codes in that district, from the district's
    own counter (scheme ``node``), and never given to another party.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="code_nodes"
    )
    district = models.CharField(_("district"), max_length=6)
    node = models.PositiveSmallIntegerField(_("node"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("code node")
        verbose_name_plural = _("code nodes")
        constraints = [
            models.UniqueConstraint(fields=["district", "node"], name="code_node_district_node_unique"),
            models.UniqueConstraint(fields=["party", "district"], name="code_node_party_district_unique"),
            models.CheckConstraint(condition=Q(node__gte=1, node__lte=9999), name="code_node_range"),
        ]

    def __str__(self) -> str:
        return f"{self.district}{self.node:04d}"


class CodeAllocation(models.Model):
    """A code allocation (赋码记录): a range of codes handed to a party for a product and lot.

    Stored as a range of sequence numbers of one numbering space (``counter_key``, as in
    ``CodeCounter``), never one row per code: a million codes are one row. The codes themselves are
    derived from the sequence numbers when they are listed or printed (docs/codes.md): a GS1
    serial is the keyed permutation of the sequence with a check digit, a platform trace code is
    district + node + day + sequence + check. Who asked (user or API client) and when are kept;
    allocations are never changed or deleted, so a code once allocated is never reissued.
    """

    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="code_allocations"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="code_allocations"
    )
    lot = models.CharField(_("lot"), max_length=20, blank=True, help_text=_("批号, GS1 AI (10)."))
    scheme = models.CharField(_("scheme"), max_length=10, choices=CodeScheme.choices)
    counter_key = models.CharField(
        _("numbering space"), max_length=40, help_text=_("GTIN-14, or district + node + day.")
    )
    first_sequence = models.BigIntegerField(_("first sequence number"))
    last_sequence = models.BigIntegerField(_("last sequence number"))
    count = models.PositiveIntegerField(_("number of codes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("allocated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("allocated by API client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("allocated by"), max_length=200)
    created_at = models.DateTimeField(_("allocated at"), default=timezone.now)

    class Meta:
        verbose_name = _("code allocation")
        verbose_name_plural = _("code allocations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Also the index of the range look-up (selectors.code_allocation_find).
            models.UniqueConstraint(
                fields=["scheme", "counter_key", "first_sequence"], name="code_allocation_range_unique"
            ),
            models.CheckConstraint(
                condition=Q(first_sequence__gte=0) & Q(last_sequence__gte=models.F("first_sequence")),
                name="code_allocation_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(count=models.F("last_sequence") - models.F("first_sequence") + 1),
                name="code_allocation_count_matches_range",
            ),
        ]
        indexes = [
            models.Index(fields=["party", "-created_at"], name="code_allocation_party_idx"),
            models.Index(fields=["product", "-created_at"], name="code_allocation_product_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.counter_key} {self.first_sequence}-{self.last_sequence}"

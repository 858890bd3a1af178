"""Accounts: departments (部门), user roles, API clients (接口客户端), notifications, the audit trail.

This module holds who is acting: government departments and the sectors they are responsible
for, the role of each console user, integration clients with hashed keys, and the record of who
changed what (O3: responsibility pinned, 责任可究). Parties (主体) live one floor up in
``tracehub.registry``; accounts never imports it (DESIGN.md §2), so the link of an enterprise user
or a party's API client to its party is kept there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    """The sectors of the plan (REQUIREMENTS.md G1-G6, E1, E2): each traced by a department."""

    FOOD = "food", _("Food (食品)")
    DRUG = "drug", _("Drugs and medical devices (药品与医疗器械)")
    LIQUOR = "liquor", _("Liquor distribution (酒类流通)")
    AGRI = "agri", _("Agricultural products (农产品)")
    AGRI_INPUT = "agri_input", _("Agricultural inputs (农资)")
    IMPORT_FOOD = "import_food", _("Imported food (进口食品)")
    MEAT_VEG = "meat_veg", _("Meat and vegetable distribution (肉菜流通)")
    ENTERPRISE = "enterprise", _("Enterprise full chain (企业全链条)")


class District(models.TextChoices):
    """Xiamen's districts by GB/T 2260 code; 350200 is the city as a whole (市级, city-wide)."""

    CITY = "350200", _("Xiamen, city-wide (厦门市)")
    SIMING = "350203", _("Siming (思明区)")
    HAICANG = "350205", _("Haicang (海沧区)")
    HULI = "350206", _("Huli (湖里区)")
    JIMEI = "350211", _("Jimei (集美区)")
    TONGAN = "350212", _("Tong'an (同安区)")
    XIANGAN = "350213", _("Xiang'an (翔安区)")


class Department(models.Model):
    """A government department (政府部门), e.g. 市场监督管理局 or 商务局's 酒类流通管理局.

    Each is responsible for some sectors (G1-G6): its officials see and decide the filings of
    parties in those sectors, and its subsystem's API client captures events of those sectors (P2).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Short code, e.g. amr."))
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def sector_codes(self) -> frozenset[str]:
        """The department's sectors (uses a prefetched ``sectors`` relation when there is one)."""
        return frozenset(s.sector for s in self.sectors.all())


class DepartmentSector(models.Model):
    """One sector a department is responsible for (部门职责行业)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="sectors"
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)

    class Meta:
        verbose_name = _("department sector")
        verbose_name_plural = _("department sectors")
        constraints = [
            models.UniqueConstraint(fields=["department", "sector"], name="department_sector_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}:{self.sector}"


class Role(models.TextChoices):
    """What a console user is (issue #3 item 4). The anonymous public has no account."""

    OPERATOR = "operator", _("Platform operator (平台运营)")
    OFFICIAL = "official", _("Bureau official (监管人员)")
    ENTERPRISE_ADMIN = "enterprise_admin", _("Enterprise administrator (企业管理员)")
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise staff (企业操作员)")
    AUDITOR = "auditor", _("Certification auditor (认证审核员)")


class UserProfile(models.Model):
    """A console user's role (用户角色): an official's department and districts.

    An enterprise user's party is recorded by ``tracehub.registry`` (PartyMember), since parties
    live above accounts. ``districts`` are GB/T 2260 codes; 350200 means the whole city.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officials",
    )
    districts = models.JSONField(
        _("districts"),
        default=list,
        blank=True,
        help_text=_("GB/T 2260 codes of the districts an official covers; 350200 for the whole city."),
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")
        constraints = [
            # An official always belongs to a department; nobody else does.
            models.CheckConstraint(
                condition=(models.Q(role="official") & models.Q(department__isnull=False))
                | (~models.Q(role="official") & models.Q(department__isnull=True)),
                name="profile_department_iff_official",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class Notification(models.Model):
    """A console notification (站内通知), e.g. "your filing was approved".

    The message is stored as its English msgid with parameters and translated when shown, so
    each user reads it in their own language.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    message = models.CharField(_("message"), max_length=300, help_text=_("msgid, translated when shown."))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language.

        A parameter may itself be a message, ``{"msgid", "params", "text"}`` (a sector's refusal
        reason quoted in an alert), or a list of them: each is translated too, so the reader gets
        the whole notice in their language (``text`` is the English, should a msgid be gone).
        """
        from django.utils.translation import gettext

        try:
            return gettext(self.message) % {k: _notification_param(v) for k, v in self.params.items()}
        except (KeyError, TypeError, ValueError):
            return gettext(self.message)


def _notification_param(value):
    from django.utils.translation import gettext

    if isinstance(value, dict) and isinstance(value.get("msgid"), str):
        params = value.get("params") if isinstance(value.get("params"), dict) else {}
        values = {k: _notification_param(v) for k, v in params.items()}
        try:
            return gettext(value["msgid"]) % values
        except (KeyError, TypeError, ValueError):
            return str(value.get("text") or value["msgid"])
    if isinstance(value, list):
        return "; ".join(str(_notification_param(v)) for v in value)
    return value


class ApiClientKind(models.TextChoices):
    PLATFORM = "platform", _("Platform integration")
    PARTY = "party", _("A party's enterprise system")
    DEPARTMENT = "department", _("A department's subsystem")


class ApiClient(models.Model):
    """An integration client (接口客户端): a subsystem or ERP that pushes data (P2).

    The key itself is shown once at creation and never stored: only its SHA-256 digest is
    kept. Keys carry 256 bits of randomness, so a fast digest is enough (a slow password
    hash would cost every API request for no gain against brute force).
    """

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Who uses this key, e.g. 市场监管局食品追溯子系统.")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ApiClientKind.choices, default=ApiClientKind.PLATFORM
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text=_("The department whose subsystem this is (kind department)."),
    )
    key_prefix = models.CharField(
        _("key prefix"), max_length=16, unique=True, help_text=_("Public part of the key, used to find it.")
    )
    key_digest = models.CharField(_("key digest"), max_length=64, help_text=_("SHA-256 of the whole key."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="department") & models.Q(department__isnull=False))
                | (~models.Q(kind="department") & models.Q(department__isnull=True)),
                name="apiclient_department_iff_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    def is_active(self, *, at=None) -> bool:
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        return self.expires_at is None or self.expires_at > at


class AuditEntry(models.Model):
    """An audit row (审计记录): who did what to which object, before and after (O3).

    It names its object by type and id as text, never by foreign key, so it survives the
    deletion of what it describes.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
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
    actor_label = models.CharField(
        _("actor"), max_length=200, help_text=_("The actor's name at the time, kept if the actor is deleted.")
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=200, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    party_ref = models.BigIntegerField(
        _("party"),
        null=True,
        blank=True,
        help_text=_("Id of the party the object belongs to (no foreign key: kept if the party goes)."),
    )

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["party_ref", "at"], name="audit_party_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
        )

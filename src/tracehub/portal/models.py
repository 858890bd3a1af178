"""The public one-stop query window (一站式查询): scans, authenticity alerts, complaints and reports.

Consumers are anonymous: nothing here stores personal data. A scan keeps the time, a coarse area
(rounded to about 0.1°, only when the phone offered one) and the user-agent family; a report keeps
a keyed digest of the client address (for rate limits and abuse checks, never the address) and
only the contact the reporter chose to give.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tracehub.accounts.models import Department, Sector


class ScanCounter(models.Model):
    """A code's scan counter (扫码计数): one row per code looked up, updated with F() expressions.

    ``alerted`` lists the alert kinds already raised for the code (comma-separated), so that a
    scan that finds the same pattern again costs no query.
    """

    code = models.CharField(
        pgettext_lazy("trace code", "code"),
        max_length=300,
        unique=True,
        help_text=_("Canonical key of the code."),
    )
    count = models.PositiveBigIntegerField(_("look-ups"), default=0)
    first_at = models.DateTimeField(_("first looked up"), default=timezone.now)
    last_at = models.DateTimeField(_("last looked up"), default=timezone.now)
    last_latitude = models.DecimalField(
        _("last coarse latitude"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    last_longitude = models.DecimalField(
        _("last coarse longitude"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    alerted = models.CharField(_("alerts raised"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("scan counter")
        verbose_name_plural = _("scan counters")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_latitude__isnull=True)
                | models.Q(last_latitude__gte=-90, last_latitude__lte=90),
                name="scancounter_latitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ×{self.count}"


class Scan(models.Model):
    """One look-up of a code on the public page (扫码记录). No personal data: no IP, no cookie."""

    code = models.CharField(pgettext_lazy("trace code", "code"), max_length=300)
    at = models.DateTimeField(_("at"), default=timezone.now)
    latitude = models.DecimalField(
        _("coarse latitude"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("coarse longitude"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    agent = models.CharField(_("browser family"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [models.Index(fields=["code", "at"], name="portal_scan_code_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    MANY_LOOKUPS = "many_lookups", _("Looked up many times (疑似复制)")
    FAR_APART = "far_apart", _("Looked up far apart in a short time (异地扫码)")
    NEVER_COMMISSIONED = "never_commissioned", _("Never commissioned or allocated (未赋码)")
    ALREADY_SOLD = "already_sold", _("Already sold at retail (已售出)")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class AuthenticityAlert(models.Model):
    """An authenticity alert (真伪预警): a pattern of look-ups that suggests a copied code.

    Raised once per code and kind, routed to the department responsible for the product's sector.
    """

    code = models.CharField(pgettext_lazy("trace code", "code"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        verbose_name = _("authenticity alert")
        verbose_name_plural = _("authenticity alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "kind"], name="portal_alert_code_kind_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "closed"]), name="portal_alert_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["sector", "created_at"], name="portal_alert_sector_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.kind}"


class ReportCategory(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Suspected counterfeit (疑似假冒)")
    QUALITY = "quality", _("Quality problem (质量问题)")
    LABEL = "label", _("Wrong or missing information (信息不符)")
    EXPIRED = "expired", _("Expired goods (过期)")
    PRICE = "price", _("Price or sales practice (价格或销售行为)")
    OTHER = "other", _("Other (其他)")


class ReportStatus(models.TextChoices):
    NEW = "new", _("new (待处理)")
    ANSWERED = "answered", _("answered (已答复)")
    CLOSED = "closed", _("closed (已办结)")


class Report(models.Model):
    """A consumer's complaint or report (投诉举报) about a code, routed to the responsible bureau.

    ``client_digest`` is a keyed digest of the client address (HMAC with the secret key), used for
    rate limits only; the address itself is never stored. ``contact`` is what the reporter chose to
    leave (optional).
    """

    code = models.CharField(pgettext_lazy("trace code", "code"), max_length=300)
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(_("category"), max_length=20, choices=ReportCategory.choices)
    text = models.TextField(_("what happened"), max_length=2000)
    contact = models.CharField(
        _("contact"), max_length=100, blank=True, help_text=_("Optional: a phone number or e-mail address.")
    )
    photo = models.FileField(_("photo"), upload_to="portal/reports/%Y/%m/", blank=True, max_length=300)
    photo_type = models.CharField(_("photo type"), max_length=20, blank=True)
    client_digest = models.CharField(_("client digest"), max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)

    class Meta:
        verbose_name = _("consumer report")
        verbose_name_plural = _("consumer reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["new", "answered", "closed"]),
                name="portal_report_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    category__in=["counterfeit", "quality", "label", "expired", "price", "other"]
                ),
                name="portal_report_category_valid",
            ),
        ]
        indexes = [models.Index(fields=["sector", "status", "created_at"], name="portal_report_sector_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.category}"

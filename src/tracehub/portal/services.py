"""Writes of the public portal: scans, authenticity alerts, consumer reports and their answers.

Consumers are anonymous: ``scan_record`` and ``report_create`` are called with ``actor=None`` (the
public, documented in docs/portal.md) and write no audit row (nothing an official decided); an
official's answer to a report is audited like every official's change (O3).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from tracehub.accounts.services import audit_record, notification_send
from tracehub.core.errors import Conflict
from tracehub.portal import selectors
from tracehub.portal.codes import CodeRef
from tracehub.portal.models import (
    AlertKind,
    AuthenticityAlert,
    Report,
    ReportCategory,
    ReportStatus,
    Scan,
    ScanCounter,
)
from tracehub.portal.sql import prepared_fetch

#: Notification msgids (translated when shown, in each reader's language).
ALERT_MESSAGE = gettext_noop("Authenticity alert on %(product)s, code %(code)s: %(kind)s.")
REPORT_MESSAGE = gettext_noop("New consumer report on %(product)s, code %(code)s: %(category)s.")


@dataclass
class ScanOutcome:
    """What a scan found: the counter after it, and the warnings the page shows."""

    count: int
    first_at: datetime
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def coarse(value: float | None) -> Decimal | None:
    """A coordinate rounded to 0.1° (about 10 km): an area, never a place."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def item_level(ref: CodeRef) -> bool:
    """A code printed on one item (a serial, a drug or pesticide pack code): the authenticity
    patterns concern those; a lot or a GTIN is printed on many packs and scanned by many."""
    return ref.kind in ("serial", "platform")


def _warnings(
    *,
    ref: CodeRef,
    own: selectors.OwnEvents,
    count: int,
    now: datetime,
    previous: tuple[datetime, Decimal | None, Decimal | None] | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
    allocated: bool | None = None,
) -> tuple[list[str], dict[str, Any]]:
    found: list[str] = []
    details: dict[str, Any] = {}
    if not item_level(ref):
        return found, details
    if count >= settings.TRACEHUB_PORTAL_MANY_LOOKUPS:
        found.append(AlertKind.MANY_LOOKUPS)
        details["count"] = count
    if previous is not None and latitude is not None and longitude is not None:
        last_at, last_lat, last_lon = previous
        if last_lat is not None and last_lon is not None:
            km = distance_km((float(last_lat), float(last_lon)), (float(latitude), float(longitude)))
            if km >= settings.TRACEHUB_PORTAL_FAR_KM and now - last_at <= timedelta(
                hours=settings.TRACEHUB_PORTAL_FAR_HOURS
            ):
                found.append(AlertKind.FAR_APART)
                details["km"] = round(km)
    if not own.commissioned:
        if allocated is None:
            allocated = selectors.allocation_for(ref) is not None
        if not allocated:
            found.append(AlertKind.NEVER_COMMISSIONED)
    sold = own.sold_at
    if sold is not None:
        found.append(AlertKind.ALREADY_SOLD)
        details["sold_at"] = sold.isoformat()
    return found, details


def scan_record(
    *,
    ref: CodeRef,
    own: selectors.OwnEvents,
    product: dict[str, Any] | None,
    latitude: float | None = None,
    longitude: float | None = None,
    agent: str = "",
    allocated: bool | None = None,
    actor=None,
    now: datetime | None = None,
) -> ScanOutcome:
    """Log one public look-up of ``ref`` and count it; raise the alerts its patterns call for.

    ``actor`` is None: the anonymous public. ``allocated`` says whether a code allocation issued the
    code when the caller knows it already (None: asked here, only for a code never commissioned).

    Every scan is written before the page is answered (none is lost on a normal request). On
    PostgreSQL it is one statement and one round trip: it reads the counter's previous state, counts
    the scan (upsert) and logs it, atomic by itself, and its commit does not wait for the disk (a
    crash of the database server may lose the last milliseconds of the scan log, never its order).
    Elsewhere three statements in a transaction (the counter read, its update with F() expressions,
    the scan row). A new alert costs a transaction more, once per code and kind.
    """
    now = now or timezone.now()
    lat, lon = coarse(latitude), coarse(longitude)
    if lat is None or lon is None:
        lat = lon = None
    if connection.vendor == "postgresql":
        row, count, first_at = _count_postgresql(ref.key, now, lat, lon, agent)
        alerted = set(filter(None, row[3].split(","))) if row is not None else set()
        previous = (row[0], row[1], row[2]) if row is not None else None
        warnings, details = _warnings(
            ref=ref,
            own=own,
            count=count,
            now=now,
            previous=previous,
            latitude=lat,
            longitude=lon,
            allocated=allocated,
        )
        new_alerts = [kind for kind in warnings if kind not in alerted]
        if new_alerts:
            with transaction.atomic():
                ScanCounter.objects.filter(code=ref.key).update(
                    alerted=",".join(sorted(alerted | set(new_alerts)))
                )
                for kind in new_alerts:
                    alert_raise(ref=ref, product=product, kind=kind, details=details, now=now)
        return ScanOutcome(count=count, first_at=first_at, warnings=warnings, details=details)
    with transaction.atomic():
        row = (
            ScanCounter.objects.filter(code=ref.key)
            .values_list("last_at", "last_latitude", "last_longitude", "alerted", "count", "first_at")
            .first()
        )
        count, first_at = (row[4] + 1, row[5]) if row is not None else (1, now)
        alerted = set(filter(None, row[3].split(","))) if row is not None else set()
        previous = (row[0], row[1], row[2]) if row is not None else None
        warnings, details = _warnings(
            ref=ref,
            own=own,
            count=count,
            now=now,
            previous=previous,
            latitude=lat,
            longitude=lon,
            allocated=allocated,
        )
        new_alerts = [kind for kind in warnings if kind not in alerted]
        changes: dict[str, Any] = {"last_at": now}
        if new_alerts:
            changes["alerted"] = ",".join(sorted(alerted | set(new_alerts)))
        if lat is not None:
            changes.update(last_latitude=lat, last_longitude=lon)
        if row is None:
            try:
                with transaction.atomic():
                    ScanCounter.objects.create(code=ref.key, count=1, first_at=now, **changes)
            except IntegrityError:  # another scan of the same code created it first
                ScanCounter.objects.filter(code=ref.key).update(count=F("count") + 1, **changes)
        else:
            ScanCounter.objects.filter(code=ref.key).update(count=F("count") + 1, **changes)
        Scan.objects.create(code=ref.key, at=now, latitude=lat, longitude=lon, agent=agent[:40])
        for kind in new_alerts:
            alert_raise(ref=ref, product=product, kind=kind, details=details, now=now)
    return ScanOutcome(count=count, first_at=first_at, warnings=warnings, details=details)


_COUNTER = ScanCounter._meta.db_table
_SCAN = Scan._meta.db_table
#: One statement for the whole scan on PostgreSQL: the counter's previous state (the CTE's snapshot is
#: taken before its own writes), its upsert (count + 1, as F("count") + 1 would), and the scan row;
#: ``set_config(…, true)`` turns synchronous commit off for this statement's transaction only (the
#: commit of an autocommit statement, or of the caller's transaction).
_SCAN_SQL = f"""
WITH previous AS (
    SELECT last_at, last_latitude, last_longitude, alerted FROM {_COUNTER} WHERE code = $1
), counted AS (
    INSERT INTO {_COUNTER} AS c (code, count, first_at, last_at, last_latitude, last_longitude, alerted)
    VALUES ($1, 1, $2, $2, $3, $4, '')
    ON CONFLICT (code) DO UPDATE SET count = c.count + 1, last_at = EXCLUDED.last_at,
        last_latitude = COALESCE(EXCLUDED.last_latitude, c.last_latitude),
        last_longitude = COALESCE(EXCLUDED.last_longitude, c.last_longitude)
    RETURNING count, first_at
), logged AS (
    INSERT INTO {_SCAN} (code, at, latitude, longitude, agent) VALUES ($1, $2, $3, $4, $5)
)
SELECT p.last_at, p.last_latitude, p.last_longitude, p.alerted, counted.count, counted.first_at,
    set_config('synchronous_commit', 'off', true)
FROM counted LEFT JOIN previous p ON TRUE
"""  # noqa: S608 - table names from the models, values bound


def _count_postgresql(code: str, now: datetime, lat, lon, agent: str):
    """Count and log a scan in one prepared statement (its commit does not wait for the disk)."""
    (row,) = prepared_fetch(
        "tracehub_portal_scan",
        "text, timestamptz, numeric, numeric, text",
        _SCAN_SQL,
        [code, now, lat, lon, agent[:40]],
    )
    last_at, last_lat, last_lon, alerted, count, first_at, _sync = row
    row = (last_at, last_lat, last_lon, alerted) if last_at is not None else None
    return row, count, first_at


def _routing(product: dict[str, Any] | None) -> tuple[str, int | None, list[int]]:
    """(sector, department responsible, departments to notify) for a product's code."""
    sectors = (product or {}).get("sectors") or []
    if not sectors:
        return "", None, []
    departments = selectors.departments_for_sectors(sectors)
    direct = selectors.departments_for_sectors(sectors[:1])
    return sectors[0], (direct[0] if direct else None), departments


def alert_raise(
    *, ref: CodeRef, product: dict[str, Any] | None, kind: str, details: dict[str, Any], now: datetime
) -> AuthenticityAlert | None:
    """Record an authenticity alert (once per code and kind) and notify the bureau's officials."""
    sector, department, notify = _routing(product)
    name = (product or {}).get("name", "")
    try:
        with transaction.atomic():
            alert = AuthenticityAlert.objects.create(
                code=ref.key,
                kind=kind,
                sector=sector,
                department_id=department,
                product_name=name[:200],
                details={**details, "display": ref.display},
                created_at=now,
            )
    except IntegrityError:
        return None  # raised already (by a concurrent scan)
    if notify:
        params = {"product": name or ref.display, "code": ref.display, "kind": str(AlertKind(kind).label)}
        notification_send(
            users=selectors.officials_of(notify),
            message=ALERT_MESSAGE,
            params=params,
            link="/console/portal/alerts/",
        )
    return alert


# ------------------------------------------------------------------------------------------------
# Reports (投诉举报).
# ------------------------------------------------------------------------------------------------


def client_digest(address: str) -> str:
    """A keyed digest of a client address (HMAC-SHA-256 with the secret key): the address itself
    is never stored, and the digest cannot be reversed without the key."""
    key = hashlib.sha256(("tracehub.portal.client:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_image(data: bytes) -> str | None:
    """The media type of a photo by its content (JPEG, PNG or WebP, structure checked), else None."""
    for signature, media_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            if media_type == "image/png":
                # The first chunk of every PNG is IHDR, 13 bytes long, with a non-zero size.
                if data[12:16] != b"IHDR" or len(data) < 33:
                    return None
                width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
                return media_type if width and height else None
            # JPEG: a start-of-frame marker must follow somewhere, and the image must end.
            has_frame = any(marker in data for marker in (b"\xff\xc0", b"\xff\xc1", b"\xff\xc2"))
            return media_type if has_frame and data.rstrip(b"\x00").endswith(b"\xff\xd9") else None
    if (
        data[:4] == b"RIFF"
        and data[8:12] == b"WEBP"
        and int.from_bytes(data[4:8], "little") + 8 <= len(data) + 1
    ):
        return "image/webp"
    return None


_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def report_create(
    *,
    ref: CodeRef,
    product: dict[str, Any] | None,
    category: str,
    text: str,
    contact: str = "",
    photo: bytes | None = None,
    client: str,
    actor=None,
    now: datetime | None = None,
) -> Report:
    """File a consumer report on a code, routed to the bureau responsible for the product's sector.

    ``actor`` is None (the anonymous public); ``client`` is the client address, stored only as its
    keyed digest. Raises ``ValidationError`` naming each bad field.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    contact = (contact or "").strip()
    if category not in ReportCategory.values:
        errors["category"] = [gettext("Choose a category.")]
    if not text:
        errors["text"] = [gettext("Say what happened.")]
    elif len(text) > 2000:
        errors["text"] = [gettext("At most 2000 characters.")]
    if len(contact) > 100:
        errors["contact"] = [gettext("At most 100 characters.")]
    media_type = ""
    if photo is not None:
        if len(photo) > settings.TRACEHUB_PORTAL_PHOTO_MAX_BYTES:
            errors["photo"] = [
                gettext("The photo is larger than %(size)s MB.")
                % {"size": settings.TRACEHUB_PORTAL_PHOTO_MAX_BYTES // (1024 * 1024)}
            ]
        else:
            media_type = sniff_image(photo) or ""
            if not media_type:
                errors["photo"] = [gettext("The photo must be a JPEG, PNG or WebP image.")]
    if errors:
        raise ValidationError(errors)
    sector, department, notify = _routing(product)
    name = (product or {}).get("name", "")
    with transaction.atomic():
        report = Report(
            code=ref.key,
            product_name=name[:200],
            sector=sector,
            department_id=department,
            category=category,
            text=text,
            contact=contact,
            photo_type=media_type,
            client_digest=client_digest(client),
            created_at=now,
        )
        if photo is not None:
            report.photo.save(f"report.{_EXTENSIONS[media_type]}", ContentFile(photo), save=False)
        report.save()
        if notify:
            params = {
                "product": name or ref.display,
                "code": ref.display,
                "category": str(ReportCategory(category).label),
            }
            notification_send(
                users=selectors.officials_of(notify),
                message=REPORT_MESSAGE,
                params=params,
                link=f"/console/portal/reports/{report.pk}/",
            )
    return report


def report_answer(*, actor, report: Report, answer: str, close: bool = False) -> Report:
    """An official answers a report (audited). The actor must be allowed to read the report."""
    from tracehub.registry.actors import ActorKind

    if actor.kind not in (ActorKind.OFFICIAL, ActorKind.OPERATOR):
        raise Conflict(gettext("Only officials answer reports."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [gettext("Write an answer.")]})
    if len(answer) > 2000:
        raise ValidationError({"answer": [gettext("At most 2000 characters.")]})
    if report.status == ReportStatus.CLOSED:
        raise Conflict(gettext("This report is closed."))
    before = {"status": report.status, "answer": report.answer}
    with transaction.atomic():
        report.answer = answer
        report.status = ReportStatus.CLOSED if close else ReportStatus.ANSWERED
        report.answered_by = actor.user
        report.answered_at = timezone.now()
        report.save(update_fields=["answer", "status", "answered_by", "answered_at"])
        audit_record(
            **actor.audit,
            action="portal.report.answer",
            object_type="portal.Report",
            object_id=str(report.pk),
            before=before,
            after={"status": report.status, "answer": answer},
        )
    return report

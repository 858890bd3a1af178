"""Reads of the farm produce subsystem (农产品, G4): plots, farms, certificates, tests and
inspections in the caller's scope, the information evaluation (信息评价) and the coverage statistics
(追溯覆盖). Each a fixed number of queries (tests/sectors/test_agri_selectors.py).

Scope: a party's users and clients see their party's records (and the inspections of their lots);
officials and subsystems of the agriculture bureau (a department with the ``agri`` sector) see the
records of parties in their districts; the platform sees all; nobody else sees anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Subquery, Sum

from tracehub.epcis.models import Event
from tracehub.registry.actors import Actor
from tracehub.registry.models import Location, Party
from tracehub.sectors.models_agri import (
    CertificateCommitment,
    LivestockFarm,
    MarketInspection,
    PlantingPlot,
    ProduceCertificate,
    RapidTest,
)
from tracehub.sectors.profile import registry

SECTOR = "agri"
LIMIT = 500
#: Every standard commitment, in the order the service stores them.
ALL_COMMITMENTS = list(CertificateCommitment.values)


# -- scope --------------------------------------------------------------------------------------


def is_agri_official(actor: Actor) -> bool:
    """An official or subsystem of a department with the agriculture sector (农业农村局)."""
    return actor.oversees and SECTOR in actor.sectors


def oversees(actor: Actor, district: str) -> bool:
    """The platform, or an agriculture official whose districts cover ``district``."""
    if actor.sees_all:
        return True
    return is_agri_official(actor) and (actor.districts is None or district in actor.districts)


def may_see_party(actor: Actor, party: Party) -> bool:
    return (actor.acts_for_party and actor.party_id == party.pk) or oversees(actor, party.district)


def may_edit_party(actor: Actor, party: Party) -> bool:
    """Who writes a party's plots, farms and certificates: its own users and clients, the platform."""
    return actor.sees_all or (actor.acts_for_party and actor.party_id == party.pk)


def scoped(actor: Actor, rows: QuerySet, *, party: str = "party") -> QuerySet:
    """``rows`` the actor may see, by the party field ``party`` ("" for rows of parties)."""
    if actor.sees_all:
        return rows
    if actor.acts_for_party:
        return rows.filter(**{f"{party}_id" if party else "pk": actor.party_id})
    if is_agri_official(actor):
        if actor.districts is None:
            return rows
        return rows.filter(**{f"{party}__district__in" if party else "district__in": sorted(actor.districts)})
    return rows.none()


# -- lists --------------------------------------------------------------------------------------


def plots_for(actor: Actor, *, q: str = "") -> QuerySet[PlantingPlot]:
    """Planting plots in scope with their party and location: one query."""
    rows = scoped(actor, PlantingPlot.objects.select_related("party", "location"))
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(crop__icontains=q) | Q(variety__icontains=q))
    return rows.order_by("party__name", "name", "id")


def farms_for(actor: Actor) -> QuerySet[LivestockFarm]:
    return scoped(actor, LivestockFarm.objects.select_related("party", "location")).order_by(
        "party__name", "name", "id"
    )


def certificates_for(actor: Actor, *, q: str = "", status: str = "") -> QuerySet[ProduceCertificate]:
    """Certificates in scope with producer, site and plot: one query."""
    rows = scoped(actor, ProduceCertificate.objects.select_related("party", "location", "plot"))
    if q:
        rows = rows.filter(
            Q(number__startswith=q) | Q(product_name__icontains=q) | Q(lot=q) | Q(party__name__icontains=q)
        )
    if status:
        rows = rows.filter(status=status)
    return rows


def certificate_get(actor: Actor, *, number: str) -> ProduceCertificate | None:
    """One certificate the actor may see, None otherwise (never telling which)."""
    found = (
        ProduceCertificate.objects.select_related("party", "location", "plot").filter(number=number).first()
    )
    if found is None or not may_see_party(actor, found.party):
        return None
    return found


def certificate_by_number(number: str) -> ProduceCertificate | None:
    """The stored certificate of a number quoted in an event (``urn:tracehub:doc:…:<number>``)."""
    return ProduceCertificate.objects.select_related("party").filter(number=number.rsplit(":", 1)[-1]).first()


def tests_for(actor: Actor, *, lot: str = "", failed: bool = False) -> QuerySet[RapidTest]:
    rows = scoped(actor, RapidTest.objects.select_related("party", "certificate"))
    if lot:
        rows = rows.filter(lot=lot)
    if failed:
        rows = rows.filter(passed=False)
    return rows


def inspections_for(actor: Actor) -> QuerySet[MarketInspection]:
    """Inspections in scope: a party sees those of its own lots (as seller)."""
    return scoped(
        actor,
        MarketInspection.objects.select_related("market", "seller", "certificate"),
        party="seller",
    )


def lot_flagged(lot: str) -> bool:
    """Whether a lot failed a rapid test (不合格批次)."""
    return RapidTest.objects.filter(lot=lot, passed=False).exists()


def plots_of(actor: Actor, party_id: int | None) -> QuerySet[PlantingPlot]:
    """The plots a certificate of ``party_id`` may name (its own)."""
    return PlantingPlot.objects.filter(party_id=party_id).order_by("name")


# -- information evaluation (信息评价) ------------------------------------------------------------
#
# The score of a party (docs/sectors/agri-evaluation.md), each component in [0, 1]:
#
#   completeness C = items present / items expected, over its records: per certificate 3 items
#                    (plot of origin linked, contact phone, all four standard commitments ticked),
#                    per planting plot 1 (linked to a registered location), per livestock farm 2
#                    (epidemic prevention certificate number, linked location).
#   timeliness   T = (records entered within 24 h of the event + ½ · those within 72 h) / records,
#                    over its certificates (issued_at → created_at) and tests (tested_at → created_at).
#   test results P = passed rapid tests / rapid tests of its lots.
#
#   score = 100 · (0.4·C + 0.3·T + 0.3·P) / (sum of the weights of the components with data);
#   a component without data (no test yet) drops out and the others are re-weighted; a party with
#   no record at all has no score. Grade A ≥ 90, B ≥ 75, C ≥ 60, else D.

WEIGHTS = {"completeness": Decimal("0.4"), "timeliness": Decimal("0.3"), "tests": Decimal("0.3")}
ON_TIME = dt.timedelta(hours=24)
LATE = dt.timedelta(hours=72)
SORTS = ("score", "completeness", "timeliness", "tests", "name", "certificates")


@dataclass
class PartyScore:
    party: Party
    certificates: int = 0
    plots: int = 0
    farms: int = 0
    tests: int = 0
    tests_passed: int = 0
    items_expected: int = 0
    items_present: int = 0
    timed: int = 0
    on_time: int = 0
    late: int = 0
    completeness: float | None = None
    timeliness: float | None = None
    pass_share: float | None = None
    score: float | None = None

    @property
    def grade(self) -> str:
        if self.score is None:
            return "—"
        if self.score >= 90:
            return "A"
        if self.score >= 75:
            return "B"
        if self.score >= 60:
            return "C"
        return "D"

    def finish(self) -> None:
        if self.items_expected:
            self.completeness = self.items_present / self.items_expected
        if self.timed:
            self.timeliness = (self.on_time + 0.5 * self.late) / self.timed
        if self.tests:
            self.pass_share = self.tests_passed / self.tests
        parts = [
            (WEIGHTS["completeness"], self.completeness),
            (WEIGHTS["timeliness"], self.timeliness),
            (WEIGHTS["tests"], self.pass_share),
        ]
        weights = sum((w for w, v in parts if v is not None), Decimal(0))
        if weights:
            total = sum((float(w) * v for w, v in parts if v is not None), 0.0)
            self.score = round(100 * total / float(weights), 1)


def _timed(rows: QuerySet, event_field: str) -> QuerySet:
    """Per party: records, those entered within 24 h and within 72 h of the event time."""
    return rows.values("party_id").annotate(
        n=Count("id"),
        on_time=Count("id", filter=Q(created_at__lte=F(event_field) + ON_TIME)),
        late=Count(
            "id", filter=Q(created_at__gt=F(event_field) + ON_TIME, created_at__lte=F(event_field) + LATE)
        ),
    )


def evaluation(actor: Actor, *, sort: str = "-score") -> list[PartyScore]:
    """The information evaluation of every party with farm produce records in scope: five queries.

    ``sort`` is one of :data:`SORTS`, ``-`` first for descending; parties without a score last."""
    scores: dict[int, PartyScore] = {}
    parties = scoped(
        actor,
        Party.objects.filter(
            Q(pk__in=Subquery(PlantingPlot.objects.values("party_id")))
            | Q(pk__in=Subquery(LivestockFarm.objects.values("party_id")))
            | Q(pk__in=Subquery(ProduceCertificate.objects.values("party_id")))
            | Q(pk__in=Subquery(RapidTest.objects.values("party_id")))
        ),
        party="",
    )
    for party in parties:
        scores[party.pk] = PartyScore(party=party)
    ids = list(scores)
    certificates = _timed(ProduceCertificate.objects.filter(party_id__in=ids), "issued_at").annotate(
        with_plot=Count("id", filter=Q(plot__isnull=False)),
        with_phone=Count("id", filter=~Q(contact_phone="")),
        full=Count("id", filter=Q(commitments=ALL_COMMITMENTS)),
    )
    for row in certificates:
        s = scores[row["party_id"]]
        s.certificates = row["n"]
        s.items_expected += 3 * row["n"]
        s.items_present += row["with_plot"] + row["with_phone"] + row["full"]
        s.timed += row["n"]
        s.on_time += row["on_time"]
        s.late += row["late"]
    plots = (
        PlantingPlot.objects.filter(party_id__in=ids)
        .values("party_id")
        .annotate(n=Count("id"), linked=Count("id", filter=Q(location__isnull=False)))
    )
    for row in plots:
        s = scores[row["party_id"]]
        s.plots = row["n"]
        s.items_expected += row["n"]
        s.items_present += row["linked"]
    farms = (
        LivestockFarm.objects.filter(party_id__in=ids)
        .values("party_id")
        .annotate(
            n=Count("id"),
            linked=Count("id", filter=Q(location__isnull=False)),
            certified=Count("id", filter=~Q(epidemic_certificate="")),
        )
    )
    for row in farms:
        s = scores[row["party_id"]]
        s.farms = row["n"]
        s.items_expected += 2 * row["n"]
        s.items_present += row["linked"] + row["certified"]
    tests = _timed(RapidTest.objects.filter(party_id__in=ids), "tested_at").annotate(
        passed_n=Count("id", filter=Q(passed=True))
    )
    for row in tests:
        s = scores[row["party_id"]]
        s.tests = row["n"]
        s.tests_passed = row["passed_n"]
        s.timed += row["n"]
        s.on_time += row["on_time"]
        s.late += row["late"]
    out = list(scores.values())
    for s in out:
        s.finish()
    return sort_scores(out, sort)


def sort_scores(rows: list[PartyScore], sort: str) -> list[PartyScore]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = "score", True
    if key == "name":
        return sorted(rows, key=lambda s: (s.party.name, s.party.pk), reverse=descending)
    attribute = {"tests": "pass_share"}.get(key, key)
    known = [s for s in rows if getattr(s, attribute) is not None]
    unknown = [s for s in rows if getattr(s, attribute) is None]
    known.sort(key=lambda s: (getattr(s, attribute), -s.party.pk), reverse=descending)
    return known + sorted(unknown, key=lambda s: s.party.pk)


# -- coverage statistics (追溯覆盖) ---------------------------------------------------------------


def agri_biz_steps() -> list[str]:
    return [step.biz_step for step in registry[SECTOR].steps]


@dataclass
class DistrictCoverage:
    district: str
    plots: int
    plots_covered: int
    area_mu: Decimal
    area_covered: Decimal
    varieties: int
    varieties_covered: int

    @property
    def area_share(self) -> float | None:
        return float(self.area_covered / self.area_mu) if self.area_mu else None

    @property
    def variety_share(self) -> float | None:
        return self.varieties_covered / self.varieties if self.varieties else None

    def as_json(self) -> dict:
        return {
            "district": self.district,
            "plots": self.plots,
            "plotsCovered": self.plots_covered,
            "areaMu": str(self.area_mu),
            "areaCoveredMu": str(self.area_covered),
            "areaShare": None if self.area_share is None else round(self.area_share, 4),
            "varieties": self.varieties,
            "varietiesCovered": self.varieties_covered,
            "varietyShare": None if self.variety_share is None else round(self.variety_share, 4),
        }


def covered_parties_q() -> Q:
    """Plots whose party is in traceability: it issued a certificate, or an event of a farm produce
    step happened at one of its locations (held or operated)."""
    at_agri_events = Subquery(
        Event.objects.filter(biz_step__in=agri_biz_steps()).values("biz_location").distinct()
    )
    return (
        Q(party_id__in=Subquery(ProduceCertificate.objects.values("party_id")))
        | Q(party_id__in=Subquery(Location.objects.filter(key__in=at_agri_events).values("party_id")))
        | Q(
            party_id__in=Subquery(
                Location.objects.filter(key__in=at_agri_events, operator__isnull=False).values("operator_id")
            )
        )
    )


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros or an exponent: PostgreSQL sums a decimal(…, 2) column as
    12.50 where SQLite answers 12.5, and the answers must not depend on the database."""
    return Decimal(f"{value.normalize():f}")


def coverage(actor: Actor) -> tuple[list[DistrictCoverage], DistrictCoverage]:
    """Varieties and planted area covered by traceability vs total, by district, and for all
    districts in scope: two queries (by district, and the distinct varieties overall)."""
    plots = scoped(actor, PlantingPlot.objects.all())
    if is_agri_official(actor) and actor.districts is not None:
        plots = PlantingPlot.objects.filter(district__in=sorted(actor.districts))
    covered = covered_parties_q()
    zero = Decimal("0")
    rows = (
        plots.values("district")
        .annotate(
            n=Count("id"),
            n_covered=Count("id", filter=covered),
            area=Sum("area_mu"),
            area_covered=Sum("area_mu", filter=covered),
            varieties=Count("variety", distinct=True),
            varieties_covered=Count("variety", distinct=True, filter=covered),
        )
        .order_by("district")
    )
    districts = [
        DistrictCoverage(
            district=r["district"],
            plots=r["n"],
            plots_covered=r["n_covered"],
            area_mu=_plain(r["area"] or zero),
            area_covered=_plain(r["area_covered"] or zero),
            varieties=r["varieties"],
            varieties_covered=r["varieties_covered"],
        )
        for r in rows
    ]
    overall = plots.aggregate(
        varieties=Count("variety", distinct=True),
        varieties_covered=Count("variety", distinct=True, filter=covered),
    )
    total = DistrictCoverage(
        district="",
        plots=sum(d.plots for d in districts),
        plots_covered=sum(d.plots_covered for d in districts),
        area_mu=_plain(sum((d.area_mu for d in districts), zero)),
        area_covered=_plain(sum((d.area_covered for d in districts), zero)),
        varieties=overall["varieties"],
        varieties_covered=overall["varieties_covered"],
    )
    return districts, total

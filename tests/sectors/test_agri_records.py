"""Farm produce records (G4): plots and farms, certificates with their event, rapid tests flagging
lots, market inspections — set up through the real services, each rule checked with the stored data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson
import pytest
from django.core.exceptions import PermissionDenied

from tracehub.accounts.models import AuditEntry
from tracehub.epcis.models import Event
from tracehub.sectors.models_agri import (
    CertificateCheck,
    CertificateStatus,
    LivestockFarm,
    MarketInspection,
    PlantingPlot,
    ProduceCertificate,
    RapidTest,
)
from tracehub.sectors.selectors_agri import certificate_by_number
from tracehub.sectors.services_agri import (
    AgriInvalid,
    certificate_issue,
    farm_create,
    farm_delete,
    farm_update,
    market_inspection_record,
    plot_create,
    plot_delete,
    plot_update,
    rapid_test_record,
)

from .agri_world import LOT, LOT2, build_agri_world, departments

ALL = ["no_banned_drugs", "no_illegal_additives", "intervals_kept", "residue_standards"]
CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def w(db):
    departments()
    return build_agri_world()


def _plot(w, **over):
    data = {"name": "1号地块", "area_mu": "12.5", "crop": "青菜", "variety": "上海青", "location": w.base}
    data.update(over)
    return plot_create(actor=w.actor("coop_staff"), party=w.coop, **data)


def _certificate(w, *, lot=LOT, plot=None, when=None, **over):
    data = {
        "location": w.base,
        "lot": lot,
        "product_name": "上海青",
        "quantity": "350",
        "unit": "KGM",
        "origin": "厦门市集美区后溪镇",
        "production_date": "2026-11-20",
        "commitments": ALL,
        "test_basis": "self_test",
        "plot": plot,
        "contact_phone": "0592-6201234",
        "issued_at": when or dt.datetime(2026, 11, 20, 7, 30, tzinfo=CHINA),
    }
    data.update(over)
    return certificate_issue(actor=w.actor("coop_admin"), **data)


def test_plot_crud_by_the_party_audited(w):
    plot = _plot(w)
    assert (plot.party_id, plot.area_mu, plot.district, plot.location_id) == (
        w.coop.pk,
        Decimal("12.50"),
        "350211",
        w.base.pk,
    )
    plot_update(actor=w.actor("coop_admin"), plot=plot, area_mu="15", variety="苏州青")
    plot.refresh_from_db()
    assert (plot.area_mu, plot.variety) == (Decimal("15.00"), "苏州青")
    actions = list(
        AuditEntry.objects.filter(action__startswith="sectors.agri.plot").values_list("action", flat=True)
    )
    assert sorted(actions) == ["sectors.agri.plot.create", "sectors.agri.plot.update"]
    plot_delete(actor=w.actor("coop_admin"), plot=plot)
    assert not PlantingPlot.objects.exists()


def test_plot_errors_name_each_field_and_store_nothing(w):
    with pytest.raises(AgriInvalid) as caught:
        plot_create(
            actor=w.actor("coop_admin"),
            party=w.coop,
            name="",
            area_mu="0",
            crop="",
            variety="x" * 101,
            district="110101",
            location=w.family_base,
        )
    assert sorted(caught.value.errors) == ["area_mu", "crop", "district", "location", "name", "variety"]
    _plot(w)
    with pytest.raises(AgriInvalid) as caught:
        _plot(w)
    assert list(caught.value.errors) == ["name"]
    assert PlantingPlot.objects.count() == 1


def test_only_the_partys_own_users_write_its_plots(w):
    for role in ("family_admin", "agri_city", "commerce"):
        with pytest.raises(PermissionDenied):
            plot_create(actor=w.actor(role), party=w.coop, name="x", area_mu="1", crop="c", variety="v")
    assert not PlantingPlot.objects.exists()


def test_farm_crud(w):
    farm = farm_create(
        actor=w.actor("coop_admin"),
        party=w.coop,
        name="后溪蛋鸡场",
        species="poultry",
        head_count=5000,
        annual_output=0,
        epidemic_certificate="(集)动防合字第001号",
    )
    farm_update(actor=w.actor("coop_admin"), farm=farm, head_count=5200)
    farm.refresh_from_db()
    assert (farm.head_count, farm.species, farm.district) == (5200, "poultry", "350211")
    with pytest.raises(AgriInvalid) as caught:
        farm_create(actor=w.actor("coop_admin"), party=w.coop, name="x", species="dragon", head_count=-1)
    assert sorted(caught.value.errors) == ["head_count", "species"]
    farm_delete(actor=w.actor("coop_admin"), farm=farm)
    assert not LivestockFarm.objects.exists()


def test_certificate_issue_allocates_a_number_and_captures_its_event(w):
    plot = _plot(w)
    first = _certificate(w, plot=plot)
    second = _certificate(w, lot=LOT2)
    assert (first.number, second.number) == ("3502112611200001", "3502112611200002")
    assert (first.party_id, first.plot_id, first.quantity, first.commitments) == (
        w.coop.pk,
        plot.pk,
        Decimal("350.000"),
        ALL,
    )
    event = Event.objects.get(event_id=first.event_id)
    assert event.biz_step == "urn:tracehub:cbv:bizstep:certificate_issuing"
    stored = orjson.loads(event.document)
    assert stored["bizTransactionList"] == [{"type": "cert", "bizTransaction": first.uri}]
    assert stored["quantityList"] == [{"epcClass": LOT, "quantity": 350, "uom": "KGM"}]
    assert stored["tracehub:commitments"] == ALL
    assert certificate_by_number(stored["bizTransactionList"][0]["bizTransaction"]) == first
    cert_audit = AuditEntry.objects.filter(action="sectors.agri.certificate_issuing").count()
    assert cert_audit == 2


def test_certificate_errors_name_each_field(w):
    with pytest.raises(AgriInvalid) as caught:
        _certificate(
            w,
            lot="not a lot",
            product_name="",
            quantity="-1",
            unit="jin",
            origin="",
            production_date="2099-01-01",
            commitments=["bogus"],
            test_basis="luck",
        )
    assert sorted(caught.value.errors) == [
        "commitments",
        "lot",
        "origin",
        "product_name",
        "production_date",
        "quantity",
        "test_basis",
        "unit",
    ]
    assert not ProduceCertificate.objects.exists()
    assert not Event.objects.exists()


def test_another_partys_site_is_refused(w):
    with pytest.raises(PermissionDenied):
        certificate_issue(
            actor=w.actor("family_admin"),
            location=w.base,
            lot=LOT,
            product_name="上海青",
            quantity="1",
            unit="KGM",
            origin="集美",
            production_date="2026-11-20",
            commitments=ALL,
            test_basis="self_test",
        )
    assert not ProduceCertificate.objects.exists()


def test_failed_rapid_test_flags_the_lot(w):
    certificate = _certificate(w)
    passed = rapid_test_record(
        actor=w.actor("coop_staff"),
        lot=LOT,
        sample="上海青",
        item="有机磷和氨基甲酸酯类",
        method="酶抑制法",
        value="35.0",
        limit="50",
        unit="%",
        tester="李检",
        location=w.base,
    )
    assert (passed.passed, passed.certificate_id, passed.party_id) == (True, certificate.pk, w.coop.pk)
    assert Event.objects.filter(event_id=passed.event_id, biz_step__endswith=":rapid_test").count() == 1
    failed = rapid_test_record(
        actor=w.actor("agri_jimei"),
        lot=LOT,
        sample="上海青",
        item="克百威",
        value="0.03",
        limit="0.02",
        unit="mg/kg",
        tester="区农检站",
    )
    assert (failed.passed, failed.event_id) == (False, "")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.FLAGGED
    with pytest.raises(AgriInvalid) as caught:
        _certificate(w)
    assert list(caught.value.errors) == ["lot"]


def test_rapid_test_scope(w):
    _certificate(w)
    with pytest.raises(PermissionDenied):
        rapid_test_record(
            actor=w.actor("family_admin"),
            lot=LOT,
            sample="s",
            item="i",
            value="1",
            limit="2",
            unit="%",
            tester="t",
        )
    assert not RapidTest.objects.exists()


def test_market_inspection_checks_the_certificate(w):
    certificate = _certificate(w)
    official = w.actor("agri_city")
    valid = market_inspection_record(
        actor=official,
        market=w.market_site,
        seller=w.coop,
        lot=LOT,
        certificate_number=certificate.number,
        outcome="accepted",
    )
    missing = market_inspection_record(
        actor=official, market=w.market_site, seller=w.coop, lot=LOT2, outcome="rectify"
    )
    unknown = market_inspection_record(
        actor=official,
        market=w.market_site,
        seller=w.coop,
        lot=LOT2,
        certificate_number="3502112611209999",
        outcome="removed",
    )
    assert [(i.certificate_check, i.test_result) for i in (valid, missing, unknown)] == [
        (CertificateCheck.VALID, "not_tested"),
        (CertificateCheck.MISSING, "not_tested"),
        (CertificateCheck.INVALID, "not_tested"),
    ]
    with pytest.raises(PermissionDenied):
        market_inspection_record(
            actor=w.actor("commerce"), market=w.market_site, seller=w.coop, lot=LOT, outcome="accepted"
        )
    with pytest.raises(PermissionDenied):
        market_inspection_record(
            actor=w.actor("agri_jimei"), market=w.market_site, seller=w.coop, lot=LOT, outcome="accepted"
        )
    with pytest.raises(AgriInvalid) as caught:
        market_inspection_record(
            actor=official,
            market=w.market_site,
            seller=w.coop,
            lot=LOT,
            certificate_number="12",
            outcome="maybe",
        )
    assert sorted(caught.value.errors) == ["certificate_number", "outcome"]
    assert MarketInspection.objects.count() == 3

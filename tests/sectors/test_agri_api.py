"""Farm produce API, pages, evaluation and coverage: data made through the real services."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from tracehub.sectors import selectors_agri
from tracehub.sectors.services_agri import rapid_test_record

from .agri_world import LOT, LOT2, build_agri_world, departments
from .test_agri_records import _certificate, _plot


@pytest.fixture
def w(db):
    departments()
    return build_agri_world()


def test_api_names_each_wrong_field(w):
    response = w.http("coop_admin").post(
        "/api/v1/sectors/agri/plots",
        data=orjson.dumps({"name": "", "areaMu": "-2", "crop": "青菜", "variety": "上海青"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert sorted(e["path"] for e in response.json()["errors"]) == ["area_mu", "name"]


def test_certificate_via_api_and_print_page(w):
    body = {
        "location": w.base.identifier,
        "lot": LOT,
        "product": "上海青",
        "quantity": "12.5",
        "unit": "KGM",
        "origin": "集美后溪",
        "productionDate": "2026-11-20",
        "commitments": ["no_banned_drugs"],
        "testBasis": "entrusted_test",
    }
    response = w.http("coop_staff").post(
        "/api/v1/sectors/agri/certificates", data=orjson.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert len(number) == 16 and number.startswith("350211")
    page = w.http("coop_admin").get(f"/console/sectors/agri/certificates/{number}/")
    assert page.status_code == 200
    assert b"<svg" in page.content and number.encode() in page.content
    assert w.http("family_admin").get(f"/console/sectors/agri/certificates/{number}/").status_code == 404
    assert w.http("agri_jimei").get(f"/api/v1/sectors/agri/certificates/{number}").status_code == 200
    assert w.http("commerce").get(f"/api/v1/sectors/agri/certificates/{number}").status_code == 404


def test_lists_are_scoped_with_fixed_queries(w, django_assert_num_queries):
    plot = _plot(w)
    for lot in (LOT, LOT2):
        _certificate(w, lot=lot, plot=plot)
    jimei = w.actor("agri_jimei")
    with django_assert_num_queries(1):
        assert [c.lot for c in selectors_agri.certificates_for(jimei)] == [LOT2, LOT]
    with django_assert_num_queries(1):
        assert len(list(selectors_agri.plots_for(jimei))) == 1
    assert list(selectors_agri.certificates_for(w.actor("family_admin"))) == []
    assert list(selectors_agri.certificates_for(w.actor("commerce"))) == []


def test_evaluation_scores_and_sorts(w, django_assert_num_queries):
    plot = _plot(w)
    late = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
    _certificate(w, lot=LOT, plot=plot, when=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    _certificate(w, lot=LOT2, when=late, contact_phone="")
    rapid_test_record(
        actor=w.actor("coop_admin"), lot=LOT, sample="s", item="i", value="1", limit="2", unit="%", tester="t"
    )
    rapid_test_record(
        actor=w.actor("coop_admin"),
        lot=LOT2,
        sample="s",
        item="i",
        value="3",
        limit="2",
        unit="%",
        tester="t",
    )
    official = w.actor("agri_city")
    with django_assert_num_queries(5):
        rows = selectors_agri.evaluation(official)
    [coop] = rows
    # completeness: certificates 3+1 of 6 items, plot 1 of 1 -> 5/7; timeliness: 3 on time of 4 records;
    # tests: 1 of 2 passed. score = 100 * (0.4*5/7 + 0.3*3/4 + 0.3*1/2) = 66.1
    assert (coop.items_present, coop.items_expected, coop.on_time, coop.late, coop.timed) == (5, 7, 3, 0, 4)
    assert (coop.score, coop.grade) == (66.1, "C")
    response = w.http("agri_city").get("/api/v1/sectors/agri/evaluation", {"sort": "name"})
    assert response.status_code == 200
    assert response.json()["results"][0]["score"] == 66.1
    assert w.http("coop_admin").get("/api/v1/sectors/agri/evaluation").status_code == 403
    assert w.http("agri_city").get("/console/sectors/agri/evaluation/?sort=-completeness").status_code == 200


def test_coverage_by_district(w, django_assert_num_queries):
    from tracehub.sectors.services_agri import plot_create

    plot = _plot(w)
    plot_create(
        actor=w.actor("family_admin"), party=w.family, name="茶园", area_mu="40", crop="茶", variety="铁观音"
    )
    _certificate(w, plot=plot)
    official = w.actor("agri_city")
    with django_assert_num_queries(2):
        districts, total = selectors_agri.coverage(official)
    assert [
        (d.district, d.plots, d.plots_covered, str(d.area_covered), d.varieties_covered) for d in districts
    ] == [
        ("350211", 1, 1, "12.5", 1),
        ("350212", 1, 0, "0", 0),
    ]
    assert (total.plots, total.plots_covered, str(total.area_mu), total.varieties) == (2, 1, "52.5", 2)
    response = w.http("agri_city").get("/api/v1/sectors/agri/coverage")
    assert response.json()["total"]["areaShare"] == round(12.5 / 52.5, 4)
    assert w.http("agri_city").get("/console/sectors/agri/coverage/").status_code == 200
    assert w.http("agri_city").get("/console/sectors/agri/").status_code == 200


def test_farm_create_and_changes_name_each_wrong_field(w):
    """Every create and update endpoint of plots and farms answers a service's ``AgriInvalid`` with a
    400 naming the wrong fields (api_agri ``_as_problem``), and changes nothing."""
    http = w.http("coop_admin")
    created = http.post(
        "/api/v1/sectors/agri/farms",
        data=orjson.dumps({"name": "", "species": "unicorn", "headCount": -1}),
        content_type="application/json",
    )
    assert created.status_code == 400
    assert sorted(e["path"] for e in created.json()["errors"]) == ["head_count", "name", "species"]
    plot = _plot(w)
    changed = http.patch(
        f"/api/v1/sectors/agri/plots/{plot.pk}",
        data=orjson.dumps({"areaMu": "-2"}),
        content_type="application/json",
    )
    assert changed.status_code == 400
    assert [e["path"] for e in changed.json()["errors"]] == ["area_mu"]
    farm = http.post(
        "/api/v1/sectors/agri/farms",
        data=orjson.dumps({"name": "1号猪场", "species": "pig", "headCount": 300}),
        content_type="application/json",
    )
    assert farm.status_code == 201, farm.content
    changed = http.patch(
        f"/api/v1/sectors/agri/farms/{farm.json()['id']}",
        data=orjson.dumps({"headCount": -5}),
        content_type="application/json",
    )
    assert changed.status_code == 400
    assert [e["path"] for e in changed.json()["errors"]] == ["head_count"]
    assert http.get("/api/v1/sectors/agri/farms").json()[0]["headCount"] == 300


def test_an_official_who_sees_a_plot_may_not_change_it(w):
    """An agriculture official sees the district's plots and farms, but only the party's own users
    and the platform record them: the service's ``PermissionDenied`` is a 403 problem."""
    plot = _plot(w)
    official = w.http("agri_jimei")
    assert plot.pk in [p["id"] for p in official.get("/api/v1/sectors/agri/plots").json()]
    response = official.patch(
        f"/api/v1/sectors/agri/plots/{plot.pk}",
        data=orjson.dumps({"name": "改名"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["type"] == "epcisException:SecurityException"
    plot.refresh_from_db()
    assert plot.name == "1号地块"

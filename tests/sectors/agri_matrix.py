"""The request cases of the farm produce routes for tests/registry/test_permission_matrix.py: their
subjects are a plot, a livestock farm and a compliance certificate of party A (a slaughterhouse in
翔安, which records them as any party may), made through the real services."""

from __future__ import annotations

import datetime as dt

from tracehub.sectors.services_agri import certificate_issue, farm_create, plot_create

from ..registry.world import GTIN_A, SGLN_A, SYSTEM

LOT_A = f"https://id.gs1.org/01/{GTIN_A}/10/G4"
ALL = ["no_banned_drugs", "no_illegal_additives", "intervals_kept", "residue_standards"]


def _plot(w) -> None:
    w.agri_plot = plot_create(
        actor=SYSTEM, party=w.party_a, name="翔安1号地块", area_mu="10", crop="青菜", variety="上海青"
    )


def _farm(w) -> None:
    w.agri_farm = farm_create(actor=SYSTEM, party=w.party_a, name="翔润养殖场", species="pig", head_count=300)


def _certificate(w) -> None:
    w.agri_certificate = certificate_issue(
        actor=SYSTEM,
        location=w.location_a,
        lot=LOT_A,
        product_name="上海青",
        quantity="10",
        unit="KGM",
        origin="翔安",
        production_date="2026-11-20",
        commitments=ALL,
        test_basis="self_test",
        issued_at=dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    )


def agri_cases(case) -> dict:
    """The cases, built with the matrix's ``Case`` class."""
    plot = lambda w: {"plot_id": w.agri_plot.pk}  # noqa: E731
    farm = lambda w: {"farm_id": w.agri_farm.pk}  # noqa: E731
    base = "/api/v1/sectors/agri"
    return {
        ("GET", f"{base}/plots"): case(),
        ("POST", f"{base}/plots"): case(
            body=lambda w: {
                "party": w.party_a.pk,
                "name": "翔安2号地块",
                "areaMu": "8.5",
                "crop": "番茄",
                "variety": "粉果",
                "district": "350213",
            }
        ),
        ("PATCH", f"{base}/plots/{{plot_id}}"): case(plot, body=lambda w: {"areaMu": "12"}, setup=_plot),
        ("DELETE", f"{base}/plots/{{plot_id}}"): case(plot, setup=_plot),
        ("GET", f"{base}/farms"): case(),
        ("POST", f"{base}/farms"): case(
            body=lambda w: {"party": w.party_a.pk, "name": "翔润鸡场", "species": "poultry", "headCount": 800}
        ),
        ("PATCH", f"{base}/farms/{{farm_id}}"): case(farm, body=lambda w: {"headCount": 320}, setup=_farm),
        ("DELETE", f"{base}/farms/{{farm_id}}"): case(farm, setup=_farm),
        ("GET", f"{base}/certificates"): case(),
        ("POST", f"{base}/certificates"): case(
            body=lambda w: {
                "location": SGLN_A,
                "lot": LOT_A,
                "product": "上海青",
                "quantity": "5",
                "unit": "KGM",
                "origin": "翔安",
                "productionDate": "2026-11-20",
                "commitments": ALL,
                "testBasis": "self_test",
            }
        ),
        ("GET", f"{base}/certificates/{{number}}"): case(
            lambda w: {"number": w.agri_certificate.number}, setup=_certificate
        ),
        ("GET", f"{base}/tests"): case(),
        ("POST", f"{base}/tests"): case(
            body=lambda w: {
                "party": w.party_a.pk,
                "lot": LOT_A,
                "sample": "上海青",
                "item": "有机磷",
                "value": "10",
                "limit": "50",
                "unit": "%",
                "tester": "检测员",
            }
        ),
        ("GET", f"{base}/inspections"): case(),
        ("POST", f"{base}/inspections"): case(
            body=lambda w: {"market": SGLN_A, "seller": w.party_a.pk, "lot": LOT_A, "outcome": "accepted"}
        ),
        ("GET", f"{base}/evaluation"): case(),
        ("GET", f"{base}/coverage"): case(),
    }

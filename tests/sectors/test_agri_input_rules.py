"""The farm inputs rules (G5): purchase checks, stock, real-name sales, designated outlets, the
catalogue, masking and the audited reveal — each refusal naming its field, the stored data unchanged."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.exceptions import PermissionDenied

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.sectors import selectors_agri_input as selectors
from tracehub.sectors.models_agri_input import AgriInputLedgerEntry, DesignatedOutlet
from tracehub.sectors.services_agri_input import (
    AgriInputInvalid,
    LedgerRefused,
    buyer_digest,
    designated_outlet_designate,
    designated_outlet_undesignate,
    ledger_buyer_id_reveal,
    ledger_rows_record,
)

from .test_agri_input_world import (
    BUYER_ID,
    ORDINARY,
    PESTICIDE_CODE,
    RESTRICTED,
    SUPPLIER_USCC,
    SYSTEM,
    TOXIC,
    UNFILED_USCC,
    ago,
    build_agri_world,
    purchase,
    real_name,
    sale,
    stock_up,
    today,
)


@pytest.fixture
def agri(db):
    return build_agri_world()


def _refused(w, direction, rows, who="dealer") -> dict[int, dict[str, str]]:
    before = AgriInputLedgerEntry.objects.count()
    with pytest.raises(LedgerRefused) as caught:
        ledger_rows_record(actor=w.actor(who), direction=direction, rows=rows)
    assert AgriInputLedgerEntry.objects.count() == before, "a refusal stores nothing"
    return {n: {e["field"]: e["message"] for e in es} for n, es in caught.value.rows.items()}


def test_a_purchase_is_recorded_with_its_code_and_audited(agri):
    entry = ledger_rows_record(
        actor=agri.actor("dealer"), direction="purchase", rows=[purchase(unit_code=PESTICIDE_CODE)]
    )[0]
    assert entry.dealer == agri.dealer and entry.counterparty == agri.supplier
    assert entry.product.registration_number == ORDINARY and entry.kind == "pesticide"
    assert AuditEntry.objects.filter(
        action="sectors.agri_input.purchase_record", object_id=str(entry.pk)
    ).exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"supplier": UNFILED_USCC}, "supplier"),
        ({"supplier": "91350200MA2Y0000X0"}, "supplier"),
        ({"registration_number": "PD2014"}, "registration_number"),
        ({"registration_number": "XX99999999", "kind": "pesticide"}, "registration_number"),
        ({"registration_number": "PD20990001", "kind": "seed"}, "registration_number"),
        ({"unit_code": "1" + "999999" + "1001" + "0" * 21}, "unit_code"),  # another registration
        ({"unit_code": "123"}, "unit_code"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "date"),
        ({"product_name": ""}, "product_name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_wrong_purchase_is_refused_naming_the_field(agri, over, field):
    errors = _refused(agri, "purchase", [purchase(**over)])
    assert field in errors[0], errors


def test_registration_formats_by_kind(agri):
    ok = ledger_rows_record(
        actor=agri.actor("dealer"),
        direction="purchase",
        rows=[
            purchase("兽药字（2020）150012345", kind="vet_drug", unit_code="202001150001200000000001"),
            purchase("农肥(2019)准字12345号", kind="fertiliser"),
            purchase("国审稻20170001", kind="seed"),
        ],
    )
    assert [e.registration_number for e in ok][0] == "兽药字(2020)150012345"
    errors = _refused(agri, "purchase", [purchase("PD20142631", kind="fertiliser")])
    assert "kind" in errors[0]  # the catalogue says pesticide


def test_stock_by_product_is_purchases_less_sales_in_one_query(agri, django_assert_num_queries):
    stock_up(agri, ORDINARY, RESTRICTED, quantity="10")
    ledger_rows_record(actor=agri.actor("dealer"), direction="sale", rows=[sale(quantity="3")])
    dealer = agri.actor("dealer")
    with django_assert_num_queries(1):
        rows = selectors.stock_by_product(actor=dealer, dealer_id=agri.dealer.pk)
    by_number = {r["registration_number"]: r for r in rows}
    assert by_number[ORDINARY]["stock"] == 7 and by_number[ORDINARY]["sold"] == 3
    assert by_number[RESTRICTED]["stock"] == 10
    # Another dealer and a commerce official see nothing of it.
    assert selectors.stock_by_product(actor=agri.actor("other_dealer"), dealer_id=agri.dealer.pk) == []
    assert selectors.stock_by_product(actor=agri.actor("commerce"), dealer_id=agri.dealer.pk) == []


def test_a_sale_beyond_stock_is_refused_and_a_batch_stores_nothing(agri):
    stock_up(agri, quantity="5")
    errors = _refused(agri, "sale", [sale(quantity="6")])
    assert "Sale beyond stock" in errors[0]["quantity"] or "超出库存" in errors[0]["quantity"]
    # Rows of one batch count against each other: 3 + 3 > 5, the second row is named, none stored.
    errors = _refused(agri, "sale", [sale(quantity="3"), sale(quantity="3")])
    assert list(errors) == [2] and "quantity" in errors[2]
    ledger_rows_record(actor=agri.actor("dealer"), direction="sale", rows=[sale(quantity="5")])


def test_a_restricted_sale_needs_the_buyer_by_real_name(agri):
    stock_up(agri, RESTRICTED)
    errors = _refused(agri, "sale", [sale(RESTRICTED)])
    for key in ("buyer_id_number", "buyer_phone", "buyer_address", "use_crop", "use_target"):
        assert key in errors[0], key
        assert "实名" in errors[0][key]
    wrong = BUYER_ID[:-1] + ("0" if BUYER_ID[-1] != "0" else "1")
    errors = _refused(agri, "sale", [sale(RESTRICTED, **real_name(buyer_id_number=wrong))])
    assert "buyer_id_number" in errors[0] and wrong not in errors[0]["buyer_id_number"]
    entry = ledger_rows_record(
        actor=agri.actor("dealer"), direction="sale", rows=[sale(RESTRICTED, **real_name())]
    )[0]
    entry.refresh_from_db()
    assert entry.buyer_id_masked == BUYER_ID[:4] + "*" * 10 + BUYER_ID[-4:]
    assert BUYER_ID not in entry.buyer_id_protected and entry.buyer_id_digest == buyer_digest(BUYER_ID)
    audit = AuditEntry.objects.get(action="sectors.agri_input.sale_record", object_id=str(entry.pk))
    assert BUYER_ID not in str(audit.after) and entry.buyer_id_masked in str(audit.after)


def test_a_restricted_sale_to_a_farm_by_its_credit_code(agri):
    stock_up(agri, RESTRICTED)
    row = sale(RESTRICTED, **real_name(buyer_id_number=""), buyer_uscc=agri.farm.uscc)
    entry = ledger_rows_record(actor=agri.actor("dealer"), direction="sale", rows=[row])[0]
    assert entry.counterparty == agri.farm and entry.buyer_id_digest == ""


def test_highly_toxic_sales_only_at_a_designated_outlet_on_the_date(agri):
    stock_up(agri, TOXIC)
    row = sale(TOXIC, **real_name())
    errors = _refused(agri, "sale", [row])
    assert "高毒农药定点经营" in errors[0]["registration_number"]
    assert AuditEntry.objects.filter(action="sectors.agri_input.designated_outlet_refused").count() == 1
    assert Notification.objects.filter(user=agri.users["official"]).count() == 1
    outlet = designated_outlet_designate(actor=agri.actor("official"), dealer=agri.dealer, valid_from=today())
    # Designated from today: a sale dated two days ago is still refused; one dated today is stored.
    _refused(agri, "sale", [row])
    stored = ledger_rows_record(actor=agri.actor("dealer"), direction="sale", rows=[{**row, "date": ago(0)}])
    assert len(stored) == 1
    designated_outlet_undesignate(
        actor=agri.actor("official"), outlet=outlet, valid_until=today(), reason="到期"
    )
    assert selectors.designated_outlets(current_only=True, on=today() + dt.timedelta(days=1)).count() == 0


def test_designation_is_for_the_bureau_overseeing_the_dealer(agri):
    for who in ("dealer", "commerce", "official_siming"):
        with pytest.raises(PermissionDenied):
            designated_outlet_designate(actor=agri.actor(who), dealer=agri.dealer, valid_from=today())
    outlet = designated_outlet_designate(actor=agri.actor("official"), dealer=agri.dealer, valid_from=today())
    assert AuditEntry.objects.filter(
        action="sectors.agri_input.outlet_designate", object_id=str(outlet.pk)
    ).exists()
    from tracehub.core.errors import Conflict

    with pytest.raises(Conflict):
        designated_outlet_designate(actor=SYSTEM, dealer=agri.dealer, valid_from=today())
    with pytest.raises(AgriInputInvalid) as caught:
        designated_outlet_undesignate(
            actor=SYSTEM, outlet=outlet, valid_until=today() - dt.timedelta(days=9), reason=""
        )
    assert set(caught.value.errors) == {"valid_until", "reason"}
    with pytest.raises(AgriInputInvalid):
        designated_outlet_designate(actor=SYSTEM, dealer=agri.unfiled, valid_from=today())
    assert DesignatedOutlet.objects.count() == 1


def test_ledgers_are_written_by_their_dealer_only(agri):
    for who in ("other_dealer", "official", "commerce"):
        with pytest.raises(PermissionDenied):
            ledger_rows_record(
                actor=agri.actor(who), direction="purchase", rows=[purchase()], dealer=agri.dealer
            )
    # The platform names the dealer.
    ledger_rows_record(actor=SYSTEM, direction="purchase", rows=[purchase()], dealer=agri.dealer)


def test_officials_search_sales_by_buyer_product_dealer_and_date(agri, django_assert_num_queries):
    stock_up(agri, ORDINARY, RESTRICTED, date=ago(40))
    ledger_rows_record(
        actor=agri.actor("dealer"),
        direction="sale",
        rows=[sale(RESTRICTED, **real_name()), sale(ORDINARY), sale(ORDINARY, date=ago(30))],
    )
    official = agri.actor("official")
    with django_assert_num_queries(1):
        found = list(
            selectors.ledger_entries(actor=official, direction="sale", buyer_digest=buyer_digest(BUYER_ID))
        )
        assert [e.dealer.name for e in found] == [agri.dealer.name]
        assert found[0].counterparty is None and found[0].product.restricted
    assert selectors.ledger_entries(actor=official, direction="sale", product="乐果").count() == 0  # by name
    assert selectors.ledger_entries(actor=official, direction="sale", product=RESTRICTED).count() == 1
    assert selectors.ledger_entries(actor=official, dealer_id=agri.dealer.pk, direction="sale").count() == 3
    assert (
        selectors.ledger_entries(
            actor=official, direction="sale", date_from=today() - dt.timedelta(days=5)
        ).count()
        == 2
    )
    # Scope: the 思明 official, a commerce official and another dealer see none of it.
    for who in ("official_siming", "commerce", "other_dealer"):
        assert selectors.ledger_entries(actor=agri.actor(who)).count() == 0


def test_reveal_is_for_the_bureau_and_audited_and_the_number_is_never_logged(agri, caplog):
    caplog.set_level(logging.DEBUG)
    stock_up(agri, RESTRICTED)
    entry = ledger_rows_record(
        actor=agri.actor("dealer"), direction="sale", rows=[sale(RESTRICTED, **real_name())]
    )[0]
    with pytest.raises(PermissionDenied):
        ledger_buyer_id_reveal(actor=agri.actor("dealer"), entry=entry)
    with pytest.raises(PermissionDenied):
        ledger_buyer_id_reveal(actor=agri.actor("official_siming"), entry=entry)
    assert ledger_buyer_id_reveal(actor=agri.actor("official"), entry=entry) == BUYER_ID
    audit = AuditEntry.objects.get(action="sectors.agri_input.view_buyer_id")
    assert audit.actor_user == agri.users["official"] and BUYER_ID not in str(audit.after)
    # A refused entry's messages do not repeat the number either.
    with pytest.raises(LedgerRefused) as caught:
        ledger_rows_record(
            actor=agri.actor("dealer"),
            direction="sale",
            rows=[sale(RESTRICTED, quantity="999", **real_name())],
        )
    assert BUYER_ID not in str(caught.value)
    assert all(BUYER_ID not in record.getMessage() for record in caplog.records)
    assert SUPPLIER_USCC  # the supplier is a party, not personal data

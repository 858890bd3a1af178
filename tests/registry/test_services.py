"""Registry services: identity and personal data, audit, licences and their files, locations and
products held by their party (issue #3 items 1-3, 8)."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone, translation

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.core.errors import Conflict
from tracehub.registry import selectors, services
from tracehub.registry.models import Licence, Party

from .world import (
    GTIN_B,
    PNG,
    PREFIX_A,
    PREFIX_B,
    RIC_C,
    SYSTEM,
    USCC_A,
    build_world,
    gln,
    make_ric,
    make_uscc,
    party_fields,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


def test_an_individual_is_stored_encrypted_found_by_digest_and_shown_masked(world):
    c = Party.objects.get(pk=world.party_c.pk)
    stored = " ".join(str(getattr(c, f.attname)) for f in Party._meta.concrete_fields)
    assert RIC_C not in stored
    assert c.id_number_masked == RIC_C[:4] + "*" * 10 + RIC_C[-4:]
    assert selectors.party_by_id_number(actor=SYSTEM, id_number=RIC_C) == c
    with pytest.raises(ValidationError) as raised:
        services.party_create(
            actor=SYSTEM,
            **party_fields(id_kind="ric", uscc="", id_number=RIC_C, company_prefixes=[], pgln=""),
        )
    assert "id_number" in raised.value.message_dict


def test_unmasking_an_id_number_is_audited_and_refused_to_others(world):
    number = services.party_id_number_reveal(actor=world.actor("official"), party=world.party_c)
    assert number == RIC_C
    entry = AuditEntry.objects.get(action="registry.party.view_id_number")
    assert entry.actor_user == world.users["official"] and entry.party_ref == world.party_c.pk
    assert RIC_C not in str(entry.before) + str(entry.after)
    with pytest.raises(PermissionDenied):
        services.party_id_number_reveal(actor=world.actor("auditor"), party=world.party_c)
    with pytest.raises(Party.DoesNotExist):
        services.party_id_number_reveal(actor=world.actor("admin"), party=world.party_c)
    with pytest.raises(Conflict):
        services.party_id_number_reveal(actor=SYSTEM, party=world.party_a)


def test_id_numbers_never_reach_logs_answers_or_audit(world, caplog, client):
    caplog.set_level(logging.DEBUG)
    number = make_ric("350205", timezone.now().date().replace(year=2006), 456)
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    http = world.http("operator")
    payload = {
        "name": "林阿水",
        "partyType": "stall",
        "idKind": "ric",
        "sectors": ["agri"],
        "district": "350205",
    }
    refused = http.post("/api/v1/parties", {**payload, "idNumber": bad}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["path"] == "idNumber"
    created = http.post("/api/v1/parties", {**payload, "idNumber": number}, content_type="application/json")
    assert created.status_code == 201
    party_id = created.json()["id"]
    listing = http.get("/api/v1/parties", {"q": "林阿水"})
    detail = http.get(f"/api/v1/parties/{party_id}")
    audit = http.get("/api/v1/audit", {"partyId": party_id})
    for response in (refused, created, listing, detail, audit):
        assert number not in response.content.decode() and bad not in response.content.decode()
    assert detail.json()["idNumberMasked"] == number[:4] + "**********" + number[-4:]
    revealed = http.post(f"/api/v1/parties/{party_id}/id-number")
    assert revealed.json() == {"idNumber": number}
    assert number not in caplog.text and bad not in caplog.text


def test_party_identity_is_validated_and_unique(world):
    with pytest.raises(ValidationError) as raised:
        services.party_create(
            actor=SYSTEM,
            **party_fields(
                uscc=USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1"),
                district="350299",
                sectors=[],
                company_prefixes=["12345"],
            ),
        )
    assert {"uscc", "district", "sectors", "company_prefixes.0"} <= set(raised.value.message_dict)
    with pytest.raises(ValidationError) as raised:
        services.party_create(actor=SYSTEM, **party_fields(company_prefixes=[PREFIX_A + "1"], pgln=""))
    assert set(raised.value.message_dict) == {
        "uscc",
        "company_prefixes.0",
    }  # taken credit code; overlapping prefix
    foreign = services.party_create(
        actor=SYSTEM,
        name="SCEA Château Belvue",
        party_type="foreign_exporter",
        id_kind="foreign",
        country="fr",
        sectors=["import_food"],
    )
    assert foreign.country == "FR" and foreign.identity_display == "FR"


def test_officials_register_parties_of_their_scope_only(world):
    official = world.actor("official")
    party = services.party_create(
        actor=official, **party_fields(uscc=make_uscc("350213", "MA31Q2W60"), company_prefixes=[], pgln="")
    )
    assert party.pk
    with pytest.raises(PermissionDenied):
        services.party_create(
            actor=official,
            **party_fields(
                uscc=make_uscc("350203", "MA31Q2W70"), district="350203", company_prefixes=[], pgln=""
            ),
        )
    with pytest.raises(PermissionDenied):
        services.party_create(
            actor=world.actor("admin"), **party_fields(uscc=make_uscc("350213", "MA31Q2W80"))
        )


def test_an_enterprise_registers_itself_and_its_administrator(db):
    party, user = services.party_register(
        username="xinlu-admin", password="a-long-Passw0rd!", **party_fields(company_prefixes=[], pgln="")
    )
    assert party.filing_status == "unfiled" and party.members.get().user == user
    with pytest.raises(ValidationError) as raised:
        services.party_register(username="xinlu-admin", password="short", **party_fields(uscc="bad"))
    assert {"username", "uscc"} <= set(raised.value.message_dict)
    with pytest.raises(ValidationError) as raised:
        services.party_register(username="other-admin", password="short", **party_fields(uscc="bad"))
    assert {"password", "uscc"} <= set(raised.value.message_dict)
    assert Party.objects.count() == 1


def test_changes_are_audited_with_before_and_after(world):
    services.party_update(
        actor=world.actor("admin"), party=world.party_a, address="翔安区莲塘路68号", sectors=["meat_veg"]
    )
    entry = AuditEntry.objects.filter(action="registry.party.update").get()
    assert (
        entry.before["address"] == "翔安区内厝镇莲塘路66号" and entry.after["address"] == "翔安区莲塘路68号"
    )
    assert entry.before["sectors"] == ["food", "meat_veg"] and entry.after["sectors"] == ["meat_veg"]
    assert entry.actor_user == world.users["admin"] and entry.party_ref == world.party_a.pk
    with pytest.raises(PermissionDenied):
        services.party_update(actor=world.actor("staff"), party=world.party_a, name="x")


def test_the_audit_survives_the_deletion_of_what_it_describes(world):
    licence = services.licence_create(
        actor=world.actor("admin"), party=world.party_a, kind="test_report", number="XM-2026-0001"
    )
    pk = licence.pk
    services.licence_delete(actor=world.actor("admin"), licence=licence)
    assert not Licence.objects.filter(pk=pk).exists()
    actions = list(
        AuditEntry.objects.filter(object_type="registry.Licence", object_id=str(pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["registry.licence.create", "registry.licence.delete"]
    deleted = AuditEntry.objects.get(object_id=str(pk), action="registry.licence.delete")
    assert deleted.before["number"] == "XM-2026-0001"


def test_licence_files_are_checked_by_content_and_size(world, settings):
    licence = world.licence_a
    with pytest.raises(ValidationError) as raised:
        services.licence_attach_file(
            actor=SYSTEM, licence=licence, content=ContentFile(b"MZ\x90\x00 not a pdf", name="licence.pdf")
        )
    assert "PDF, JPEG and PNG" in raised.value.message_dict["file"][0]
    settings.TRACEHUB_DOCUMENT_MAX_BYTES = 20
    with pytest.raises(ValidationError) as raised:
        services.licence_attach_file(actor=SYSTEM, licence=licence, content=ContentFile(PNG, name="scan.png"))
    assert "larger" in raised.value.message_dict["file"][0]
    settings.TRACEHUB_DOCUMENT_MAX_BYTES = 1024
    licence = services.licence_attach_file(
        actor=SYSTEM, licence=licence, content=ContentFile(PNG, name="张三的执照.png")
    )
    assert (
        licence.file_type == "image/png"
        and licence.file.name.endswith(".png")
        and "张三" not in licence.file.name
    )
    with services.licence_file_open(actor=world.actor("auditor"), licence=licence) as handle:
        assert handle.read() == PNG
    assert AuditEntry.objects.filter(
        action="registry.licence.view_file", actor_user=world.users["auditor"]
    ).exists()


def test_licences_expiring_soon_are_flagged_and_notified_once(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    soon = services.licence_create(
        actor=SYSTEM,
        party=world.party_a,
        kind="food_business",
        number="JY13502130041726",
        valid_until=today + timedelta(days=10),
    )
    services.licence_create(
        actor=SYSTEM,
        party=world.party_a,
        kind="slaughter",
        number="A35021302",
        valid_until=today + timedelta(days=200),
    )
    assert list(selectors.licences_expiring()) == [soon]
    assert selectors.licence_is_expiring(soon) and not selectors.licence_is_expiring(world.licence_a)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("licence_expiry", stdout=out)
    assert "JY13502130041726" in out.getvalue() and "1 licences notified" in out.getvalue()
    assert Notification.objects.filter(user=world.users["admin"]).count() == 1
    assert Notification.objects.filter(user=world.users["staff"]).count() == 1
    out = io.StringIO()
    call_command("licence_expiry", stdout=out)
    assert "0 licences notified" in out.getvalue()
    # Renewed, then due again before the new date.
    services.licence_update(actor=SYSTEM, licence=soon, valid_until=today + timedelta(days=20))
    assert len(services.licence_expiry_notify()) == 1


def test_licence_dates_and_numbers(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as raised:
        services.licence_create(
            actor=SYSTEM,
            party=world.party_a,
            kind="food_production",
            number="SC123",
            valid_from=today,
            valid_until=today - timedelta(days=1),
        )
    assert set(raised.value.message_dict) == {"number", "valid_until"}
    with pytest.raises(ValidationError) as raised:
        services.licence_create(
            actor=SYSTEM, party=world.party_b, kind="food_production", number="SC10435021300218"
        )
    assert "registered" in raised.value.message_dict["number"][0]


def test_locations_and_products_use_identifiers_of_their_own_party(world):
    with pytest.raises(ValidationError) as raised:
        services.location_create(
            actor=SYSTEM, party=world.party_a, identifier=gln(PREFIX_B, "009"), name="x", kind="warehouse"
        )
    assert "company prefix" in raised.value.message_dict["identifier"][0]
    with pytest.raises(ValidationError) as raised:
        services.product_create(actor=SYSTEM, party=world.party_a, gtin=GTIN_B, name="x", sectors=["drug"])
    assert {"gtin", "attributes.approval_number"} <= set(raised.value.message_dict)
    with pytest.raises(ValidationError) as raised:
        services.location_create(
            actor=SYSTEM,
            party=world.party_a,
            identifier=f"urn:tracehub:loc:{world.party_b.uscc}:1",
            name="x",
            kind="shop",
        )
    assert "identifier" in raised.value.message_dict
    stall = services.location_create(
        actor=SYSTEM,
        party=world.party_a,
        identifier=f"urn:epc:id:sgln:{PREFIX_A}.001.A018",
        name="A018档",
        kind="stall",
        operator=world.party_c,
        latitude="24.61",
        longitude="118.24",
    )
    assert stall.key == f"414/{gln(PREFIX_A, '001')}/254/A018" and stall.operator == world.party_c
    with pytest.raises(ValidationError) as raised:
        services.location_create(
            actor=SYSTEM,
            party=world.party_a,
            identifier=gln(PREFIX_A, "001"),
            name="x",
            kind="plant",
            latitude=91,
        )
    assert set(raised.value.message_dict) == {"identifier", "latitude"}


def test_members_and_keys_are_managed_by_the_party_administrator(world):
    user = services.party_member_add(
        actor=world.actor("admin"),
        party=world.party_a,
        username="new-staff",
        password=None,
        role="enterprise_staff",
    )
    assert user.party_member.party == world.party_a
    with pytest.raises(PermissionDenied):
        services.party_member_add(
            actor=world.actor("party_client"),
            party=world.party_a,
            username="x",
            password=None,
            role="enterprise_staff",
        )
    with pytest.raises(ValidationError):
        services.party_member_add(
            actor=world.actor("admin"), party=world.party_a, username="y", password=None, role="operator"
        )
    client, key = services.party_api_client_create(
        actor=world.actor("admin"), party=world.party_a, name="WMS"
    )
    assert client.kind == "party" and key.startswith(client.key_prefix)
    revoked = services.party_api_client_revoke(actor=world.actor("admin"), party=world.party_a, client=client)
    assert revoked.revoked_at is not None
    with pytest.raises(Party.DoesNotExist):
        services.party_api_client_create(actor=world.actor("admin_other"), party=world.party_a, name="x")


def test_update_replaces_sectors_and_prefixes_exactly():
    world = build_world()
    party = services.party_update(
        actor=SYSTEM,
        party=world.party_a,
        sectors=["food", "agri"],
        company_prefixes=["695318204", "695318205"],
    )
    assert sorted(party.sectors.values_list("sector", flat=True)) == ["agri", "food"]
    assert sorted(party.prefixes.values_list("prefix", flat=True)) == ["695318204", "695318205"]
    product = services.product_update(actor=SYSTEM, product=world.product_a, sectors=["food"])
    assert list(product.sectors.values_list("sector", flat=True)) == ["food"]

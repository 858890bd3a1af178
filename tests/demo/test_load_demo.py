"""The demo data set (issue #2 item 7): valid EPCIS documents and codes, capture through the real
pipeline, idempotent loading, and a pork chain that the query interface traces (E1, G1-G6)."""

from __future__ import annotations

import copy
import json
import sys
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from stdnum.cn import ric, uscc

from tracehub.demo import data
from tracehub.demo.events import (
    BASE_DATE,
    DAYS_BEFORE_LOAD,
    DEFAULT_SEED,
    EXTENSION_PREFIX,
    EXTENSION_TERMS,
    PLATFORM_BIZ_STEPS,
    PLATFORM_BIZ_TRANSACTION_TYPES,
    demo_day,
    demo_documents,
)
from tracehub.demo.management.commands.load_demo import DEMO_CLIENT_NAME, _sector_demos, demo_event_count
from tracehub.epcis.models import CaptureJob, Event
from tracehub.epcis.validation import check_document
from tracehub.epcis.vocab import BIZ_STEPS, BIZ_TRANSACTION_TYPES, DISPOSITIONS
from tracehub.identifiers import has_valid_check_digit, parse_identifier
from tracehub.sectors import demo as sector_demo
from tracehub.sectors import demo_g2_g6, demo_g3_e2

EVENTS_PER_CHAIN = {"pork": 12, "vegetables": 6, "wine": 17, "drug": 13, "pesticide": 3}


@pytest.fixture(scope="module")
def documents():
    return demo_documents()


@pytest.fixture(scope="module")
def events(documents) -> list[dict[str, Any]]:
    return [event for demo in documents for event in demo.events]


def _strings(value: Any):
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _chain(documents, name: str) -> list[dict[str, Any]]:
    return next(demo.events for demo in documents if demo.chain == name)


def _results(response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


# -- the documents ---------------------------------------------------------------------------------


def test_every_document_passes_validation(documents):
    for demo in documents:
        normalized, errors = check_document(demo.document)
        assert errors == [], (demo.chain, errors[:5])
        assert len(normalized) == len(demo.events)
        assert all(item is not None for item in normalized)


def test_five_chains_of_realistic_size(documents):
    assert {demo.chain: len(demo.events) for demo in documents} == EVENTS_PER_CHAIN
    kinds = {event["type"] for demo in documents for event in demo.events}
    assert kinds == {"ObjectEvent", "AggregationEvent", "TransformationEvent"}


def test_documents_are_deterministic_and_the_seed_varies_them(documents):
    assert demo_documents(DEFAULT_SEED) == documents
    other = demo_documents(DEFAULT_SEED + 1)
    assert [demo.chain for demo in other] == [demo.chain for demo in documents]
    assert other != documents


def test_event_ids_are_unique_event_hashes(events):
    ids = [event["eventID"] for event in events]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("ni:///sha-256;") and i.endswith("?ver=CBV2.0") for i in ids)


def test_times_are_before_the_load_day_with_the_local_offset(events):
    # Dated from the load day, as the registry demo's licences are (issue #6 item 7): every event
    # happened in the half year before it.
    today = timezone.localdate()
    assert BASE_DATE == demo_day() == today - timedelta(days=DAYS_BEFORE_LOAD)
    for event in events:
        assert event["eventTimeZoneOffset"] == event["eventTime"][-6:]
        assert event["eventTimeZoneOffset"] in {"+08:00", "+02:00"}
        day = datetime.fromisoformat(event["eventTime"]).date()
        assert today - timedelta(days=183) <= day <= today


def test_vocabulary_is_cbv_or_the_documented_platform_words(events):
    for event in events:
        assert event["bizStep"] in BIZ_STEPS or event["bizStep"] in PLATFORM_BIZ_STEPS.values()
        assert event.get("disposition", "active") in DISPOSITIONS
        for item in event.get("bizTransactionList", []):
            assert (
                item["type"] in BIZ_TRANSACTION_TYPES
                or item["type"] in PLATFORM_BIZ_TRANSACTION_TYPES.values()
            )
    used_platform_steps = {e["bizStep"] for e in events} - BIZ_STEPS
    assert used_platform_steps == set(PLATFORM_BIZ_STEPS.values())


def test_extension_fields_are_documented(events):
    prefix = f"{EXTENSION_PREFIX}:"
    used = {key[len(prefix) :] for event in events for key in _strings(event) if key.startswith(prefix)}
    assert used == set(EXTENSION_TERMS)


def test_shipments_and_receipts_name_their_parties_and_locations(events):
    for event in events:
        if event["bizStep"] not in {"shipping", "receiving"}:
            continue
        assert {s["type"] for s in event["sourceList"]} == {"owning_party", "location"}
        assert {s["type"] for s in event["destinationList"]} == {"owning_party", "location"}
        assert event["bizTransactionList"]


def test_quantities_use_un_ece_units(events):
    units = set()
    for event in events:
        for field in ("quantityList", "inputQuantityList", "outputQuantityList", "childQuantityList"):
            for element in event.get(field, []):
                if "quantity" in element:
                    units.add(element["uom"])
    assert units == {"KGM", "H87"}


def test_events_carry_identifiers_not_names_or_personal_data(documents):
    text = json.dumps([demo.document for demo in documents], ensure_ascii=False)
    for party in data.PARTIES.values():
        assert party.name not in text
    for location in data.LOCATIONS.values():
        assert location.name not in text and location.address not in text
    # No citizen ID number (居民身份证号) anywhere, whatever field it might hide in (G5 real-name sales).
    tokens = {token for demo in documents for value in _strings(demo.document) for token in value.split(":")}
    assert not [token for token in tokens if len(token) == 18 and ric.is_valid(token)]


def test_pesticide_sales_refer_to_real_name_records(documents):
    sales = [e for e in _chain(documents, "pesticide") if e["bizStep"] == "retail_selling"]
    assert len(sales) == 2
    for sale in sales:
        assert sale[f"{EXTENSION_PREFIX}:buyerRecord"].startswith(
            f"urn:tracehub:realname:{data.AGRI_DEALER.uscc}:"
        )
    assert sales[0]["destinationList"][0]["destination"] == data.FAMILY_FARM.id


def test_wine_is_packed_unpacked_and_sold_by_the_bottle(documents):
    wine = _chain(documents, "wine")
    packing = [e for e in wine if e["bizStep"] == "packing"]
    unpacking = [e for e in wine if e["bizStep"] == "unpacking"]
    assert [e["action"] for e in packing] == ["ADD"] * 3
    assert [e["action"] for e in unpacking] == ["DELETE"] * 2
    assert all(e["parentID"].startswith(f"urn:epc:id:sscc:{data.WINERY.company_prefix}.") for e in packing)
    sold = [e["epcList"] for e in wine if e["bizStep"] == "retail_selling"]
    assert sold and all(len(bottles) == 1 for bottles in sold)
    assert any(e["bizStep"] == PLATFORM_BIZ_STEPS["customs_clearance"] for e in wine)


# -- master data ----------------------------------------------------------------------------------


def test_every_uscc_is_valid(documents):
    codes = [party.uscc for party in data.PARTIES.values() if party.uscc is not None]
    assert len(set(codes)) == len(codes)
    for party in data.PARTIES.values():
        if party.uscc is None:
            assert party.country != "CN"
            continue
        assert uscc.is_valid(party.uscc), party.key
        # The organisation code inside carries its own GB 11714 check character.
        assert data.organisation_code(party.uscc[8:16]) == party.uscc[8:17]
        if party.district is not None:
            assert party.uscc[2:6] == "3502" and party.district in data.XIAMEN_DISTRICTS


def test_check_characters_agree_with_published_examples():
    # The example of python-stdnum's documentation: 91110000600037341L, organisation code 60003734-1.
    assert data.organisation_code("60003734") == "600037341"
    assert data.make_uscc("91", "110000", "60003734") == "91110000600037341L"
    assert data.with_check_digit("629104150021") == "6291041500213"  # GS1 GS §7.9.1 example GTIN-13


def test_master_data_gs1_keys_have_valid_check_digits():
    keys = [party.gln for party in data.PARTIES.values()]
    keys += [location.gln for location in data.LOCATIONS.values()]
    keys += [product.gtin for product in data.PRODUCTS.values()]
    keys = [key for key in keys if key is not None]
    assert len(keys) > 30
    for key in keys:
        assert has_valid_check_digit(key), key


def test_every_gs1_identifier_in_the_events_has_valid_check_digits(events):
    seen = 0
    for value in {v for event in events for v in _strings(event)}:
        if not value.startswith(("urn:epc:", "https://id.gs1.org/")):
            continue
        parsed = parse_identifier(value)
        assert parsed is not None, value
        digits = parsed.key.split("/")[1]
        assert has_valid_check_digit(digits), value
        seen += 1
    assert seen > 50


def test_locations_cover_xiamen_districts():
    districts = {location.district for location in data.LOCATIONS.values() if location.district}
    assert districts == set(data.XIAMEN_DISTRICTS)
    for location in data.LOCATIONS.values():
        assert location.party.key in data.PARTIES
        assert location.operator is None or location.operator.key in data.PARTIES


def test_platform_uris_for_parties_without_a_gs1_prefix():
    farm = data.PIG_FARM
    assert farm.company_prefix is None
    assert farm.id == f"urn:tracehub:party:{farm.uscc}"
    assert data.PIG_FARM_SITE.id == f"urn:tracehub:loc:{farm.uscc}:1"
    assert data.PAK_CHOI.lot("X1") == f"urn:tracehub:lot:{data.VEG_COOP.uscc}:SHQ:X1"
    assert data.ear_tag("350212", 42) == "urn:tracehub:eartag:135021200000042"
    with pytest.raises(ValueError):
        data.document_uri("no_such_document", "1")


# -- capture through the real pipeline ------------------------------------------------------------


def test_the_demo_event_count_adds_every_sector_demo_module(documents):
    # Each sector demo declares its count from its step lists (one event per step, plus the plain
    # EPCIS events its partners' own systems send); a module added to _sector_demos counts too.
    modules = list(dict.fromkeys(sys.modules[load.__module__] for load in _sector_demos()))
    assert {sector_demo, demo_g2_g6, demo_g3_e2} <= set(modules)
    assert (sector_demo.EVENT_COUNT, demo_g2_g6.EVENT_COUNT, demo_g3_e2.EVENT_COUNT) == (12, 40, 23)
    assert sum(len(demo.events) for demo in documents) == sum(EVENTS_PER_CHAIN.values()) == 51
    assert demo_event_count() == 51 + sum(module.EVENT_COUNT for module in modules)


@pytest.mark.django_db
def test_load_demo_captures_every_event_once(documents):
    total = sum(len(demo.events) for demo in documents)
    chain_ids = {e["eventID"] for demo in documents for e in demo.events}
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert f"{len(documents)} documents, {total} events, {total} captured, 0 already stored" in out.getvalue()
    assert set(Event.objects.filter(event_id__in=chain_ids).values_list("event_id", flat=True)) == chain_ids
    # The sector subsystems' demos (issues #6, #7) add their own steps after the five chains: each
    # demo module's EVENT_COUNT, no more, no less.
    stored = Event.objects.count()
    assert stored == demo_event_count()
    assert set(CaptureJob.objects.values_list("status", flat=True)) == {"succeeded"}
    # Every capture job names who sent it (O3): the demo loader's API client, sector steps included.
    assert CaptureJob.objects.filter(client__isnull=True).count() == 0
    assert set(CaptureJob.objects.values_list("client__name", flat=True)) == {DEMO_CLIENT_NAME}
    assert Event.objects.filter(client__isnull=True).count() == 0

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Event.objects.count() == stored  # nothing twice, the sector demos included
    assert f"0 captured, {total} already stored" in out.getvalue()
    # Both runs recorded the chains under one demo client (O3).
    chain_jobs = CaptureJob.objects.filter(events__event_id__in=chain_ids).distinct()
    assert chain_jobs.values("client").distinct().count() == 1


@pytest.mark.django_db
def test_if_empty_loads_an_empty_store_and_leaves_a_full_one_alone(documents):
    call_command("load_demo", "--if-empty", stdout=StringIO())
    stored, jobs = Event.objects.count(), CaptureJob.objects.count()
    assert stored == demo_event_count()

    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert (Event.objects.count(), CaptureJob.objects.count()) == (stored, jobs)
    assert "not loaded" in out.getvalue()


@pytest.mark.django_db
def test_if_empty_gives_every_demo_account_the_new_password(documents, monkeypatch):
    # make run on a loaded database prints a new password: the sector demos' accounts take it too.
    from django.contrib.auth import authenticate

    call_command("load_demo", stdout=StringIO())
    monkeypatch.setenv("TRACEHUB_DEMO_PASSWORD", "Xiamen-Trace-2026!")
    call_command("load_demo", "--if-empty", stdout=StringIO())
    from tracehub.sectors import demo_g3_e2

    for username in ("demo-operator", *sector_demo.ACCOUNTS, *demo_g3_e2.ACCOUNTS):
        assert authenticate(username=username, password="Xiamen-Trace-2026!") is not None, username


@pytest.mark.django_db
def test_another_seed_adds_a_second_data_set(documents):
    # Another seed draws other ear tags, serial numbers and lot numbers: a disjoint data set.
    other = demo_documents(7)
    assert not {e["eventID"] for d in other for e in d.events} & {
        e["eventID"] for d in documents for e in d.events
    }
    call_command("load_demo", stdout=StringIO())
    first = Event.objects.count()
    call_command("load_demo", "--seed", "7", stdout=StringIO())
    assert Event.objects.count() == first + sum(len(demo.events) for demo in documents)


@pytest.mark.django_db
def test_a_refused_document_raises_command_error_with_its_errors(monkeypatch, documents):
    broken = copy.deepcopy(documents[:1])
    broken[0].events[0]["bizStep"] = "slaughter"  # not a CBV word, not a URI
    monkeypatch.setattr("tracehub.demo.management.commands.load_demo.demo_documents", lambda seed: broken)
    with pytest.raises(CommandError) as caught:
        call_command("load_demo", stdout=StringIO())
    assert "epcisBody.eventList[0].bizStep" in str(caught.value)
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_the_pork_chain_is_traced_by_identifier(api, documents):
    call_command("load_demo", stdout=StringIO())
    pork = _chain(documents, "pork")
    pig = pork[0]["epcList"][0]

    # Back from a pig: the farm tagged it, the slaughterhouse turned it into meat lots.
    found = _results(api.get("/epcis/events", {"MATCH_anyEPC": pig}))
    steps = [(event["type"], event["bizStep"]) for event in found]
    assert ("ObjectEvent", "commissioning") in steps
    assert ("TransformationEvent", PLATFORM_BIZ_STEPS["slaughtering"]) in steps
    commissioning = found[steps.index(("ObjectEvent", "commissioning"))]
    assert commissioning["readPoint"]["id"] == data.PIG_FARM_SITE.id

    # Forward from the slaughter batch: the belly lot reaches the supermarket's till.
    belly = data.PORK_BELLY.lot(pork[3]["ilmd"]["cbvmda:lotNumber"])
    sales = _results(api.get("/epcis/events", {"MATCH_anyEPCClass": belly, "EQ_bizStep": "retail_selling"}))
    assert [sale["bizLocation"]["id"] for sale in sales] == [data.SUPERMARKET_STORE.id]

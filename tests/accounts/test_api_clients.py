"""API clients: key creation, hashing, expiry, revocation, and the 401s (issue #2 item 3)."""

from __future__ import annotations

import io
from datetime import timedelta

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from tracehub.accounts.models import ApiClient, AuditEntry
from tracehub.accounts.selectors import api_client_for_key
from tracehub.accounts.services import api_client_create, api_client_revoke

pytestmark = pytest.mark.django_db


def test_key_is_stored_hashed_and_authenticates():
    client, key = api_client_create(name="food subsystem")
    stored = ApiClient.objects.get(pk=client.pk)
    assert key not in (stored.key_digest, stored.key_prefix)
    assert key.startswith(stored.key_prefix + ".")
    assert api_client_for_key(key) == client


def test_wrong_secret_with_right_prefix_is_refused():
    client, key = api_client_create(name="x")
    assert api_client_for_key(key[:-2] + ("AA" if not key.endswith("AA") else "BB")) is None
    assert api_client_for_key("not-a-key") is None
    assert api_client_for_key(client.key_prefix + ".") is None


def test_expired_and_revoked_keys_are_refused():
    client, key = api_client_create(name="x", expires_at=timezone.now() + timedelta(seconds=1))
    ApiClient.objects.filter(pk=client.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_client_for_key(key) is None
    other, other_key = api_client_create(name="y")
    api_client_revoke(client=other)
    assert api_client_for_key(other_key) is None


def test_create_and_revoke_are_audited():
    client, _ = api_client_create(name="audited")
    api_client_revoke(client=client)
    actions = list(AuditEntry.objects.filter(object_id=str(client.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["api_client.create", "api_client.revoke"]


def test_create_refuses_past_expiry_and_blank_name():
    with pytest.raises(ValueError):
        api_client_create(name="  ")
    with pytest.raises(ValueError):
        api_client_create(name="x", expires_at=timezone.now() - timedelta(days=1))


def test_create_api_key_command_prints_key_alone_on_last_line():
    out = io.StringIO()
    call_command(
        "create_api_key", "海关进口食品子系统", "--expires-in-days", "30", stdout=out, stderr=io.StringIO()
    )
    key = out.getvalue().strip().splitlines()[-1]
    client = api_client_for_key(key)
    assert client is not None and client.name == "海关进口食品子系统"
    assert client.expires_at > timezone.now() + timedelta(days=29)


def test_create_api_key_command_rejects_bad_expiry():
    with pytest.raises(CommandError, match="offset"):
        call_command(
            "create_api_key", "x", "--expires-at", "2030-01-01", stdout=io.StringIO(), stderr=io.StringIO()
        )
    with pytest.raises(CommandError, match="positive"):
        call_command(
            "create_api_key", "x", "--expires-in-days", "0", stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_revoke_api_key_command():
    client, key = api_client_create(name="to revoke")
    call_command("revoke_api_key", client.key_prefix, stdout=io.StringIO())
    assert api_client_for_key(key) is None
    with pytest.raises(CommandError, match="No API client"):
        call_command("revoke_api_key", "th_nothing", stdout=io.StringIO())


def test_revoke_api_key_command_refuses_ambiguous_name():
    api_client_create(name="twin")
    api_client_create(name="twin")
    with pytest.raises(CommandError, match="2 clients"):
        call_command("revoke_api_key", "twin", stdout=io.StringIO())


@pytest.mark.parametrize("path", ["/epcis/events", "/epcis/capture", "/epcis/eventTypes", "/api/v1/me"])
def test_no_key_is_401_problem(path):
    response = Client().get(path)
    assert response.status_code == 401
    body = orjson.loads(response.content)
    assert body["status"] == 401 and body["type"] == "epcisException:SecurityException"
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "header",
    ["Bearer th_000000000000.wrong", "Basic dXNlcjpwYXNz", "Bearer", "Token abc"],
)
def test_bad_authorization_headers_are_401(header):
    response = Client(headers={"Authorization": header}).get("/epcis/events")
    assert response.status_code == 401
    assert "detail" in orjson.loads(response.content)


def test_revoked_key_is_401_over_http():
    client, key = api_client_create(name="soon revoked")
    http = Client(headers={"Authorization": f"Bearer {key}"})
    assert http.get("/epcis/eventTypes").status_code == 200
    api_client_revoke(client=client)
    assert http.get("/epcis/eventTypes").status_code == 401


def test_platform_api_identifies_the_client():
    assert Client().get("/api/v1/openapi.json").status_code == 200  # the contract itself is public
    assert Client().get("/api/v1/health").status_code == 200
    client, key = api_client_create(name="商务局酒类子系统")
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/me")
    assert response.status_code == 200
    assert orjson.loads(response.content) == {
        "name": "商务局酒类子系统",
        "kind": "platform",
        "keyPrefix": client.key_prefix,
    }

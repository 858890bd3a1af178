"""Shared fixtures: API clients made through the real services, an authenticated test client."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[1]
CONFORMANCE = REPO.parent / "shared" / "conformance"


@pytest.fixture(autouse=True)
def _spool_dir(settings, tmp_path):
    settings.TRACEHUB_CAPTURE_SPOOL_DIR = tmp_path / "spool"
    # Uploaded licence scans go to the test's own folder; a fast hasher keeps user creation cheap.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_key(db):
    from tracehub.accounts.services import api_client_create

    client, key = api_client_create(name="test subsystem")
    return key


@pytest.fixture
def api(api_key) -> Client:
    """A Django test client that sends the bearer key on every request."""
    return Client(headers={"Authorization": f"Bearer {api_key}"})


@pytest.fixture
def conformance_dir() -> Path:
    assert CONFORMANCE.is_dir(), f"the conformance data is expected at {CONFORMANCE}"
    return CONFORMANCE


@pytest.fixture
def reference_data(transactional_db):
    """The departments (reference data of a data migration) in a transactional test's database.

    A transactional test (live server, threads) that runs after another finds the tables flushed;
    the migration's own function puts the departments back. (``serialized_rollback`` would clash with
    the content types the previous flush has already re-created.)
    """
    import importlib

    from django.apps import apps

    importlib.import_module("tracehub.accounts.migrations.0003_departments").create(apps, None)

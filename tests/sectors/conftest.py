"""The sectors tests' world: the demo data set (registry, five chains, and the sector demo), loaded
through the real services and capture pipeline by ``tracehub load_demo``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db, settings):
    settings.TRACEHUB_DEMO_PASSWORD = None
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()

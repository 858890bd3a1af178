"""Fixtures of the tracing tests."""

from __future__ import annotations

import pytest

from .chain import Chain, build_chain


@pytest.fixture
def chain(api) -> Chain:
    """The hand-built chain of ``chain.py``, captured, with a test client per role."""
    return build_chain(api)

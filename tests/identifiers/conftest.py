"""The identifiers package is Django-free, and so are its tests.

The suite-wide autouse ``_spool_dir`` fixture needs pytest-django's ``settings``; overriding it here
with a no-op lets these tests also run with ``-p no:django`` (fast, no database, no settings).
"""

import pytest


@pytest.fixture(autouse=True)
def _spool_dir():
    """Nothing to spool: identifiers never capture documents."""
    return None

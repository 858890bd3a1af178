"""Protection of personal data at rest (个人信息保护): the 居民身份证 number of an individual party.

The number is encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under the
key(s) in ``settings.TRACEHUB_FIELD_KEYS``; a keyed digest (HMAC-SHA256) finds a party by its
number and keeps it unique without decrypting anything; a masked form is what screens and API
answers show. Nothing in this module logs a number, and no error message repeats one.

Key rotation: put a new key first in ``TRACEHUB_FIELD_KEY`` (comma-separated); the first key
encrypts, every listed key decrypts. Digests are keyed by the *last* key of the list (the oldest),
so adding keys in front never changes them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class ProtectedValueError(Exception):
    """A stored value cannot be decrypted with the configured keys (wrong or missing key)."""


def _derive(material: str, purpose: bytes) -> bytes:
    return hmac.new(material.encode(), b"tracehub/" + purpose, hashlib.sha256).digest()


@lru_cache(maxsize=4)
def _keys(config: tuple[str, ...]) -> tuple[MultiFernet, bytes]:
    fernets = [
        Fernet(base64.urlsafe_b64encode(_derive(material, b"field-encryption"))) for material in config
    ]
    return MultiFernet(fernets), _derive(config[-1], b"field-digest")


def _config() -> tuple[str, ...]:
    keys = tuple(settings.TRACEHUB_FIELD_KEYS)
    if not keys:
        raise ProtectedValueError("no field encryption key is configured")
    return keys


def encrypt(value: str) -> str:
    return _keys(_config())[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys(_config())[0].decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ProtectedValueError("the value cannot be decrypted with the configured keys") from exc


def digest(value: str) -> str:
    """Keyed digest for look-up and uniqueness; without the key it tells nothing about the value."""
    return hmac.new(_keys(_config())[1], value.upper().encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """``350203199001011234`` → ``3502**********1234``: region and last four only."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]

"""Allocated GS1 serial numbers (序列号) that cannot be guessed: a keyed permutation of a sequence.

The allocator (``tracehub.registry.services.code_allocation_create``) hands out *sequence numbers*
0, 1, 2 … per GTIN, never twice. What is printed in AI (21) is not the sequence but its image under
a secret permutation of the 10^12 twelve-digit numbers, followed by one check digit:

    serial = permute(sequence) as 12 digits + ISO/IEC 7064 MOD 11,10 check digit   (13 digits)

* **Not enumerable.** Knowing genuine serials tells nothing about the others: the permutation is
  a Feistel network (8 rounds over two halves of six digits, modular addition, AES-128 as the round
  function, like NIST SP 800-38G FF1 in structure), keyed by 16 random bytes per GTIN. With a
  million serials allocated out of 10^12, a made-up serial is an allocated one with probability
  10^-6, and the portal notices (a serial never allocated is a copied or invented code).
* **Reversible**, so a scanned serial is checked with one indexed look-up: decode it back to its
  sequence and find the allocated range holding it (``registry.selectors.code_allocation_find``).
* **Digits only, with a check digit** (the same reasoning as the platform trace code,
  docs/coding-rules.md): typed on a phone's number pad; MOD 11,10 catches every single wrong digit
  and every adjacent swap, so a typo is told apart from a code that was never issued.
* **Fast**: :meth:`SerialCipher.serials` encrypts a batch of rounds in one AES call; a million
  serials take about a second and constant memory (bench/codes.py).

Pure code (DESIGN.md §2): the key is handed in by the caller, which keeps it with the GTIN's
counter.
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Iterator

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "SERIAL_LENGTH",
    "SERIAL_SPACE",
    "SerialCipher",
    "new_serial_key",
    "serial_check_digit",
]

#: The permuted part has 12 digits; one check digit follows.
_BODY_DIGITS = 12
SERIAL_LENGTH = _BODY_DIGITS + 1
#: How many sequence numbers one GTIN can ever have.
SERIAL_SPACE = 10**_BODY_DIGITS
_HALF = 10**6
_ROUNDS = 8
_BATCH = 4096
KEY_BYTES = 16


def new_serial_key() -> bytes:
    """A fresh random key for one GTIN's serials."""
    return secrets.token_bytes(KEY_BYTES)


# ISO/IEC 7064 MOD 11,10 (python-stdnum ``iso7064.mod_11_10``) by three-digit chunks: the check is
# a state machine over the digits (10 states), so a table of (state, chunk) -> state does four
# steps per code instead of twelve.
def _step(state: int, digit: int) -> int:
    return (((state or 10) * 2) % 11 + digit) % 10


def _chunk_table() -> list[list[int]]:
    table = []
    for state in range(10):
        row = []
        for chunk in range(1000):
            s = state
            for digit in (chunk // 100, chunk // 10 % 10, chunk % 10):
                s = _step(s, digit)
            row.append(s)
        table.append(row)
    return table


_CHUNKS = _chunk_table()


def _check_of(body: int) -> int:
    s = 5
    for shift in (10**9, 10**6, 10**3, 1):
        s = _CHUNKS[s][body // shift % 1000]
    return (1 - ((s or 10) * 2) % 11) % 10


def serial_check_digit(body: str) -> str:
    """The MOD 11,10 check digit of a 12-digit serial body."""
    return str(_check_of(int(body)))


class SerialCipher:
    """The permutation of one GTIN's serials under ``key`` (16 bytes)."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a serial key has {KEY_BYTES} bytes, not {len(key)}")
        self._key = key

    def _aes(self):
        # A context per call: cipher contexts are not to be shared between threads.
        return Cipher(algorithms.AES(self._key), modes.ECB()).encryptor()  # noqa: S305 - a PRF, not a mode

    @staticmethod
    def _rounds(aes, values: list[int], *, decrypt: bool = False) -> list[int]:
        n = len(values)
        pack = struct.Struct(">" + "QQ" * n).pack
        unpack = struct.Struct(">" + "Q8x" * n).unpack
        left = [v // _HALF for v in values]
        right = [v % _HALF for v in values]
        for i in reversed(range(_ROUNDS)) if decrypt else range(_ROUNDS):
            flat = [i] * (2 * n)
            if not decrypt:  # (L, R) -> (R, L + F_i(R))
                flat[1::2] = right
                f = unpack(aes.update(pack(*flat)))
                left, right = right, [(a + b) % _HALF for a, b in zip(left, f, strict=True)]
            else:  # (L', R') -> (R' - F_i(L'), L')
                flat[1::2] = left
                f = unpack(aes.update(pack(*flat)))
                left, right = [(a - b) % _HALF for a, b in zip(right, f, strict=True)], left
        return [a * _HALF + b for a, b in zip(left, right, strict=True)]

    def encode(self, sequence: int) -> str:
        """The 13-digit serial of ``sequence`` (0 … 10^12 - 1)."""
        return next(self.serials(sequence, sequence))

    def serials(self, first: int, last: int) -> Iterator[str]:
        """The serials of sequences ``first`` … ``last`` (inclusive), in order, batch by batch."""
        if not 0 <= first <= last < SERIAL_SPACE:
            raise ValueError(f"sequence range {first}-{last} outside 0-{SERIAL_SPACE - 1}")
        aes = self._aes()
        start = first
        while start <= last:
            stop = min(start + _BATCH, last + 1)
            for body in self._rounds(aes, list(range(start, stop))):
                yield f"{body:012d}{_check_of(body)}"
            start = stop

    def decode(self, serial: str) -> int | None:
        """The sequence of a serial, or None when it is not 13 digits with a right check digit."""
        text = serial.strip()
        if len(text) != SERIAL_LENGTH or not text.isascii() or not text.isdigit():
            return None
        body = int(text[:-1])
        if _check_of(body) != int(text[-1]):
            return None
        return self._rounds(self._aes(), [body], decrypt=True)[0]

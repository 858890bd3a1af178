"""GS1 Digital Link compression: AI/value pairs <-> the URI-safe base64 path segment.

Implements the compression of GS1 Digital Link URI Syntax 1.2 §8 ("Compression of GS1 Digital Link
URIs", the algorithm of GS1's GS1DigitalLinkCompressionPrototype):

* each AI is written as 4-bit hexadecimal nibbles (``01`` -> 0000 0001); a frequent *sequence* of
  AIs may instead be written as one 8-bit optimisation code whose first or second nibble is A-F
  (``0B`` = AIs 01 + 10, :data:`OPTIMISATIONS`, DL 1.2 §8.4.3);
* each value follows its AI's compression format (:func:`compression_format`): a fixed-length
  numeric component as a binary integer of ceil(n·log2 10) bits; a variable-length numeric one with
  a length field of ceil(log2 max) bits first; an alphanumeric one with a 3-bit encoding indicator
  (000 digits, 001 lower-case hex, 010 upper-case hex, 011 URI-safe base64, 100 7-bit ASCII — the
  most compact that fits, DL 1.2 §8.4.4.1), then the length (if variable), then the characters;
* a non-GS1 ``key=value`` query parameter may be compressed too: nibble F, 7 bits of key length,
  the key in 6-bit base64, then the value as a 7-bit-length alphanumeric field;
* the bit string is padded with zeros to a multiple of 6 and written in the URI-safe base64
  alphabet ``A-Z a-z 0-9 - _`` (RFC 4648 §5).

AIs are encoded in ascending string order after any optimisation codes, as the reference
implementation does, so that a compressed URI is a function of its data.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .ai_table import AI_LENGTH_BY_PREFIX, AI_TABLE
from .gs1 import IdentifierError

__all__ = [
    "OPTIMISATIONS",
    "SAFE64",
    "compress_pairs",
    "compression_format",
    "decompress_segment",
    "is_safe64",
]

#: The URI-safe base64 alphabet (RFC 4648 §5) that compressed GS1 Digital Links are written in.
SAFE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SAFE64_INDEX = {char: index for index, char in enumerate(SAFE64)}
_SAFE64_SET = frozenset(SAFE64)
_HEX = "0123456789ABCDEF"
_HEX_UPPER = frozenset("0123456789ABCDEF")
_HEX_LOWER = frozenset("0123456789abcdef")

#: Optimisation codes (GS1 DL 1.2 §8.4.3, Table 8-2): one byte for a frequent sequence of AIs.
OPTIMISATIONS: dict[str, tuple[str, ...]] = {
    "0A": ("01", "22"), "0B": ("01", "10"), "0C": ("01", "21"), "0D": ("01", "17"),
    "0E": ("01", "7003"), "0F": ("01", "30"),
    "1A": ("01", "10", "21", "17"), "1B": ("01", "15"), "1C": ("01", "11"), "1D": ("01", "16"),
    "1E": ("01", "91"), "1F": ("01", "10", "15"),
    "2A": ("01", "3100"), "2B": ("01", "3101"), "2C": ("01", "3102"), "2D": ("01", "3103"),
    "2E": ("01", "3104"), "2F": ("01", "3105"),
    "3A": ("01", "3200"), "3B": ("01", "3201"), "3C": ("01", "3202"), "3D": ("01", "3203"),
    "3E": ("01", "3204"), "3F": ("01", "3205"),
    "9A": ("8010", "8011"), "9B": ("8017", "8019"), "9C": ("8018", "8019"), "9D": ("414", "254"),
    **{f"A{n}": ("01", f"392{n}") for n in range(10)},
    **{f"C{n}": ("255", f"390{n}") for n in range(10)},
    **{f"C{'ABCD'[n]}": ("255", f"394{n}") for n in range(4)},
}  # fmt: skip

#: The compression format where it is not simply the AI's GS1 format read component by component
#: (GS1 DL 1.2 §8, Table 8-1 "format table", which predates some later GS1 GS format changes).
_FORMAT_OVERRIDES: dict[str, tuple[tuple[str, int, bool], ...]] = {
    # ITIP and its "contained" twin: GTIN + piece + total compress as one 18-digit number.
    "8006": (("N", 18, True),),
    "8026": (("N", 18, True),),
    # Made-to-Order variation number: the table fixes it at 6 digits (a shorter value comes back
    # zero-padded, so TraceHub compresses only 6-digit values of AI 242; see _encode_value).
    "242": (("N", 6, True),),
    # Harvest date YYMMDD[YYMMDD]: one numeric field of up to 12 digits.
    "7007": (("N", 12, False),),
    # Certification references: a 2-character agency code compressed as digits, then the reference.
    **{f"723{n}": (("N", 2, True), ("X", 28, False)) for n in range(10)},
    # Temperatures with an optional trailing minus sign.
    **{ai: (("N", 6, True), ("X", 1, True)) for ai in ("4330", "4331", "4332", "4333")},
}


@lru_cache(maxsize=1024)
def compression_format(ai: str) -> tuple[tuple[str, int, bool], ...]:
    """The compression format of ``ai``: ``(('N'|'X', length, fixed), …)`` (DL 1.2 Table 8-1).

    'N' components are numeric, 'X' alphanumeric (character sets 82, 39 and 64 alike); ``fixed``
    tells a fixed length from a maximum length.
    """
    override = _FORMAT_OVERRIDES.get(ai)
    if override is not None:
        return override
    info = AI_TABLE.get(ai)
    if info is None:
        raise IdentifierError(f"({ai}) is not a GS1 Application Identifier (GS1 GS §3.2)")
    result = []
    for component in info.components:
        kind = "N" if component.cset == "N" else "X"
        fixed = component.min_length == component.max_length and not component.optional
        result.append((kind, component.max_length, fixed))
    return tuple(result)


def _value_bits(digits: int) -> int:
    # ceil(n * log2(10)) bits hold an n-digit number (DL 1.2 §8.4.4); the +0.01 keeps n = 0 at one
    # bit, exactly as the reference implementation computes it.
    return math.ceil(digits * math.log(10) / math.log(2) + 0.01)


def _length_bits(max_length: int) -> int:
    return math.ceil(math.log(max_length) / math.log(2) + 0.01)


def is_safe64(text: str) -> bool:
    """True when ``text`` is non-empty and written only in the URI-safe base64 alphabet."""
    return bool(text) and all(char in _SAFE64_SET for char in text)


# --------------------------------------------------------------------------------------------
# Compression.
# --------------------------------------------------------------------------------------------


def _encoding_of(text: str) -> int:
    if not text:
        return 4  # nothing matches an empty string in DL 1.2 §8.4.4.1, so it falls through to ASCII
    chars = set(text)
    if text and text.isascii() and text.isdigit():
        return 0
    if chars <= _HEX_UPPER:
        return 2
    if chars <= _HEX_LOWER:
        return 1
    if chars <= _SAFE64_SET:
        return 3
    return 4


def _encode_text(text: str, length_field: str) -> str:
    """3-bit encoding indicator, the optional length field, then the characters (DL 1.2 §8.4.4.1)."""
    encoding = _encoding_of(text)
    if encoding == 0:
        body = format(int(text), "b").zfill(_value_bits(len(text)))
    elif encoding in (1, 2):
        body = "".join(format(_HEX.index(char), "04b") for char in text.upper())
    elif encoding == 3:
        body = "".join(format(_SAFE64_INDEX[char], "06b") for char in text)
    else:
        for char in text:
            if ord(char) > 0x7F:
                raise IdentifierError(f"{text!r} contains {char!r}, which 7-bit ASCII cannot hold")
        body = "".join(format(ord(char), "07b") for char in text)
    return format(encoding, "03b") + length_field + body


def _encode_value(ai: str, value: str) -> str:
    bits = []
    position = 0
    for kind, length, fixed in compression_format(ai):
        if fixed:
            part = value[position : position + length]
            position += length
            if len(part) != length:
                raise IdentifierError(
                    f"({ai}) {value!r}: GS1 DL compression writes this component as exactly {length} "
                    "characters"
                )
            if kind == "N":
                if not (part.isascii() and part.isdigit()):
                    raise IdentifierError(f"({ai}) {value!r}: {part!r} must be digits to be compressed")
                bits.append(format(int(part), "b").zfill(_value_bits(length)))
            else:
                bits.append(_encode_text(part, ""))
        else:
            part = value[position:]
            position = len(value)
            if len(part) > length:
                raise IdentifierError(f"({ai}) {value!r} is longer than its format allows")
            length_field = format(len(part), "b").zfill(_length_bits(length))
            if kind == "N":
                if part and not (part.isascii() and part.isdigit()):
                    raise IdentifierError(f"({ai}) {value!r}: {part!r} must be digits to be compressed")
                bits.append(length_field + format(int(part or "0"), "b").zfill(_value_bits(len(part))))
            else:
                bits.append(_encode_text(part, length_field))
    return "".join(bits)


def _nibbles(code: str) -> str:
    return "".join(format(int(char, 16), "04b") for char in code)


def _choose_optimisations(ais: list[str]) -> list[str]:
    """Greedy choice of optimisation codes: the one saving the most AI digits first (DL 1.2 §8.4.3)."""
    remaining = set(ais)
    chosen = []
    while True:
        best, best_saving = "", 0
        for code, sequence in OPTIMISATIONS.items():
            if all(ai in remaining for ai in sequence):
                saving = sum(len(ai) for ai in sequence)
                if saving > best_saving:
                    best, best_saving = code, saving
        if not best:
            return chosen
        chosen.append(best)
        remaining.difference_update(OPTIMISATIONS[best])


def compress_pairs(
    pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]],
    *,
    optimise: bool = False,
    other: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
) -> str:
    """Compress AI/value pairs (and non-GS1 ``key=value`` pairs) into a URI-safe base64 segment."""
    values = dict(pairs)
    order = sorted(values)
    bits = []
    if optimise:
        for code in _choose_optimisations(order):
            bits.append(_nibbles(code))
            for ai in OPTIMISATIONS[code]:
                bits.append(_encode_value(ai, values[ai]))
                order.remove(ai)
    for ai in order:
        bits.append(_nibbles(ai))
        bits.append(_encode_value(ai, values[ai]))
    for key, value in other:
        if not is_safe64(key) or len(key) > 127:
            raise IdentifierError(
                f"query parameter {key!r} cannot be compressed: keys need 1-127 URI-safe base64 characters"
            )
        if len(value) > 127:
            raise IdentifierError(f"query parameter {key}={value!r} is too long to be compressed")
        bits.append("1111" + format(len(key), "07b"))
        bits.append("".join(format(_SAFE64_INDEX[char], "06b") for char in key))
        bits.append(_encode_text(value, format(len(value), "07b")))
    binary = "".join(bits)
    binary += "0" * (-len(binary) % 6)
    return "".join(SAFE64[int(binary[index : index + 6], 2)] for index in range(0, len(binary), 6))


# --------------------------------------------------------------------------------------------
# Decompression.
# --------------------------------------------------------------------------------------------


class _Reader:
    __slots__ = ("bits", "position")

    def __init__(self, bits: str) -> None:
        self.bits = bits
        self.position = 0

    def take(self, count: int) -> str:
        end = self.position + count
        if end > len(self.bits):
            raise IdentifierError("the compressed GS1 Digital Link ends in the middle of a value")
        chunk = self.bits[self.position : end]
        self.position = end
        return chunk

    def number(self, count: int) -> int:
        return int(self.take(count), 2) if count else 0

    def left(self) -> int:
        return len(self.bits) - self.position


def _decode_text(reader: _Reader, count: int, encoding: int) -> str:
    if encoding == 0:
        # The length field says how many digits there were, so leading zeros come back (the
        # reference prototype drops them: a lot "007" would come back as "7").
        return str(reader.number(_value_bits(count))).zfill(count) if count else ""
    if encoding in (1, 2):
        text = "".join(_HEX[reader.number(4)] for _ in range(count))
        return text.lower() if encoding == 1 else text
    if encoding == 3:
        return "".join(SAFE64[reader.number(6)] for _ in range(count))
    if encoding == 4:
        return "".join(chr(reader.number(7)) for _ in range(count))
    raise IdentifierError(f"unknown encoding indicator {encoding} in a compressed GS1 Digital Link")


def _decode_value(reader: _Reader, ai: str) -> str:
    parts = []
    for kind, length, fixed in compression_format(ai):
        if kind == "N" and fixed:
            parts.append(str(reader.number(_value_bits(length))).zfill(length))
        elif kind == "N":
            digits = reader.number(_length_bits(length))
            number = reader.number(_value_bits(digits))
            parts.append(str(number).zfill(digits) if digits else "")
        else:
            encoding = reader.number(3)
            count = length if fixed else reader.number(_length_bits(length))
            parts.append(_decode_text(reader, count, encoding))
    return "".join(parts)


def decompress_segment(segment: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Decompress a base64 segment into ``(AI pairs, non-GS1 key/value pairs)``.

    Raises :class:`IdentifierError` when the segment is not a valid compressed GS1 Digital Link.
    """
    if not is_safe64(segment):
        raise IdentifierError(f"{segment!r} is not written in the URI-safe base64 alphabet")
    reader = _Reader("".join(format(_SAFE64_INDEX[char], "06b") for char in segment))
    pairs: list[tuple[str, str]] = []
    other: list[tuple[str, str]] = []
    while reader.left() > 8:
        first, second = reader.number(4), reader.number(4)
        head = _HEX[first] + _HEX[second]
        if first <= 9 and second <= 9:
            length = AI_LENGTH_BY_PREFIX.get(head)
            if length is None:
                raise IdentifierError(f"compressed data names AI prefix {head}, which GS1 does not define")
            ai = head
            for _ in range(length - 2):
                digit = reader.number(4)
                if digit > 9:
                    raise IdentifierError(f"compressed data names a non-numeric AI {ai}{_HEX[digit]}")
                ai += str(digit)
            if ai not in AI_TABLE:
                raise IdentifierError(f"compressed data names ({ai}), which is not a GS1 AI")
            pairs.append((ai, _decode_value(reader, ai)))
        elif head in OPTIMISATIONS:
            for ai in OPTIMISATIONS[head]:
                pairs.append((ai, _decode_value(reader, ai)))
        elif first == 15:
            # Nibble F: a compressed non-GS1 key=value pair; the 7-bit key length starts with the
            # second nibble's bits.
            reader.position -= 4
            key_length = reader.number(7)
            key = "".join(SAFE64[reader.number(6)] for _ in range(key_length))
            encoding = reader.number(3)
            count = reader.number(7)
            other.append((key, _decode_text(reader, count, encoding)))
        else:
            raise IdentifierError(
                f"compressed data has code {head}, which is neither an AI nor an optimisation"
            )
    if not pairs and not other:
        raise IdentifierError(f"{segment!r} holds no compressed GS1 data")
    return tuple(pairs), tuple(other)

"""GS1 identifiers: check digits, EPC URN <-> GS1 Digital Link <-> canonical key, query patterns.

Pure code: no Django models and no imports of other TraceHub apps (DESIGN §2). What it needs to know,
such as registered company-prefix lengths, is handed to it by callers.

The canonical key (``01/09521234567899/21/ABC``, ``414/9521234567899/254/5`` …) is the path of the
canonical GS1 Digital Link URI; see :mod:`tracehub.identifiers.gs1` for its exact definition.
"""

from .convert import (
    canonical_key,
    format_identifier,
    instance_class_key,
    parse_identifier,
    to_canonical_digital_link,
)
from .digital_link import CANONICAL_BASE, to_digital_link
from .epc import key_like_pattern, like_escape, to_epc_urn
from .gs1 import (
    Gs1Id,
    IdentifierError,
    company_prefix_candidates,
    company_prefix_of,
    gs1_check_digit,
    has_valid_check_digit,
)

__all__ = [
    "CANONICAL_BASE",
    "Gs1Id",
    "IdentifierError",
    "canonical_key",
    "company_prefix_candidates",
    "company_prefix_of",
    "format_identifier",
    "gs1_check_digit",
    "has_valid_check_digit",
    "instance_class_key",
    "key_like_pattern",
    "like_escape",
    "parse_identifier",
    "to_canonical_digital_link",
    "to_digital_link",
    "to_epc_urn",
]

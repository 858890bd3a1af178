"""Identifiers: GS1 keys, element strings, Digital Links, EPC URNs, Chinese codes, platform codes.

Pure code: no Django models and no imports of other TraceHub apps (DESIGN §2). What it needs to know,
such as registered company-prefix lengths, is handed to it by callers.

The canonical key (``01/09521234567899/21/ABC``, ``414/9521234567899/254/5`` …) is the path of the
canonical GS1 Digital Link URI; see :mod:`tracehub.identifiers.gs1` for its exact definition. Codes
without a GS1 key are platform URIs (``urn:tracehub:code:…``, :mod:`tracehub.identifiers.platform`).
docs/coding-rules.md describes every coding rule.

Modules: :mod:`.gs1` (check digits, canonical keys), :mod:`.gs1_keys` (GTIN/GLN/SSCC with reasons),
:mod:`.ai_table` (every GS1 AI), :mod:`.element_strings` (``(01)…(10)…`` and barcode data),
:mod:`.dl_uri` and :mod:`.dl_compression` (complete GS1 Digital Link URIs, compressed or not),
:mod:`.digital_link`, :mod:`.epc`, :mod:`.convert` (identifier forms for the event store),
:mod:`.cn_codes` (Chinese codes and the platform trace code), :mod:`.platform` (platform URIs),
:mod:`.conformance_dl` (the GS1 Digital Link test tables).
"""

from .ai_table import AI_TABLE, ai_info, check_ai_value, gs1_date
from .cn_codes import (
    format_customs_declaration_number,
    format_drug_trace_code,
    format_liquor_slip_number,
    format_pesticide_unit_code,
    format_platform_trace_code,
    format_vet_drug_trace_code,
    make_liquor_slip_number,
    make_platform_trace_code,
    parse_customs_declaration_number,
    parse_drug_trace_code,
    parse_liquor_slip_number,
    parse_pesticide_unit_code,
    parse_platform_trace_code,
    parse_vet_drug_trace_code,
)
from .convert import (
    canonical_key,
    digital_link_to_epc_urn,
    epc_urn_to_digital_link,
    format_identifier,
    instance_class_key,
    parse_identifier,
    prefix_length_lookup,
    to_canonical_digital_link,
)
from .digital_link import CANONICAL_BASE, to_digital_link
from .dl_uri import (
    DigitalLink,
    build_digital_link,
    compress_digital_link,
    decompress_digital_link,
    digital_link_to_element_strings,
    element_strings_to_digital_link,
    read_digital_link,
)
from .element_strings import format_element_strings, parse_element_strings
from .epc import key_like_pattern, like_escape, to_epc_urn
from .gs1 import (
    Gs1Id,
    IdentifierError,
    company_prefix_candidates,
    company_prefix_of,
    gs1_check_digit,
    has_valid_check_digit,
)
from .gs1_keys import gtin_kind, validate_gln, validate_gtin, validate_sscc
from .platform import PlatformCode, canonical_platform_uri, parse_platform_uri, platform_uri

__all__ = [
    "AI_TABLE",
    "CANONICAL_BASE",
    "DigitalLink",
    "Gs1Id",
    "IdentifierError",
    "PlatformCode",
    "ai_info",
    "build_digital_link",
    "canonical_key",
    "canonical_platform_uri",
    "check_ai_value",
    "company_prefix_candidates",
    "company_prefix_of",
    "compress_digital_link",
    "decompress_digital_link",
    "digital_link_to_element_strings",
    "digital_link_to_epc_urn",
    "element_strings_to_digital_link",
    "epc_urn_to_digital_link",
    "format_customs_declaration_number",
    "format_drug_trace_code",
    "format_element_strings",
    "format_identifier",
    "format_liquor_slip_number",
    "format_pesticide_unit_code",
    "format_platform_trace_code",
    "format_vet_drug_trace_code",
    "gs1_check_digit",
    "gs1_date",
    "gtin_kind",
    "has_valid_check_digit",
    "instance_class_key",
    "key_like_pattern",
    "like_escape",
    "make_liquor_slip_number",
    "make_platform_trace_code",
    "parse_customs_declaration_number",
    "parse_drug_trace_code",
    "parse_element_strings",
    "parse_identifier",
    "parse_liquor_slip_number",
    "parse_pesticide_unit_code",
    "parse_platform_trace_code",
    "parse_platform_uri",
    "parse_vet_drug_trace_code",
    "platform_uri",
    "prefix_length_lookup",
    "read_digital_link",
    "to_canonical_digital_link",
    "to_digital_link",
    "to_epc_urn",
    "validate_gln",
    "validate_gtin",
    "validate_sscc",
]

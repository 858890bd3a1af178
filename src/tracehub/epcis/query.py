"""EPCIS 2.0 SimpleEventQuery parameters (EPCIS 2.0 §8.2.7.1; REST binding query parameters).

Parsing is strict: an unknown parameter or a malformed value is an error naming the parameter,
never silently ignored (a trace that quietly ignored a filter would mislead an official).
Multiple values are pipe-delimited as the REST binding specifies (``EQ_bizStep=shipping|receiving``).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.core import signing

from tracehub.epcis.vocab import (
    ACTIONS,
    BIZ_STEP,
    BIZ_TRANSACTION_TYPE,
    DISPOSITION,
    EVENT_TYPES,
    SOURCE_DEST_TYPE,
    Vocabulary,
    canonical_term,
)
from tracehub.identifiers import IdentifierError, canonical_key, key_like_pattern

#: MATCH_* parameter → the index roles it searches (EPCIS 2.0 §8.2.7.1).
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("class", "child_class"),
    "MATCH_inputEPCClass": ("input_class",),
    "MATCH_outputEPCClass": ("output_class",),
    "MATCH_anyEPCClass": ("class", "child_class", "input_class", "output_class"),
}

#: Location parameters. WD_ (with descendants) equals EQ_ until master data gives locations a
#: hierarchy: with no children known, a location's descendants are itself alone.
LOCATION_PARAMS = {
    "EQ_readPoint": "read_point",
    "WD_readPoint": "read_point",
    "EQ_bizLocation": "biz_location",
    "WD_bizLocation": "biz_location",
}

TYPED_PREFIXES = {
    "EQ_bizTransaction_": ("biz_transaction", BIZ_TRANSACTION_TYPE),
    "EQ_source_": ("source", SOURCE_DEST_TYPE),
    "EQ_destination_": ("destination", SOURCE_DEST_TYPE),
}

PAGING_PARAMS = {"perPage", "nextPageToken"}

KNOWN_PLAIN = {
    "eventType",
    "GE_eventTime",
    "LT_eventTime",
    "GE_recordTime",
    "LT_recordTime",
    "EQ_action",
    "EQ_bizStep",
    "EQ_disposition",
    "EQ_eventID",
    "EXISTS_errorDeclaration",
    "orderBy",
    "orderDirection",
    "eventCountLimit",
    "maxEventCount",
}

_TOKEN_SALT = "tracehub.epcis.nextPageToken"


class QueryParameterError(ValueError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class IdentifierMatch:
    """Events having one of these keys (or keys LIKE one of the patterns) in one of the roles."""

    roles: tuple[str, ...]
    keys: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    qualifier: str | None = None


@dataclass
class EventQuery:
    event_types: tuple[str, ...] = ()
    ge_event_time: datetime | None = None
    lt_event_time: datetime | None = None
    ge_record_time: datetime | None = None
    lt_record_time: datetime | None = None
    actions: tuple[str, ...] = ()
    biz_steps: tuple[str, ...] = ()
    dispositions: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()
    exists_error_declaration: bool = False
    matches: list[IdentifierMatch] = field(default_factory=list)
    order_by: str = "recordTime"
    descending: bool = False
    event_count_limit: int | None = None
    max_event_count: int | None = None

    def signature(self) -> str:
        """What a page token is bound to: the same query, not just any."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:24]


def parse_time(value: str) -> datetime | None:
    """An aware datetime from ISO 8601 with an offset or Z; None if malformed or naive."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None and "T" in text else None


def _split(value: str) -> list[str]:
    return [v for v in (part.strip() for part in value.split("|")) if v]


def parse_query(params, *, fixed: dict[str, str] | None = None) -> EventQuery:
    """Parse query parameters (a QueryDict or a mapping); ``fixed`` come from the path."""
    query = EventQuery()
    errors: list[dict[str, str]] = []

    def fail(name: str, message: str) -> None:
        errors.append({"path": name, "message": message})

    items: list[tuple[str, str]] = []
    if hasattr(params, "lists"):
        for name, values in params.lists():
            if len(values) > 1:
                fail(name, "give the parameter once; separate several values with '|'")
            items.append((name, values[-1]))
    else:
        items.extend(params.items())
    items.extend((fixed or {}).items())

    for name, raw in items:
        if name in PAGING_PARAMS:
            continue
        value = raw.strip()
        if not value and name != "EXISTS_errorDeclaration":
            fail(name, "a value is required")
            continue
        if name == "eventType":
            types = _split(value)
            bad = [t for t in types if t not in EVENT_TYPES]
            if bad:
                fail(name, f"unknown event type {bad[0]!r}; expected one of {', '.join(EVENT_TYPES)}")
            query.event_types = tuple(types)
        elif name in ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime"):
            moment = parse_time(value)
            if moment is None:
                fail(name, "expected an ISO 8601 date-time with an offset, e.g. 2026-01-31T08:00:00+08:00")
                continue
            setattr(
                query,
                {
                    "GE_eventTime": "ge_event_time",
                    "LT_eventTime": "lt_event_time",
                    "GE_recordTime": "ge_record_time",
                    "LT_recordTime": "lt_record_time",
                }[name],
                moment,
            )
        elif name == "EQ_action":
            actions = _split(value)
            bad = [a for a in actions if a not in ACTIONS]
            if bad:
                fail(name, f"unknown action {bad[0]!r}; expected ADD, OBSERVE or DELETE")
            query.actions = tuple(actions)
        elif name in ("EQ_bizStep", "EQ_disposition"):
            vocab = BIZ_STEP if name == "EQ_bizStep" else DISPOSITION
            terms = _terms(vocab, value, name, fail)
            if name == "EQ_bizStep":
                query.biz_steps = terms
            else:
                query.dispositions = terms
        elif name == "EQ_eventID":
            query.event_ids = tuple(_split(value))
        elif name == "EXISTS_errorDeclaration":
            if value.lower() not in ("", "true", "false"):
                fail(name, "expected true or false")
            query.exists_error_declaration = value.lower() in ("", "true")
        elif name in MATCH_ROLES:
            match = _identifier_match(MATCH_ROLES[name], value, name, fail, allow_patterns=True)
            if match:
                query.matches.append(match)
        elif name in LOCATION_PARAMS:
            match = _identifier_match((LOCATION_PARAMS[name],), value, name, fail, allow_patterns=False)
            if match:
                query.matches.append(match)
        elif name.startswith(tuple(TYPED_PREFIXES)):
            prefix = next(p for p in TYPED_PREFIXES if name.startswith(p))
            role, vocab = TYPED_PREFIXES[prefix]
            type_name = name[len(prefix) :]
            qualifier = canonical_term(vocab, type_name)
            if qualifier is None:
                fail(name, f"{type_name!r} is not a {vocab.name} (a CBV word or a URI)")
                continue
            match = _identifier_match((role,), value, name, fail, allow_patterns=False)
            if match:
                query.matches.append(IdentifierMatch(roles=match.roles, keys=match.keys, qualifier=qualifier))
        elif name == "orderBy":
            if value not in ("eventTime", "recordTime"):
                fail(name, "expected eventTime or recordTime")
            query.order_by = value
        elif name == "orderDirection":
            if value not in ("ASC", "DESC"):
                fail(name, "expected ASC or DESC")
            query.descending = value == "DESC"
        elif name in ("eventCountLimit", "maxEventCount"):
            if not (value.isascii() and value.isdigit()) or int(value) < 1:
                fail(name, "expected a positive whole number")
                continue
            setattr(
                query, "event_count_limit" if name == "eventCountLimit" else "max_event_count", int(value)
            )
        else:
            fail(name, "unknown or unsupported query parameter")
    if query.event_count_limit and query.max_event_count:
        fail("eventCountLimit", "eventCountLimit and maxEventCount cannot be used together")
    if errors:
        raise QueryParameterError(errors)
    return query


def _terms(vocab: Vocabulary, value: str, name: str, fail) -> tuple[str, ...]:
    terms = []
    for item in _split(value):
        term = canonical_term(vocab, item)
        if term is None:
            fail(name, f"{item!r} is not a CBV {vocab.name} nor a URI")
        else:
            terms.append(term)
    return tuple(terms)


def _identifier_match(roles, value: str, name: str, fail, *, allow_patterns: bool) -> IdentifierMatch | None:
    keys: list[str] = []
    patterns: list[str] = []
    for item in _split(value):
        try:
            pattern = key_like_pattern(item) if allow_patterns else None
            if pattern is not None:
                patterns.append(pattern)
            else:
                keys.append(canonical_key(item))
        except IdentifierError as exc:
            fail(name, f"{item!r}: {exc}")
            return None
    return IdentifierMatch(roles=tuple(roles), keys=tuple(keys), patterns=tuple(patterns))


# -- page tokens -----------------------------------------------------------------------------


def make_page_token(*, query: EventQuery, after: tuple, returned: int) -> str:
    """An opaque, signed token: the position after the last event sent, bound to the query."""
    payload = {"s": query.signature(), "a": list(after), "n": returned}
    return base64.urlsafe_b64encode(signing.dumps(payload, salt=_TOKEN_SALT).encode()).decode().rstrip("=")


def read_page_token(token: str, *, query: EventQuery) -> tuple[tuple, int]:
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = signing.loads(base64.urlsafe_b64decode(padded.encode()).decode(), salt=_TOKEN_SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise QueryParameterError([{"path": "nextPageToken", "message": "the token is not valid"}]) from exc
    if payload.get("s") != query.signature():
        raise QueryParameterError(
            [{"path": "nextPageToken", "message": "the token belongs to a query with other parameters"}]
        )
    return tuple(payload["a"]), int(payload.get("n", 0))

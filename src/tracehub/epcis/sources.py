"""Capture sources: turn a submitted body (JSON-LD or XML, whole or streamed) into events.

Every format ends in the same shape (DESIGN.md §3): the document header as a JSON-LD dict and
an iterator of event dicts in document order. Documents above the inline limit are streamed
(ijson / lxml iterparse) so a 200,000-event document never sits in memory whole.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import ijson
import orjson

from tracehub.epcis.validation import event_list_path
from tracehub.epcis.xmlformat import XmlDocumentReader, XmlFormatError

JSON = "json"
XML = "xml"

_MEDIA_TYPES = {
    "application/json": JSON,
    "application/ld+json": JSON,
    "application/xml": XML,
    "text/xml": XML,
}


class SourceError(ValueError):
    """The body cannot be read as an EPCIS document at all (not JSON, not well-formed XML …)."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def media_kind(content_type: str | None) -> str | None:
    """`json`, `xml` or None for a Content-Type header value (parameters ignored)."""
    if not content_type:
        return None
    base = content_type.split(";", 1)[0].strip().lower()
    return _MEDIA_TYPES.get(base)


@dataclass
class EventSource:
    """A document being read: its header (without the events) and its events, lazily."""

    header: dict[str, Any]
    events: Iterator[dict[str, Any]]
    #: Extension namespaces found while reading (XML declares them anywhere in the tree).
    extra_namespaces: dict[str, str] = field(default_factory=dict)
    single_event: bool = False


def open_source(
    stream: IO[bytes], *, kind: str, size: int, inline_max: int, single_event: bool = False
) -> EventSource:
    """Open a body for reading; small JSON is parsed at once (faster), large JSON streamed."""
    if kind == XML:
        return _xml_source(stream)
    if single_event or size <= inline_max:
        return _json_whole(stream.read(), single_event=single_event)
    return _json_stream(stream)


def _json_whole(data: bytes, *, single_event: bool) -> EventSource:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"The body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise SourceError("The body must be a JSON object.")
    if single_event:
        # POST /events takes one event; give it the document shape the checks expect.
        context = document.get("@context")
        header = {
            "@context": context,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": datetime.now(UTC).isoformat(),
            "epcisBody": {"eventList": []},
        }
        return EventSource(header=header, events=iter([document]), single_event=True)
    path = event_list_path(document) or "epcisBody.eventList"
    header, events = _split_events(document, path.split("."))
    return EventSource(header=header, events=iter(events if isinstance(events, list) else []))


def _split_events(node: Any, steps: list[str]) -> tuple[Any, Any]:
    """A copy of the document with an empty event list, and the events that were there."""
    if not isinstance(node, dict) or steps[0] not in node:
        return node, None
    copy = dict(node)
    if len(steps) == 1:
        events = copy[steps[0]]
        if isinstance(events, list):
            copy[steps[0]] = []
        return copy, events if isinstance(events, list) else None
    copy[steps[0]], events = _split_events(copy[steps[0]], steps[1:])
    return copy, events


def _json_stream(stream: IO[bytes]) -> EventSource:
    """Stream a large JSON document: header fields first, then events one by one.

    GS1 documents put ``@context`` and ``type`` before ``epcisBody``, and then the header
    pass stops there; if a sender puts them after the events, the header pass reads on,
    skipping the body's contents, rather than hold the body in memory.
    """
    header: dict[str, Any] = {}
    try:
        parser = ijson.parse(stream, use_float=True)
        for prefix, event, value in parser:
            if prefix != "" or event != "map_key":
                continue
            if value == "epcisBody":
                if "@context" in header and "type" in header:
                    break
                _skip_value(parser)
                continue
            header[value] = _build_value(parser)
    except ijson.JSONError as exc:
        raise SourceError(f"The body is not valid JSON: {exc}") from exc
    path = event_list_path(header) or "epcisBody.eventList"
    header["epcisBody"] = _empty_body(path)
    stream.seek(0)

    def events() -> Iterator[dict[str, Any]]:
        try:
            yield from ijson.items(stream, path + ".item", use_float=True)
        except ijson.JSONError as exc:
            raise SourceError(f"The body is not valid JSON: {exc}") from exc

    return EventSource(header=header, events=events())


def _empty_body(path: str) -> dict[str, Any]:
    node: dict[str, Any] = {}
    top = node
    steps = path.split(".")[1:]
    for step in steps[:-1]:
        node[step] = {}
        node = node[step]
    node[steps[-1]] = []
    return top


def _build_value(parser) -> Any:
    builder = ijson.ObjectBuilder()
    depth = 0
    for _prefix, event, value in parser:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        if depth == 0:
            return builder.value
    raise SourceError("The body is not valid JSON: it ends inside a value.")


def _skip_value(parser) -> None:
    depth = 0
    for _prefix, event, _value in parser:
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        if depth == 0:
            return


def _xml_source(stream: IO[bytes]) -> EventSource:
    try:
        # The XSD fixes the order of an event's elements (EPCIS 2.0 §9): refuse what breaks it.
        reader = XmlDocumentReader(stream, check_order=True)
        events = reader.events()
        first = next(events, None)
        header = reader.header
    except XmlFormatError as exc:
        raise SourceError(exc.message, path=exc.path or "") from exc

    path = event_list_path(header)
    if path is not None:
        header = _with_empty_list(header, path.split("."))

    def chained() -> Iterator[dict[str, Any]]:
        if first is None:
            return
        yield first
        try:
            yield from events
        except XmlFormatError as exc:
            raise SourceError(exc.message, path=exc.path or "") from exc

    return EventSource(
        header=header,
        events=chained(),
        extra_namespaces=reader.namespaces,
        single_event=reader.is_single_event,
    )


def _with_empty_list(node: dict[str, Any], steps: list[str]) -> dict[str, Any]:
    """The reader hands the header without its events (they follow from the iterator)."""
    copy = dict(node)
    if len(steps) == 1:
        copy.setdefault(steps[0], [])
        return copy
    child = copy.get(steps[0])
    copy[steps[0]] = _with_empty_list(child if isinstance(child, dict) else {}, steps[1:])
    return copy


def bytes_stream(data: bytes) -> IO[bytes]:
    return io.BytesIO(data)

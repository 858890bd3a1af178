"""The floor of capture: parse a document and bulk-insert its rows, with nothing else.

What any implementation of capture pays at the least: the document parsed (orjson, or lxml
with a walk over the events), one event row and its index rows written per event, in one
transaction per document, with executemany (SQLite, sqlite3 module) or COPY (PostgreSQL,
psycopg 3). No validation, no canonical identifiers, no hashing, no job bookkeeping. The rows
have the columns of ``epcis_event`` / ``epcis_eventindex`` and go into those very tables of a
separately migrated database, so their indexes and constraints cost what they cost the platform.

Values are stored as they arrive: EPC URNs instead of canonical keys, the eventID standing in
for the event hash, the event time as its text (PostgreSQL parses it into timestamptz), and as
the event's document its JSON (a JSON-LD event) or its XML element's text (an XML event).
The index gets what the platform indexes for these events: each EPC, the read point, the
business location and each business transaction.
"""

from __future__ import annotations

import abc
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from lxml import etree

from bench.gen import JSON

EVENT_COLUMNS = (
    "id",
    "event_id",
    "event_hash",
    "event_type",
    "event_time",
    "event_time_zone_offset",
    "record_time",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "declares_error_for_id",
    "error_declared",
    "capture_job_id",
    "client_id",
    "document",
    "namespaces",
    "chain_hash",
)
INDEX_COLUMNS = ("event_id", "key", "role", "qualifier")

EventValues = tuple[str, str, str, str, str, str, str, str, str, list[tuple[str, str, str]], str]


def json_events(data: bytes) -> Iterator[EventValues]:
    """(type, eventID, time, offset, action, bizStep, disposition, readPoint, bizLocation,
    [(key, role, qualifier)], document) per event of a JSON-LD document."""
    document = orjson.loads(data)
    dumps = orjson.dumps
    for event in document["epcisBody"]["eventList"]:
        get = event.get
        read_point = (get("readPoint") or {}).get("id", "")
        biz_location = (get("bizLocation") or {}).get("id", "")
        keys = [(epc, "epc", "") for epc in get("epcList", ())]
        if read_point:
            keys.append((read_point, "read_point", ""))
        if biz_location:
            keys.append((biz_location, "biz_location", ""))
        for transaction in get("bizTransactionList", ()):
            keys.append((transaction["bizTransaction"], "biz_transaction", transaction.get("type", "")))
        yield (
            event["type"],
            get("eventID", ""),
            event["eventTime"],
            event["eventTimeZoneOffset"],
            get("action", ""),
            get("bizStep", ""),
            get("disposition", ""),
            read_point,
            biz_location,
            keys,
            dumps(event).decode(),
        )


_SIMPLE = {"eventTime", "eventTimeZoneOffset", "eventID", "action", "bizStep", "disposition"}


def xml_events(data: bytes) -> Iterator[EventValues]:
    """The same values per event of an EPCIS XML document, by walking the lxml tree."""
    root = etree.fromstring(data)  # noqa: S320 - our own generated document
    event_list = root.find("EPCISBody/EventList")
    tostring = etree.tostring
    for element in event_list:
        values: dict[str, str] = {}
        keys: list[tuple[str, str, str]] = []
        read_point = biz_location = ""
        for child in element:
            tag = child.tag
            if tag in _SIMPLE:
                values[tag] = child.text
            elif tag == "epcList":
                keys.extend((epc.text, "epc", "") for epc in child)
            elif tag == "readPoint":
                read_point = child[0].text
            elif tag == "bizLocation":
                biz_location = child[0].text
            elif tag == "bizTransactionList":
                keys.extend((t.text, "biz_transaction", t.get("type", "")) for t in child)
        if read_point:
            keys.append((read_point, "read_point", ""))
        if biz_location:
            keys.append((biz_location, "biz_location", ""))
        yield (
            element.tag,
            values.get("eventID", ""),
            values["eventTime"],
            values["eventTimeZoneOffset"],
            values.get("action", ""),
            values.get("bizStep", ""),
            values.get("disposition", ""),
            read_point,
            biz_location,
            keys,
            tostring(element, encoding="unicode"),
        )


def rows(
    data: bytes, fmt: str, *, first_id: int, job_id: int, record_time: Any
) -> tuple[list[tuple], list[tuple]]:
    """Event rows and index rows of a document, ids from ``first_id`` on."""
    events: list[tuple] = []
    index: list[tuple] = []
    row_id = first_id
    source = json_events(data) if fmt == JSON else xml_events(data)
    for etype, event_id, etime, offset, action, step, disp, point, location, keys, document in source:
        events.append(
            (
                row_id,
                event_id,
                event_id,  # unique per event, as the hash would be: no hashing on the floor
                etype,
                etime,
                offset,
                record_time,
                action,
                step,
                disp,
                point,
                location,
                None,
                False,
                job_id,
                None,
                document,
                "{}",
                "",
            )
        )
        index.extend((row_id, key, role, qualifier) for key, role, qualifier in keys)
        row_id += 1
    return events, index


class Floor(abc.ABC):
    """Bulk insert into a migrated database, one transaction per document."""

    def __init__(self) -> None:
        self.job_id = 0
        self.next_id = 1

    @abc.abstractmethod
    def insert(self, data: bytes, fmt: str) -> int:
        """Insert one document's rows; the number of events."""

    @abc.abstractmethod
    def count(self) -> tuple[int, int]:
        """(events, index rows) stored."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""


class SqliteFloor(Floor):
    """sqlite3 executemany, with the pragmas TraceHub's settings give SQLite (WAL, NORMAL sync)."""

    def __init__(self, path) -> None:
        super().__init__()
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.job_id = _job_row(self.conn, "?", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
        self.next_id = (self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM epcis_event").fetchone()[0]) + 1
        cols = ", ".join(EVENT_COLUMNS)
        self.event_sql = f"INSERT INTO epcis_event ({cols}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"  # noqa: S608
        self.index_sql = f"INSERT INTO epcis_eventindex ({', '.join(INDEX_COLUMNS)}) VALUES (?, ?, ?, ?)"  # noqa: S608

    def insert(self, data: bytes, fmt: str) -> int:
        # Text in the form Django writes, as sqlite3's datetime adapter is deprecated.
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        events, index = rows(data, fmt, first_id=self.next_id, job_id=self.job_id, record_time=now)
        cursor = self.conn.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.executemany(self.event_sql, events)
            cursor.executemany(self.index_sql, index)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")
        self.next_id += len(events)
        return len(events)

    def count(self) -> tuple[int, int]:
        return (
            self.conn.execute("SELECT COUNT(*) FROM epcis_event").fetchone()[0],
            self.conn.execute("SELECT COUNT(*) FROM epcis_eventindex").fetchone()[0],
        )

    def close(self) -> None:
        self.conn.close()


class PostgresFloor(Floor):
    """psycopg 3 COPY FROM STDIN of both tables."""

    def __init__(self, url: str) -> None:
        import psycopg

        super().__init__()
        self.conn = psycopg.connect(url, autocommit=True)
        self.job_id = _job_row(self.conn, "%s", datetime.now(UTC))
        self.next_id = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM epcis_event").fetchone()[0] + 1
        self.event_copy = f"COPY epcis_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
        self.index_copy = f"COPY epcis_eventindex ({', '.join(INDEX_COLUMNS)}) FROM STDIN"

    def insert(self, data: bytes, fmt: str) -> int:
        events, index = rows(
            data, fmt, first_id=self.next_id, job_id=self.job_id, record_time=datetime.now(UTC)
        )
        with self.conn.transaction(), self.conn.cursor() as cursor:
            with cursor.copy(self.event_copy) as copy:
                for row in events:
                    copy.write_row(row)
            with cursor.copy(self.index_copy) as copy:
                for row in index:
                    copy.write_row(row)
        self.next_id += len(events)
        return len(events)

    def count(self) -> tuple[int, int]:
        return (
            self.conn.execute("SELECT COUNT(*) FROM epcis_event").fetchone()[0],
            self.conn.execute("SELECT COUNT(*) FROM epcis_eventindex").fetchone()[0],
        )

    def close(self) -> None:
        self.conn.close()


def _job_row(conn: Any, mark: str, created_at: Any) -> int:
    """The one capture job every floor row points at (epcis_event.capture_job_id is NOT NULL)."""
    values = ("floor", "succeeded", "rollback", "bench", 0, "", created_at, 0, 0, 0, 0, "[]")
    sql = (
        "INSERT INTO epcis_capturejob (capture_id, status, error_behaviour, media_type, size_bytes,"
        " spool_path, created_at, event_count, captured_count, duplicate_count, error_count, errors)"
        f" VALUES ({', '.join([mark] * len(values))}) RETURNING id"
    )
    return conn.execute(sql, values).fetchone()[0]

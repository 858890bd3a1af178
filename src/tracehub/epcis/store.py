"""The write path of the event store: allocate record order, chain, and bulk-insert.

DESIGN.md §1 "hot write path": one transaction per capture document; executemany on SQLite,
psycopg 3 COPY on PostgreSQL. Rows are written with their final ids so the hash chain can be
computed before insertion (record order = id order) and index rows can point at their events.
This module is used only by ``services.capture_job_run``; nothing else writes events.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from tracehub.epcis.models import CompanyPrefix, Event, EventIndex

EVENT_TABLE = Event._meta.db_table
INDEX_TABLE = EventIndex._meta.db_table
_CHAIN_LOCK_KEY = 0x7472_6163_6568_7562 & 0x7FFF_FFFF_FFFF_FFFF  # "tracehub": advisory-lock id

GENESIS = "0" * 64

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


@dataclass(slots=True)
class EventRow:
    id: int
    event_id: str
    event_hash: str
    event_type: str
    event_time: datetime
    event_time_zone_offset: str
    record_time: datetime
    action: str
    biz_step: str
    disposition: str
    read_point: str
    biz_location: str
    declares_error_for_id: int | None
    error_declared: bool
    capture_job_id: int
    client_id: int | None
    document: str
    namespaces: str
    chain_hash: str = ""

    def values(self) -> tuple:
        # Spelled out (in EVENT_COLUMNS order) rather than a getattr per column: once per event.
        return (
            self.id,
            self.event_id,
            self.event_hash,
            self.event_type,
            self.event_time,
            self.event_time_zone_offset,
            self.record_time,
            self.action,
            self.biz_step,
            self.disposition,
            self.read_point,
            self.biz_location,
            self.declares_error_for_id,
            self.error_declared,
            self.capture_job_id,
            self.client_id,
            self.document,
            self.namespaces,
            self.chain_hash,
        )


@functools.lru_cache(maxsize=64)
def format_record_time(value: datetime) -> str:
    # Every event of a capture shares one record time: formatted once, not once per event.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_link(
    previous: str,
    *,
    event_id: str,
    event_hash: str,
    record_time: datetime,
    document: str,
    declares_error_for_id: int | None,
    row_id: int,
) -> str:
    """One link of the record chain (O3): covers every stored field a reader relies on."""
    # Each part followed by a unit separator (0x1F), hashed as one UTF-8 string: the same bytes
    # as hashing the parts one by one, with one encode and one update instead of fourteen.
    text = "\x1f".join(
        (
            previous,
            str(row_id),
            event_id,
            event_hash,
            format_record_time(record_time),
            "" if declares_error_for_id is None else str(declares_error_for_id),
            document,
            "",
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def last_row_id() -> int:
    """The id of the newest stored event (0 when none): where a later :func:`stored_since` starts."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {EVENT_TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def stored_since(after_id: int, hashes: set[str], event_ids: set[str]) -> tuple[set[str], dict[str, int]]:
    """What :func:`stored_hashes` and :func:`stored_event_ids` would add for rows stored after
    ``after_id``; called with the chain lock held.

    Writers take ids in chain-lock order and commit before they release it, so the rows another
    writer stored since ``after_id`` are exactly the ids above it, a short range of the primary
    key (a BETWEEN, which the planner reads by index even without statistics).
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {EVENT_TABLE}")  # noqa: S608
        newest = cursor.fetchone()[0]
        if newest <= after_id:
            return set(), {}
        cursor.execute(
            f"SELECT event_hash, event_id, id, declares_error_for_id FROM {EVENT_TABLE} "  # noqa: S608
            "WHERE id BETWEEN %s AND %s",
            [after_id + 1, newest],
        )
        found_hashes: set[str] = set()
        found_ids: dict[str, int] = {}
        for event_hash, event_id, row_id, declares in cursor.fetchall():
            if event_hash in hashes:
                found_hashes.add(event_hash)
            if declares is None and event_id in event_ids:
                found_ids[event_id] = row_id
        return found_hashes, found_ids


def lock_chain() -> str:
    """Serialise writers on the chain for this transaction; returns the last chain hash.

    SQLite's IMMEDIATE transactions already hold the one write lock; PostgreSQL takes a
    transaction-scoped advisory lock, released at commit or rollback.
    """
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        cursor.execute(f"SELECT chain_hash FROM {EVENT_TABLE} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else GENESIS


def allocate_ids(count: int) -> list[int]:
    """Ids for the next rows in record order; called with the chain lock held."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [EVENT_TABLE, count],
            )
            return sorted(r[0] for r in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {EVENT_TABLE}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def stored_hashes(hashes: Sequence[str]) -> set[str]:
    """Which of ``hashes`` are already stored (duplicate capture is not an error, EPCIS 2.0 §8.2.2)."""
    if not hashes:
        return set()
    if is_postgres():
        # One array parameter instead of a thousand placeholders: psycopg parses a long IN list
        # on every call, which cost 5 % of capture time.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT event_hash FROM {EVENT_TABLE} WHERE event_hash = ANY(%s)",  # noqa: S608
                [list(hashes)],
            )
            return {row[0] for row in cursor.fetchall()}
    return set(Event.objects.filter(event_hash__in=hashes).values_list("event_hash", flat=True))


def stored_event_ids(event_ids: Sequence[str]) -> dict[str, int]:
    """eventID -> row id of the recorded events (not declarations) among ``event_ids``."""
    if not event_ids:
        return {}
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT event_id, id FROM {EVENT_TABLE} "  # noqa: S608
                "WHERE event_id = ANY(%s) AND declares_error_for_id IS NULL",
                [list(event_ids)],
            )
            return dict(cursor.fetchall())
    return dict(
        Event.objects.filter(event_id__in=event_ids, declares_error_for__isnull=True).values_list(
            "event_id", "id"
        )
    )


def insert_rows(events: Sequence[EventRow], index_rows: Sequence[tuple]) -> None:
    if not events:
        return
    if is_postgres():
        _copy(EVENT_TABLE, EVENT_COLUMNS, (e.values() for e in events))
        if index_rows:
            _copy(INDEX_TABLE, INDEX_COLUMNS, index_rows)
        return
    adapt = connection.ops.adapt_datetimefield_value
    event_values = []
    for e in events:
        row = list(e.values())
        row[4] = adapt(row[4])
        row[6] = adapt(row[6])
        event_values.append(row)
    cols = ", ".join(EVENT_COLUMNS)
    marks = ", ".join(["%s"] * len(EVENT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {EVENT_TABLE} ({cols}) VALUES ({marks})", event_values)  # noqa: S608
        if index_rows:
            cursor.executemany(
                f"INSERT INTO {INDEX_TABLE} ({', '.join(INDEX_COLUMNS)}) VALUES (%s, %s, %s, %s)",  # noqa: S608
                index_rows,
            )


def _copy(table: str, columns: Sequence[str], rows) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def remember_prefixes(prefixes: set[str]) -> None:
    """Record company prefixes whose length a captured EPC URN told us."""
    if not prefixes:
        return
    known = set(CompanyPrefix.objects.filter(prefix__in=prefixes).values_list("prefix", flat=True))
    new = [CompanyPrefix(prefix=p) for p in sorted(prefixes - known)]
    if new:
        CompanyPrefix.objects.bulk_create(new, ignore_conflicts=True)

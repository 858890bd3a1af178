"""Capture benchmark (issue #2): events/s end to end over HTTP beside the floor, and peak memory.

Per database (SQLite, PostgreSQL), in one run and alternating a few documents at a time so
that a noisy machine weighs on both alike:

* end to end: the real server (gunicorn) on a fresh database receives documents of 1,000
  ObjectEvents on ``POST /epcis/capture`` over a few keep-alive connections; every answer must
  be 202 and every job must say success with all events captured, or the run stops. events/s is
  events over the wall time from the first request sent to the last answer received;
* the floor: the same document bytes parsed and their rows bulk-inserted (``bench.floor``) into
  another fresh, identically migrated database of the same kind, by this process, one
  transaction per document.

Then one large document (200,000 events by default) is posted to a fresh server with one
``tracehub worker``: above the inline limit it is spooled by the server and captured by the
worker, and the peak resident memory of both is read from /proc while it runs.
"""

from __future__ import annotations

import contextlib
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson

from bench import gen
from bench.floor import Floor, PostgresFloor, SqliteFloor
from bench.report import Stat, table
from bench.stack import (
    BenchError,
    Database,
    MemoryWatch,
    Platform,
    postgres_database,
    process_tree,
    sqlite_database,
    status_kib,
)

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
LABELS = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL", gen.JSON: "JSON-LD", gen.XML: "XML"}

#: issue #2's targets.
TARGET_EVENTS_PER_S = 5000
TARGET_FLOOR_SHARE = 0.25
TARGET_PEAK_MB = 500


@dataclass(frozen=True)
class Options:
    rounds: int = 5
    documents: int = 12  # per round, format and database (a multiple of the connections)
    events: int = 1000  # per document
    #: As many documents in flight as the server has threads (workers × threads): several subsystems
    #: post at once in production, and with fewer the server's CPUs wait on PostgreSQL's commits.
    connections: int = 4
    #: Processes, not threads: capture is Python CPU work, and two threads of one process share
    #: one interpreter lock, so a document being checked slows the one holding the chain lock.
    #: Four single-threaded workers beat two workers of two threads by a quarter on PostgreSQL
    #: here (measured side by side on 2026-11-29: 5,171 and 4,889 against 4,202 and 3,508 events/s).
    web_workers: int = 4
    web_threads: int = 1
    big_events: int = 200_000
    #: (database, format) of each large-document run; each takes two to five minutes here.
    big_runs: tuple[tuple[str, str], ...] = (
        (POSTGRESQL, gen.JSON),
        (POSTGRESQL, gen.XML),
        (SQLITE, gen.JSON),
    )
    formats: tuple[str, ...] = (gen.JSON, gen.XML)
    databases: tuple[str, ...] = (SQLITE, POSTGRESQL)
    seed: int = 2026


QUICK = Options(rounds=1, documents=2, big_events=20_000, big_runs=((POSTGRESQL, gen.JSON),))


@dataclass
class Throughput:
    database: str
    fmt: str
    e2e: list[float] = field(default_factory=list)  # events/s per round
    floor: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> Stat:
        """End to end / floor of each round (measured seconds apart on the same machine)."""
        return Stat(tuple(e / f for e, f in zip(self.e2e, self.floor, strict=True)))


@dataclass
class Memory:
    database: str
    fmt: str
    events: int
    size_bytes: int
    server: dict[str, int]
    worker: dict[str, int]
    idle_server_kib: int
    idle_worker_kib: int
    worker_seconds: float  # job started -> finished, as the job records it
    wall_seconds: float  # first byte sent -> job seen finished

    @property
    def worker_events_per_s(self) -> float:
        return self.events / self.worker_seconds

    def peak_mb(self, name: str) -> float:
        data = self.server if name == "server" else self.worker
        return max(data["total_kib"], data["largest_hwm_kib"]) * 1024 / 1e6


@dataclass
class Result:
    options: Options
    databases: list[str]
    notes: list[str]
    throughput: list[Throughput] = field(default_factory=list)
    memory: list[Memory] = field(default_factory=list)
    seconds: float = 0.0
    #: 1/5/15-minute load averages at the start and end: the machine is shared, so say how busy.
    load_start: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_end: tuple[float, float, float] = (0.0, 0.0, 0.0)


Log = Callable[[str], None]


# -- the documents ------------------------------------------------------------------------------


class Documents:
    """All documents of a run, generated before any timing; numbers never repeat an EPC."""

    def __init__(self, options: Options) -> None:
        self.options = options
        number = 0
        self.warmup: dict[str, list[bytes]] = {}
        self.rounds: list[dict[str, list[bytes]]] = []
        # Enough warm-up documents that every web worker has most likely served one.
        warm = max(options.connections, options.web_workers)
        for fmt in options.formats:
            specs = [gen.DocumentSpec(number + i, options.events, options.seed) for i in range(warm)]
            self.warmup[fmt] = [gen.document(spec, fmt) for spec in specs]
            number += warm
        for _ in range(options.rounds):
            docs = {}
            for fmt in options.formats:
                specs = [
                    gen.DocumentSpec(number + i, options.events, options.seed)
                    for i in range(options.documents)
                ]
                docs[fmt] = [gen.document(spec, fmt) for spec in specs]
                number += options.documents
            self.rounds.append(docs)
        self.big_number = number


# -- end to end -----------------------------------------------------------------------------------


def post_documents(
    platform: Platform, documents: list[bytes], fmt: str, connections: int
) -> tuple[float, list[str]]:
    """POST every document over ``connections`` keep-alive connections; (seconds, job locations).

    Connections are opened before the clock starts; the clock stops at the last answer.
    """
    work: queue.SimpleQueue[tuple[int, bytes]] = queue.SimpleQueue()
    for item in enumerate(documents):
        work.put(item)
    locations: list[str] = [""] * len(documents)
    failures: list[str] = []
    headers = {**platform.auth, "Content-Type": gen.CONTENT_TYPES[fmt]}
    start = threading.Barrier(connections + 1)

    def client() -> None:
        conn = platform.connection()
        try:
            conn.connect()
            start.wait()
            while True:
                try:
                    position, body = work.get_nowait()
                except queue.Empty:
                    return
                conn.request("POST", "/epcis/capture", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                if response.status != 202:
                    failures.append(f"HTTP {response.status}: {answer[:2000]!r}")
                    return
                locations[position] = response.getheader("Location", "")
        except Exception as exc:  # reported below; a bench that measures failures is worthless
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise BenchError(f"capture failed: {failures[0]}\n{platform.log_tail('server')}")
    return elapsed, locations


def check_jobs(platform: Platform, locations: list[str], events: int) -> None:
    """Every job must have succeeded with every event stored (none refused, none a duplicate)."""
    for location in locations:
        status, body = platform.request("GET", location)
        job = orjson.loads(body) if status == 200 else {}
        if not (job.get("success") and job.get("capturedCount") == events and job.get("duplicateCount") == 0):
            raise BenchError(
                f"capture job {location} did not store {events} events: HTTP {status} {body[:2000]!r}"
            )


def timed_floor(floor: Floor, documents: list[bytes], fmt: str) -> float:
    began = time.perf_counter()
    for body in documents:
        floor.insert(body, fmt)
    return time.perf_counter() - began


@contextlib.contextmanager
def fresh_database(kind: str, directory: Path, admin_url: str, suffix: str = ""):
    if kind == POSTGRESQL:
        with postgres_database(admin_url, suffix) as database:
            yield database
    else:
        directory.mkdir(parents=True, exist_ok=True)
        yield sqlite_database(directory)


def open_floor(database: Database) -> Floor:
    return PostgresFloor(database.url) if database.kind == POSTGRESQL else SqliteFloor(database.path)


def measure_throughput(
    kind: str, docs: Documents, options: Options, work: Path, admin_url: str, log: Log
) -> list[Throughput]:
    results = {fmt: Throughput(kind, fmt) for fmt in options.formats}
    with (
        fresh_database(kind, work / f"{kind}-e2e", admin_url) as database,
        fresh_database(kind, work / f"{kind}-floor", admin_url, "_floor") as floor_database,
    ):
        platform = Platform(database, work / f"{kind}-e2e")
        floor_platform = Platform(floor_database, work / f"{kind}-floor")
        floor: Floor | None = None
        try:
            platform.prepare()
            floor_platform.manage("migrate", "--noinput", "-v0")
            floor = open_floor(floor_database)
            platform.start_server(workers=options.web_workers, threads=options.web_threads)
            # Warm-up, not timed: every web worker imports its capture path, caches fill.
            for fmt in options.formats:
                _, locations = post_documents(platform, docs.warmup[fmt], fmt, options.connections)
                check_jobs(platform, locations, options.events)
                timed_floor(floor, docs.warmup[fmt], fmt)
            for number, documents in enumerate(docs.rounds, 1):
                for fmt in options.formats:
                    events = len(documents[fmt]) * options.events
                    seconds = floor_seconds = 0.0
                    # Alternate a few documents end to end with the same few on the floor, so a
                    # burst of load from the machine's other tenants falls on both alike.
                    step = options.connections
                    for start in range(0, len(documents[fmt]), step):
                        part = documents[fmt][start : start + step]
                        elapsed, locations = post_documents(platform, part, fmt, options.connections)
                        seconds += elapsed
                        check_jobs(platform, locations, options.events)
                        floor_seconds += timed_floor(floor, part, fmt)
                    result = results[fmt]
                    result.e2e.append(events / seconds)
                    result.floor.append(events / floor_seconds)
                    e2e, base = result.e2e[-1], result.floor[-1]
                    log(
                        f"  {LABELS[kind]} {LABELS[fmt]} round {number}: end to end {e2e:,.0f} events/s,"
                        f" floor {base:,.0f} events/s ({e2e / base:.0%})"
                    )
            sent = sum(map(len, docs.warmup.values())) + sum(len(d) for r in docs.rounds for d in r.values())
            stored = floor.count()[0]
            if stored != sent * options.events:
                raise BenchError(f"the floor stored {stored} events, expected {sent * options.events}")
        finally:
            if floor is not None:
                floor.close()
            platform.stop()
    return list(results.values())


# -- one large document ---------------------------------------------------------------------------


def _job_times(database: Database, capture_id: str) -> tuple[datetime, datetime]:
    sql = "SELECT started_at, finished_at FROM epcis_capturejob WHERE capture_id = "
    if database.kind == POSTGRESQL:
        import psycopg

        with psycopg.connect(database.url) as conn:
            started, finished = conn.execute(sql + "%s", [capture_id]).fetchone()
        return started, finished
    import sqlite3

    with contextlib.closing(sqlite3.connect(database.path)) as conn:
        started, finished = conn.execute(sql + "?", [capture_id]).fetchone()
    return datetime.fromisoformat(started), datetime.fromisoformat(finished)


def measure_big_document(
    kind: str, fmt: str, path: Path, size: int, events: int, options: Options, work: Path, admin_url: str
) -> Memory:
    directory = work / f"{kind}-big-{fmt}"
    with fresh_database(kind, directory, admin_url, "_big") as database:
        platform = Platform(database, directory)
        try:
            platform.prepare()
            platform.start_server(workers=options.web_workers, threads=options.web_threads)
            platform.start_worker()
            time.sleep(2.0)  # let the worker finish starting before its idle size is read
            roots = {name: platform.processes[name].pid for name in ("server", "worker")}
            idle_sizes = {
                name: sum(status_kib(pid, "VmRSS") for pid in process_tree(root))
                for name, root in roots.items()
            }
            watch = MemoryWatch(roots)
            watch.start()
            began = time.perf_counter()
            conn = platform.connection()
            try:
                with open(path, "rb") as body:
                    conn.request(
                        "POST",
                        "/epcis/capture",
                        body=body,
                        headers={
                            **platform.auth,
                            "Content-Type": gen.CONTENT_TYPES[fmt],
                            "Content-Length": str(size),
                        },
                    )
                response = conn.getresponse()
                answer = response.read()
            finally:
                conn.close()
            if response.status != 202:
                watch.finish()
                raise BenchError(f"large document: HTTP {response.status} {answer[:2000]!r}")
            location = response.getheader("Location", "")
            job = _wait_for_job(platform, location)
            wall = time.perf_counter() - began
            peaks = watch.finish()
            if not (job.get("success") and job.get("capturedCount") == events):
                raise BenchError(
                    f"large document job did not store {events} events: {orjson.dumps(job)[:2000]!r}\n"
                    f"{platform.log_tail('worker')}"
                )
            started, finished = _job_times(database, job["captureID"])
        finally:
            platform.stop()
    return Memory(
        database=kind,
        fmt=fmt,
        events=events,
        size_bytes=size,
        server=peaks["server"],
        worker=peaks["worker"],
        idle_server_kib=idle_sizes["server"],
        idle_worker_kib=idle_sizes["worker"],
        worker_seconds=(finished - started).total_seconds(),
        wall_seconds=wall,
    )


def _wait_for_job(platform: Platform, location: str, timeout: float = 3600.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in ("server", "worker"):
            if platform.processes[name].poll() is not None:
                raise BenchError(f"the {name} died during the large document:\n{platform.log_tail(name)}")
        status, body = platform.request("GET", location)
        if status != 200:
            raise BenchError(f"GET {location}: HTTP {status} {body[:2000]!r}")
        job = orjson.loads(body)
        if not job["running"]:
            return job
        time.sleep(0.25)
    raise BenchError(f"the large document was not captured within {timeout:.0f} s")


# -- the run --------------------------------------------------------------------------------------


def run(options: Options, *, postgres_url: str, postgres_version: str | None, log: Log = print) -> Result:
    """Measure everything ``options`` asks for; PostgreSQL only when ``postgres_version`` is known."""
    started = time.perf_counter()
    available = [SQLITE] + ([POSTGRESQL] if postgres_version else [])
    databases = [kind for kind in options.databases if kind in available]
    big_runs = [(kind, fmt) for kind, fmt in options.big_runs if kind in available]
    notes = []
    if not postgres_version and POSTGRESQL in (*options.databases, *(kind for kind, _ in options.big_runs)):
        notes.append(f"PostgreSQL did not answer at {_safe(postgres_url)}: measured on SQLite only.")
    result = Result(options=options, databases=databases, notes=notes, load_start=os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="tracehub-bench-") as tmp:
        work = Path(tmp)
        log(
            f"generating {options.rounds} round(s) × {options.documents} document(s) × "
            f"{options.events:,} events per format …"
        )
        docs = Documents(options)
        for kind in databases:
            log(f"{LABELS[kind]}: end to end and floor")
            result.throughput += measure_throughput(kind, docs, options, work, postgres_url, log)
        for fmt in gen.FORMATS:
            kinds = [kind for kind, wanted in big_runs if wanted == fmt]
            if not kinds:
                continue
            path = work / f"big.{fmt}"
            spec = gen.DocumentSpec(docs.big_number, options.big_events, options.seed)
            log(f"writing the {options.big_events:,}-event {LABELS[fmt]} document …")
            size = gen.write_document(spec, fmt, path)
            for kind in kinds:
                what = f"{options.big_events:,}-event {LABELS[fmt]} document"
                log(f"{LABELS[kind]}: one {what}, {size / 1e6:,.0f} MB")
                memory = measure_big_document(
                    kind, fmt, path, size, options.big_events, options, work, postgres_url
                )
                result.memory.append(memory)
                log(
                    f"  server peak {memory.peak_mb('server'):,.0f} MB,"
                    f" worker peak {memory.peak_mb('worker'):,.0f} MB,"
                    f" worker {memory.worker_events_per_s:,.0f} events/s"
                )
            path.unlink()
    result.seconds = time.perf_counter() - started
    result.load_end = os.getloadavg()
    return result


def _safe(url: str) -> str:
    """The URL without a password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}:{parts.port or 5432}{parts.path}"


# -- the report -----------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def markdown(result: Result, facts: dict[str, str]) -> str:
    out = ["## Capture (issue #2)", ""]
    out.append(
        f"Run {facts['date']}, commit {facts['commit']}, {result.seconds / 60:.1f} minutes. "
        f"Machine: {facts['cpus']}; {facts['memory']} memory; load {facts['load']}, "
        f"{' / '.join(f'{v:.2f}' for v in result.load_end)} at the end; {facts['os']}; "
        f"Python {facts['python']}; SQLite {facts['sqlite']}; PostgreSQL {facts['postgresql']}."
    )
    out.append("")
    for note in result.notes:
        out += [f"**{note}**", ""]
    cpus = len(os.sched_getaffinity(0))
    busiest = max(result.load_start[0], result.load_end[0])
    if busiest > cpus:
        out += [
            f"The machine was busy with other work (load up to {busiest:.1f} on {cpus} CPUs): absolute "
            "figures are lower than on a quiet machine and vary more; the ratios to the floor, measured "
            "alternately a few documents at a time, suffer less.",
            "",
        ]
    if result.throughput:
        out += _throughput_section(result)
    if result.memory:
        out += _memory_section(result)
    out += ["### Targets (issue #2)", ""]
    out.append(table(["target", "measured (median)", "met"], _targets(result)))
    out.append("")
    out += [
        "For scale (figures quoted in issue #2): the Django EPCIS application QU4RTET stores about "
        "350–440 events/s on this machine; Hyperledger Fabric tops out near 3,500 transactions/s on far "
        "larger hardware.",
        "",
        "Run it: `make bench` (full run), `.venv/bin/python -m bench.run --quick` (a quick check "
        "that it works); `BENCH_POSTGRES_URL` names another PostgreSQL server; `--help` lists the options.",
    ]
    return "\n".join(out)


def _throughput_section(result: Result) -> list[str]:
    o = result.options
    out = ["### End to end beside the floor", ""]
    per_round = o.documents * o.events
    out.append(
        f"{o.rounds} round{'s' if o.rounds != 1 else ''}. Each round, per database and format: "
        f"{o.documents} documents of {o.events:,} "
        f"ObjectEvents (1–10 SGTIN EPCs each, `bench.gen`) are posted to `POST /epcis/capture` over "
        f"{o.connections} keep-alive connections to gunicorn ({o.web_workers} workers × {o.web_threads} "
        "threads) on a fresh database, and every job is checked for success with every event stored "
        "(end to end: HTTP, authentication, validation, canonical identifiers, event and chain hashes, "
        "duplicate look-ups, the job and audit rows). The same bytes are parsed "
        "(orjson / lxml) and their rows bulk-inserted (executemany / COPY; an event row and an index row "
        "per EPC, read point, business location and business transaction) into a second fresh database "
        "migrated alike, one transaction per document, no validation and no hashing: the floor "
        f"(`bench.floor`); the two alternate every {o.connections} documents. Both databases grow by "
        f"{per_round * len(o.formats):,} events a round, so later "
        "rounds run on larger tables for both. events/s = events / wall time; median (min–max) over "
        "rounds; the ratio is end to end / floor within each round."
    )
    out.append("")
    rows = []
    for t in result.throughput:
        rows.append(
            [
                LABELS[t.database],
                LABELS[t.fmt],
                Stat(tuple(t.e2e)).show(),
                Stat(tuple(t.floor)).show(),
                t.ratios.show("{:.0%}"),
            ]
        )
    out.append(
        table(["database", "format", "end to end, events/s", "floor, events/s", "end to end / floor"], rows)
    )
    out.append("")
    return out


def _memory_section(result: Result) -> list[str]:
    out = ["### One large document: peak memory", ""]
    out.append(
        "The document is posted from a file to a fresh server with one `tracehub worker`; above the "
        "4 MiB inline limit the server spools it and the worker captures it. Peak resident memory per "
        "process tree (gunicorn master and workers; the worker): the larger of the summed RSS sampled "
        "every 100 ms and the largest single process's VmHWM. MB = 10⁶ bytes. The worker's events/s is "
        "over the job's own start and finish times; wall time runs from the first byte sent to the "
        "job seen finished."
    )
    out.append("")
    rows = []
    for m in result.memory:
        rows.append(
            [
                LABELS[m.database],
                LABELS[m.fmt],
                f"{m.events:,}",
                f"{m.size_bytes / 1e6:,.0f}",
                f"{m.peak_mb('server'):,.0f} (idle {m.idle_server_kib * 1024 / 1e6:,.0f}, "
                f"{m.server['processes']} processes)",
                f"{m.peak_mb('worker'):,.0f} (idle {m.idle_worker_kib * 1024 / 1e6:,.0f})",
                f"{m.worker_events_per_s:,.0f}",
                f"{m.wall_seconds:,.0f}",
            ]
        )
    out.append(
        table(
            [
                "database",
                "format",
                "events",
                "size, MB",
                "server peak, MB",
                "worker peak, MB",
                "worker events/s",
                "wall, s",
            ],
            rows,
        )
    )
    out.append("")
    return out


def _targets(result: Result) -> list[list[str]]:
    rows = []
    pg = [t for t in result.throughput if t.database == POSTGRESQL]
    if pg:
        for t in pg:
            median = Stat(tuple(t.e2e)).median
            rows.append(
                [
                    f"≥ {TARGET_EVENTS_PER_S:,} events/s end to end on PostgreSQL, {LABELS[t.fmt]}",
                    f"{median:,.0f} events/s",
                    _met(median >= TARGET_EVENTS_PER_S),
                ]
            )
    else:
        rows.append(
            [
                f"≥ {TARGET_EVENTS_PER_S:,} events/s end to end on PostgreSQL",
                "not measured: PostgreSQL did not answer" if result.notes else "not measured in this run",
                "—",
            ]
        )
    for t in result.throughput:
        share = t.ratios.median
        rows.append(
            [
                f"≥ {TARGET_FLOOR_SHARE:.0%} of the floor, {LABELS[t.database]} {LABELS[t.fmt]}",
                f"{share:.0%}",
                _met(share >= TARGET_FLOOR_SHARE),
            ]
        )
    for m in result.memory:
        peak = max(m.peak_mb("server"), m.peak_mb("worker"))
        label = (
            f"peak memory < {TARGET_PEAK_MB} MB, {m.events:,}-event {LABELS[m.fmt]} on {LABELS[m.database]}"
        )
        if m.events < 200_000:
            label += " (not the 200,000-event target size)"
        rows.append(
            [
                label,
                f"server {m.peak_mb('server'):,.0f} MB, worker {m.peak_mb('worker'):,.0f} MB",
                _met(peak < TARGET_PEAK_MB),
            ]
        )
    return rows

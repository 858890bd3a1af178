"""Trace and recall benchmark (issue #4 "What must show"): a synthetic city, then traces and a recall.

``python -m bench.trace --events 1000000 --database sqlite:////tmp/city.sqlite3``
``python -m bench.trace --events 1000000 --database postgres://postgres@127.0.0.1:5432/city_1m``

1. Builds the synthetic city (``tracehub.tracing.city``, through the capture service) of
   ``--events`` events into the named database, unless it already holds that city (``--reuse``
   keeps whatever is there); the build time is measured.
2. Traces forward and back from ``--starts`` random starts (half lots, half serials), timing the
   whole answer of ``GET /api/v1/trace/…`` minus HTTP: genealogy, details, findings and the JSON
   document (``trace_answer`` serialised with orjson). p50, p95, p99 in ms.
3. Declares a recall of the lot that reached the most shipments and writes its xlsx, timed.

On PostgreSQL the city is vacuumed and analysed before it is measured, as autovacuum would have
done on a running server.

Results are kept in ``bench/trace-results.json`` (one entry per database vendor and size) and the
``trace`` section of docs/performance.md is rewritten from all of them, with the p95 ratio
10M/1M where both sizes were measured on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RESULTS = Path(__file__).with_name("trace-results.json")
#: Where the trace section goes: None is docs/performance.md (bench.report), False no file at all.
DOCS: Path | None | bool = None


def _prepare_database(url: str) -> None:
    """Point Django at ``url``; create a PostgreSQL database that does not exist yet."""
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        name = parts.path.lstrip("/")
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("TRACEHUB_DATA_DIR", tempfile.mkdtemp(prefix="tracehub-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracehub.settings")


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "mean": statistics.fmean(ordered)}


def _starts(count: int, seed: int) -> list[str]:
    """Random lots and serials named by events (deterministic for a seed)."""
    from django.db.models import Max

    from tracehub.epcis.models import EventIndex

    rng = random.Random(seed)
    top = EventIndex.objects.aggregate(top=Max("id"))["top"] or 0
    found: dict[str, None] = {}
    kinds = {"lot": 0, "serial": 0}
    attempts = 0
    while len(found) < count and attempts < count * 50:
        attempts += 1
        want = "lot" if kinds["lot"] <= kinds["serial"] else "serial"
        roles = ("class", "output_class", "lot") if want == "lot" else ("epc",)
        row = (
            EventIndex.objects.filter(id__gte=rng.randint(1, top), role__in=roles)
            .order_by("id")
            .values_list("key", flat=True)
            .first()
        )
        if row is None or row in found:
            continue
        if want == "serial" and "/21/" not in row:
            continue
        if want == "lot" and "/10/" not in row:
            continue
        found[row] = None
        kinds[want] += 1
    return list(found)


def _biggest_lot() -> tuple[str, int]:
    from django.db.models import Count

    from tracehub.epcis.models import Event, EventIndex

    top = (
        EventIndex.objects.filter(role="class", event__biz_step="shipping")
        .values("key")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if top is None:
        return "", 0
    assert Event  # the join above
    return top["key"], top["n"]


def main(argv: list[str] | None = None) -> int:
    global RESULTS, DOCS  # noqa: PLW0603 - one run, one place for its figures
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database", required=True, help="sqlite:////path or postgres://…/name")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--starts", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="Measure whatever the database holds.")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="Time each trace (and the recall) this many times and keep the median: the machine is shared.",
    )
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--recall-repeats", type=int, default=None, help="Times to run the recall (default: --repeats)."
    )
    parser.add_argument("--note", default=None, help="A remark printed under the tables for this entry.")
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help=f"Keep the results in this JSON file (default {RESULTS.relative_to(RESULTS.parents[1])}).",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=None,
        help="Write the trace section to this Markdown file (default docs/performance.md).",
    )
    parser.add_argument("--no-docs", action="store_true", help="Keep the results; write no Markdown.")
    parser.add_argument(
        "--build-seconds",
        type=float,
        default=None,
        help="With --reuse: how long `tracehub generate_city` took to build the city, to report it.",
    )
    args = parser.parse_args(argv)
    if args.results is not None:
        RESULTS = args.results
    DOCS = False if args.no_docs else args.docs

    _prepare_database(args.database)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tracehub.epcis.models import Event
    from tracehub.epcis.render import IdentifierFormatter
    from tracehub.epcis.selectors import known_company_prefixes
    from tracehub.registry.actors import Actor
    from tracehub.tracing import exports, selectors, services
    from tracehub.tracing.api import trace_answer
    from tracehub.tracing.city import city_build

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    result: dict = {"vendor": vendor, "target_events": args.events, "seed": args.seed}
    if args.note:
        result["note"] = args.note
    existing = Event.objects.count()
    if existing and not args.reuse and existing < args.events * 0.95:
        print(
            f"the database holds {existing} events, not a city of {args.events}: use an empty one",
            file=sys.stderr,
        )
        return 2
    if not existing:
        print(f"building a city of {args.events:,} events on {vendor} …", flush=True)
        started = time.perf_counter()
        last = [started, 0]

        def progress(count: int) -> None:
            last[1] += count
            now = time.perf_counter()
            if now - last[0] > 30:
                print(f"  {last[1]:,} events, {last[1] / (now - started):,.0f}/s", flush=True)
                last[0] = now

        stored = city_build(events=args.events, seed=args.seed, progress=progress)
        seconds = time.perf_counter() - started
        result["build"] = {"events": stored, "seconds": round(seconds, 1), "rate": round(stored / seconds)}
        print(f"built {stored:,} events in {seconds:,.0f} s ({stored / seconds:,.0f}/s)", flush=True)
    elif args.build_seconds:
        rate = round(existing / args.build_seconds)
        result["build"] = {"events": existing, "seconds": args.build_seconds, "rate": rate}
    else:
        previous = _load().get(_entry_name(vendor, args.events), {})
        if "build" in previous:
            result["build"] = previous["build"]
    if vendor == "postgresql":
        # Statistics for the planner, and the visibility map that lets a look-up answer from
        # the (key, role, event) index alone instead of visiting each row. On a running server
        # autovacuum keeps both (PostgreSQL ≥ 13 also vacuums insert-only tables); this
        # machine's server runs with it off, and a freshly built city has neither yet. Pages
        # already all-visible are skipped, so a city vacuumed once costs little the next time.
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        result["vacuum_seconds"] = round(time.perf_counter() - began, 1)
        print(f"VACUUM (ANALYZE) in {result['vacuum_seconds']:,.0f} s", flush=True)
    result["events"] = Event.objects.count()
    if args.build_only:
        _save(result)
        return 0

    starts = _starts(args.starts, args.seed)
    fmt = IdentifierFormatter(known_company_prefixes())
    timings: dict[str, list[float]] = {"forward": [], "back": []}
    hops: dict[str, list[int]] = {"forward": [], "back": []}
    sizes: dict[str, list[int]] = {"forward": [], "back": []}
    import orjson

    for direction in ("forward", "back"):
        for key in starts[:20]:  # warm the caches and the connection
            selectors.trace_build(key=key, direction=direction)
        for key in starts:
            runs = []
            for _ in range(args.repeats):
                began = time.perf_counter()
                trace = selectors.trace_build(key=key, direction=direction)
                keys = trace.keys | set(trace.locations) | set(trace.parties)
                orjson.dumps(trace_answer(trace, selectors.answer_formatter(keys)))
                runs.append((time.perf_counter() - began) * 1000)
            timings[direction].append(statistics.median(runs))
            hops[direction].append(trace.genealogy.hops)
            sizes[direction].append(len(trace.events))
    result["starts"] = len(starts)
    result["repeats"] = args.repeats
    result["trace"] = {
        direction: {
            **{k: round(v, 2) for k, v in _percentiles(timings[direction]).items()},
            "hops_median": statistics.median(hops[direction]),
            "hops_max": max(hops[direction]),
            "events_median": statistics.median(sizes[direction]),
            "events_p95": _percentiles(sizes[direction])["p95"],
        }
        for direction in timings
    }
    both = timings["forward"] + timings["back"]
    result["trace"]["all"] = {k: round(v, 2) for k, v in _percentiles(both).items()}
    print(json.dumps(result["trace"], indent=2), flush=True)

    lot, shipments = _biggest_lot()
    if lot:
        scope_runs, xlsx_runs, total_runs = [], [], []
        for _ in range(args.recall_repeats or args.repeats):
            began = time.perf_counter()
            recall = services.recall_declare(
                actor=Actor.system("bench"), key=lot, identifier=lot, reason="benchmark"
            )
            scoped = time.perf_counter()
            data = exports.recall_xlsx(recall)
            done = time.perf_counter()
            scope_runs.append(scoped - began)
            xlsx_runs.append(done - scoped)
            total_runs.append(done - began)
        result["recall"] = {
            "lot": fmt.key(lot),
            "shipments": recall.shipment_count,
            "locations": recall.location_count,
            "rows": len(recall.scope["rows"]),
            "scope_seconds": round(statistics.median(scope_runs), 2),
            "xlsx_seconds": round(statistics.median(xlsx_runs), 2),
            "total_seconds": round(statistics.median(total_runs), 2),
            "total_seconds_runs": [round(value, 2) for value in total_runs],
            "xlsx_bytes": len(data),
        }
        print(json.dumps(result["recall"], indent=2), flush=True)
        assert shipments  # the lot's class-level shipping rows
    _save(result)
    return 0


def _entry_name(vendor: str, events: int) -> str:
    return f"{vendor}-{events}"


def _load() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def _save(result: dict) -> None:
    from bench.report import machine_facts

    data = _load()
    postgres = None
    if result["vendor"] == "postgresql":
        from django.db import connection

        postgres = connection.pg_version
    result["machine"] = machine_facts(str(postgres) if postgres else None)
    data[_entry_name(result["vendor"], result["target_events"])] = result
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if DOCS is not False:
        write_docs(data, DOCS)


TRACE_HEADER = [
    "database",
    "events",
    "build",
    "trace",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "hops med/max",
    "events med/p95",
]
RECALL_HEADER = [
    "database",
    "events",
    "shipments",
    "locations",
    "rows",
    "scope s",
    "xlsx s",
    "total s",
    "total s per 10,000 shipments",
]


def _trace_rows(entry: dict) -> list[list[str]]:
    size = f"{entry.get('events', entry['target_events']):,}"
    build = entry.get("build")
    built = f"{build['seconds']:,.0f} s ({build['rate']:,}/s)" if build else "–"
    trace = entry.get("trace")
    if not trace:
        return [[entry["vendor"], size, built] + ["–"] * 6]
    rows = []
    for direction in ("forward", "back"):
        t = trace[direction]
        timing = [f"{t['p50']:.1f}", f"{t['p95']:.1f}", f"{t['p99']:.1f}"]
        shape = [
            f"{t['hops_median']:.0f} / {t['hops_max']}",
            f"{t['events_median']:.0f} / {t['events_p95']:.0f}",
        ]
        rows.append([entry["vendor"], size, built, direction, *timing, *shape])
    return rows


def _recall_row(entry: dict) -> list[str]:
    r = entry["recall"]
    size = f"{entry.get('events', entry['target_events']):,}"
    counts = [f"{r['shipments']:,}", f"{r['locations']:,}", f"{r['rows']:,}"]
    times = [f"{r['scope_seconds']:.2f}", f"{r['xlsx_seconds']:.2f}", f"{r['total_seconds']:.2f}"]
    rate = f"{r['total_seconds'] * 10_000 / r['shipments']:.2f}" if r["shipments"] else "–"
    return [entry["vendor"], size, *counts, *times, rate]


def _pg_version(number: str) -> str:
    # psycopg reports 150020 for 15.20.
    value = int(number)
    return f"{value // 10000}.{value % 10000}"


def write_docs(data: dict, path: Path | None = None) -> None:
    from bench.report import PERFORMANCE_MD, table, write_section

    entries = sorted(data.values(), key=lambda e: (e["vendor"], e["target_events"]))
    rows = [row for entry in entries for row in _trace_rows(entry)]
    recalls = [_recall_row(entry) for entry in entries if "recall" in entry]
    pg = {e["target_events"]: e for e in entries if e["vendor"] == "postgresql" and "trace" in e}
    ratio = ""
    if 1_000_000 in pg and 10_000_000 in pg:
        big, small = pg[10_000_000]["trace"], pg[1_000_000]["trace"]
        value = big["all"]["p95"] / small["all"]["p95"]
        forward, back = (big[d]["p95"] / small[d]["p95"] for d in ("forward", "back"))
        worst = max(big["forward"]["p95"], big["back"]["p95"])
        ratio = (
            f"p95 ratio 10M/1M on PostgreSQL: **{value:.2f}** over all traces "
            f"(target ≤ 1.5: {'met' if value <= 1.5 else 'not met'}); "
            f"forward {forward:.2f}, back {back:.2f}. "
            f"p95 at 10M: forward {big['forward']['p95']:.1f} ms, back {big['back']['p95']:.1f} ms, "
            f"all {big['all']['p95']:.1f} ms (target ≤ 50 ms: {'met' if worst <= 50 else 'not met'})."
        )
    m = dict(entries[-1]["machine"]) if entries else {}
    versions = [
        e["machine"]["postgresql"]
        for e in entries
        if e["vendor"] == "postgresql" and e["machine"].get("postgresql", "").isdigit()
    ]
    if versions:
        m["postgresql"] = _pg_version(versions[-1])
    starts = entries[-1].get("starts", 1000) if entries else 1000
    machine = (
        f"Machine: {m.get('cpus', '')}; {m.get('memory', '')}; {m.get('os', '')}; "
        f"Python {m.get('python', '')}; "
        f"SQLite {m.get('sqlite', '')}; PostgreSQL {m.get('postgresql', '')}. Measured: "
        + "; ".join(f"{e['vendor']} {e['target_events']:,} {e['machine'].get('date', '')}" for e in entries)
        + "."
    )
    parts = [
        "## Trace and recall (issue #4)",
        "`python -m bench.trace --events N --database URL` (module docstring). A synthetic city "
        "(`tracehub generate_city`: farms → processors → markets → shops, drugs in cases, imports) is "
        "captured through the capture service (on PostgreSQL then vacuumed and analysed, as autovacuum "
        "would have on a running server); then traces forward and back from "
        f"{starts} random starts "
        "(half lots, half serials) are timed end to end without HTTP (genealogy, event details, findings, "
        "JSON answer; each the median of 3 runs, the machine being shared with other work), and a recall "
        "of the lot with the most shipments is declared and written as xlsx (median of 3). "
        "Targets: trace p95 ≤ 50 ms at 10M events on PostgreSQL, p95 ratio 10M/1M ≤ 1.5, recall + xlsx "
        "≤ 5 s for a lot of ≥ 10,000 shipments.",
        machine,
        table(TRACE_HEADER, rows),
    ]
    if ratio:
        parts.append(ratio)
    if recalls:
        parts.append(table(RECALL_HEADER, recalls))
    notes = [f"* {e['vendor']} {e['target_events']:,}: {e['note']}" for e in entries if e.get("note")]
    if notes:
        parts.append("\n".join(notes))
    write_section("trace", "\n\n".join(parts), path or PERFORMANCE_MD)


if __name__ == "__main__":
    sys.exit(main())

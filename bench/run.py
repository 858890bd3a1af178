"""``make bench`` / ``python -m bench.run``: run the benchmarks, print them, write docs/performance.md.

The full run is the default; ``--quick`` checks in a minute or two that everything works (its
figures are printed but not written, unless ``--write`` says so). PostgreSQL is taken from
``BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``); when it does
not answer, SQLite alone is measured and the report says so.

Four benchmarks run, one after the other: capture (``bench.capture``, issue #2), capture with
and without the sector profiles (``bench.profiles``, issue #6), trace and recall
(``bench.trace``, issue #4) and the public product page (``bench.portal``, issue #5: 1,000,000
serials on PostgreSQL, gunicorn and wrk; ``--quick``: 100,000 serials, 5 s of wrk; ``--portal-only``
and ``--no-portal`` run it alone or leave it out; skipped when PostgreSQL does not answer).

The trace benchmark builds a synthetic city per database and size, each in its own database
(``tracehub_city_1m`` on the PostgreSQL server, ``var/bench/city-1m.sqlite3``), and runs ``python
-m bench.trace`` on it in a process of its own. By default 1M events on PostgreSQL and 1M on SQLite
(``--trace``, or ``BENCH_TRACE``); ``--trace-10m`` (or ``BENCH_TRACE_10M=1``) adds the 10M city on
PostgreSQL and with it the p95 ratio 10M/1M. A city is built afresh unless ``--trace-reuse`` (or
``BENCH_TRACE_REUSE=1``) says to measure the one a previous run left (a missing one is built).
``--trace-only`` and ``--no-trace`` run the trace benchmark alone or leave it out.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import capture
from bench.report import PERFORMANCE_MD, machine_facts, write_section
from bench.stack import BenchError, postgres_admin_url, postgres_status


def _formats(text: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in text.split(",") if v.strip())
    unknown = set(values) - {"json", "xml"}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown format(s) {', '.join(sorted(unknown))}: use json, xml")
    return values


def _databases(text: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in text.split(",") if v.strip())
    unknown = set(values) - {capture.SQLITE, capture.POSTGRESQL}
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown database(s) {', '.join(sorted(unknown))}: use sqlite, postgresql"
        )
    return values


def _big_runs(text: str) -> tuple[tuple[str, str], ...]:
    if text.strip() == "none":
        return ()
    runs = []
    for item in text.split(","):
        kind, _, fmt = item.strip().partition(":")
        runs.append((_databases(kind)[0] if kind else "", _formats(fmt)[0] if fmt else ""))
        if not all(runs[-1]):
            raise argparse.ArgumentTypeError(f"expected database:format, not {item!r}")
    return tuple(runs)


#: The trace benchmark's cities: (database, events).
TRACE_DEFAULT = "postgresql:1000000,sqlite:1000000"
TRACE_10M = ((capture.POSTGRESQL, 10_000_000),)
TRACE_QUICK = "sqlite:20000,postgresql:20000"
CITY_DIR = Path(__file__).resolve().parents[1] / "var" / "bench"


def _trace_runs(text: str) -> tuple[tuple[str, int], ...]:
    if text.strip() == "none":
        return ()
    runs = []
    for item in text.split(","):
        kind, _, size = item.strip().partition(":")
        try:
            events = int(size.replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected database:events, not {item!r}") from None
        if events < 1000:
            raise argparse.ArgumentTypeError(f"a city of {events} events is too small to measure")
        runs.append((_databases(kind)[0], events))
    return tuple(runs)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    full = capture.Options()
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run that checks everything works")
    parser.add_argument(
        "--write", action="store_true", help="write docs/performance.md after a --quick run too"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--rounds", type=int, help=f"rounds per database (default {full.rounds})")
    parser.add_argument(
        "--documents", type=int, help=f"documents per round and format (default {full.documents})"
    )
    parser.add_argument(
        "--connections", type=int, help=f"concurrent client connections (default {full.connections})"
    )
    parser.add_argument("--web-workers", type=int, help=f"gunicorn workers (default {full.web_workers})")
    parser.add_argument(
        "--web-threads", type=int, help=f"gunicorn threads per worker (default {full.web_threads})"
    )
    parser.add_argument(
        "--big-events", type=int, help=f"events of the large document (default {full.big_events:,})"
    )
    parser.add_argument(
        "--big",
        dest="big_runs",
        type=_big_runs,
        help="large-document runs as database:format pairs, e.g. postgresql:json,sqlite:xml, or none "
        "(default postgresql:json,postgresql:xml,sqlite:json)",
    )
    parser.add_argument("--formats", type=_formats, help="formats of the throughput rounds: json,xml")
    parser.add_argument("--databases", type=_databases, help="databases to measure: sqlite,postgresql")
    trace = parser.add_argument_group("trace and recall (bench.trace)")
    trace.add_argument(
        "--trace",
        dest="trace_runs",
        type=_trace_runs,
        default=None,
        help=f"cities as database:events pairs, or none (default {TRACE_DEFAULT}, or BENCH_TRACE; "
        f"--quick: {TRACE_QUICK})",
    )
    trace.add_argument(
        "--trace-10m",
        action="store_true",
        default=_flag("BENCH_TRACE_10M"),
        help="also the 10M-event city on PostgreSQL (or BENCH_TRACE_10M=1)",
    )
    trace.add_argument(
        "--trace-reuse",
        action="store_true",
        default=_flag("BENCH_TRACE_REUSE"),
        help="measure the cities a previous run built instead of building them again "
        "(or BENCH_TRACE_REUSE=1)",
    )
    trace.add_argument(
        "--trace-starts", type=int, help="random starts per direction (default 1000; --quick 100)"
    )
    trace.add_argument("--trace-repeats", type=int, help="runs per trace, median kept (default 3; --quick 1)")
    trace.add_argument("--trace-dir", type=Path, default=CITY_DIR, help="where the SQLite cities are kept")
    portal = parser.add_argument_group("public product page (bench.portal)")
    portal.add_argument(
        "--portal-serials", type=int, help="serials of the GTIN (default 1,000,000; --quick 100,000)"
    )
    portal.add_argument("--portal-seconds", type=int, help="seconds of wrk measured (default 30; --quick 5)")
    portal.add_argument("--portal-warmup", type=int, help="seconds of wrk warm-up (default 30; --quick 5)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--trace-only", action="store_true", help="run the trace benchmark only")
    only.add_argument("--no-trace", action="store_true", help="leave the trace benchmark out")
    only.add_argument("--portal-only", action="store_true", help="run the product-page benchmark only")
    parser.add_argument("--no-portal", action="store_true", help="leave the product-page benchmark out")
    return parser.parse_args(argv)


def run_portal(args: argparse.Namespace, *, postgres_version: str | None, write: bool, log) -> int:
    """Run ``bench.portal`` in a process of its own (it needs PostgreSQL and wrk); 0 on success."""
    if postgres_version is None:
        log("PostgreSQL does not answer: the product-page benchmark is skipped.")
        return 0
    quick = args.quick
    command = [
        sys.executable,
        "-m",
        "bench.portal",
        "--serials",
        str(args.portal_serials or (100_000 if quick else 1_000_000)),
        "--seconds",
        str(args.portal_seconds or (5 if quick else 30)),
        "--warmup",
        str(args.portal_warmup or (5 if quick else 30)),
    ]
    if quick:
        command += ["--runs", "3", "--pages", "200"]
    if not write:
        # A check, not a measurement: keep the figures out of bench/ and docs/.
        results = Path(tempfile.mkdtemp(prefix="tracehub-portal-bench-")) / "portal-results.json"
        command += ["--results", str(results), "--no-write"]
    log("\npublic product page (bench.portal)")
    done = subprocess.run(command, cwd=Path(__file__).resolve().parents[1], check=False)  # noqa: S603
    if done.returncode != 0:
        log(f"product-page benchmark failed: exit {done.returncode}")
        return 1
    return 0


def trace_plan(args: argparse.Namespace) -> tuple[tuple[str, int], ...]:
    """The cities to measure, from the arguments and the environment."""
    if args.no_trace:
        return ()
    runs = args.trace_runs
    if runs is None:
        runs = _trace_runs(TRACE_QUICK if args.quick else os.environ.get("BENCH_TRACE", TRACE_DEFAULT))
    if args.trace_10m:
        runs = tuple(dict.fromkeys(runs + TRACE_10M))
    return runs


def _label(events: int) -> str:
    if events % 1_000_000 == 0:
        return f"{events // 1_000_000}m"
    if events % 1000 == 0:
        return f"{events // 1000}k"
    return str(events)


def city_url(database: str, events: int, *, postgres_url: str, city_dir: Path) -> str:
    """Where the city of ``events`` lives: its own PostgreSQL database, or its own SQLite file."""
    if database == capture.POSTGRESQL:
        parts = urlsplit(postgres_url)
        return urlunsplit(parts._replace(path=f"/tracehub_city_{_label(events)}"))
    return f"sqlite:///{(city_dir / f'city-{_label(events)}.sqlite3').resolve()}"


def _drop_city(url: str, postgres_url: str) -> None:
    """Remove a city a previous run left, so that this run builds (and times) it afresh."""
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        name = parts.path.lstrip("/")
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    path = Path(parts.path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_trace(
    args: argparse.Namespace, *, postgres_url: str, postgres_version: str | None, write: bool, log
) -> int:
    """Run ``bench.trace`` once per city, each in its own process; 0 when every run succeeded."""
    plan = trace_plan(args)
    if postgres_version is None and any(db == capture.POSTGRESQL for db, _ in plan):
        log("PostgreSQL does not answer: the trace benchmark measures SQLite only.")
        plan = tuple(run for run in plan if run[0] != capture.POSTGRESQL)
    if not plan:
        return 0
    starts = args.trace_starts or (100 if args.quick else 1000)
    repeats = args.trace_repeats or (1 if args.quick else 3)
    extra: list[str] = []
    if not write:
        # A check, not a measurement: keep the figures out of bench/ and docs/.
        results = Path(tempfile.mkdtemp(prefix="tracehub-trace-bench-")) / "trace-results.json"
        extra = ["--results", str(results), "--no-docs"]
    failed = 0
    args.trace_dir.mkdir(parents=True, exist_ok=True)
    for database, events in plan:
        url = city_url(database, events, postgres_url=postgres_url, city_dir=args.trace_dir)
        if not args.trace_reuse:
            _drop_city(url, postgres_url)
        log(f"trace benchmark: {database}, {events:,} events ({url.rsplit('/', 1)[-1]})")
        command = [
            sys.executable,
            "-m",
            "bench.trace",
            "--events",
            str(events),
            "--database",
            url,
            "--starts",
            str(starts),
            "--repeats",
            str(repeats),
            *extra,
        ]
        if args.trace_reuse:
            command.append("--reuse")
        done = subprocess.run(command, cwd=Path(__file__).resolve().parents[1], check=False)
        if done.returncode != 0:
            log(f"trace benchmark on {database} ({events:,} events) failed: exit {done.returncode}")
            failed += 1
    return 1 if failed else 0


def options_from(args: argparse.Namespace) -> capture.Options:
    options = capture.QUICK if args.quick else capture.Options()
    changes = {
        name: getattr(args, name)
        for name in (
            "rounds",
            "documents",
            "connections",
            "web_workers",
            "web_threads",
            "big_events",
            "big_runs",
            "formats",
            "databases",
        )
        if getattr(args, name) is not None
    }
    return dataclasses.replace(options, **changes)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = options_from(args)
    postgres_url = postgres_admin_url()
    postgres_version, why = postgres_status(postgres_url)
    if postgres_version is None:
        print(f"PostgreSQL does not answer ({why}): measuring SQLite only.", file=sys.stderr)
    write = not (args.no_write or (args.quick and not args.write))
    status = 0
    log = lambda line: print(line, flush=True)  # noqa: E731
    if args.portal_only:
        return run_portal(args, postgres_version=postgres_version, write=write, log=log)
    if not args.trace_only:
        status = capture_main(args, options, postgres_url, postgres_version)
        # The same documents with the sector profiles plugged in and out (issue #6 item 1).
        from bench import profiles

        print("\nsector profiles at capture (bench.profiles)", flush=True)
        status = (
            profiles.main(["--rounds", "3" if args.quick else "7", *([] if write else ["--no-write"])])
            or status
        )
    trace_status = run_trace(
        args,
        postgres_url=postgres_url,
        postgres_version=postgres_version,
        write=write,
        log=log,
    )
    if trace_status == 0 and trace_plan(args) and write:
        print(f"trace section written to {PERFORMANCE_MD.relative_to(PERFORMANCE_MD.parents[1])}")
    portal_status = 0
    if not (args.trace_only or args.no_portal):
        portal_status = run_portal(args, postgres_version=postgres_version, write=write, log=log)
    return status or trace_status or portal_status


def capture_main(args: argparse.Namespace, options, postgres_url: str, postgres_version: str | None) -> int:
    """The capture benchmark (issue #2): run, print, write its section."""
    facts = machine_facts(postgres_version)
    print(
        f"TraceHub capture benchmark ({'quick' if args.quick else 'full'} run), {facts['date']}", flush=True
    )
    try:
        result = capture.run(
            options,
            postgres_url=postgres_url,
            postgres_version=postgres_version,
            log=lambda line: print(line, flush=True),
        )
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    section = capture.markdown(result, facts)
    print()
    print(section)
    if args.no_write or (args.quick and not args.write):
        print(f"\n(not written to {PERFORMANCE_MD.relative_to(PERFORMANCE_MD.parents[1])})")
    else:
        write_section("capture", section)
        print(f"\nwritten to {PERFORMANCE_MD.relative_to(PERFORMANCE_MD.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

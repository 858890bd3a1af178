"""``make bench`` / ``python -m bench.run``: run the benchmarks, print them, write docs/performance.md.

The full run is the default; ``--quick`` checks in a minute or two that everything works (its
figures are printed but not written, unless ``--write`` says so). PostgreSQL is taken from
``BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``); when it does
not answer, SQLite alone is measured and the report says so.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

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
    return parser.parse_args(argv)


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

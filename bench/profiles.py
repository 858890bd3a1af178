"""Capture with and without the sector profiles (issue #6 item 1: "the capture benchmark of the
foundation issue re-run with profile validation on: the slowdown stays under 20 %").

``python -m bench.profiles`` (``make bench`` runs it after the capture benchmark) captures the capture
benchmark's documents (``bench.gen``: 1,000 ObjectEvents of 1-10 SGTINs each, the CBV steps the
drug, imported-food and meat-and-vegetable profiles bind: commissioning, shipping, receiving, retail
selling) through the capture service in process, alternating a document with every profile
unplugged and one with them plugged in, on SQLite and on PostgreSQL, each in a fresh database of its
own and a process of its own. The slowdown is the median over rounds of (time on / time off) for
wall time and for this process's CPU time (which leaves out PostgreSQL's share and other tenants).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.report import PERFORMANCE_MD, machine_facts, write_section
from bench.stack import postgres_admin_url, postgres_status

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "tracehub_bench_profiles"
TARGET = 1.20


def measure(rounds: int, events: int) -> dict:
    """In a process whose DATABASE_URL names a fresh database: times with profiles off and on."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracehub.settings")
    import django

    django.setup()
    import orjson
    from django.core.management import call_command

    from bench import gen
    from tracehub.epcis.profiles import register_event_checker, unregister_event_checker
    from tracehub.epcis.services import capture_document_store
    from tracehub.sectors.profile import check_event

    call_command("migrate", verbosity=0)

    def capture(number: int, *, profiles: bool) -> tuple[float, float]:
        document = orjson.loads(gen.document(gen.DocumentSpec(number=number, events=events), gen.JSON))
        if not profiles:
            unregister_event_checker(check_event)
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            outcome = capture_document_store(client=None, document=document)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        finally:
            register_event_checker(check_event)
        if outcome.errors or outcome.job.captured_count != events:
            raise SystemExit(f"document {number} was not captured whole: {outcome.errors[:3]}")
        return wall, cpu

    capture(0, profiles=True)  # warm-up: imports, caches
    wall_ratios, cpu_ratios, off_rates, on_rates = [], [], [], []
    for n in range(rounds):
        # Alternate which goes first, so that a table growing by a document favours neither.
        first_on = n % 2 == 1
        a = capture(2 * n + 1, profiles=first_on)
        b = capture(2 * n + 2, profiles=not first_on)
        on, off = (a, b) if first_on else (b, a)
        wall_ratios.append(on[0] / off[0])
        cpu_ratios.append(on[1] / off[1])
        on_rates.append(events / on[0])
        off_rates.append(events / off[0])
    from django.db import connection

    return {
        "vendor": connection.vendor,
        "rounds": rounds,
        "events": events,
        "wall_ratio": statistics.median(wall_ratios),
        "cpu_ratio": statistics.median(cpu_ratios),
        "off_rate": statistics.median(off_rates),
        "on_rate": statistics.median(on_rates),
    }


def _run_child(url: str, rounds: int, events: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "TRACEHUB_DATA_DIR": tempfile.mkdtemp(prefix="tracehub-prof-")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.profiles",
            "--measure",
            "--rounds",
            str(rounds),
            "--events",
            str(events),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.profiles on {url.split('@')[-1]} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(results: list[dict], facts: dict[str, str]) -> str:
    lines = [
        "## Sector profiles at capture (issue #6)",
        "",
        f"{facts['date']}; CPUs {facts['cpus']}; load {facts['load']}; PostgreSQL {facts['postgresql']}; "
        f"commit {facts['commit']}. " + __doc__.split("\n\n", 1)[1].replace("\n", " ").strip(),
        "",
        "| database | events/s profiles off | events/s profiles on | wall time on/off | CPU time on/off | "
        f"slowdown < {TARGET - 1:.0%} |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        met = "met" if max(r["wall_ratio"], r["cpu_ratio"]) < TARGET else "**not met**"
        lines.append(
            f"| {r['vendor']} | {r['off_rate']:,.0f} | {r['on_rate']:,.0f} | {r['wall_ratio']:.3f} | "
            f"{r['cpu_ratio']:.3f} | {met} |"
        )
    first = results[0]
    lines += [
        "",
        f"Median of {first['rounds']} rounds of one document each way, {first['events']:,} events each.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profiles", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.rounds, args.events)))
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="tracehub-prof-") as tmp:
        results.append(_run_child(f"sqlite:///{tmp}/profiles.sqlite3", args.rounds, args.events))
    admin = postgres_admin_url()
    version, _ = postgres_status(admin)
    if version is not None:
        import psycopg

        url = urlunsplit(urlsplit(admin)._replace(path=f"/{DATABASE}"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        try:
            results.append(_run_child(url, args.rounds, args.events))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    section = markdown(results, machine_facts(version))
    print(section)
    if not args.no_write:
        write_section("profiles", section)
        print(f"\nwritten to {PERFORMANCE_MD.relative_to(ROOT)}")
    return 0 if all(max(r["wall_ratio"], r["cpu_ratio"]) < TARGET for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

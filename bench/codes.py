"""Code allocation benchmark (issue #5 item 2): allocating and streaming a million codes.

``python -m bench.codes [--count 1000000] [--databases sqlite,postgresql]`` measures, per database,
on a fresh migrated database with one filed party and product:

* allocating ``--count`` GS1 serials in one ``code_allocation_create`` (a range row, the counter
  under its lock, the audit row): seconds and the peak of Python memory allocated meanwhile;
* streaming them as the CSV the API and console serve (``code_exports.csv_chunks``): seconds,
  codes/s, bytes, how much the process's peak resident memory grew, and the peak of Python memory
  while streaming (traced over the first 100,000 rows: constant, the CSV is never held whole);
* ``code_allocation_find`` of allocated serials (the portal's look-up): mean microseconds;
* one A4 sheet of 35 labels as PDF and as HTML: seconds.

Each database runs in its own process (Django reads DATABASE_URL once), whose peak resident
memory is printed too. PostgreSQL comes from ``BENCH_POSTGRES_URL`` (bench.stack); when it does
not answer, SQLite alone is measured. Not part of ``make bench`` (yet): run it by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.stack import postgres_admin_url, postgres_database, postgres_status, sqlite_database

MB = 1024 * 1024


def _measure(count: int) -> dict:
    """Runs inside the child process, DATABASE_URL already set."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracehub.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory
    from stdnum import ean

    from tracehub.identifiers.labels import LAYOUTS, labels_html, labels_pdf
    from tracehub.registry import code_exports, selectors, services
    from tracehub.registry.actors import Actor

    call_command("migrate", verbosity=0)
    system = Actor.system("bench")
    body = "91350213" + "260143759"
    from stdnum.cn import uscc

    party = services.party_create(
        actor=system,
        name="厦门翔润肉类食品有限公司",
        party_type="slaughterhouse",
        id_kind="uscc",
        uscc=body + uscc.calc_check_digit(body + "0"),
        sectors=["meat_veg", "food"],
        district="350213",
        company_prefixes=["695318204"],
    )
    services.filing_approve(actor=system, filing=services.filing_submit(actor=system, party=party))
    digits = "0695318204001"
    product = services.product_create(
        actor=system,
        party=party,
        gtin=digits + ean.calc_check_digit(digits),
        name="冷鲜猪白条",
        sectors=["food"],
    )
    party.refresh_from_db()

    result: dict = {"database": connection.vendor, "count": count}
    tracemalloc.start()
    started = time.perf_counter()
    allocation = services.code_allocation_create(
        actor=system, party=party, product=product, count=count, scheme="gs1", lot="L20261128"
    )
    result["allocate_s"] = time.perf_counter() - started
    result["allocate_peak_mb"] = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.reset_peak()

    tracemalloc.stop()  # it slows every allocation down: the full stream is timed without it

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    size = rows = 0
    for chunk in code_exports.csv_chunks(allocation, base="https://trace.example.cn"):
        size += len(chunk.encode())
        rows += chunk.count("\n")
    result["csv_s"] = time.perf_counter() - started
    result["csv_rss_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    result["csv_bytes"] = size
    result["csv_rows"] = rows - 1
    # Python memory at the stream's peak, traced over its first 100,000 rows (it is flat).
    tracemalloc.start()
    for i, _chunk in enumerate(code_exports.csv_chunks(allocation, base="https://trace.example.cn")):
        if i * 2048 > 100_000:
            break
    result["csv_peak_mb"] = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    assert result["csv_rows"] == count, result

    sample = list(selectors.code_allocation_codes(allocation, start=count // 2, stop=count // 2 + 200))
    started = time.perf_counter()
    for serial in sample:
        assert selectors.code_allocation_find(gtin=product.gtin, serial=serial) == allocation
    result["find_us"] = (time.perf_counter() - started) / len(sample) * 1e6

    request = RequestFactory().get("/")
    started = time.perf_counter()
    labels = code_exports.allocation_labels(allocation, request=request, start=0, stop=35)
    pdf = labels_pdf(labels, layout=LAYOUTS["a4"])
    result["sheet_pdf_s"] = time.perf_counter() - started
    result["sheet_pdf_bytes"] = len(pdf)
    started = time.perf_counter()
    labels = code_exports.allocation_labels(allocation, request=request, start=0, stop=35)
    html = "".join(labels_html(labels, layout=LAYOUTS["a4"], title="bench", stylesheet="/labels.css"))
    result["sheet_html_s"] = time.perf_counter() - started
    result["sheet_html_bytes"] = len(html.encode())
    result["process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _child(kind: str, count: int) -> dict:
    def run(url: str) -> dict:
        env = dict(os.environ, DATABASE_URL=url)
        out = subprocess.run(  # noqa: S603 - this very module
            [sys.executable, "-m", "bench.codes", "--child", "--count", str(count)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"{kind} run failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    if kind == "postgresql":
        with postgres_database(postgres_admin_url(), "_codes") as db:
            return run(db.url)
    with tempfile.TemporaryDirectory() as tmp:
        return run(sqlite_database(Path(tmp)).url)


def _print(r: dict) -> None:
    label = "PostgreSQL" if r["database"] == "postgresql" else "SQLite"
    print(f"\n{label}: {r['count']:,} GS1 serials of one GTIN")
    print(
        f"  allocate            {r['allocate_s'] * 1000:10.1f} ms   "
        f"peak Python memory {r['allocate_peak_mb']:.2f} MB"
    )
    print(
        f"  stream CSV          {r['csv_s']:10.2f} s    {r['csv_rows'] / r['csv_s']:,.0f} codes/s, "
        f"{r['csv_bytes'] / MB:.0f} MB; peak Python memory {r['csv_peak_mb']:.2f} MB, "
        f"peak RSS grew {r['csv_rss_growth_mb']:.1f} MB"
    )
    print(f"  find a serial       {r['find_us']:10.0f} µs   (mean of 200 look-ups)")
    print(
        f"  A4 sheet, 35 labels {r['sheet_pdf_s'] * 1000:10.0f} ms   "
        f"PDF, {r['sheet_pdf_bytes'] / 1024:.0f} KiB"
    )
    print(
        f"  A4 sheet, 35 labels {r['sheet_html_s'] * 1000:10.0f} ms   "
        f"HTML, {r['sheet_html_bytes'] / 1024:.0f} KiB"
    )
    print(f"  process peak RSS    {r['process_peak_rss_mb']:10.0f} MB   (Django and all)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_measure(args.count)))
        return
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    if "postgresql" in kinds:
        version, why = postgres_status(postgres_admin_url())
        if version is None:
            print(f"PostgreSQL does not answer ({why}): SQLite only.")
            kinds.remove("postgresql")
    for kind in kinds:
        _print(_child(kind, args.count))


if __name__ == "__main__":
    main()

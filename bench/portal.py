"""Product-page benchmark (issue #5 "What must show"): the public page of random serials of one GTIN.

``python -m bench.portal`` (PostgreSQL from ``BENCH_POSTGRES_URL``, default
``postgres://postgres@127.0.0.1:5432/postgres``; ``--serials``, ``--seconds``, ``--workers``).

What it does, step by step:

1. A fresh PostgreSQL database ``tracehub_bench_<random>`` (dropped afterwards), migrated, the demo
   registry filed through the registry services (``tracehub.registry.demo.load_registry_demo``:
   parties, locations, products), static files collected (whitenoise serves them as in production).
2. **Data generator**: 1,000,000 serials (``--serials``) of the demo drug's GTIN, commissioned at the
   demo drug plant in 1,000 commissioning events of 1,000 serials each (one per lot, the way a
   packaging line reports a batch), each with its ILMD lot number and expiry date. The event rows and
   their index rows (one ``epc`` row per serial, the ``lot``, ``read_point`` and ``biz_location``
   rows) are written with PostgreSQL ``COPY`` inside one capture job: capture would check and
   hash-chain each event (about 7 minutes for the million index rows) and the page does not read the
   hash or the chain, so the generated rows carry a placeholder hash and chain link. They are real
   EPCIS 2.0 JSON-LD documents and real index rows: the page reads them exactly as captured ones.
3. The production server: gunicorn (``tracehub.wsgi``, ``--workers`` processes of ``--threads``
   threads, gthread with keep-alive; DEBUG off; ``CONN_MAX_AGE`` 60 so each worker keeps its database
   connection), started as in production.
4. A warm-up of ``--warmup`` seconds (each worker fills its cache: products, events, the lots'
   upstream chains, page shells, place names), then **wrk** (Debian's ``/usr/bin/wrk``,
   ``--latency``) for ``--seconds`` seconds with ``--connections`` connections, every request a
   random serial of the million (a Lua script picks it), browser-like headers (``Accept: text/html``,
   ``Accept-Language: zh-CN``). Every request is a full scan: the serial's own events are read, the
   counter row counted up and a scan row inserted.
5. Page size: the page of one serial plus every asset it loads (stylesheets, scripts, icon), as
   served (uncompressed bytes).

6. In process: the ms a page costs a worker (Django test client, the whole middleware stack, no HTTP
   server, warm caches; the median of ``--runs`` runs of ``--pages`` random serials, and this
   process's CPU share of it) and the SQL statements of a page.

Prints the figures, writes them to ``bench/portal-results.json`` (``--results``) and the portal
section of docs/performance.md (unless ``--no-write``). ``make bench`` runs it through
``bench.run`` (``--portal-only``, ``--no-portal``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stack import BenchError, Platform, postgres_admin_url, postgres_database, postgres_status

RESULTS = Path(__file__).with_name("portal-results.json")
WRK = "/usr/bin/wrk"
LOT_SIZE = 1000

WRK_SCRIPT = """
math.randomseed(os.time())
wrk.headers["Accept"] = "text/html,application/xhtml+xml"
wrk.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
wrk.headers["User-Agent"] = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50"
request = function()
  local n = math.random(0, %(serials)d - 1)
  return wrk.format("GET", string.format("/01/%(gtin)s/21/%%010d", n))
end
"""


# -- the data generator (runs inside Django, against the bench database) --------------------------


def generate(serials: int) -> dict:
    """Commission ``serials`` serials of the demo drug in lots of LOT_SIZE, with COPY (see above)."""
    import django

    django.setup()
    import orjson
    from django.db import connection
    from django.utils import timezone

    from tracehub.demo import data as d
    from tracehub.epcis.models import CaptureJob, CaptureStatus, Event, EventIndex
    from tracehub.registry.demo import load_registry_demo
    from tracehub.registry.models import Location

    load_registry_demo()  # the demo parties, locations and products (filed), through the registry services
    gtin = d.DRUG.gtin
    plant = Location.objects.get(identifier=d.DRUG_PLANT.id).key
    line = Location.objects.get(identifier=d.DRUG_PACKAGING_LINE.id).key
    now = timezone.now()
    job = CaptureJob.objects.create(
        capture_id=f"bench-portal-{int(time.time())}",
        status=CaptureStatus.SUCCEEDED,
        media_type="json",
        event_count=serials // LOT_SIZE,
        captured_count=serials // LOT_SIZE,
        finished_at=now,
    )
    prefix = d.DRUG_MAKER.company_prefix
    item = d.DRUG.indicator + d.DRUG.item_ref
    start = time.monotonic()
    lots = (serials + LOT_SIZE - 1) // LOT_SIZE
    first_pk = (Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as pg:
            with pg.copy(
                "COPY epcis_event (id, event_id, event_hash, event_type, event_time, event_time_zone_offset, "
                "record_time, action, biz_step, disposition, read_point, biz_location, error_declared, "
                "capture_job_id, document, namespaces, chain_hash) FROM STDIN"
            ) as copy:
                for lot in range(lots):
                    numbers = range(lot * LOT_SIZE, min(serials, (lot + 1) * LOT_SIZE))
                    day = 1 + lot % 28
                    when = f"2026-10-{day:02d}T08:{lot % 60:02d}:00+08:00"
                    event_id = f"urn:uuid:00000000-0000-4000-8000-{lot:012d}"
                    document = {
                        "type": "ObjectEvent",
                        "eventTime": when,
                        "eventTimeZoneOffset": "+08:00",
                        "epcList": [f"urn:epc:id:sgtin:{prefix}.{item}.{n:010d}" for n in numbers],
                        "action": "ADD",
                        "bizStep": "commissioning",
                        "disposition": "active",
                        "readPoint": {"id": d.DRUG_PACKAGING_LINE.id},
                        "bizLocation": {"id": d.DRUG_PLANT.id},
                        "ilmd": {
                            "cbvmda:lotNumber": f"B{lot:05d}",
                            "cbvmda:itemExpirationDate": "2028-09-30",
                        },
                        "eventID": event_id,
                    }
                    copy.write_row(
                        (
                            first_pk + lot,
                            event_id,
                            f"ni:///sha-256;bench{lot:012d}?ver=CBV2.0",
                            "ObjectEvent",
                            when,
                            "+08:00",
                            now,
                            "ADD",
                            "commissioning",
                            "active",
                            line,
                            plant,
                            False,
                            job.pk,
                            orjson.dumps(document).decode(),
                            "{}",
                            "0" * 64,
                        )
                    )
            with pg.copy("COPY epcis_eventindex (event_id, key, role, qualifier) FROM STDIN") as copy:
                for lot in range(lots):
                    pk = first_pk + lot
                    copy.write_row((pk, line, "read_point", ""))
                    copy.write_row((pk, plant, "biz_location", ""))
                    copy.write_row((pk, f"01/{gtin}/10/B{lot:05d}", "lot", ""))
                    for n in range(lot * LOT_SIZE, min(serials, (lot + 1) * LOT_SIZE)):
                        copy.write_row((pk, f"01/{gtin}/21/{n:010d}", "epc", ""))
            last = first_pk + lots - 1
            pg.execute("SELECT setval(pg_get_serial_sequence('epcis_event', 'id'), %s)", [last])
        # As autovacuum would leave them, before the measurement rather than during it (and the
        # visibility map lets the index look-ups skip the table).
        cursor.execute("VACUUM ANALYZE epcis_event")
        cursor.execute("VACUUM ANALYZE epcis_eventindex")
    return {
        "gtin": gtin,
        "serials": serials,
        "lots": lots,
        "events": lots,
        "index_rows": EventIndex.objects.filter(event__capture_job=job).count(),
        "seconds": round(time.monotonic() - start, 1),
    }


# -- in process -----------------------------------------------------------------------------------


def in_process(serials: int, pages: int, runs: int, *, profile: Path | None = None) -> dict:
    """ms per page in this process (Django test client, the whole middleware stack, no HTTP server),
    warm caches: the median of ``runs`` runs of ``pages`` random serials; and the queries of a page.
    The cost a worker pays per page, without the server's and the load generator's share."""
    import random
    import statistics

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tracehub.demo import data as d

    gtin = d.DRUG.gtin
    client = Client(
        HTTP_ACCEPT="text/html,application/xhtml+xml",
        HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile/15E148 MicroMessenger/8.0.50",
    )
    rng = random.Random(5)  # noqa: S311 - a benchmark's sample, not a secret
    for lot in range((serials + LOT_SIZE - 1) // LOT_SIZE):  # every lot's shell and chain, once
        assert client.get(f"/01/{gtin}/21/{lot * LOT_SIZE:010d}").status_code == 200
    paths = [f"/01/{gtin}/21/{rng.randrange(serials):010d}" for _ in range(pages * runs)]
    with CaptureQueriesContext(connection) as queries:
        client.get(paths[0])
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SET "))
    ]
    times, cpu = [], []
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    for run in range(runs):
        batch = paths[run * pages : (run + 1) * pages]
        if profiler is not None:
            profiler.enable()
        start, start_cpu = time.perf_counter(), time.process_time()
        for path in batch:
            response = client.get(path)
            if response.status_code != 200:
                raise BenchError(f"GET {path} answered {response.status_code}")
        times.append((time.perf_counter() - start) * 1000 / len(batch))
        cpu.append((time.process_time() - start_cpu) * 1000 / len(batch))
        if profiler is not None:
            profiler.disable()
    if profiler is not None:
        profiler.dump_stats(str(profile))
    return {
        "ms_per_page": round(statistics.median(times), 3),
        "ms_per_page_runs": [round(t, 3) for t in times],
        "cpu_ms_per_page": round(statistics.median(cpu), 3),
        "queries_per_page": len(statements),
        "queries": statements,
        "pages": pages,
        "runs": runs,
    }


# -- measuring -----------------------------------------------------------------------------------


def _wrk(port: int, script: Path, *, seconds: int, connections: int, threads: int) -> dict:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [
            WRK,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not match:
            raise BenchError(f"wrk printed no {label}% latency:\n{out}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests_per_second": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": latency("50"),
        "p75_ms": latency("75"),
        "p90_ms": latency("90"),
        "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
        "wrk": out,
    }


def _page_size(platform: Platform, path: str) -> dict:
    status, body = platform.request("GET", path, headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
    if status != 200:
        raise BenchError(f"GET {path} answered {status}")
    html = body.decode()
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html)))
    sizes = {}
    for asset in assets:
        asset_status, content = platform.request("GET", asset)
        if asset_status != 200:
            raise BenchError(f"GET {asset} answered {asset_status}")
        sizes[asset] = len(content)
    return {"page_bytes": len(body), "assets": sizes, "total_bytes": len(body) + sum(sizes.values())}


def _child(platform: Platform, *args: str) -> dict:
    """Run ``python -m bench.portal <args>`` against the bench database; its last line, as JSON."""
    child = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "bench.portal", *args],
        env=platform.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise BenchError(f"bench.portal {' '.join(args)} failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


#: Targets of issue #5 ("What must show").
TARGET_PAGES_PER_SECOND = 500
TARGET_P99_MS = 50
TARGET_PAGE_KB = 150


def markdown(result: dict, facts: dict[str, str]) -> str:
    """The portal section of docs/performance.md."""
    from bench.report import table

    page_kb = result["page"]["total_bytes"] / 1024
    inproc = result["in_process"]

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    rows = [
        [
            "pages/s",
            f"{result['requests_per_second']:,.0f}",
            f"≥ {TARGET_PAGES_PER_SECOND}",
            met(result["requests_per_second"] >= TARGET_PAGES_PER_SECOND),
        ],
        ["p50", f"{result['p50_ms']:.1f} ms", "", ""],
        ["p90", f"{result['p90_ms']:.1f} ms", "", ""],
        [
            "p99",
            f"{result['p99_ms']:.1f} ms",
            f"≤ {TARGET_P99_MS} ms",
            met(result["p99_ms"] <= TARGET_P99_MS),
        ],
        [
            "page + assets",
            f"{page_kb:.1f} KB ({result['page']['page_bytes'] / 1024:.1f} KB HTML)",
            f"≤ {TARGET_PAGE_KB} KB",
            met(page_kb <= TARGET_PAGE_KB),
        ],
        [
            "non-2xx answers",
            f"{result['non_2xx']:,} of {result['requests']:,}",
            "0",
            met(result["non_2xx"] == 0),
        ],
    ]
    data = result["data"]
    lines = [
        "## Public product page (issue #5)",
        "",
        f"{facts['date']}; CPUs {facts['cpus']}; load {facts['load']}; PostgreSQL {facts['postgresql']}; "
        f"commit {facts['commit']}.",
        "",
        f"`python -m bench.portal` (`make bench`, or `python -m bench.run --portal-only`): "
        f"{data['serials']:,} serials of one GTIN in {data['lots']:,} lots ({data['index_rows']:,} index "
        f"rows, written in {data['seconds']} s by `COPY`) on PostgreSQL; {result['server']}; "
        f"{result['load']}, every request a random serial of them and a full scan (own events read, "
        "counter counted, scan row written). The machine is shared: the load average above says how busy "
        "it was.",
        "",
        table(["", "measured", "target", ""], rows),
        "",
        f"In one process (Django test client, whole middleware stack, no HTTP server, warm caches): "
        f"**{inproc['ms_per_page']:.2f} ms a page** (median of {inproc['runs']} runs of {inproc['pages']} "
        f"random serials; {inproc['cpu_ms_per_page']:.2f} ms of it this process's CPU, the rest "
        f"PostgreSQL), **{inproc['queries_per_page']} SQL statements a page**.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portal", description=__doc__.splitlines()[0])
    parser.add_argument("--serials", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread: keep-alive)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pages", type=int, default=500, help="pages per in-process run (default 500)")
    parser.add_argument("--runs", type=int, default=5, help="in-process runs, median kept (default 5)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON results go")
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md alone")
    parser.add_argument("--generate-only", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure-in-process", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate_only is not None:  # the child process: Django against the bench database
        print(json.dumps(generate(args.generate_only)))
        return 0
    if args.measure_in_process is not None:
        result = in_process(args.measure_in_process, args.pages, args.runs)
        result.pop("queries")
        print(json.dumps(result))
        return 0
    from bench.report import PERFORMANCE_MD, machine_facts, write_section

    admin = postgres_admin_url()
    version, why = postgres_status(admin)
    if version is None:
        print(f"PostgreSQL does not answer at {admin}: {why}", file=sys.stderr)
        return 2
    if not Path(WRK).exists():
        print(f"{WRK} is missing: apt-get install wrk", file=sys.stderr)
        return 2
    facts = machine_facts(version)
    with (
        tempfile.TemporaryDirectory(prefix="tracehub-bench-portal-") as folder,
        postgres_database(admin) as db,
    ):
        platform = Platform(database=db, data_dir=Path(folder) / "data")
        try:
            platform.prepare()
            platform.manage("collectstatic", "--noinput", "-v0")
            print(f"generating {args.serials:,} serials …", flush=True)
            generated = _child(platform, "--generate-only", str(args.serials))
            print(f"  {generated}", flush=True)
            print(f"in process: {args.runs} runs of {args.pages} pages …", flush=True)
            inproc = _child(
                platform,
                "--measure-in-process",
                str(args.serials),
                "--pages",
                str(args.pages),
                "--runs",
                str(args.runs),
            )
            print(f"  {inproc}", flush=True)
            platform.start_server(workers=args.workers, threads=args.threads)
            script = Path(folder) / "serials.lua"
            script.write_text(WRK_SCRIPT % {"serials": args.serials, "gtin": generated["gtin"]})
            size = _page_size(platform, f"/01/{generated['gtin']}/21/{args.serials // 2:010d}")
            print(f"wrk: {args.warmup} s warm-up, {args.seconds} s measured …", flush=True)
            _wrk(platform.port, script, seconds=args.warmup, connections=args.connections, threads=2)
            run = _wrk(platform.port, script, seconds=args.seconds, connections=args.connections, threads=2)
        finally:
            platform.stop()
    result = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "postgresql": version,
        "cpus": os.cpu_count(),
        "server": f"gunicorn, {args.workers} workers × {args.threads} threads, DEBUG off",
        "load": f"wrk, {args.connections} connections, {args.seconds} s after {args.warmup} s warm-up",
        "data": generated,
        "page": size,
        "in_process": inproc,
        **{k: v for k, v in run.items() if k != "wrk"},
    }
    args.results.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(run["wrk"])
    section = markdown(result, facts)
    print(section)
    if not args.no_write:
        write_section("portal", section)
        print(f"\nwritten to {PERFORMANCE_MD.relative_to(PERFORMANCE_MD.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

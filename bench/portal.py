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

Prints the figures and writes them to ``bench/portal-results.json``; docs/portal.md quotes them.
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
        cursor.execute("ANALYZE epcis_event")
        cursor.execute("ANALYZE epcis_eventindex")
    return {
        "gtin": gtin,
        "serials": serials,
        "lots": lots,
        "events": lots,
        "index_rows": EventIndex.objects.filter(event__capture_job=job).count(),
        "seconds": round(time.monotonic() - start, 1),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portal", description=__doc__.splitlines()[0])
    parser.add_argument("--serials", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread: keep-alive)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--generate-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate_only is not None:  # the child process: Django against the bench database
        print(json.dumps(generate(args.generate_only)))
        return 0
    admin = postgres_admin_url()
    version, why = postgres_status(admin)
    if version is None:
        print(f"PostgreSQL does not answer at {admin}: {why}", file=sys.stderr)
        return 2
    if not Path(WRK).exists():
        print(f"{WRK} is missing: apt-get install wrk", file=sys.stderr)
        return 2
    with (
        tempfile.TemporaryDirectory(prefix="tracehub-bench-portal-") as folder,
        postgres_database(admin) as db,
    ):
        platform = Platform(database=db, data_dir=Path(folder) / "data")
        try:
            platform.prepare()
            platform.manage("collectstatic", "--noinput", "-v0")
            print(f"generating {args.serials:,} serials …", flush=True)
            child = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "bench.portal", "--generate-only", str(args.serials)],
                env=platform.env,
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                raise BenchError(f"the data generator failed:\n{child.stderr[-3000:]}")
            generated = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"  {generated}", flush=True)
            platform.start_server(workers=args.workers, threads=args.threads)
            script = Path(folder) / "serials.lua"
            script.write_text(WRK_SCRIPT % {"serials": args.serials, "gtin": generated["gtin"]})
            size = _page_size(platform, f"/01/{generated['gtin']}/21/{args.serials // 2:010d}")
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
        **{k: v for k, v in run.items() if k != "wrk"},
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(run["wrk"])
    print(
        f"{result['requests_per_second']:.0f} pages/s, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, page {size['total_bytes'] / 1024:.1f} KB with assets "
        f"({size['page_bytes'] / 1024:.1f} KB HTML); non-2xx {result['non_2xx']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

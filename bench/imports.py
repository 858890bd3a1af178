"""Bulk import benchmark (issue #3 item 7): the preview and the commit of a 5,000-row file.

``python -m bench.imports [--rows 5000] [--rounds 3]`` (not part of ``make bench``) migrates a fresh
SQLite database in a temporary directory (``DATABASE_URL`` is set before Django starts), files one
party through the registry services, and then, per round, uploads a locations workbook of
``--rows`` rows naming that party (the template filled with openpyxl, as in Excel) through
``import_batch_create`` (the dry run: every row through ``location_create``, rolled back) and commits
it with ``import_batch_commit``. It prints the seconds of each, median and range, and the queries
of one preview (a fixed number per file plus a fixed number per row: ``tests/registry/
test_import.py`` asserts the count; the speed is measured here). docs/import.md quotes the figures.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

from bench.report import Stat

HEADERS = {
    "party": "所属主体统一社会信用代码",
    "identifier": "场所编码",
    "name": "场所名称",
    "kind": "场所类型",
    "address": "地址",
    "district": "所在区",
}


def _workbook(template: bytes, uscc: str, rows: int, round_: int) -> bytes:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for i in range(rows):
        values = {
            HEADERS["party"]: uscc,
            HEADERS["identifier"]: f"urn:tracehub:loc:{uscc}:{round_ * rows + i + 1}",
            HEADERS["name"]: f"仓库{round_}-{i}",
            HEADERS["kind"]: "仓库",
            HEADERS["address"]: "翔安区",
            HEADERS["district"]: "翔安",
        }
        sheet.append([values.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure(rows: int, rounds: int) -> dict[str, Stat]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracehub.settings")
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation
    from stdnum.cn import uscc as uscc_check

    from tracehub.accounts.services import api_client_create
    from tracehub.registry import imports, services
    from tracehub.registry.actors import Actor, ActorKind
    from tracehub.registry.import_templates import template_xlsx

    call_command("migrate", verbosity=0)
    system = Actor.system("bench")
    body = "91350213" + "260143759"
    party = services.party_create(
        actor=system,
        name="厦门翔润肉类食品有限公司",
        party_type="slaughterhouse",
        id_kind="uscc",
        uscc=body + uscc_check.calc_check_digit(body + "0"),
        sectors=["meat_veg", "food"],
        district="350213",
    )
    services.filing_approve(actor=system, filing=services.filing_submit(actor=system, party=party))
    client, _key = api_client_create(name="bench imports")
    actor = Actor(kind=ActorKind.PLATFORM_CLIENT, client=client, label="bench imports")
    with translation.override("zh-hans"):
        template = template_xlsx("locations")
    kind = "locations"
    preview: list[float] = []
    commit: list[float] = []
    queries = 0
    for round_ in range(rounds):
        data = _workbook(template, party.uscc, rows, round_)
        upload = SimpleUploadedFile("locations.xlsx", data)
        with translation.override("zh-hans"), CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            batch = imports.import_batch_create(
                actor=actor, kind=kind, content=upload, filename="locations.xlsx"
            )
            preview.append(time.perf_counter() - started)
        queries = len(captured)
        if batch.status != "ready" or batch.row_count != rows:
            raise SystemExit(f"bench.imports: the preview refused the file: {batch.errors[:3]}")
        started = time.perf_counter()
        batch = imports.import_batch_commit(actor=actor, batch=batch)
        commit.append(time.perf_counter() - started)
        if batch.status != "committed":
            raise SystemExit(f"bench.imports: the commit failed: {batch.status} {batch.errors[:3]}")
    return {
        "preview": Stat(tuple(preview)),
        "commit": Stat(tuple(commit)),
        "queries": Stat((float(queries),)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows per file (default 5000, the limit)")
    parser.add_argument("--rounds", type=int, default=3, help="files previewed and committed (default 3)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tracehub-bench-imports-") as directory:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'tracehub.sqlite3'}"
        os.environ["TRACEHUB_DATA_DIR"] = directory
        result = measure(args.rows, args.rounds)
    print(f"Bulk import, SQLite, {args.rows:,} locations per file, {args.rounds} files:")
    print(
        f"  preview (dry run)  {result['preview'].show('{:.1f}')} s, {result['queries'].median:,.0f} queries"
    )
    print(f"  commit             {result['commit'].show('{:.1f}')} s")


if __name__ == "__main__":
    main()

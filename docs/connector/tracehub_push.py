#!/usr/bin/env python3
"""Push an enterprise system's records to TraceHub as EPCIS 2.0 events (issue #7 item 4, E2).

A sample connector for an enterprise that runs its own ERP, WMS or MES: it reads the system's
export (CSV in the shape below, or JSON Lines of ready-made EPCIS events), sends them to the
platform's standard capture interface (``POST /epcis/capture``, GS1 EPCIS 2.0 REST binding) in
batches, waits for each capture job and reports every refused record by its line number.

Standard library only (Python 3.9+), so it runs on the enterprise's own server unchanged::

    python3 tracehub_push.py --url https://trace.example.gov.cn --key "$TRACEHUB_KEY" shipments.csv
    python3 tracehub_push.py --url http://127.0.0.1:8000 --key "$KEY" --dry-run events.jsonl

Re-sending is safe: each CSV row becomes an event whose eventID is derived from the row's content
(UUID v5), and the platform stores an event it already holds only once (the job counts it as a
duplicate). A batch is stored whole or not at all (``GS1-Capture-Error-Behaviour: rollback``), so
after fixing the refused rows the same file can simply be sent again.

CSV columns (UTF-8, header row; Excel's "CSV UTF-8" works):

    event_time      2026-11-28T09:30:00+08:00 (ISO 8601 with offset; no offset = Asia/Shanghai)
    step            commissioning | shipping | receiving | storing | retail_selling | inspecting |
                    any CBV 2.0 bizStep or a full URI
    gtin            GTIN-8/12/13/14 of the product
    lot             batch/lot number (AI 10), for lot-level records
    serial          serial number (AI 21), for item-level records (one row per item)
    quantity, uom   amount for lot-level records (uom: UN/ECE code, e.g. KGM, LTR; blank = units)
    location_gln    GLN of the site where it happened (13 digits)
    destination_gln GLN of the receiving party's site, for shipping rows (optional)
    document        invoice or delivery-note number, for shipping/receiving rows (optional)

Exit status: 0 every record stored (or already there), 1 some refused, 2 bad arguments or file,
3 the platform could not be reached or answered unexpectedly.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8))
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
DL = "https://id.gs1.org"
#: The namespace for the row-derived eventIDs: fixed, so that the same row always gets the same id.
ROW_NAMESPACE = uuid.UUID("6f1c2d1e-5b7a-4c3e-9a43-547261636568")


class RecordError(ValueError):
    """A row that cannot become an event; carries its line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin14(value: str, line: int) -> str:
    digits = value.strip()
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise RecordError(line, f"gtin {value!r} must be 8, 12, 13 or 14 digits")
    digits = digits.zfill(14)
    if check_digit(digits[:-1]) != digits[-1]:
        raise RecordError(line, f"gtin {value!r} has a wrong check digit")
    return digits


def gln(value: str, line: int, column: str) -> str:
    digits = value.strip()
    if not digits.isdigit() or len(digits) != 13 or check_digit(digits[:-1]) != digits[-1]:
        raise RecordError(line, f"{column} {value!r} must be a 13-digit GLN with a correct check digit")
    return f"{DL}/414/{digits}"


def event_time(value: str, line: int) -> tuple[str, str]:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(line, f"event_time {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    offset = moment.strftime("%z")
    return moment.isoformat(timespec="seconds"), f"{offset[:3]}:{offset[3:]}"


def row_event(row: dict[str, str], line: int) -> dict:
    """One CSV row -> one EPCIS 2.0 ObjectEvent (JSON-LD)."""
    row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
    missing = [c for c in ("event_time", "step", "gtin", "location_gln") if not row.get(c)]
    if missing:
        raise RecordError(line, "missing " + ", ".join(missing))
    gtin = gtin14(row["gtin"], line)
    when, offset = event_time(row["event_time"], line)
    step = row["step"]
    event: dict = {
        "type": "ObjectEvent",
        "eventTime": when,
        "eventTimeZoneOffset": offset,
        "action": "ADD" if step == "commissioning" else "OBSERVE",
        "bizStep": step,
        "readPoint": {"id": gln(row["location_gln"], line, "location_gln")},
        "bizLocation": {"id": gln(row["location_gln"], line, "location_gln")},
    }
    if row.get("serial"):
        event["epcList"] = [f"{DL}/01/{gtin}/21/{row['serial']}"]
        if row.get("lot") and step == "commissioning":
            event["ilmd"] = {"cbvmda:lotNumber": row["lot"]}
    elif row.get("lot"):
        try:
            quantity = float(row.get("quantity") or "")
        except ValueError:
            raise RecordError(line, "a lot-level row needs a numeric quantity") from None
        element = {"epcClass": f"{DL}/01/{gtin}/10/{row['lot']}", "quantity": quantity}
        if row.get("uom"):
            element["uom"] = row["uom"]
        event["quantityList"] = [element]
    else:
        raise RecordError(line, "give a serial (one item) or a lot with a quantity")
    if row.get("destination_gln"):
        event["destinationList"] = [
            {"type": "location", "destination": gln(row["destination_gln"], line, "destination_gln")}
        ]
    if row.get("document"):
        # CBV 2.0 §8.5: a business transaction is named by its issuer's GLN and its own number.
        issuer = row["location_gln"].strip()
        number = urllib.parse.quote(row["document"], safe="")
        event["bizTransactionList"] = [
            {"type": "inv", "bizTransaction": f"urn:epcglobal:cbv:bt:{issuer}:{number}"}
        ]
    # The same row always gives the same eventID, so sending a file twice stores nothing twice.
    event["eventID"] = "urn:uuid:" + str(uuid.uuid5(ROW_NAMESPACE, json.dumps(event, sort_keys=True)))
    return event


def records(path: str) -> Iterator[tuple[int, dict]]:
    """(line number, event) for each record of a CSV export or a JSON Lines file of events."""
    if path.endswith((".jsonl", ".ndjson")):
        with open(path, encoding="utf-8") as handle:
            for line, text in enumerate(handle, 1):
                if text.strip():
                    try:
                        yield line, json.loads(text)
                    except json.JSONDecodeError as exc:
                        raise RecordError(line, f"not JSON: {exc.msg}") from None
        return
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, row_event(row, reader.line_num)


class Platform:
    def __init__(self, url: str, key: str, timeout: float = 60.0) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"--url {url!r} must be an http:// or https:// address")
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict, dict]:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url + path,
            data=body,
            method=method,
            headers={
                "Authorization": f"Bearer {self.key}",
                "Content-Type": "application/ld+json",
                "Accept": "application/json",
                "GS1-Capture-Error-Behaviour": "rollback",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, dict(response.headers), json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            try:
                data = json.loads(payload or b"{}")
            except json.JSONDecodeError:
                data = {"detail": payload.decode("utf-8", "replace")[:500]}
            return exc.code, dict(exc.headers), data

    def capture(self, events: list[dict]) -> dict:
        """Send one batch; wait for its capture job; the job (or the refusal) as a dict."""
        document = {
            "@context": [CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
            "epcisBody": {"eventList": events},
        }
        status, headers, data = self._request("POST", "/epcis/capture", json.dumps(document).encode())
        if status == 400:
            return {"success": False, "errors": data.get("errors", []), "detail": data.get("detail")}
        if status != 202:
            raise ConnectionError(f"capture answered {status}: {data.get('detail') or data}")
        location = headers.get("Location") or headers.get("location")
        for delay in (0, 0.2, 0.5, 1, 2, 5, 5, 10, 10, 30, 30, 60):
            time.sleep(delay)
            status, _, job = self._request("GET", location)
            if status != 200:
                raise ConnectionError(f"{location} answered {status}")
            if not job.get("running"):
                return job
        raise ConnectionError(f"capture job {location} still running; check it later")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="CSV export (columns in the module docstring) or .jsonl of EPCIS events")
    parser.add_argument("--url", required=True, help="the platform, e.g. https://trace.example.gov.cn")
    parser.add_argument("--key", required=True, help="the API key the platform issued to the enterprise")
    parser.add_argument("--batch", type=int, default=500, help="events per capture document (1-5000)")
    parser.add_argument("--dry-run", action="store_true", help="check and convert the file; send nothing")
    args = parser.parse_args(argv)
    if not 1 <= args.batch <= 5000:
        parser.error("--batch must be between 1 and 5000")
    try:
        items = list(records(args.file))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    except RecordError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(f"{len(items)} records read; nothing sent (--dry-run)")
        return 0
    try:
        platform = Platform(args.url, args.key)
    except ValueError as exc:
        parser.error(str(exc))
    stored = duplicates = refused = 0
    for start in range(0, len(items), args.batch):
        part = items[start : start + args.batch]
        try:
            job = platform.capture([event for _, event in part])
        except (ConnectionError, urllib.error.URLError, TimeoutError) as exc:
            print(f"records {start + 1}-{start + len(part)}: {exc}", file=sys.stderr)
            return 3
        if job.get("success"):
            stored += job.get("capturedCount", 0)
            duplicates += job.get("duplicateCount", 0)
            continue
        refused += len(part)
        for error in job.get("errors") or [{"message": job.get("detail") or "refused"}]:
            index = error.get("index")
            where = f"line {part[index][0]}" if isinstance(index, int) and index < len(part) else "batch"
            print(f"{where}: {error.get('path', '')} {error.get('message', '')}".strip(), file=sys.stderr)
    print(f"stored {stored}, already there {duplicates}, refused {refused} (of {len(items)} records)")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())

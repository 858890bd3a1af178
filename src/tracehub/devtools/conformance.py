"""`make conformance`: the public conformance data against the platform's EPCIS interface.

Reads ``../shared/conformance`` in place (never copied into the project): every valid EPCIS
document must be captured with success through ``POST /epcis/capture`` (single events through
``POST /epcis/events``), every document under an ``Invalid`` folder must be refused with a 4xx and
nothing stored, and every event of the event-hash vectors must hash as its ``.hashes`` file says.
Each document runs in a transaction of its own that is rolled back afterwards, so documents that
reuse each other's eventIDs do not interfere. Prints counts; exits 1 on any miss.

Documents the team judged to be wrong themselves are listed in KNOWN_DATA_ERRORS with the reason
(also in docs/conformance.md); they are expected to be refused, and the run checks that they are.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

#: path (relative to the conformance folder) → why the document is itself in error.
_GRAI_NO_ZERO = (
    "a GRAI Digital Link (https://id.example.com/8003/952012200000001004) lacks the leading 0 of AI 8003"
)
_GRAI_CHECK = "a GRAI Digital Link (https://id.example.com/8003/03…) has a wrong GS1 check digit"
_O12 = "openepcis-test-resources/1.2/EPCIS/XML/Capture/Documents/"
_O2J = "openepcis-test-resources/2.0/EPCIS/JSON/Capture/Documents/"
_O2X = "openepcis-test-resources/2.0/EPCIS/XML/Capture/Documents/"
KNOWN_DATA_ERRORS: dict[str, str] = {
    _O2J + "SensorData_with_combined_events.json": _GRAI_NO_ZERO,
    _O2X + "SensorData_with_combined_events.xml": _GRAI_NO_ZERO,
    _O2J + "Combination_of_different_event.json": _GRAI_CHECK,
    _O2X + "Combination_of_different_event.xml": _GRAI_CHECK,
    _O12 + "All_eventTypes_in_single_document.xml": _GRAI_CHECK,
    _O12 + "ObjectEvent_all_possible_fields.xml": (
        "certificationInfo 'test certification' is not a URI, and an ILMD sits on an OBSERVE event"
    ),
    _O2X + "JumbledFieldsOrder.xml": "event elements out of the order the EPCIS 2.0 XSD prescribes",
    _O12 + "Jumbled_attributes_order.xml": "event elements out of the order the EPCIS 1.2 XSD prescribes",
    _O12 + "TransactionEvent_all_possible_fields.xml": (
        "declarationTime 2006-11-07T13:00Z has no seconds: not an xsd:dateTime"
    ),
}

_NOT_DOCUMENT_ROOTS = ("EPCISDocument", "EPCISQueryDocument")


class _Rollback(Exception):
    pass


def _media(path: Path) -> str:
    return "application/xml" if path.suffix == ".xml" else "application/ld+json"


def _is_capture_document(path: Path) -> bool:
    head = path.read_bytes()[:4000]
    return any(root.encode() in head for root in _NOT_DOCUMENT_ROOTS)


def valid_documents(root: Path) -> list[Path]:
    paths: list[Path] = []
    for pattern in ("gs1-epcis/JSON/**/*.json*", "gs1-epcis/XML/**/*.xml"):
        paths.extend(root.glob(pattern))
    for folder in (
        "openepcis-test-resources/2.0/EPCIS/JSON/Capture/Documents",
        "openepcis-test-resources/2.0/EPCIS/XML/Capture/Documents",
        "openepcis-test-resources/1.2/EPCIS/XML/Capture/Documents",
    ):
        paths.extend(p for p in (root / folder).iterdir() if p.suffix in (".json", ".jsonld", ".xml"))
    return sorted(p for p in paths if _is_capture_document(p))


def single_events(root: Path) -> list[Path]:
    folder = root / "openepcis-test-resources/2.0/EPCIS/JSON/Capture/Events"
    return sorted(folder.glob("*.json*"))


def invalid_documents(root: Path) -> list[Path]:
    return sorted(
        p
        for p in (root / "openepcis-test-resources").glob("2.0/EPCIS/*/Capture/Invalid/*")
        if p.suffix in (".json", ".jsonld", ".xml")
    )


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "../shared/conformance").resolve()
    if not root.is_dir():
        print(f"No conformance data at {root}.", file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="tracehub-conformance-")
    os.environ["TRACEHUB_DATA_DIR"] = workdir
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/conformance.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracehub.settings")
    import django

    django.setup()
    import logging

    # Every refused document is a deliberate 4xx here; the per-request warnings are noise.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from tracehub.accounts.services import api_client_create
    from tracehub.epcis.conformance_hash import classify_hash_vectors
    from tracehub.epcis.models import Event

    call_command("migrate", verbosity=0, interactive=False)
    _client, key = api_client_create(name="conformance runner")
    http = Client(headers={"Authorization": f"Bearer {key}"})
    failures: list[str] = []

    def post(path: Path, url: str):
        with transaction.atomic():
            response = http.post(url, data=path.read_bytes(), content_type=_media(path))
            stored = Event.objects.count()
            if url.endswith("/capture") and response.status_code == 202:
                job = http.get(response["Location"]).json()
            else:
                job = None
            raise_rollback = _Rollback()
            raise_rollback.result = (response, stored, job)  # type: ignore[attr-defined]
            raise raise_rollback

    def run(path: Path, url: str):
        try:
            post(path, url)
        except _Rollback as done:
            return done.result  # type: ignore[attr-defined]
        raise AssertionError("unreachable")

    valid_ok = 0
    known_ok = 0
    valid = valid_documents(root)
    for path in valid:
        rel = str(path.relative_to(root))
        response, stored, job = run(path, "/epcis/capture")
        if rel in KNOWN_DATA_ERRORS:
            if 400 <= response.status_code < 500 and stored == 0:
                known_ok += 1
            else:
                failures.append(f"{rel}: documented as erroneous data but captured ({response.status_code})")
            continue
        if response.status_code == 202 and job and job["success"] and not job["running"]:
            valid_ok += 1
        else:
            failures.append(
                f"valid {rel}: {response.status_code} {response.content[:600].decode(errors='replace')}"
            )
    events_ok = 0
    singles = single_events(root)
    for path in singles:
        response, stored, _ = run(path, "/epcis/events")
        if response.status_code in (201, 202) and stored >= 1:
            events_ok += 1
        else:
            failures.append(
                f"single event {path.relative_to(root)}: {response.status_code} {response.content[:400]!r}"
            )
    invalid_ok = 0
    invalid = invalid_documents(root)
    for path in invalid:
        response, stored, _ = run(path, "/epcis/capture")
        if 400 <= response.status_code < 500 and stored == 0:
            invalid_ok += 1
        else:
            failures.append(
                f"invalid {path.relative_to(root)}: answered {response.status_code}, stored {stored}"
            )
    passed, known_vectors, total, hash_failures = classify_hash_vectors(
        root / "epcis-event-hash-generator" / "examples"
    )
    failures.extend(f"hash {f}" for f in hash_failures)
    from tracehub.identifiers.conformance_dl import KNOWN_WRONG as DL_KNOWN_WRONG
    from tracehub.identifiers.conformance_dl import run_digital_link_vectors

    dl_passed, dl_total, dl_failures = run_digital_link_vectors(root / "gs1-digital-link-lib-features")
    failures.extend(f"digital link {f}" for f in dl_failures)

    print(f"valid documents captured: {valid_ok}/{len(valid) - len(KNOWN_DATA_ERRORS)}")
    print(f"documents wrong in the data itself, refused as documented: {known_ok}/{len(KNOWN_DATA_ERRORS)}")
    print(f"single events captured: {events_ok}/{len(singles)}")
    print(f"invalid documents refused with nothing stored: {invalid_ok}/{len(invalid)}")
    print(
        f"hash vectors: {passed}/{total - known_vectors} "
        f"(and {known_vectors} vectors wrong in the data itself differ as documented)"
    )
    print(
        f"digital link vectors: {dl_passed}/{dl_total - len(DL_KNOWN_WRONG)} "
        f"(and {len(DL_KNOWN_WRONG)} vectors wrong in the data itself fail as documented)"
    )
    if failures:
        print(f"\n{len(failures)} failures:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print("conformance: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Writes of the event store: capture jobs and captured events (DESIGN.md §2, one write layer).

A capture document is stored whole or not at all (``rollback``, the default), or its valid
events are stored and the others reported (``proceed``), as the EPCIS 2.0 REST binding's
``GS1-Capture-Error-Behaviour`` header asks. Either way every error names the event (index and
eventID) and the field path.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracehub.accounts.models import ApiClient
from tracehub.accounts.services import audit_record
from tracehub.epcis import store
from tracehub.epcis.hashing import event_hash
from tracehub.epcis.jsonld import STANDARD_PREFIXES, ContextError, context_namespaces
from tracehub.epcis.models import CaptureErrorBehaviour, CaptureJob, CaptureStatus
from tracehub.epcis.profiles import event_checks, hook_collector
from tracehub.epcis.sources import EventSource, SourceError, _split_events, open_source
from tracehub.epcis.validation import (
    FieldError,
    NormalizedEvent,
    check_document_header,
    check_event,
    event_list_path,
)
from tracehub.identifiers import company_prefix_of
from tracehub.registry.capture import capture_guard

log = logging.getLogger(__name__)

#: At most this many errors are kept on a job (the rest are counted).
MAX_ERRORS = 1000


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Automatic cyclic garbage collection off while one document is captured (issue #2).

    A capture allocates about a hundred containers per event, nearly all freed by reference
    counting as soon as the event is written. The cyclic collector still counts them, and every
    few thousand events runs a full collection that walks every long-lived object of the process
    (Django, the identifier caches): measured at 30 % of a capture's CPU, in bursts of 100 ms.
    Collection resumes when the document is done; a streamed document collects its young
    objects once per batch (``_CaptureRun._consume``), so memory stays bounded.
    """
    if not gc.isenabled():
        yield  # an outer capture (or the caller) already paused it
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class CaptureRefused(Exception):
    """Raised inside the capture transaction to undo it (rollback behaviour)."""


@dataclass
class CaptureOutcome:
    job: CaptureJob
    errors: list[dict[str, Any]]
    #: Some event (or the whole document) was refused because the client may not capture it
    #: (issue #3 item 5): the API answers 403 rather than 400 when nothing was stored.
    forbidden: bool = False


def capture_job_create(
    *,
    client: ApiClient | None,
    media_type: str,
    size_bytes: int,
    error_behaviour: str = CaptureErrorBehaviour.ROLLBACK,
    spool_path: str = "",
) -> CaptureJob:
    """Register a capture job for a received document (it is run by ``capture_job_run``)."""
    if error_behaviour not in CaptureErrorBehaviour.values:
        raise ValueError(f"unknown capture error behaviour {error_behaviour!r}")
    return CaptureJob.objects.create(
        capture_id=uuid.uuid4().hex,
        client=client,
        media_type=media_type,
        size_bytes=size_bytes,
        error_behaviour=error_behaviour,
        spool_path=spool_path,
    )


def capture_spool_write(*, chunks: Iterable[bytes]) -> tuple[str, int]:
    """Write a body to the capture spool (shared by web and worker processes)."""
    spool = Path(settings.TRACEHUB_CAPTURE_SPOOL_DIR)
    spool.mkdir(parents=True, exist_ok=True)
    path = spool / f"{uuid.uuid4().hex}.body"
    size = 0
    with open(path, "wb") as fh:
        for chunk in chunks:
            size += len(chunk)
            fh.write(chunk)
    return str(path), size


def capture_job_enqueue(*, job: CaptureJob) -> None:
    """Hand a spooled job to a worker once the job row is committed."""
    from tracehub.epcis.tasks import run_capture_job

    transaction.on_commit(lambda: run_capture_job.enqueue(job_id=job.pk))


def capture_job_run(
    *, job: CaptureJob, stream: IO[bytes] | None = None, single_event: bool = False
) -> CaptureOutcome:
    """Validate, hash and store a document; the job records the outcome.

    ``stream`` is the body for an inline capture; a spooled job reads its spool file, which
    is removed when the job ends.
    """
    started = timezone.now()
    CaptureJob.objects.filter(pk=job.pk).update(status=CaptureStatus.RUNNING, started_at=started)
    job.status, job.started_at = CaptureStatus.RUNNING, started
    own_stream = stream is None
    if own_stream:
        stream = open(job.spool_path, "rb")  # noqa: SIM115 - closed in finally
    run = _CaptureRun(job=job, single_event=single_event)
    try:
        run.execute(stream)
    finally:
        if own_stream:
            stream.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(job.spool_path)
    return CaptureOutcome(job=run.finish(), errors=run.errors, forbidden=run.forbidden > 0)


def capture_document_store(*, client: ApiClient | None, document: dict[str, Any]) -> CaptureOutcome:
    """Capture an EPCIS document that is already in memory as JSON-LD dicts, as one capture job.

    For generators and importers inside the platform (``tracehub generate_city``): exactly the
    checks, event hashes, hash chain, index rows and audit row of ``capture_job_run`` (the rollback
    behaviour), without serialising the document and parsing it again.
    """
    job = capture_job_create(client=client, media_type="json", size_bytes=0)
    started = timezone.now()
    CaptureJob.objects.filter(pk=job.pk).update(status=CaptureStatus.RUNNING, started_at=started)
    job.status, job.started_at = CaptureStatus.RUNNING, started
    path = event_list_path(document) or "epcisBody.eventList"
    header, events = _split_events(document, path.split("."))
    run = _CaptureRun(job=job, single_event=False)
    run.store(EventSource(header=header, events=iter(events if isinstance(events, list) else [])))
    return CaptureOutcome(job=run.finish(), errors=run.errors, forbidden=run.forbidden > 0)


@dataclass(slots=True)
class _Checked:
    """One event past the EPCIS checks: as normalised and as sent, with its namespaces, position,
    and (unless nothing more will be written) its stored hash, serialised JSON and namespaces."""

    normalized: NormalizedEvent
    event: dict[str, Any]
    namespaces: dict[str, str]
    index: int
    path: str
    row_hash: str = ""
    document: str = ""
    used_namespaces: str = "{}"


class _CaptureRun:
    """One run of one capture job: reading, checking, hashing, writing in batches."""

    def __init__(self, *, job: CaptureJob, single_event: bool) -> None:
        self.job = job
        self.single_event = single_event
        self.rollback = job.error_behaviour == CaptureErrorBehaviour.ROLLBACK
        self.errors: list[dict[str, Any]] = []
        self.error_total = 0
        self.refused_events: set[int] = set()
        self.event_count = 0
        self.captured = 0
        self.duplicates = 0
        self.record_time = timezone.now()
        self.chain = store.GENESIS
        self.batch_size = settings.TRACEHUB_CAPTURE_BATCH
        self.seen_hashes: set[str] = set()
        self.ids_in_doc: dict[str, int] = {}
        self.prefixes: set[str] = set()
        self.prefix_memo: set[tuple[str, str, int]] = set()
        self.extension_memo: dict[int, tuple[dict[str, str], tuple[tuple[str, str], ...]]] = {}
        #: (last row id, stored hashes, stored eventIDs, hashes, eventIDs) of a document looked up
        #: before the chain lock (``_look_up_stored``); None when each batch looks up under it.
        self.known: tuple[int, set[str], dict[str, int], set[str], set[str]] | None = None
        self.failed_hard = False
        self.streamed = False
        self.path_prefix = "epcisBody.eventList"
        # Who may capture what (registry, issue #3 item 5): built once per document, it holds
        # the client's party locations so each event is checked without a query.
        self.guard = capture_guard(job.client)
        self.forbidden = 0
        # Sector hooks (epcis.profiles): None when none is registered; otherwise an event whose
        # bizStep no hook asked for costs one dictionary look-up, and no query.
        self.hooks = hook_collector()

    # -- errors --------------------------------------------------------------------------
    def add_errors(self, errors: list[FieldError] | list[dict[str, Any]]) -> None:
        for error in errors:
            data = error.as_dict() if isinstance(error, FieldError) else error
            # Errors echo what was sent; PostgreSQL's jsonb cannot hold NUL, so make it visible.
            data = {k: v.replace("\x00", "\\x00") if isinstance(v, str) else v for k, v in data.items()}
            self.error_total += 1
            if data.get("index") is not None:
                self.refused_events.add(data["index"])
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(data)

    # -- the run -------------------------------------------------------------------------
    def execute(self, stream: IO[bytes]) -> None:
        with _collector_paused():
            self._execute(stream)

    def _execute(self, stream: IO[bytes]) -> None:
        try:
            source = open_source(
                stream,
                kind=self.job.media_type,
                size=self.job.size_bytes,
                inline_max=settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES,
                single_event=self.single_event,
            )
        except SourceError as exc:
            self.add_errors([{"index": None, "eventID": None, "path": exc.path, "message": exc.message}])
            self.failed_hard = True
            return
        # A document small enough to be captured inline is checked whole before the chain lock.
        self.store(
            source,
            check_first=self.single_event
            or self.job.size_bytes <= settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES,
        )

    def store(self, source: EventSource, *, check_first: bool = True) -> None:
        """Check the header, then check, hash and write the events in one transaction.

        Writers take turns on the hash chain (``store.lock_chain``), so whatever runs under that
        lock runs on one core however many documents arrive. With ``check_first`` (a document
        that is in memory anyway) the EPCIS checks, event hashes and serialisation, most of a
        capture's CPU, run before the lock; a streamed document is checked as it is read, under
        the lock, so memory stays bounded (issue #2).
        """
        with _collector_paused():
            self._store(source, check_first=check_first)

    def _store(self, source: EventSource, *, check_first: bool) -> None:
        self.single_event = source.single_event
        self.streamed = not check_first
        if self.guard is not None and self.guard.refusal:
            self.add_errors([{"index": None, "eventID": None, "path": "", "message": self.guard.refusal}])
            self.forbidden += 1
            self.failed_hard = True
            return
        namespaces, header_errors = check_document_header(source.header, single_event=source.single_event)
        if header_errors:
            self.add_errors(header_errors)
            self.failed_hard = True
            return
        try:
            checked = self._checked(source, namespaces)
            if check_first:
                checked = list(checked)
                self._look_up_stored(checked)
            with transaction.atomic():
                self.chain = store.lock_chain()
                if self.known is not None:
                    self._catch_up_stored()
                self._consume(checked)
                if self.rollback and self.error_total:
                    raise CaptureRefused
                store.remember_prefixes(self.prefixes)
                audit_record(
                    actor_client=self.job.client,
                    action="epcis.capture",
                    object_type="epcis.CaptureJob",
                    object_id=self.job.capture_id,
                    after={
                        "captured": self.captured,
                        "duplicates": self.duplicates,
                        "refused": self.error_total,
                    },
                )
                if self.hooks is not None:
                    self.hooks.on_commit(client=self.job.client, capture_id=self.job.capture_id)
        except CaptureRefused:
            self.captured = 0
        except SourceError as exc:
            # A document that breaks off half-way (truncated JSON, XML error deep inside) is
            # refused whole whatever the error behaviour: we cannot tell what it meant.
            self.add_errors([{"index": None, "eventID": None, "path": exc.path, "message": exc.message}])
            self.failed_hard = True
            self.captured = 0
        if self.hooks is not None:
            # Refusals are reported once the capture's own transaction has ended (issue #6 item 2).
            self.hooks.after_transaction(client=self.job.client, capture_id=self.job.capture_id)

    def _checked(self, source: EventSource, namespaces: dict[str, str]) -> Iterator[_Checked]:
        """Each event that passes the EPCIS checks and the client's guard, hashed and serialised.

        Nothing here reads the store, so for a document already in memory this runs before the
        chain lock is taken (:meth:`store`) and two documents are checked at once on two cores.
        """
        prefix = "" if self.single_event else (event_list_path(source.header) or "epcisBody.eventList")
        self.path_prefix = prefix
        extra = source.extra_namespaces
        for index, event in enumerate(source.events):
            self.event_count += 1
            ns = namespaces
            if extra:
                ns = {**extra, **namespaces}
            if isinstance(event, dict) and "@context" in event and not self.single_event:
                try:
                    ns = context_namespaces(event["@context"], ns)
                except ContextError as exc:
                    self.add_errors([_error(index, event, f"{prefix}[{index}].@context", str(exc))])
                    continue
            path = "" if self.single_event else f"{prefix}[{index}]"
            normalized, errors = check_event(event, index=index, path_prefix=path, namespaces=ns)
            if errors:
                self.add_errors(errors)
                continue
            if self.guard is not None:
                refusal = self.guard.check(normalized, event)
                if refusal is not None:
                    where = f"{path}.{refusal.path}" if refusal.path else path
                    self.add_errors([_error(index, event, where, refusal.message)])
                    self.forbidden += 1
                    continue
            if self.rollback and self.error_total:
                # Nothing more will be written: the profiles still check it, to report every error.
                yield _Checked(normalized, event, ns, index, path)
                continue
            try:
                digest = event_hash(event, ns)
            except ContextError as exc:
                # A nested extension key whose prefix is not declared: only the hash walks that deep.
                self.add_errors([_error(index, event, path, str(exc))])
                continue
            document = orjson.dumps(event).decode()
            yield _Checked(
                normalized,
                event,
                ns,
                index,
                path,
                row_hash=_row_hash(normalized, event, digest),
                document=document,
                used_namespaces=self._used_namespaces(document, ns),
            )

    def _used_namespaces(self, document: str, namespaces: dict[str, str]) -> str:
        """The extension namespaces an event uses (JSON), so it can be rendered on its own later.

        Searched in the serialised event (a C-level substring search) rather than by walking the
        dicts. The standard context's prefixes need no record; the rest are listed once per
        namespace map (one per document, or per event with its own @context).
        """
        key = id(namespaces)
        memo = self.extension_memo.get(key)
        if memo is None or memo[0] is not namespaces:
            own = tuple((p, u) for p, u in namespaces.items() if STANDARD_PREFIXES.get(p) != u)
            memo = self.extension_memo[key] = (namespaces, own)
        used = {prefix: uri for prefix, uri in memo[1] if f'"{prefix}:' in document}
        return orjson.dumps(used).decode() if used else "{}"

    def _look_up_stored(self, checked: list[_Checked]) -> None:
        """Which of a whole document's events are stored already, looked up before the chain lock.

        The index probes for a thousand hashes and eventIDs are the costliest queries of a
        capture; under the lock they would make every other writer wait. Under the lock,
        :meth:`_catch_up_stored` then adds what other writers stored in between.
        """
        hashes = [item.row_hash for item in checked if item.row_hash]
        if not hashes:
            return
        after = store.last_row_id()
        ids = [item.normalized.event_id for item in checked if item.row_hash and item.normalized.event_id]
        self.known = (after, store.stored_hashes(hashes), store.stored_event_ids(ids), set(hashes), set(ids))

    def _catch_up_stored(self) -> None:
        after, stored, stored_ids, hashes, ids = self.known
        new_hashes, new_ids = store.stored_since(after, hashes, ids)
        self.known = (after, stored | new_hashes, {**stored_ids, **new_ids}, hashes, ids)

    def _consume(self, events: Iterable[_Checked]) -> None:
        """Run the sector profiles on the checked events and write them in batches (chain lock held).

        The profiles run here, under the lock, because their rules read the store (a failed test
        on the lot, a code already dispensed): two documents must not both pass on the same state.
        """
        pending: list[_Checked] = []
        for seen, item in enumerate(events, 1):
            if self.streamed and seen % self.batch_size == 0:
                # Automatic collection is paused (``_collector_paused``): collect the young
                # objects of the last batch so a long streamed document's cycles do not pile up.
                gc.collect(1)
            # Sector profiles (tracehub.sectors, issue #6) plug their checks in through a registry.
            problems = event_checks(item.normalized, item.event, item.namespaces, self)
            if problems:
                self.add_errors(
                    [_profile_error(item.index, item.event, f"{item.path}.{p.path}", p) for p in problems]
                )
                if self.hooks is not None:
                    self.hooks.refusal(item.normalized, item.event, item.namespaces, problems)
                continue
            if (self.rollback and self.error_total) or not item.row_hash:
                continue  # nothing more will be written; keep checking to report every error
            pending.append(item)
            if len(pending) >= self.batch_size:
                self._write(pending)
                pending = []
        if pending and not (self.rollback and self.error_total):
            self._write(pending)

    def _write(self, pending: list[_Checked]) -> None:
        if self.known is not None:
            stored, stored_ids = self.known[1], self.known[2]
        else:
            stored = store.stored_hashes([p.row_hash for p in pending])
            stored_ids = store.stored_event_ids(
                [p.normalized.event_id for p in pending if p.normalized.event_id]
            )
        accepted: list[tuple[_Checked, str, int | str | None]] = []
        batch_ids: dict[str, int] = {}  # eventID -> position in `accepted`, for same-batch targets
        for item in pending:
            normalized, row_hash = item.normalized, item.row_hash
            declaration = normalized.error_declaration
            if row_hash in stored or row_hash in self.seen_hashes:
                self.duplicates += 1
                continue
            # The event hash is the row hash for every event but an error declaration.
            event_id = normalized.event_id or row_hash.split("#", 1)[0]
            target: int | str | None = None
            if declaration is not None:
                target = stored_ids.get(event_id) or self.ids_in_doc.get(event_id)
                if target is None and event_id in batch_ids:
                    target = f"batch:{batch_ids[event_id]}"
            elif event_id in stored_ids or event_id in self.ids_in_doc or event_id in batch_ids:
                self.add_errors(
                    [
                        _error(
                            item.index,
                            item.event,
                            f"{_path(self, item.index)}.eventID",
                            f"eventID {event_id} is already used by a different event",
                        )
                    ]
                )
                continue
            self.seen_hashes.add(row_hash)
            if target is None:
                batch_ids[event_id] = len(accepted)
            accepted.append((item, event_id, target))
        if not accepted or (self.rollback and self.error_total):
            return
        ids = store.allocate_ids(len(accepted))
        rows: list[store.EventRow] = []
        index_rows: list[tuple] = []
        for row_id, (item, event_id, target) in zip(ids, accepted, strict=True):
            normalized = item.normalized
            if isinstance(target, str):
                target = ids[int(target.split(":", 1)[1])]
            row = store.EventRow(
                id=row_id,
                event_id=event_id,
                event_hash=item.row_hash,
                event_type=normalized.event_type,
                event_time=normalized.event_time,
                event_time_zone_offset=normalized.event_time_zone_offset,
                record_time=self.record_time,
                action=normalized.action or "",
                biz_step=normalized.biz_step or "",
                disposition=normalized.disposition or "",
                read_point=normalized.read_point or "",
                biz_location=normalized.biz_location or "",
                declares_error_for_id=target,
                error_declared=normalized.error_declaration is not None and target is None,
                capture_job_id=self.job.pk,
                client_id=self.job.client_id,
                document=item.document,
                namespaces=item.used_namespaces,
            )
            row.chain_hash = self.chain = store.chain_link(
                self.chain,
                event_id=row.event_id,
                event_hash=row.event_hash,
                record_time=row.record_time,
                document=row.document,
                declares_error_for_id=target,
                row_id=row_id,
            )
            rows.append(row)
            if target is None:
                self.ids_in_doc[event_id] = row_id
                if self.hooks is not None:
                    self.hooks.stored(normalized, item.event, item.namespaces, event_id)
                for entry in normalized.index:
                    index_rows.append((row_id, entry.key, entry.role, entry.qualifier))
                    if entry.prefix_length:
                        # Serials of one GTIN share its prefix: work it out once per key head.
                        head = entry.key.split("/", 2)
                        memo = (head[0], head[1] if len(head) > 1 else "", entry.prefix_length)
                        if memo not in self.prefix_memo:
                            self.prefix_memo.add(memo)
                            cp = company_prefix_of(entry.key, entry.prefix_length)
                            if cp:
                                self.prefixes.add(cp)
        store.insert_rows(rows, index_rows)
        self.captured += len(rows)

    def finish(self) -> CaptureJob:
        job = self.job
        job.finished_at = timezone.now()
        job.event_count = self.event_count
        job.captured_count = self.captured
        job.duplicate_count = self.duplicates
        job.error_count = len(self.refused_events) or (1 if self.error_total else 0)
        # Profile errors are found after the EPCIS errors of the whole document (``store``):
        # list them all in document order, as a client reads them.
        self.errors.sort(key=lambda e: -1 if e.get("index") is None else e["index"])
        errors = list(self.errors)
        if self.error_total > len(errors):
            errors.append(
                {
                    "index": None,
                    "eventID": None,
                    "path": "",
                    "message": f"{self.error_total - len(errors)} more errors not listed",
                }
            )
        job.errors = errors
        failed = self.failed_hard or (self.rollback and self.error_total)
        job.status = CaptureStatus.FAILED if failed else CaptureStatus.SUCCEEDED
        CaptureJob.objects.filter(pk=job.pk).update(
            status=job.status,
            finished_at=job.finished_at,
            event_count=job.event_count,
            captured_count=job.captured_count,
            duplicate_count=job.duplicate_count,
            error_count=job.error_count,
            errors=job.errors,
        )
        return job


def _row_hash(normalized: NormalizedEvent, event: dict[str, Any], event_hash: str) -> str:
    """The stored hash: the event hash, or for an error declaration a hash of its own.

    The event hash leaves errorDeclaration out (CBV 2.0 §8.9), so a declaration would collide
    with the event it declares; its own hash keeps re-sending the same declaration idempotent.
    """
    if normalized.error_declaration is None:
        return event_hash
    declaration = orjson.dumps(event.get("errorDeclaration"), option=orjson.OPT_SORT_KEYS)
    return f"{event_hash}#declaration-{hashlib.sha256(declaration).hexdigest()[:32]}"


def _path(run: _CaptureRun, index: int) -> str:
    return "" if run.single_event else f"{run.path_prefix}[{index}]"


def _error(index: int, event: Any, path: str, message: str) -> dict[str, Any]:
    event_id = event.get("eventID") if isinstance(event, dict) else None
    return {
        "index": index,
        "eventID": event_id if isinstance(event_id, str) else None,
        "path": path.lstrip("."),
        "message": message,
    }


def _profile_error(index: int, event: Any, path: str, problem) -> dict[str, Any]:
    """A profile's refusal as a capture error: its English message, and (when the profile gave
    them) the rule ``code`` and message ``params`` clients and pages render it from
    (tracehub.sectors.messages; docs/sectors/README.md "Messages")."""
    error = _error(index, event, path, str(problem.message))
    if problem.code:
        error["code"] = problem.code
        error["params"] = dict(problem.params)  # JSON values (ProfileError.params)
    return error

"""The plug-in point of sector profiles into capture (DESIGN.md §2, §3 "Sector profiles are data").

The event store knows nothing of sectors: ``tracehub.sectors`` registers an *event checker* here
when Django starts (``SectorsConfig.ready``), and capture calls :func:`event_checks` for every event
that passed the standard validation and the client's capture guard. A checker answers a list of
:class:`ProfileError` (path relative to the event, message); capture reports each one exactly like
a validation error (event index, eventID, path from the document root, message) and, under the
default ``rollback`` behaviour, stores nothing of the document.

A checker receives the normalised event, the event as sent, the namespace prefixes of its
document, and ``sectors``: a callable answering the event's sectors (from its registered products
and locations, ``tracehub.registry.capture.SectorResolver``), worked out only when a checker asks
and cached per capture document, so that events no profile cares about cost one dictionary look-up.

**Post-capture hooks** (issue #6 item 2, issue #7 items 1, 2, 4): a sector registers a *capture
hook* for the bizSteps it cares about (:func:`register_capture_hook`); every capture path — ``POST
/epcis/capture`` and ``/epcis/events`` inline, the worker, the sector entries, the platform's loaders
— hands the events it stored to the hooks once its transaction has committed
(``transaction.on_commit``), each hook in its own transaction, so findings and alerts come from raw
EPCIS as from the entry forms. A *refusal hook* (:func:`register_refusal_hook`) gets the events a
profile refused, after the capture's rollback, in its own transaction, so a refusal can still be
reported to a bureau. Selecting the events costs a dictionary look-up of the bizStep per stored or
refused event, and nothing when no hook is registered; hooks make their own queries, after commit.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from tracehub.registry.capture import SectorResolver

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProfileError:
    """One field of an event that its sector's profile refuses."""

    path: str  # relative to the event, e.g. "bizTransactionList" or "ilmd.tracehub:origin"
    message: str
    #: What refused it, for refusal hooks: a rule's key, or ``required:<field key>``.
    code: str = ""
    #: The values inserted in the message's template (``tracehub.sectors.messages``): clients get
    #: them with the code, pages render the message in the reader's language from both.
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


#: checker(normalized, event, namespaces, sectors) -> list of ProfileError
EventChecker = Callable[
    [Any, dict[str, Any], Mapping[str, str], Callable[[], frozenset[str]]], list[ProfileError]
]

_checkers: list[EventChecker] = []
#: The capture run being checked on this thread and its sector resolver (its caches live as long
#: as the run's document); a weak reference, so a finished run is not kept alive.
_local = threading.local()


def register_event_checker(checker: EventChecker) -> None:
    """Add ``checker`` to the checks capture runs on every event (registering twice is a no-op)."""
    if checker not in _checkers:
        _checkers.append(checker)


def unregister_event_checker(checker: EventChecker) -> None:
    """Remove ``checker`` (tests and benchmarks that measure capture without profiles)."""
    if checker in _checkers:
        _checkers.remove(checker)


def registered_checkers() -> tuple[EventChecker, ...]:
    return tuple(_checkers)


def _resolver(run) -> SectorResolver:
    current = getattr(_local, "run", None)
    if current is None or current() is not run:
        _local.run = weakref.ref(run)
        _local.resolver = SectorResolver(getattr(run, "guard", None))
    return _local.resolver


def event_checks(normalized, event: dict[str, Any], namespaces: Mapping[str, str], run) -> list[ProfileError]:
    """Every profile error of one event of capture ``run`` (a ``_CaptureRun``); [] when it passes."""
    if not _checkers:
        return []
    memo: list[frozenset[str]] = []

    def sectors() -> frozenset[str]:
        if not memo:
            memo.append(_resolver(run).event_sectors(normalized))
        return memo[0]

    if len(_checkers) == 1:
        return _checkers[0](normalized, event, namespaces, sectors)
    errors: list[ProfileError] = []
    for checker in _checkers:
        errors.extend(checker(normalized, event, namespaces, sectors))
    return errors


# ------------------------------------------------------------------------------------------------
# Post-capture hooks.
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HookedEvent:
    """One event handed to a hook: as normalised, as sent, with its document's namespaces, its
    stored eventID (the sent one, else its event hash; "" for a refused event), and (for a refusal
    hook) the profile errors that refused it."""

    normalized: Any
    event: dict[str, Any]
    namespaces: Mapping[str, str]
    event_id: str = ""
    errors: tuple[ProfileError, ...] = ()


@dataclass(frozen=True, slots=True)
class CaptureBatch:
    """The events of one capture document that one hook asked for."""

    client: Any  # accounts.ApiClient, or None for the platform's own captures
    capture_id: str
    events: tuple[HookedEvent, ...]


#: hook(batch): runs in its own transaction; an exception is logged, never raised to the capture.
CaptureHook = Callable[[CaptureBatch], None]


@dataclass(frozen=True, slots=True)
class _Hook:
    run: CaptureHook
    when: Callable[[dict[str, Any]], bool] | None


class _Hooks:
    """Hooks by bizStep (normalised: a CBV word such as ``dispensing``, or a full URI)."""

    def __init__(self) -> None:
        self.by_step: dict[str, list[_Hook]] = {}

    def add(self, hook: CaptureHook, biz_steps: Iterable[str], when) -> None:
        for step in biz_steps:
            hooks = self.by_step.setdefault(step, [])
            if all(h.run is not hook for h in hooks):
                hooks.append(_Hook(hook, when))

    def remove(self, hook: CaptureHook) -> None:
        for step, hooks in list(self.by_step.items()):
            hooks[:] = [h for h in hooks if h.run is not hook]
            if not hooks:
                del self.by_step[step]


_capture_hooks = _Hooks()
_refusal_hooks = _Hooks()


def register_capture_hook(
    hook: CaptureHook, *, biz_steps: Iterable[str], when: Callable[[dict[str, Any]], bool] | None = None
) -> None:
    """Run ``hook`` after every committed capture that stored events of ``biz_steps`` (and, when
    given, for which ``when(event as sent)`` is true: a cheap test of the event's own fields, no
    queries). Registering the same hook again for a step is a no-op."""
    _capture_hooks.add(hook, biz_steps, when)


def register_refusal_hook(
    hook: CaptureHook, *, biz_steps: Iterable[str], when: Callable[[dict[str, Any]], bool] | None = None
) -> None:
    """Run ``hook`` after a capture in which a profile refused events of ``biz_steps``."""
    _refusal_hooks.add(hook, biz_steps, when)


def unregister_hook(hook: CaptureHook) -> None:
    """Remove ``hook`` (tests and benchmarks)."""
    _capture_hooks.remove(hook)
    _refusal_hooks.remove(hook)


class HookCollector:
    """The events of one capture run that hooks asked for; :func:`hook_collector` gives None when no
    hook is registered, so a run without hooks does nothing per event."""

    __slots__ = ("captured", "refused")

    def __init__(self) -> None:
        self.captured: dict[CaptureHook, list[HookedEvent]] = {}
        self.refused: dict[CaptureHook, list[HookedEvent]] = {}

    def stored(self, normalized, event: dict[str, Any], namespaces: Mapping[str, str], event_id: str) -> None:
        hooks = _capture_hooks.by_step.get(normalized.biz_step or "")
        if hooks:
            for h in hooks:
                if h.when is None or h.when(event):
                    self.captured.setdefault(h.run, []).append(
                        HookedEvent(normalized, event, namespaces, event_id)
                    )

    def refusal(self, normalized, event: dict[str, Any], namespaces, errors: list[ProfileError]) -> None:
        hooks = _refusal_hooks.by_step.get(normalized.biz_step or "")
        if hooks:
            for h in hooks:
                if h.when is None or h.when(event):
                    self.refused.setdefault(h.run, []).append(
                        HookedEvent(normalized, event, namespaces, "", tuple(errors))
                    )

    def on_commit(self, *, client: Any, capture_id: str) -> None:
        """Schedule the capture hooks for when the capture's transaction commits (call inside it)."""
        if self.captured:
            batches = [(h, CaptureBatch(client, capture_id, tuple(e))) for h, e in self.captured.items()]
            self.captured = {}
            transaction.on_commit(lambda: _run(batches))

    def after_transaction(self, *, client: Any, capture_id: str) -> None:
        """Run the refusal hooks (call after the capture's transaction has ended)."""
        if self.refused:
            batches = [(h, CaptureBatch(client, capture_id, tuple(e))) for h, e in self.refused.items()]
            self.refused = {}
            _refusals_run_or_defer(lambda: _run(batches))


def hook_collector() -> HookCollector | None:
    if not _capture_hooks.by_step and not _refusal_hooks.by_step:
        return None
    return HookCollector()


def _run(batches: list[tuple[CaptureHook, CaptureBatch]]) -> None:
    for hook, batch in batches:
        try:
            with transaction.atomic():
                hook(batch)
        except Exception:  # a hook's failure must not undo or fail a committed capture
            log.exception("capture hook %r failed on capture %s", hook, batch.capture_id)


# -- refusals inside an outer transaction ---------------------------------------------------------
#
# A capture nested in an outer transaction (a sector entry, an Excel commit) is refused by rolling
# back to its savepoint; the outer block then usually rolls back too (the entry is refused), and
# ``on_commit`` would never run. Inside a :func:`refusal_scope` (the entry services open one around
# their transaction) the refusal hooks wait in that scope and run when it ends, whether its
# transaction committed or rolled back; a dry run's scope drops them. Outside any scope they run on
# the outer transaction's commit, and are dropped with it on a rollback — nothing waits beyond the
# transaction or scope that made it, so nothing leaks into a later capture on the thread.


def _scopes() -> list[list[Callable[[], None]]]:
    scopes = getattr(_local, "refusal_scopes", None)
    if scopes is None:
        scopes = _local.refusal_scopes = []
    return scopes


def _refusals_run_or_defer(run: Callable[[], None]) -> None:
    if not connection.in_atomic_block:
        run()
    elif _scopes():
        _scopes()[-1].append(run)
    else:
        transaction.on_commit(run)


@contextlib.contextmanager
def refusal_scope(*, discard: bool = False) -> Iterator[None]:
    """Around an outer transaction that captures: once it has ended (committed or rolled back),
    run the refusal hooks its captures deferred — or drop them (``discard``, a dry run). A scope
    ending inside a transaction hands them to the enclosing scope, else to that transaction's commit."""
    scopes = _scopes()
    waiting: list[Callable[[], None]] = []
    scopes.append(waiting)
    try:
        yield
    finally:
        scopes.remove(waiting)
        if not discard:
            for run in waiting:
                _refusals_run_or_defer(run)

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
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tracehub.registry.capture import SectorResolver


@dataclass(frozen=True, slots=True)
class ProfileError:
    """One field of an event that its sector's profile refuses."""

    path: str  # relative to the event, e.g. "bizTransactionList" or "ilmd.tracehub:origin"
    message: str


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

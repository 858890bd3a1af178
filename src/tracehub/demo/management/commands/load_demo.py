"""tracehub load_demo: capture the demo data set (issue #2 item 7) through the real capture pipeline.

``make run`` runs it with ``--if-empty`` so that a fresh installation shows five Xiamen supply
chains (pork, vegetables, imported wine, a drug, a pesticide) at once. The documents go through
capture exactly as a subsystem's would (validation, event hash, hash chain, index): nothing is
written to the event store directly. Running it again the same day stores nothing new, because the
documents are the same and the store ignores events whose hash it already holds. The events are
dated from the load day (``tracehub.demo.events.BASE_DATE``), as the registry demo dates the
licences (issue #6 item 7), so that a store loaded on any day is consistent; run on a later day
into a store the demo loader recorded in on an earlier day, it files the registry demo and loads
nothing more (its events would come again at new times, and their steps be refused as done).
"""

from __future__ import annotations

import datetime as dt
import io
import sys

import orjson
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracehub.accounts.models import ApiClient
from tracehub.accounts.selectors import api_client_by_name_or_prefix
from tracehub.accounts.services import api_client_create
from tracehub.demo.events import DEFAULT_SEED, demo_documents
from tracehub.epcis.models import CaptureErrorBehaviour, CaptureStatus, Event
from tracehub.epcis.services import capture_job_create, capture_job_run
from tracehub.registry.demo import describe, load_registry_demo, reset_demo_passwords

#: The API client the demo events are recorded by (O3: every record names who recorded it).
DEMO_CLIENT_NAME = "示范数据 demo loader"

#: How many capture errors a failure lists.
ERRORS_SHOWN = 10


class Command(BaseCommand):
    help = "Load the Xiamen demo data set (five supply chains as EPCIS events) through the capture pipeline."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the event store holds any event"
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"vary weights, quantities and serial numbers deterministically (default {DEFAULT_SEED})",
        )

    def handle(self, *args, if_empty: bool, seed: int, **options):
        if if_empty and Event.objects.exists():
            self.stdout.write("The event store already holds events: the demo data set was not loaded.")
            self._registry(reset_demo_passwords)
            _share_demo_password()
            return
        self._registry(load_registry_demo)
        loaded_on = _loaded_on()
        if loaded_on is not None and loaded_on != timezone.localdate():
            self.stdout.write(
                f"The demo data set was loaded on {loaded_on.isoformat()}, its events dated from that day: "
                "it was not loaded again."
            )
            return
        documents = demo_documents(seed)
        client = _demo_client()
        captured = duplicates = total = 0
        for demo in documents:
            body = orjson.dumps(demo.document)
            job = capture_job_create(
                client=client,
                media_type="json",
                size_bytes=len(body),
                error_behaviour=CaptureErrorBehaviour.ROLLBACK,
            )
            outcome = capture_job_run(job=job, stream=io.BytesIO(body))
            if outcome.job.status != CaptureStatus.SUCCEEDED:
                lines = [
                    f"  {error.get('path') or '$'}: {error.get('message')}"
                    for error in outcome.job.errors[:ERRORS_SHOWN]
                ]
                raise CommandError(
                    f"Capture of the {demo.chain} document failed (capture job {outcome.job.capture_id}); "
                    f"first errors:\n" + "\n".join(lines)
                )
            total += len(demo.events)
            captured += outcome.job.captured_count
            duplicates += outcome.job.duplicate_count
            job = outcome.job
            self.stdout.write(
                f"  {demo.chain:<11} {len(demo.events):>3} events, {job.captured_count:>3} captured, "
                f"{job.duplicate_count:>3} already stored  ({demo.title}; {', '.join(demo.requirements)})"
            )
        # Every step of the sector subsystems (issues #6 item 7, #7 item 5), through the sectors'
        # own entry services, after the five chains they build on.
        for load in _sector_demos():
            for line in load():
                self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data set (seed {seed}): {len(documents)} documents, {total} events, "
                f"{captured} captured, {duplicates} already stored."
            )
        )

    def _registry(self, step) -> None:
        """File the demo parties and create the demo accounts (issue #3 item 10), print their password."""
        try:
            lines = describe(step())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)


def _demo_client() -> ApiClient:
    """The demo loader's API client: the existing one if it is still active, else a new one."""
    for client in api_client_by_name_or_prefix(DEMO_CLIENT_NAME):
        if client.is_active():
            return client
    client, _key = api_client_create(name=DEMO_CLIENT_NAME)  # the key is never needed: no HTTP
    return client


def _loaded_on() -> dt.date | None:
    """The day the demo loader first recorded events, if it did: the day its events are dated from."""
    first = (
        Event.objects.filter(client__name=DEMO_CLIENT_NAME)
        .order_by("record_time")
        .values_list("record_time", flat=True)
        .first()
    )
    return timezone.localtime(first).date() if first else None


def _sector_demos():
    """The sector demos' load functions, in order. Each one's module declares ``EVENT_COUNT``, the
    events it captures into an empty store (``demo_event_count`` adds them up)."""
    from tracehub.sectors.demo import load_sectors_demo
    from tracehub.sectors.demo_agri import load_agri_demo
    from tracehub.sectors.demo_agri_input import load_agri_input_demo
    from tracehub.sectors.demo_food import load_food_demo
    from tracehub.sectors.demo_g2_g6 import load_g2_g6_demo
    from tracehub.sectors.demo_g3_e2 import load_g3_e2_demo

    return (
        load_sectors_demo,
        load_g2_g6_demo,
        load_g3_e2_demo,
        load_agri_demo,
        load_agri_input_demo,  # after the farm produce demo: a usage filing names its plot
        load_food_demo,
    )


def demo_event_count(seed: int = DEFAULT_SEED) -> int:
    """The events one load into an empty store captures: the chains' documents, then the
    ``EVENT_COUNT`` of the module of every sector demo in ``_sector_demos``."""
    modules = dict.fromkeys(sys.modules[load.__module__] for load in _sector_demos())
    return sum(len(demo.events) for demo in demo_documents(seed)) + sum(m.EVENT_COUNT for m in modules)


def _share_demo_password() -> None:
    """The sector demos' accounts take the password just given to the registry's demo accounts, so
    that every demo account signs in with the one password ``make run`` prints."""
    from django.contrib.auth import get_user_model

    from tracehub.sectors import demo, demo_g3_e2

    users = get_user_model().objects
    for module in (demo, demo_g3_e2):
        shared = users.filter(username=module.SHARED_PASSWORD_OF).values_list("password", flat=True).first()
        if shared:
            users.filter(username__in=list(module.ACCOUNTS)).update(password=shared)

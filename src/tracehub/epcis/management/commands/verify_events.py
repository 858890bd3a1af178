"""tracehub verify_events: walk the record chain and report the first broken link (O3), then check
that every index row, error declaration and capture job link resolves."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tracehub.epcis.selectors import chain_verify, links_verify


class Command(BaseCommand):
    help = "Recompute the hash chain over every stored event; exit 1 at the first broken link."

    def handle(self, *args, **options):
        result = chain_verify()
        if result.broken_at is None:
            problems = links_verify()
            if problems:
                raise CommandError(
                    f"Chain intact over {result.checked} events, but: " + "; ".join(problems) + "."
                )
            self.stdout.write(
                f"OK: {result.checked} events, chain intact (head {result.head[:16]}…), every link resolves."
            )
            return
        raise CommandError(
            f"Chain broken at event row {result.broken_at} (eventID {result.broken_event_id}): "
            f"{result.reason}. {result.checked} rows before it are intact."
        )

"""tracehub sector_docs: write docs/sectors/<sector>.md from the sector profiles (or --check them)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tracehub.sectors import docs


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Generate the published data standard of every sector (docs/sectors/<sector>.md) from its profile."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="fail if a committed document is out of date"
        )

    def handle(self, *args, check: bool, **options):
        if check:
            stale = docs.differences()
            if stale:
                raise CommandError(f"out of date (run tracehub sector_docs): {', '.join(stale)}")
            self.stdout.write("docs/sectors is up to date.")
            return
        for path in docs.write():
            self.stdout.write(f"wrote {path}")

"""tracehub licence_expiry: flag licences that expire soon and notify their parties (issue #3 item 2).

Run it daily (cron or a scheduler). Each licence is notified once per expiry date; renewing it
(a new valid_until) makes it due again before the new date.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracehub.registry.selectors import licences_expiring
from tracehub.registry.services import licence_expiry_notify


class Command(BaseCommand):
    help = (
        "Notify the parties whose licences expire within --days days (default TRACEHUB_LICENCE_EXPIRY_DAYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="look this many days ahead")
        parser.add_argument("--dry-run", action="store_true", help="list the licences, notify nobody")

    def handle(self, *args, days: int | None, dry_run: bool, **options):
        days = settings.TRACEHUB_LICENCE_EXPIRY_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be 0 or more")
        if dry_run:
            licences = list(licences_expiring(within_days=days))
        else:
            licences = licence_expiry_notify(within_days=days)
        for licence in licences:
            kind = licence.get_kind_display()
            self.stdout.write(
                f"{licence.valid_until.isoformat()}  {kind} {licence.number}  {licence.party.name}"
            )
        verb = "expire" if dry_run else "notified"
        self.stdout.write(f"{len(licences)} licences {verb} within {days} days.")

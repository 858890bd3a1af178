"""tracehub create_api_key NAME: create an integration client; the key alone on the last line."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tracehub.accounts.services import api_client_create


class Command(BaseCommand):
    help = "Create a platform-level API client and print its key (shown once) on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="who uses the key, e.g. 'market supervision food subsystem'")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--expires-in-days", type=int, help="the key stops working after this many days")
        group.add_argument("--expires-at", help="the key stops working at this ISO 8601 time (with offset)")

    def handle(self, *args, name: str, expires_in_days: int | None, expires_at: str | None, **options):
        expiry = None
        if expires_in_days is not None:
            if expires_in_days <= 0:
                raise CommandError("--expires-in-days must be a positive number of days")
            expiry = timezone.now() + timedelta(days=expires_in_days)
        elif expires_at is not None:
            expiry = parse_datetime(expires_at)
            if expiry is None or expiry.tzinfo is None:
                raise CommandError(
                    "--expires-at must be an ISO 8601 time with an offset, e.g. 2027-01-01T00:00+08:00"
                )
        try:
            client, key = api_client_create(name=name, expires_at=expiry)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Created API client {client.name!r} (prefix {client.key_prefix}).")
        if expiry:
            self.stderr.write(f"It expires at {expiry.isoformat()}.")
        self.stderr.write("Store the key now: it is not shown again.")
        self.stdout.write(key)

"""tracehub revoke_api_key PREFIX|NAME: stop a key working from now on."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tracehub.accounts.selectors import api_client_by_name_or_prefix
from tracehub.accounts.services import api_client_revoke


class Command(BaseCommand):
    help = "Revoke an API client's key, named by its key prefix (th_…) or its exact name."

    def add_arguments(self, parser):
        parser.add_argument("client", help="the key prefix (th_…) or the client's exact name")

    def handle(self, *args, client: str, **options):
        matches = api_client_by_name_or_prefix(client)
        if not matches:
            raise CommandError(f"No API client has the prefix or name {client!r}.")
        if len(matches) > 1:
            prefixes = ", ".join(c.key_prefix for c in matches)
            raise CommandError(f"{len(matches)} clients are named {client!r}; name one by prefix: {prefixes}")
        revoked = api_client_revoke(client=matches[0])
        self.stdout.write(
            f"Revoked {revoked.name!r} ({revoked.key_prefix}) at {revoked.revoked_at.isoformat()}."
        )

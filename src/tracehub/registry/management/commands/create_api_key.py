"""tracehub create_api_key NAME [--party USCC | --department CODE]: create an integration client.

Without options the client is platform-level (it captures and reads everything, P2); ``--party``
binds it to a filed party (it captures that party's events only), ``--department`` to a
department's subsystem (it captures events of that department's sectors only), issue #3 item 5.
The key is printed alone on the last line of stdout. The command lives in the registry because a
party is registry data (accounts never imports the registry, DESIGN.md §2).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tracehub.accounts.models import ApiClientKind
from tracehub.accounts.selectors import department_by_code
from tracehub.accounts.services import api_client_create
from tracehub.registry import selectors
from tracehub.registry.actors import Actor
from tracehub.registry.services import party_api_client_create


class Command(BaseCommand):
    help = (
        "Create an API client and print its key (shown once) on the last line: platform-level, "
        "or bound to a party (--party USCC) or to a department's subsystem (--department CODE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="who uses the key, e.g. 'market supervision food subsystem'")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--expires-in-days", type=int, help="the key stops working after this many days")
        group.add_argument("--expires-at", help="the key stops working at this ISO 8601 time (with offset)")
        owner = parser.add_mutually_exclusive_group()
        owner.add_argument("--party", metavar="USCC", help="bind the key to the party with this credit code")
        owner.add_argument("--department", metavar="CODE", help="bind the key to this department (e.g. amr)")

    def handle(
        self,
        *args,
        name: str,
        expires_in_days: int | None,
        expires_at: str | None,
        party: str | None,
        department: str | None,
        **options,
    ):
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
            if party is not None:
                try:
                    owner = selectors.party_by_uscc(actor=Actor.system("create_api_key"), uscc=party)
                except ObjectDoesNotExist:
                    raise CommandError(f"No party has the unified social credit code {party!r}.") from None
                client, key = party_api_client_create(
                    actor=Actor.system("create_api_key"), party=owner, name=name, expires_at=expiry
                )
                bound = f" for party {owner.name} (filing {owner.get_filing_status_display()})"
            elif department is not None:
                dept = department_by_code(department)
                if dept is None:
                    raise CommandError(f"No department has the code {department!r}.")
                client, key = api_client_create(
                    name=name, expires_at=expiry, kind=ApiClientKind.DEPARTMENT, department=dept
                )
                bound = f" for department {dept.name} ({', '.join(sorted(dept.sector_codes))})"
            else:
                client, key = api_client_create(name=name, expires_at=expiry)
                bound = " (platform-level)"
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Created API client {client.name!r} (prefix {client.key_prefix}){bound}.")
        if expiry:
            self.stderr.write(f"It expires at {expiry.isoformat()}.")
        self.stderr.write("Store the key now: it is not shown again.")
        self.stdout.write(key)

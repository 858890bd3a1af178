"""``tracehub recall ID --reason … --xlsx FILE [--csv FILE]``: declare a recall and export it (O2)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracehub.registry.actors import Actor
from tracehub.tracing import exports, selectors, services
from tracehub.tracing.management.commands.trace import parse_start


class Command(BaseCommand):
    help = "Declare a recall of a lot (or item): compute where it went, store it, write the spreadsheet."

    def add_arguments(self, parser) -> None:
        parser.add_argument("id", help="EPC URN, EPC class URN or GS1 Digital Link URI of the lot")
        parser.add_argument("--reason", required=True, help="Why it is recalled.")
        parser.add_argument("--xlsx", required=True, type=Path, help="Write the FSMA 204 spreadsheet here.")
        parser.add_argument("--csv", type=Path, default=None, help="Also write it as CSV here.")
        parser.add_argument("--lang", choices=exports.LANGUAGES, default="en", help="Column set: en or zh.")

    def handle(self, *args, **options) -> None:
        key = parse_start(options["id"])
        if not options["reason"].strip():
            raise CommandError("--reason must not be empty")
        if not selectors.identifier_known(key):
            raise CommandError(f"no event names {options['id']}")
        recall = services.recall_declare(
            actor=Actor.system("tracehub recall"),
            key=key,
            identifier=options["id"].strip(),
            reason=options["reason"],
        )
        options["xlsx"].write_bytes(exports.recall_xlsx(recall, lang=options["lang"]))
        if options["csv"] is not None:
            options["csv"].write_bytes(exports.recall_csv(recall, lang=options["lang"]))
        self.stdout.write(
            f"recall {recall.recall_id}: {recall.location_count} locations, {recall.party_count} parties, "
            f"{recall.shipment_count} shipments, {recall.holder_count} still holding stock, "
            f"{recall.code_count} consumer codes; spreadsheet {options['xlsx']}"
        )

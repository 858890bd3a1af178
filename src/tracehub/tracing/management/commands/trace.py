"""``tracehub trace forward|back ID [--max-depth N]``: a trace as a readable tree (O1, O2)."""

from __future__ import annotations

from datetime import timedelta, timezone

import orjson
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.tree import Tree

from tracehub.epcis.render import IdentifierFormatter
from tracehub.epcis.validation import is_uri, parse_time
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.tracing import selectors
from tracehub.tracing.genealogy import DIRECTIONS

#: Events listed under one identifier before the rest are summed up.
EVENTS_SHOWN = 12


def parse_start(value: str) -> str:
    if not is_uri(value.strip()):
        raise CommandError(f"{value!r} is not an EPC URN or GS1 Digital Link URI")
    try:
        return canonical_key(value)
    except IdentifierError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = "Trace an identifier forward (where it went) or back (where it came from) and print a tree."

    def add_arguments(self, parser) -> None:
        parser.add_argument("direction", choices=DIRECTIONS)
        parser.add_argument("id", help="EPC URN, EPC class URN or GS1 Digital Link URI")
        parser.add_argument("--max-depth", type=int, default=None, help="Links to follow at most.")
        parser.add_argument("--from", dest="since", default=None, help="Only events at or after this time.")
        parser.add_argument("--to", dest="until", default=None, help="Only events at or before this time.")
        parser.add_argument("--json", action="store_true", help="Print the API's JSON answer instead.")

    def handle(self, *args, **options) -> None:
        key = parse_start(options["id"])
        if options["max_depth"] is not None and options["max_depth"] < 0:
            raise CommandError("--max-depth must be 0 or more")
        bounds = {}
        for name in ("since", "until"):
            if options[name] is not None:
                bounds[name] = parse_time(options[name])
                if bounds[name] is None:
                    raise CommandError(
                        f"--{'from' if name == 'since' else 'to'}: not a date-time with an offset"
                    )
        if not selectors.identifier_known(key):
            raise CommandError(f"no event names {options['id']}")
        trace = selectors.trace_build(
            key=key, direction=options["direction"], max_depth=options["max_depth"], **bounds
        )
        fmt = selectors.answer_formatter(trace.keys | set(trace.locations) | set(trace.parties))
        if options["json"]:
            from tracehub.tracing.api import trace_answer

            answer = trace_answer(trace, fmt)
            self.stdout.write(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
            return
        console = Console(file=self.stdout, width=160, highlight=False)
        console.print(render_tree(trace, fmt))
        for finding in trace.findings:
            console.print(f"[yellow]! {finding.code}[/yellow] {finding.message} ({finding.event_id})")


def local_time(event: selectors.TraceEvent) -> str:
    """The event's time in its own time zone (eventTimeZoneOffset), as people on site saw it."""
    offset = event.time_zone_offset or "+00:00"
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = (int(part) for part in offset[1:].split(":"))
    zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return f"{event.time.astimezone(zone):%Y-%m-%d %H:%M}{offset}"


def render_tree(trace: selectors.Trace, fmt: IdentifierFormatter) -> Tree:
    found = trace.genealogy
    events = {event.pk: event for event in trace.events}
    per_key: dict[str, list] = {}
    for event in trace.events:
        for key in event.keys:
            per_key.setdefault(key, []).append(event)
    title = (
        f"[bold]{trace.direction}[/bold] {fmt.key(trace.start)}: {len(trace.keys)} identifiers, "
        f"{len(trace.events)} events, {len(trace.locations)} locations, {len(trace.findings)} findings"
    )
    root = Tree(title)
    children: dict[str, list[str]] = {}
    for key, (parent, _pk, _relation) in found.origin.items():
        if key in trace.keys:
            children.setdefault(parent, []).append(key)

    def fill(node: Tree, key: str, seen: set[str]) -> None:
        listed = per_key.get(key, [])
        for event in listed[:EVENTS_SHOWN]:
            place = f" @ {fmt.key(event.location)}" if event.location else ""
            node.add(f"[dim]{local_time(event)}[/dim] {event.biz_step or event.event_type}{place}")
        if len(listed) > EVENTS_SHOWN:
            node.add(f"[dim]… {len(listed) - EVENTS_SHOWN} more events[/dim]")
        for child in sorted(children.get(key, ())):
            if child in seen:
                continue
            parent, pk, relation = found.origin[child]
            event = events.get(pk)
            when = f" {local_time(event)}" if event else ""
            branch = node.add(f"[bold]{fmt.key(child)}[/bold] [cyan]({relation}{when})[/cyan]")
            fill(branch, child, seen | {child})

    start = root.add(f"[bold]{fmt.key(trace.start)}[/bold]")
    fill(start, trace.start, {trace.start})
    return root

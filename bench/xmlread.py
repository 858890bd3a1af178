"""EPCIS XML reading benchmark: how fast ``tracehub.epcis.xmlformat`` turns XML into JSON-LD dicts.

``python -m bench.xmlread [--events 1000] [--rounds 7]`` (not part of ``make bench``) converts the
capture benchmark's XML documents (``bench.gen``: ObjectEvents of 1-10 SGTINs each, XSD element
order) in this process, with nothing else: no database, no validation, no hashing. It prints, for a
document of ``--events`` events read whole (``parse_xml_document``) and streamed from a file object
(``XmlDocumentReader.events()``), the median and range over ``--rounds`` rounds of the seconds per
document and events per second. ``tests/epcis/test_xmlformat.py`` checks what is counted (events
yielded as the bytes arrive, entities never expanded); the speed is measured here.
"""

from __future__ import annotations

import argparse
import io
import time

from bench import gen
from bench.report import Stat
from tracehub.epcis.xmlformat import XmlDocumentReader, parse_xml_document


def measure(events: int, rounds: int) -> dict[str, Stat]:
    data = gen.document(gen.DocumentSpec(number=0, events=events), gen.XML)
    whole: list[float] = []
    streamed: list[float] = []
    for _round in range(rounds):
        started = time.perf_counter()
        document = parse_xml_document(data)
        whole.append(time.perf_counter() - started)
        if len(document["epcisBody"]["eventList"]) != events:
            raise SystemExit("bench.xmlread: the document did not read back whole")
        started = time.perf_counter()
        count = sum(1 for _event in XmlDocumentReader(io.BytesIO(data)).events())
        streamed.append(time.perf_counter() - started)
        if count != events:
            raise SystemExit("bench.xmlread: the stream did not yield every event")
    return {
        "bytes": Stat((float(len(data)),)),
        "whole": Stat(tuple(whole)),
        "streamed": Stat(tuple(streamed)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.xmlread", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000, help="events per document (default 1000)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    args = parser.parse_args(argv)
    result = measure(args.events, args.rounds)
    print(f"EPCIS XML document: {args.events:,} events, {result['bytes'].median:,.0f} bytes")
    for key, label in (("whole", "parse_xml_document"), ("streamed", "XmlDocumentReader.events()")):
        seconds = result[key]
        rate = Stat(tuple(args.events / value for value in seconds.values))
        print(f"  {label:<28} {seconds.show('{:.3f}')} s, {rate.show()} events/s")


if __name__ == "__main__":
    main()

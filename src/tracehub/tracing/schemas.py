"""API schemas of tracing (``/api/v1/trace/…``, ``/api/v1/recalls``): field names as answered."""

from __future__ import annotations

from ninja import Field, Schema


class Named(Schema):
    """A location or party of a trace, with its registry name (issue #4 item 2)."""

    id: str
    name: str | None = Field(None, description="Registry name; null when the registry does not know it.")
    district: str | None = Field(None, description="GB/T 2260 district code.")
    districtName: str | None = None  # noqa: N815
    party: str | None = Field(None, description="Name of the party holding the location.")
    stage: str | None = Field(
        None, description="source, processing, wholesale or retail (locations: the layered layout)."
    )


class GraphNode(Schema):
    id: str
    kind: str = Field(description="instance, class, logistic_unit, location or party")
    depth: int | None = Field(None, description="Links from the start (identifiers only).")
    name: str | None = None
    district: str | None = None
    districtName: str | None = None  # noqa: N815
    party: str | None = None
    stage: str | None = None


class GraphEdge(Schema):
    source: str
    target: str
    relation: str = Field(
        description="transformed, packed, lot (genealogy), at (event at a location), transfer"
    )
    eventID: str  # noqa: N815 - API field names follow EPCIS spelling
    eventType: str  # noqa: N815
    bizStep: str | None = None  # noqa: N815
    time: str
    quantity: float | None = None
    uom: str | None = None


class Graph(Schema):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class FindingOut(Schema):
    code: str = Field(description="shipment_not_received, receipt_without_shipment, output_exceeds_input …")
    message: str
    eventID: str  # noqa: N815
    location: str | None = None
    identifiers: list[str]


class TraceOut(Schema):
    id: str = Field(description="The start: an EPC URN where the company prefix is known, else Digital Link.")
    direction: str
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    maxDepth: int | None = None  # noqa: N815
    hops: int = Field(description="Breadth-first hops the trace took.")
    epcs: list[str] = Field(description="Every identifier and class reached, the start included.")
    locations: list[Named] = Field(description="Business locations (and source/destination locations).")
    parties: list[Named] = Field(description="Parties named in source and destination lists.")
    events: list[str] = Field(description="eventIDs of the events in the trace, in event-time order.")
    graph: Graph
    findings: list[FindingOut]


class RecallIn(Schema):
    id: str = Field(description="EPC URN, EPC class URN or GS1 Digital Link URI of the lot (or item).")
    reason: str = Field(min_length=1, max_length=4000)


class PlaceOut(Schema):
    id: str
    events: int
    received: dict[str, float]
    dispatched: dict[str, float]
    onHand: dict[str, float]  # noqa: N815
    parties: list[str]


class HolderOut(Schema):
    location: str
    onHand: dict[str, float]  # noqa: N815
    parties: list[str]


class RecallSummaryOut(Schema):
    recallID: str  # noqa: N815
    id: str
    reason: str
    status: str
    declaredAt: str  # noqa: N815
    declaredBy: str  # noqa: N815
    locationCount: int  # noqa: N815
    partyCount: int  # noqa: N815
    shipmentCount: int  # noqa: N815
    holderCount: int  # noqa: N815
    codeCount: int  # noqa: N815


class RecallOut(RecallSummaryOut):
    locations: list[PlaceOut]
    parties: list[str]
    holders: list[HolderOut]
    codes: list[str] = Field(
        description="Consumer-facing GS1 Digital Link URIs of every item and lot reached."
    )
    findings: list[FindingOut]
    exports: dict[str, str]

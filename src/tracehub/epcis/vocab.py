"""CBV 2.0 standard vocabularies and their three spellings.

A CBV value arrives in one of three forms (CBV 2.0 §6 and §8.2, EPCIS 2.0 §7.3.5.5):
a bare word in JSON-LD (``shipping``), a URN in XML and EPCIS 1.x
(``urn:epcglobal:cbv:bizstep:shipping``) or a GS1 Web URI (``https://ref.gs1.org/cbv/BizStep-shipping``).
The store keeps one canonical form: the bare word for a standard term, the URI as given for
a user-defined one. The event hash (CBV 2.0 §8.9) uses the Web URI form.

The sensor vocabularies of EPCIS 2.0 (measurement types, sensor alert types, coordinate
components) have no URN form: JSON-LD writes the bare word, XML a CURIE (``gs1:Temperature``,
``cbv:Comp-latitude``) or the Web URI.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)

BIZ_STEPS = frozenset(
    [
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    ]
)

DISPOSITIONS = frozenset(
    [
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_instance",
        "mismatch_class",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    ]
)

BIZ_TRANSACTION_TYPES = frozenset(
    [
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    ]
)

SOURCE_DEST_TYPES = frozenset({"owning_party", "possessing_party", "location"})

ERROR_REASONS = frozenset({"did_not_occur", "incorrect_data"})

#: sensorReport ``type``: the measurement types the standard JSON-LD context names (gs1: terms).
MEASUREMENT_TYPES = frozenset(
    [
        "AbsoluteHumidity",
        "AbsorbedDose",
        "AbsorbedDoseRate",
        "Acceleration",
        "Radioactivity",
        "Altitude",
        "AmountOfSubstance",
        "AmountOfSubstancePerUnitVolume",
        "Angle",
        "AngularAcceleration",
        "AngularMomentum",
        "AngularVelocity",
        "Area",
        "Capacitance",
        "Conductance",
        "Conductivity",
        "Count",
        "Density",
        "Dimensionless",
        "DoseEquivalent",
        "DoseEquivalentRate",
        "DynamicViscosity",
        "ElectricCharge",
        "ElectricCurrent",
        "ElectricCurrentDensity",
        "ElectricFieldStrength",
        "Energy",
        "Exposure",
        "Force",
        "Frequency",
        "Illuminance",
        "Inductance",
        "Irradiance",
        "KinematicViscosity",
        "Length",
        "LinearMomentum",
        "Luminance",
        "LuminousFlux",
        "LuminousIntensity",
        "MagneticFlux",
        "MagneticFluxDensity",
        "MagneticVectorPotential",
        "Mass",
        "MassConcentration",
        "MassFlowRate",
        "MassPerAreaTime",
        "MemoryCapacity",
        "MolalityOfSolute",
        "MolarEnergy",
        "MolarMass",
        "MolarVolume",
        "Power",
        "Pressure",
        "RadiantFlux",
        "RadiantIntensity",
        "RelativeHumidity",
        "Resistance",
        "Resistivity",
        "SolidAngle",
        "SpecificVolume",
        "Speed",
        "SurfaceDensity",
        "SurfaceTension",
        "Temperature",
        "Time",
        "Torque",
        "Voltage",
        "Volume",
        "VolumeFlowRate",
        "VolumeFraction",
        "VolumetricFlux",
        "Wavenumber",
    ]
)

#: sensorReport ``exception``.
SENSOR_ALERT_TYPES = frozenset({"ALARM_CONDITION", "ERROR_CONDITION"})

#: sensorReport ``component``.
COMPONENTS = frozenset(
    [
        "x",
        "y",
        "z",
        "axial_distance",
        "azimuth",
        "height",
        "spherical_radius",
        "polar_angle",
        "elevation_angle",
        "easting",
        "northing",
        "latitude",
        "longitude",
        "altitude",
    ]
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One CBV vocabulary: its terms and the URN, Web URI and CURIE spellings of them.

    ``urn_prefix`` is empty for a vocabulary without a URN form; ``curie_prefix`` defaults to the
    ``cbv:`` CURIE of the Web URI (``cbv:BizStep-``).
    """

    name: str
    terms: frozenset[str]
    urn_prefix: str
    web_prefix: str
    curie_prefix: str = ""

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every prefix a spelled-out term may carry, URN first."""
        curie = self.curie_prefix or "cbv:" + self.web_prefix.rsplit("/", 1)[-1]
        return tuple(p for p in (self.urn_prefix, self.web_prefix, curie) if p)

    def spellings(self) -> dict[str, str]:
        """Every accepted spelling of every term → the term's Web URI (for table look-ups)."""
        table: dict[str, str] = {}
        for term in self.terms:
            web = self.web_prefix + term
            table[term] = web
            for prefix in self.prefixes:
                table[prefix + term] = web
        return table

    def canonical(self, value: str) -> str | None:
        """The bare word for a standard term in any spelling; None if it is not one."""
        return _canonical(self, value)

    def web_uri(self, value: str) -> str:
        """The GS1 Web URI of a standard term in any spelling; other values unchanged."""
        word = self.canonical(value)
        return self.web_prefix + word if word is not None else value


@lru_cache(maxsize=4096)
def _canonical(vocab: Vocabulary, value: str) -> str | None:
    if value in vocab.terms:
        return value
    for prefix in vocab.prefixes:
        if value.startswith(prefix):
            word = value[len(prefix) :]
            return word if word in vocab.terms else None
    return None


BIZ_STEP = Vocabulary("bizStep", BIZ_STEPS, "urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-")
DISPOSITION = Vocabulary(
    "disposition", DISPOSITIONS, "urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"
)
BIZ_TRANSACTION_TYPE = Vocabulary(
    "bizTransaction type", BIZ_TRANSACTION_TYPES, "urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"
)
SOURCE_DEST_TYPE = Vocabulary(
    "source/destination type", SOURCE_DEST_TYPES, "urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"
)
ERROR_REASON = Vocabulary(
    "error reason", ERROR_REASONS, "urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"
)
MEASUREMENT_TYPE = Vocabulary("measurement type", MEASUREMENT_TYPES, "", "https://gs1.org/voc/", "gs1:")
SENSOR_ALERT_TYPE = Vocabulary("sensor alert type", SENSOR_ALERT_TYPES, "", "https://gs1.org/voc/", "gs1:")
COMPONENT = Vocabulary("component", COMPONENTS, "", "https://ref.gs1.org/cbv/Comp-")

#: The vocabularies with a URN form (CBV 2.0 §8.9 rule 14 rewrites those URNs as Web URIs).
URN_VOCABULARIES = (BIZ_STEP, DISPOSITION, BIZ_TRANSACTION_TYPE, SOURCE_DEST_TYPE, ERROR_REASON)

#: URI schemes that make a value a user-defined vocabulary element (CBV 2.0 §8.2: any absolute URI).
_URI_LIKE = ("urn:", "http://", "https://")


def is_uri(value: str) -> bool:
    """True for an absolute URI in one of the forms EPCIS accepts for user vocabularies."""
    return value.startswith(_URI_LIKE) and len(value) > 6 and " " not in value


def canonical_term(vocab: Vocabulary, value: str) -> str | None:
    """Canonical stored form: bare word for a standard term, the URI itself for a user one.

    None when the value is neither (a bare word that is not in the vocabulary, or a
    ``urn:epcglobal:cbv:`` / ref.gs1.org URI naming no standard term): such values are refused.
    """
    word = vocab.canonical(value)
    if word is not None:
        return word
    if value.startswith(tuple(p for p in (vocab.urn_prefix, vocab.web_prefix) if p)):
        return None
    return value if is_uri(value) else None

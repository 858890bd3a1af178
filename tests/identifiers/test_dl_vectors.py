"""The GS1 Digital Link test tables of ../shared/conformance, read in place (also run by make conformance)."""

from pathlib import Path

from tracehub.identifiers.conformance_dl import KNOWN_WRONG, parse_feature, run_digital_link_vectors

FOLDER = (
    Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "gs1-digital-link-lib-features"
)


def test_the_tables_are_there():
    assert FOLDER.is_dir(), f"the GS1 Digital Link test tables belong at {FOLDER}"
    assert len(list(FOLDER.glob("*.feature"))) >= 10


def test_every_vector_passes_except_the_documented_data_errors():
    passed, total, failures = run_digital_link_vectors(FOLDER)
    assert failures == []
    assert total > 4000
    assert passed == total - len(KNOWN_WRONG)


def test_the_gherkin_reader_fills_examples_into_steps():
    vectors = parse_feature(FOLDER / "Gs1ElementStringsToGs1DigitalLink.feature")
    first = vectors[0]
    assert first.steps[0][0] == "Given" and "<" not in first.steps[0][1]
    assert first.steps[-1][0] == "Then" and first.steps[-1][1].startswith("the Digital Link should be")
    assert all(
        name.startswith("Gs1ElementStringsToGs1DigitalLink.feature:") for name in (v.name for v in vectors)
    )

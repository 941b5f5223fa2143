"""`nervetjek cohort` gives every person exactly what `assess` gives them one by one.

Every output column is compared: triage, the top three patterns and their probabilities,
recognised, red flags, the instrument totals, the ruleset version and, with --full, every
pattern's probability.  Probabilities may differ in the last bits only (NumPy's exp).
"""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import WARNING_KEYS, answers

from nervetjek.cohort import CohortScorer, score_file
from nervetjek.cohort.read import typed_from_records
from nervetjek.engine import assess_valid
from nervetjek.instruments import load_instruments
from nervetjek.intake import load_item_bank, validate_answers
from nervetjek.paths import shared_dir

BANK = load_item_bank()
CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
EXAMPLES = int(os.environ.get("NERVETJEK_HYPOTHESIS_EXAMPLES", "300")) // 3
PROBABILITY_TOLERANCE = 1e-12


def expected_row(case_id: str, raw: dict) -> dict:
    """What one output row must hold, from `assess` itself."""
    result = assess_valid(validate_answers(raw))
    row = {
        "id": case_id,
        "triage": result.triage,
        "recognised": result.recognised,
        "red_flags": ";".join(flag.key for flag in result.red_flags),
        "ruleset_version": result.ruleset_version,
    }
    for i, pattern in enumerate(result.patterns[:3], start=1):
        row[f"pattern_{i}"] = pattern.id
        row[f"probability_{i}"] = pattern.probability
    for pattern in result.patterns:
        row[f"probability_{pattern.id}"] = pattern.probability
    for definition in load_instruments().values():
        name = definition.id.lower().replace("-", "_")
        score = result.instruments[definition.id]
        row[f"{name}_score"] = score.score
        row[f"{name}_points"] = score.points
        row[f"{name}_max_possible"] = score.max_possible
    return row


def assert_rows_equal(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for column, value in want.items():
        if column.startswith("probability_"):
            assert math.isclose(got[column], value, rel_tol=1e-9, abs_tol=PROBABILITY_TOLERANCE), (
                want["id"],
                column,
            )
        else:
            assert got[column] == value, (want["id"], column, got[column], value)


def own_cases() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")) or []:
            found.append((case["id"], case["answers"]))
    return found


def dev_vignettes() -> list[tuple[str, dict]]:
    lines = (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    return [(case["id"], case["answers"]) for case in map(json.loads, filter(None, lines))]


def write_csv(cases: list[tuple[str, dict]], path: Path) -> None:
    """The file format of the issue: booleans true/false, locations joined by ';'."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *BANK.items])
        for case_id, raw in cases:
            cells = []
            for key in BANK.items:
                value = raw.get(key)
                if value is None:
                    cells.append("")
                elif isinstance(value, bool):
                    cells.append("true" if value else "false")
                elif isinstance(value, list):
                    cells.append(";".join(value))
                else:
                    cells.append(str(value))
            writer.writerow([case_id, *cells])


@pytest.fixture(scope="module")
def known_cases() -> list[tuple[str, dict]]:
    cases = dev_vignettes() + own_cases()
    assert len(cases) > 100
    return cases


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_every_dev_vignette_and_own_case_equals_assess_from_csv(known_cases, tmp_path, suffix):
    source, output = tmp_path / "cases.csv", tmp_path / f"scored{suffix}"
    write_csv(known_cases, source)
    assert score_file(source, output, full=True) == len(known_cases)
    scored = pl.read_csv(output) if suffix == ".csv" else pl.read_parquet(output)
    scored = scored.with_columns(pl.col("red_flags").fill_null(""))
    assert scored.height == len(known_cases)
    for (case_id, raw), got in zip(known_cases, scored.iter_rows(named=True), strict=True):
        assert_rows_equal(got, expected_row(case_id, raw))


def test_jsonl_input_equals_assess(known_cases, tmp_path):
    source, output = tmp_path / "cases.jsonl", tmp_path / "scored.parquet"
    source.write_text(
        "".join(json.dumps({"id": i, "answers": a}) + "\n" for i, a in known_cases), "utf-8"
    )
    score_file(source, output, full=True)
    for (case_id, raw), got in zip(
        known_cases, pl.read_parquet(output).iter_rows(named=True), strict=True
    ):
        assert_rows_equal(got, expected_row(case_id, raw))


SCORER = CohortScorer()
# Many warning signs at once, so the safety floor's take-backs are exercised too.
WARNING_HEAVY = answers(min_size=15, max_size=60).map(
    lambda raw: raw if any(raw.get(k) for k in WARNING_KEYS) else {**raw, WARNING_KEYS[0]: True}
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.one_of(answers(), WARNING_HEAVY), min_size=1, max_size=12))
def test_generated_intakes_equal_assess_in_every_column(intakes):
    records = [{"id": f"p{i}", **raw} for i, raw in enumerate(intakes)]
    scored = SCORER.score(typed_from_records(records, BANK), full=True)
    for (i, raw), got in zip(enumerate(intakes), scored.iter_rows(named=True), strict=True):
        assert_rows_equal(got, expected_row(f"p{i}", raw))

"""The dev vignettes meet the clinical targets of issue 2, scored by the shared scorer."""

import importlib.util
import json

import pytest

from nervetjek.engine import assess
from nervetjek.paths import shared_dir


@pytest.fixture(scope="module")
def report():
    shared = shared_dir()
    spec = importlib.util.spec_from_file_location(
        "score_vignettes", shared / "tools" / "score_vignettes.py"
    )
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    vignettes = scorer.load(shared / "vignettes" / "dev.jsonl")
    results = []
    for vignette in vignettes:
        result = assess(vignette["answers"])
        results.append(
            {"id": vignette["id"], "triage": result.triage, "patterns": result.pattern_ids}
        )
    return scorer.score(vignettes, results)


def test_no_under_triage(report):
    assert report["under_triage_pct"] == 0.0, json.dumps(report["misses"], indent=1)


def test_every_emergency_is_caught(report):
    assert report["emergency_sensitivity_pct"] == 100.0
    assert report["same_day_or_more_sensitivity_pct"] == 100.0


def test_triage_agreement(report):
    assert report["triage_exact_pct"] >= 95.0, json.dumps(report["misses"], indent=1)


def test_pattern_recognition(report):
    assert report["pattern_top1_pct"] >= 90.0, json.dumps(report["misses"], indent=1)
    assert report["pattern_top3_pct"] >= 98.0, json.dumps(report["misses"], indent=1)

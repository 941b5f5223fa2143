"""Clinical benchmarks for the safety case: our own cases and the shared dev vignettes.

A case is ``{"id", "answers", "expect": {"triage", "pattern", "also_acceptable"}}``; our own
cases (``tests/cases/*.yaml``) may expect ``pattern: null`` (no pattern recognised).  The
figures follow the shared scorer's definitions (shared/tools/score_vignettes.py), and the
ids of under-triaged cases are kept, because a release may add none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nervetjek.engine import assess
from nervetjek.intake import load_outcomes
from nervetjek.knowledge import Knowledge
from nervetjek.paths import SharedNotFoundError, shared_dir

OWN_CASES = Path("tests") / "cases"
URGENT = ("emergency", "same_day")


@dataclass(frozen=True)
class Outcome:
    triage: str
    patterns: tuple[str, ...]
    recognised: bool
    reasons: tuple[tuple[str, str], ...] = ()  # (rule, level) of every triage reason

    @classmethod
    def of(cls, result) -> Outcome:
        return cls(
            result.triage,
            tuple(result.pattern_ids),
            result.recognised,
            tuple((r.rule, r.level) for r in result.triage_reasons),
        )


def missing_reasons(expect: Mapping[str, Any], outcome: Outcome) -> list[str]:
    """The `rule: level` reasons a case expects that the result does not give."""
    return [
        f"{rule}: {level}"
        for rule, level in (expect.get("reasons") or {}).items()
        if (rule, level) not in outcome.reasons
    ]


def own_cases(root: Path) -> list[dict[str, Any]]:
    cases = []
    for path in sorted((root / OWN_CASES).glob("*.yaml")):
        cases.extend(yaml.safe_load(path.read_text("utf-8")) or [])
    return cases


def dev_vignettes() -> list[dict[str, Any]]:
    """The shared dev vignettes, or none when the shared folder is not beside the checkout."""
    try:
        path = shared_dir() / "vignettes" / "dev.jsonl"
    except SharedNotFoundError:
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def case_sets(root: Path) -> dict[str, list[dict[str, Any]]]:
    sets = {"own_cases": own_cases(root), "dev_vignettes": dev_vignettes()}
    return {name: cases for name, cases in sets.items() if cases}


def run_engine(
    cases: Iterable[Mapping[str, Any]], knowledge: Knowledge | None = None
) -> dict[str, Outcome]:
    return {case["id"]: Outcome.of(assess(case["answers"], knowledge)) for case in cases}


def pattern_hits(expect: Mapping[str, Any], outcome: Outcome) -> tuple[bool, bool]:
    """Is an acceptable pattern first, and among the first three?

    With `pattern: null` the case expects no pattern to be recognised (or an acceptable one).
    """
    acceptable = set(expect.get("also_acceptable") or [])
    if expect["pattern"] is None:
        quiet = not outcome.recognised
        return (
            quiet or outcome.patterns[0] in acceptable,
            quiet or any(p in acceptable for p in outcome.patterns[:3]),
        )
    acceptable.add(expect["pattern"])
    return outcome.patterns[0] in acceptable, any(p in acceptable for p in outcome.patterns[:3])


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def score(cases: Sequence[Mapping[str, Any]], outcomes: Mapping[str, Outcome]) -> dict[str, Any]:
    rank = {level: level_rank.rank for level, level_rank in load_outcomes().levels.items()}
    exact, top1, top3 = 0, 0, 0
    under: list[str] = []
    unreasoned: list[str] = []
    urgent_total = dict.fromkeys(URGENT, 0)
    urgent_hit = dict.fromkeys(URGENT, 0)
    for case in cases:
        expect, outcome = case["expect"], outcomes[case["id"]]
        want, got = rank[expect["triage"]], rank[outcome.triage]
        exact += got == want
        if got > want:
            under.append(case["id"])
        if expect["triage"] in urgent_total:
            urgent_total[expect["triage"]] += 1
            urgent_hit[expect["triage"]] += got <= want
        if missing_reasons(expect, outcome):
            unreasoned.append(case["id"])
        hit1, hit3 = pattern_hits(expect, outcome)
        top1 += hit1
        top3 += hit3
    n = len(cases)
    return {
        "cases": n,
        "triage_exact_pct": _pct(exact, n),
        "under_triage_pct": _pct(len(under), n),
        "emergency_sensitivity_pct": _pct(urgent_hit["emergency"], urgent_total["emergency"]),
        "same_day_sensitivity_pct": _pct(urgent_hit["same_day"], urgent_total["same_day"]),
        "pattern_top1_pct": _pct(top1, n),
        "pattern_top3_pct": _pct(top3, n),
        "under_triaged": sorted(under),
        "reasons_missing": sorted(unreasoned),
    }


def mismatches(cases: Sequence[Mapping[str, Any]], outcomes: Mapping[str, Outcome]) -> list[str]:
    """Ids of cases whose level or required triage reasons differ from what they expect."""
    return [
        c["id"]
        for c in cases
        if outcomes[c["id"]].triage != c["expect"]["triage"]
        or missing_reasons(c["expect"], outcomes[c["id"]])
    ]


def benchmark(
    root: Path, knowledge: Knowledge | None = None, *, runner: Callable[..., Any] = run_engine
) -> dict[str, dict[str, Any]]:
    """Scores of every case set under one ruleset (the shipped one unless given)."""
    return {name: score(cases, runner(cases, knowledge)) for name, cases in case_sets(root).items()}

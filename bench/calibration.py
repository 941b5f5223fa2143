"""Calibration of the pattern probabilities: reliability table and Brier score.

usage: python bench/calibration.py [--fit]

The naive-Bayes posterior can be overconfident. `knowledge/calibration.yaml` holds a
temperature that scales every pattern's log score before normalising (the order of the
patterns does not change).  This script

- scores our own clinical cases (tests/cases/*.yaml, cases with an expected pattern) with
  every answer of the case (the full form), with the answers the short interview collects
  (what a patient sees at the end of the interview) and with thin answers (the warning
  answers and a few others, as when a person skips questions) and with one or two yes/no
  answers turned round (a misread question);
- prints, for the naive model (temperature 1) and for the shipped temperature, a
  reliability table (the leading pattern's probability in bins against how often it was
  right) and the Brier score;
- with --fit, finds the temperature (0.05 to 1: never sharper than naive) that maximises
  the log likelihood of the expected patterns on those cases and writes it to
  calibration.yaml with the figures as reason.

The dev vignettes are printed as a check only; they are never used for the fit.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cases import load_cases
from nervetjek.conditions import Facts
from nervetjek.engine.model import log_scores, observe, posterior
from nervetjek.intake import validate_answers
from nervetjek.interview import play
from nervetjek.interview.plan import load_plan
from nervetjek.knowledge import load_knowledge
from nervetjek.paths import shared_dir

CALIBRATION = (
    Path(__file__).resolve().parent.parent / "src" / "nervetjek" / "knowledge" / "calibration.yaml"
)
BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)
WARNING = frozenset(load_plan().warning_keys)
GRID = [round(0.05 + 0.01 * i, 2) for i in range(96)]  # 0.05 .. 1.00


def _scored(answers: dict[str, Any]) -> list[float]:
    knowledge = load_knowledge()
    return log_scores(observe(Facts.of(answers), knowledge), knowledge)


def samples(cases: Sequence[dict[str, Any]]) -> list[tuple[list[float], set[int]]]:
    """(log scores, indices of acceptable patterns) for the full form and the interview."""
    knowledge = load_knowledge()
    found = []
    for case in cases:
        expect = case["expect"]
        if expect["pattern"] is None:
            continue
        ok = {expect["pattern"], *(expect.get("also_acceptable") or [])}
        hits = {knowledge.pattern_index(p) for p in ok}
        answers = validate_answers(case["answers"])
        found.append((_scored(answers), hits))
        found.append((_scored(play(answers).answers), hits))
        found += [(_scored(part), hits) for part in thin(case["id"], answers)]
        found += [(_scored(part), hits) for part in mistaken(case["id"], answers)]
    return found


def mistaken(case_id: str, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The same person getting one, then two yes/no answers wrong (a misread question);
    seeded from the case id.  Warning answers are kept: they are asked one by one."""
    rng = random.Random(f"{case_id}/mistaken")
    booleans = sorted(k for k, v in answers.items() if isinstance(v, bool) and k not in WARNING)
    parts = []
    for n in (1, 2):
        if len(booleans) >= n:
            flipped = rng.sample(booleans, n)
            parts.append({**answers, **{k: not answers[k] for k in flipped}})
    return parts


def thin(case_id: str, answers: dict[str, Any], tries: int = 3) -> list[dict[str, Any]]:
    """The same person answering only a few questions: the warning answers plus 2-6 others,
    drawn with a seed from the case id (deterministic).  Thin evidence is where naive Bayes
    is overconfident, and where a patient who skips questions ends up."""
    rng = random.Random(case_id)
    warning = {k: v for k, v in answers.items() if k in WARNING}
    others = sorted(k for k in answers if k not in WARNING)
    parts = []
    for _ in range(tries):
        chosen = rng.sample(others, min(len(others), rng.randint(2, 6)))
        parts.append({**warning, **{k: answers[k] for k in chosen}})
    return parts


def log_likelihood(data, temperature: float) -> float:
    total = 0.0
    for scores, hits in data:
        probabilities = posterior([temperature * s for s in scores])
        total += math.log(max(sum(probabilities[i] for i in hits), 1e-12))
    return total


def reliability(data, temperature: float) -> tuple[list[tuple[str, int, float, float]], float]:
    """Rows (bin, n, mean predicted, observed) for the leading pattern, and the Brier score
    of the leading pattern's probability against whether it was an acceptable pattern."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in BINS[:-1]]
    brier = 0.0
    for scores, hits in data:
        probabilities = posterior([temperature * s for s in scores])
        top = max(range(len(probabilities)), key=lambda i: probabilities[i])
        brier += (probabilities[top] - (top in hits)) ** 2
        for b in range(len(BINS) - 1):
            if BINS[b] <= probabilities[top] < BINS[b + 1]:
                bins[b].append((probabilities[top], top in hits))
    rows = []
    for b, members in enumerate(bins):
        label = f"{BINS[b]:.2f}-{min(BINS[b + 1], 1.0):.2f}"
        if members:
            mean = sum(p for p, _ in members) / len(members)
            observed = sum(hit for _, hit in members) / len(members)
            rows.append((label, len(members), mean, observed))
        else:
            rows.append((label, 0, float("nan"), float("nan")))
    return rows, brier / len(data)


def print_table(title: str, data, temperature: float) -> float:
    rows, brier = reliability(data, temperature)
    print(f"{title} (temperature {temperature}, {len(data)} results)")
    print(f"  {'predicted':<11} {'n':>4} {'mean predicted':>15} {'observed':>9}")
    for label, n, mean, observed in rows:
        if n:
            print(f"  {label:<11} {n:>4} {mean:>15.3f} {observed:>9.3f}")
    print(f"  Brier score {brier:.4f}\n")
    return brier


def fit(data) -> float:
    return max(GRID, key=lambda t: log_likelihood(data, t))


def write_temperature(temperature: float, n: int, before: float, after: float) -> None:
    text = CALIBRATION.read_text("utf-8")
    reason = (
        f"Fitted by bench/calibration.py --fit on {n} results of our own cases (full form, "
        f"short interview, thin and mistaken answers): Brier score {before:.4f} naive, "
        f"{after:.4f} at this temperature."
    )
    if temperature >= 1.0:
        reason += (
            " The best fit is no tempering: on these cases the naive posterior is not "
            "overconfident; see the reliability table."
        )
    text = re.sub(r"(?m)^temperature: .*$", f"temperature: {temperature}", text)
    text = re.sub(
        r"(?ms)^temperature_reason: >-\n.*?(?=^\S)",
        "temperature_reason: >-\n  " + reason + "\n",
        text,
    )
    CALIBRATION.write_text(text, "utf-8")


def _vignettes() -> list[dict[str, Any]]:
    path = shared_dir() / "vignettes" / "dev.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit and write the temperature")
    args = parser.parse_args(argv)
    own = samples(load_cases())
    shipped = load_knowledge().calibration.temperature
    before = print_table("tests/cases, naive", own, 1.0)
    after = print_table("tests/cases, calibrated", own, shipped)
    if args.fit:
        best = fit(own)
        after = print_table("tests/cases, fitted", own, best)
        write_temperature(best, len(own), before, after)
        print(f"wrote temperature {best} to {CALIBRATION}")
    dev = samples(_vignettes())
    print_table("dev vignettes (check only, not fitted), naive", dev, 1.0)
    print_table("dev vignettes (check only, not fitted), calibrated", dev, shipped)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

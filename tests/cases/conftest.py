"""Collect the clinical cases in tests/cases/*.yaml as test items (openfisca style).

Every case becomes three items, named by its id:

- ``<id>::no_under_triage``: the engine's level is at least as urgent as expected (the
  dangerous error is under-triage);
- ``<id>::triage_exact``: the engine's level equals the expected level;
- ``<id>::pattern_top3``: the expected pattern, or one in ``also_acceptable``, is in the top 3;
  when ``pattern`` is null the engine must say it did not recognise a pattern (or, if it does
  recognise one, an ``also_acceptable`` pattern must be in its top 3);
- ``<id>::reasons`` (only when the case lists ``expect.reasons``): every triage rule the
  policy requires for the case is among the result's reasons, at its level.  These make each
  rule testable on its own, even where a pattern's default gives the same level (see the
  ablation tests in tests/safety).

The cases were written from the clinical contract, the triage policy and the literature, not
from the engine; see the rationale of each case.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import yaml

from nervetjek.engine import assess
from nervetjek.intake import validate_answers
from nervetjek.safety.clinical import Outcome, missing_reasons, pattern_hits

LEVELS = ["emergency", "same_day", "gp_soon", "gp_or_physio", "self_care"]  # most urgent first
CHECKS = ("no_under_triage", "triage_exact", "pattern_top3")
CASES_DIR = Path(__file__).parent


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".yaml" and file_path.parent == CASES_DIR:
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):
        cases = yaml.safe_load(self.path.read_text(encoding="utf-8")) or []
        seen: set[str] = set()
        for case in cases:
            if case["id"] in seen:
                raise ValueError(f"{self.path.name}: case id {case['id']!r} is listed twice")
            seen.add(case["id"])
            yield Case.from_parent(self, name=case["id"], case=case)


class Case(pytest.Collector):
    def __init__(self, *, case: dict[str, Any], **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def collect(self):
        for check in CHECKS:
            yield CaseCheck.from_parent(self, name=check, check=check)
        if self.case["expect"].get("reasons"):
            yield CaseCheck.from_parent(self, name="reasons", check="reasons")

    @cached_property
    def assessment(self):
        """The engine's result for this case, computed once for its three checks."""
        return assess(validate_answers(self.case["answers"]))


class CaseCheck(pytest.Item):
    def __init__(self, *, check: str, **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        case = self.parent.case
        expect = case["expect"]
        result = self.parent.assessment
        if self.check == "no_under_triage":
            if LEVELS.index(result.triage) > LEVELS.index(expect["triage"]):
                raise CaseMismatch(case, result, "under-triage")
        elif self.check == "triage_exact":
            if result.triage != expect["triage"]:
                raise CaseMismatch(case, result, "triage differs")
        elif self.check == "reasons":
            missing = missing_reasons(expect, Outcome.of(result))
            if missing:
                raise CaseMismatch(case, result, f"required reasons missing: {missing}")
        elif not pattern_ok(expect, Outcome.of(result)):
            raise CaseMismatch(case, result, "pattern not in top 3")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseMismatch):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::{self.name}"


def pattern_ok(expect: dict[str, Any], outcome: Outcome) -> bool:
    # Stricter than the shared scorer: an expected pattern must also be recognised.
    in_top3 = pattern_hits(expect, outcome)[1]
    return in_top3 if expect["pattern"] is None else in_top3 and outcome.recognised


class CaseMismatch(AssertionError):
    def __init__(self, case: dict[str, Any], result, what: str):
        expect = case["expect"]
        top3 = ", ".join(f"{p.id} {p.probability:.2f}" for p in result.patterns[:3])
        rules = [r.rule for r in result.triage_reasons]
        super().__init__(
            f"{case['id']}: {what}\n"
            f"  summary:  {case['summary']}\n"
            f"  expected: {expect['triage']} / {expect['pattern']}"
            f" (also {expect.get('also_acceptable') or []})\n"
            f"  got:      {result.triage} / recognised={result.recognised} / top 3: {top3}\n"
            f"  reasons:  {rules}"
        )

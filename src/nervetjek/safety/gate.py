"""The release gate: is this version at least as safe as the recorded release?

It fails on any drop in emergency or same-day sensitivity, any case under-triaged that the
baseline did not under-triage, any safety rule no case catches when it is taken out, any
hazard control whose tests fail, are skipped or are gone, and a stale traceability report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nervetjek.knowledge import Knowledge
from nervetjek.safety import ablation, clinical, controls, interview
from nervetjek.safety.hazards import load_hazard_log
from nervetjek.safety.report import REPORT_PATH, render_report

BASELINE_PATH = Path("docs") / "safety" / "baseline.json"
SENSITIVITIES = ("emergency_sensitivity_pct", "same_day_sensitivity_pct")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class GateRun:
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, name: str, problems: list[str], fine: str) -> None:
        detail = "; ".join(problems[:6]) + (f" (+{len(problems) - 6} more)" if problems[6:] else "")
        self.checks.append(Check(name, not problems, detail or fine))


def compare_with_baseline(
    current: Mapping[str, Mapping[str, Any]], baseline: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """Safety regressions of the current figures against the baseline's, set by set."""
    problems = []
    for name, base in baseline.items():
        now = current.get(name)
        if now is None:
            problems.append(f"{name}: case set missing")
            continue
        for key in SENSITIVITIES:
            if base.get(key) is not None and (now.get(key) or 0) < base[key]:
                problems.append(f"{name}: {key} fell from {base[key]} to {now.get(key)}")
        new_under = sorted(set(now["under_triaged"]) - set(base["under_triaged"]))
        if new_under:
            problems.append(f"{name}: newly under-triaged {new_under}")
        unreasoned = sorted(
            set(now.get("reasons_missing", [])) - set(base.get("reasons_missing", []))
        )
        if unreasoned:
            problems.append(f"{name}: the policy's required reasons missing in {unreasoned}")
    return problems


def clinical_figures(root: Path, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """The full form's figures per case set, and the short interview's under the shipped rules."""
    figures = clinical.benchmark(root, knowledge)
    if knowledge is None:
        played = clinical.benchmark(root, runner=interview.run_interview)
        figures |= {f"interview:{name}": f for name, f in played.items()}
    return figures


def interview_problems(root: Path) -> list[str]:
    """Policy-required questions the interview plan lacks or a played case skipped."""
    from nervetjek.interview.plan import load_plan

    problems = [f"the plan does not ask {key}" for key in interview.plan_gaps(load_plan())]
    for cases in clinical.case_sets(root).values():
        for case in cases:
            missed = interview.skipped(interview.played(case["answers"]), case["answers"])
            if missed:
                problems.append(f"{case['id']} skipped {missed}")
    return problems


def ablation_figures(root: Path, policy_text: str | None = None) -> dict[str, Any]:
    cases = [case for cases in clinical.case_sets(root).values() for case in cases]
    verdicts = [ablation.ablate(cases, m) for m in ablation.mutants(policy_text)]
    not_caught = [v.mutant.id for v in verdicts if not v.caught]
    questions = []
    if policy_text is None:
        from nervetjek.interview.plan import load_plan

        questions = {k: interview.question_ablation_caught(k) for k in load_plan().warning_keys}
        not_caught += [f"interview-without:{k}" for k, caught in questions.items() if not caught]
    return {
        "mutants": len(verdicts) + len(questions),
        "caught": sum(v.caught for v in verdicts) + sum(questions.values()),
        "not_caught": not_caught,
    }


def load_baseline(root: Path) -> dict[str, Any]:
    return json.loads((root / BASELINE_PATH).read_text("utf-8"))


def run_gate(
    root: Path,
    *,
    ruleset: Mapping[str, str] | None = None,
    run_controls: bool = True,
    ablate: bool = True,
) -> GateRun:
    """Every gate check; `ruleset` gates other knowledge files (then no control tests run)."""
    from nervetjek.knowledge import knowledge_from_files

    run = GateRun()
    knowledge = knowledge_from_files(ruleset) if ruleset else None
    baseline = load_baseline(root)
    figures = clinical_figures(root, knowledge)
    run.figures["clinical"] = figures
    run.add(
        "clinical benchmarks vs baseline",
        compare_with_baseline(figures, baseline["sets"]),
        ", ".join(
            f"{name}: emergency {f['emergency_sensitivity_pct']} %, under-triage "
            f"{f['under_triage_pct']} %"
            for name, f in figures.items()
        ),
    )
    if ruleset is None:
        run.add(
            "the interview asks every warning question",
            interview_problems(root),
            f"{len(interview.required_questions())} policy-required questions asked in every "
            "non-emergency interview",
        )
    if ablate:
        ablated = ablation_figures(root, (ruleset or {}).get(ablation.POLICY_FILE))
        run.figures["ablation"] = ablated
        run.add(
            "every safety rule caught by a case when ablated",
            [f"{m} is caught by no case" for m in ablated["not_caught"]],
            f"{ablated['caught']} of {ablated['mutants']} single-rule weakenings caught",
        )
    log = load_hazard_log(root)
    run.add(
        "hazard log references exist",
        controls.broken_references(log, root),
        f"{len(log.hazards)} hazards",
    )
    if ruleset is None and run_controls:
        outcomes = controls.run_pytest(root, _existing(root, log.test_ids))
        run.figures["controls"] = outcomes
        run.add(
            "hazard-control tests pass",
            controls.test_problems(log.test_ids, outcomes, want="passed"),
            f"{len(log.test_ids)} tests passed",
        )
        report = (root / REPORT_PATH).read_text("utf-8") if (root / REPORT_PATH).exists() else ""
        run.add(
            "traceability report is current",
            []
            if report == render_report(log, outcomes)
            else [f"{REPORT_PATH} is out of date: run `nervetjek safety report`"],
            str(REPORT_PATH),
        )
    return run


def _existing(root: Path, test_ids: tuple[str, ...]) -> list[str]:
    found = controls.collected(root, test_ids)
    return [t for t in test_ids if controls.outcome_of(t, found)]


def record_baseline(root: Path, release: str) -> dict[str, Any]:
    """Write the current figures as the baseline of `release` (after clinical review)."""
    figures = clinical_figures(root)
    baseline = {"release": release, "sets": figures}
    (root / BASELINE_PATH).write_text(json.dumps(baseline, indent=2) + "\n", "utf-8")
    return baseline

"""The short interview against the full form: questions, screens, minutes and accuracy.

usage: python bench/interview.py [--json] [--write-cases-jsonl PATH] [--complete-instruments]

Plays every case as a patient (the interview asks, the case's answers reply, a key the
case lacks replies "don't know") on the dev vignettes (shared/vignettes/dev.jsonl) and on
our own clinical cases (tests/cases/*.yaml), and prints for each set:

- questions asked (median, p90, max), of which after the warning screens, and screens;
- estimated minutes at 6 seconds a question (the pace measured when the long form was
  tried in the browser, issue 9);
- accuracy of the interview beside the full form (every answer of the case): triage
  exact, under- and over-triage, pattern top 1 and top 3.

Accuracy is scored as `bench/cases.py` scores: a case expecting no pattern (`pattern:
null`) is a hit when the engine recognises none (or an also-acceptable one).
--write-cases-jsonl writes our cases in the vignette format (for
shared/tools/interview_check.py); cases expecting no pattern are left out there, because
the vignette scorer has no way to expect "not recognised".
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from cases import LEVELS, load_cases, pattern_hit
from nervetjek.engine import assess_valid
from nervetjek.intake import validate_answers
from nervetjek.interview import play
from nervetjek.interview.plan import load_plan
from nervetjek.paths import shared_dir

SECONDS_PER_QUESTION = 6


def _vignettes() -> list[dict[str, Any]]:
    path = shared_dir() / "vignettes" / "dev.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _p90(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _accuracy(rows: list[tuple[dict[str, Any], Any]]) -> dict[str, float]:
    n = len(rows)

    def pct(count: int) -> float:
        return round(100.0 * count / n, 1)

    deltas = [LEVELS.index(r.triage) - LEVELS.index(c["expect"]["triage"]) for c, r in rows]
    return {
        "triage_exact_pct": pct(sum(d == 0 for d in deltas)),
        "under_triage_pct": pct(sum(d > 0 for d in deltas)),
        "over_triage_pct": pct(sum(d < 0 for d in deltas)),
        "pattern_top1_pct": pct(sum(pattern_hit(c["expect"], r, 1) for c, r in rows)),
        "pattern_top3_pct": pct(sum(pattern_hit(c["expect"], r, 3) for c, r in rows)),
    }


def measure(cases: list[dict[str, Any]], complete_instruments: bool) -> dict[str, Any]:
    warning = set(load_plan().warning_keys)
    interview, full, asked, after, screens = [], [], [], [], []
    emergencies = 0
    for case in cases:
        answers = validate_answers(case["answers"])
        dialogue = play(answers, complete_instruments=complete_instruments)
        interview.append((case, dialogue.result))
        full.append((case, assess_valid(answers)))
        asked.append(len(dialogue.asked))
        after.append(len(set(dialogue.asked) - warning))
        screens.append(len(dialogue.screens) - 1)
        emergencies += dialogue.done.emergency
    return {
        "cases": len(cases),
        "stopped_at_emergency": emergencies,
        "questions": {"median": statistics.median(asked), "p90": _p90(asked), "max": max(asked)},
        "after_warning_screens": {
            "median": statistics.median(after),
            "p90": _p90(after),
            "max": max(after),
        },
        "screens": {
            "median": statistics.median(screens),
            "p90": _p90(screens),
            "max": max(screens),
        },
        "minutes_median": round(statistics.median(asked) * SECONDS_PER_QUESTION / 60, 1),
        "full_form_answers_median": statistics.median(len(c["answers"]) for c in cases),
        "interview": _accuracy(interview),
        "full_form": _accuracy(full),
    }


def print_report(title: str, report: dict[str, Any]) -> None:
    print(
        f"{title}: {report['cases']} cases, {report['stopped_at_emergency']} stopped at emergency"
    )
    print(f"  {'':<28} {'median':>7} {'p90':>5} {'max':>5}")
    for key in ("questions", "after_warning_screens", "screens"):
        row = report[key]
        print(f"  {key.replace('_', ' '):<28} {row['median']:>7} {row['p90']:>5} {row['max']:>5}")
    print(
        f"  estimated minutes (median, {SECONDS_PER_QUESTION} s a question): "
        f"{report['minutes_median']}"
    )
    print(f"  answers in the full form (median): {report['full_form_answers_median']}")
    print(f"  {'accuracy':<28} {'interview':>10} {'full form':>10}")
    for key in report["interview"]:
        print(f"  {key:<28} {report['interview'][key]:>10} {report['full_form'][key]:>10}")
    print()


def write_cases_jsonl(path: Path) -> int:
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for case in load_cases():
            expect = case["expect"]
            if expect["pattern"] is None:
                continue
            record = {
                "id": case["id"],
                "summary": case["summary"],
                "answers": case["answers"],
                "expect": {
                    "triage": expect["triage"],
                    "pattern": expect["pattern"],
                    "also_acceptable": expect.get("also_acceptable") or [],
                },
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--complete-instruments", action="store_true")
    parser.add_argument("--write-cases-jsonl", type=Path, help="write tests/cases as vignettes")
    args = parser.parse_args(argv)
    if args.write_cases_jsonl:
        count = write_cases_jsonl(args.write_cases_jsonl)
        print(f"wrote {count} cases to {args.write_cases_jsonl}")
        return 0
    reports = {
        "dev vignettes": measure(_vignettes(), args.complete_instruments),
        "tests/cases": measure(load_cases(), args.complete_instruments),
    }
    if args.json:
        print(json.dumps(reports, indent=2))
        return 0
    for title, report in reports.items():
        print_report(title, report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

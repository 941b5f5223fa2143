"""Score the engine on the independent clinical cases in tests/cases/*.yaml.

usage: python bench/cases.py [--show-misses] [--by-file] [--json]

Prints the same measures as /work/shared/tools/score_vignettes.py: triage exact agreement,
under-triage (less urgent than expected), over-triage, sensitivity for expected `emergency`
and `same_day` cases (hit when the engine is at least as urgent), pattern top-1 and top-3.
A case with `pattern: null` expects "not recognised"; it also counts as a hit when the engine
recognises a pattern listed in its `also_acceptable` (top-1 / top-3 respectively).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from nervetjek.engine import assess
from nervetjek.intake import validate_answers

LEVELS = ["emergency", "same_day", "gp_soon", "gp_or_physio", "self_care"]  # most urgent first
CASES_DIR = Path(__file__).resolve().parent.parent / "tests" / "cases"


def load_cases(directory: Path = CASES_DIR) -> list[dict[str, Any]]:
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            cases.append({**case, "file": path.stem})
    return cases


def pattern_hit(expect: dict[str, Any], result, k: int) -> bool:
    acceptable = set(expect.get("also_acceptable") or [])
    top = [p.id for p in result.patterns[:k]]
    if expect["pattern"] is None:
        return not result.recognised or any(p in acceptable for p in top)
    acceptable.add(expect["pattern"])
    return result.recognised and any(p in acceptable for p in top)


def run(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for case in cases:
        result = assess(validate_answers(case["answers"]))
        want, got = LEVELS.index(case["expect"]["triage"]), LEVELS.index(result.triage)
        rows.append(
            {
                "id": case["id"],
                "file": case["file"],
                "summary": case["summary"],
                "expect": case["expect"],
                "triage": result.triage,
                "recognised": result.recognised,
                "top3": [(p.id, round(p.probability, 3)) for p in result.patterns[:3]],
                "reasons": [r.rule for r in result.triage_reasons],
                "delta": got - want,  # > 0 under-triage, < 0 over-triage
                "top1": pattern_hit(case["expect"], result, 1),
                "top3_hit": pattern_hit(case["expect"], result, 3),
            }
        )
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def pct(a: int, b: int) -> float | None:
        return round(100.0 * a / b, 1) if b else None

    n = len(rows)
    sens = {}
    for level in ("emergency", "same_day"):
        expected = [r for r in rows if r["expect"]["triage"] == level]
        sens[level] = pct(sum(r["delta"] <= 0 for r in expected), len(expected))
    return {
        "cases": n,
        "triage_exact_pct": pct(sum(r["delta"] == 0 for r in rows), n),
        "under_triage_pct": pct(sum(r["delta"] > 0 for r in rows), n),
        "over_triage_pct": pct(sum(r["delta"] < 0 for r in rows), n),
        "emergency_sensitivity_pct": sens["emergency"],
        "same_day_or_more_sensitivity_pct": sens["same_day"],
        "pattern_top1_pct": pct(sum(r["top1"] for r in rows), n),
        "pattern_top3_pct": pct(sum(r["top3_hit"] for r in rows), n),
    }


def print_table(title: str, summary: dict[str, Any]) -> None:
    print(title)
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"  {key:<{width}}  {value if value is not None else '-'}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true", help="list every miss")
    parser.add_argument("--by-file", action="store_true", help="one table per case file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)

    rows = run(load_cases())
    summary = summarise(rows)
    misses = [r for r in rows if r["delta"] != 0 or not r["top1"] or not r["top3_hit"]]
    if args.json:
        out: dict[str, Any] = {"summary": summary}
        if args.show_misses:
            out["misses"] = misses
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print_table(f"tests/cases ({CASES_DIR})", summary)
    if args.by_file:
        for file in sorted({r["file"] for r in rows}):
            print()
            print_table(file, summarise([r for r in rows if r["file"] == file]))
    if args.show_misses:
        print()
        for r in misses:
            kind = "UNDER" if r["delta"] > 0 else "over " if r["delta"] < 0 else "     "
            flags = ("" if r["top1"] else " top1-miss") + ("" if r["top3_hit"] else " top3-miss")
            exp = r["expect"]
            print(
                f"{kind} {r['id']}: want {exp['triage']}/{exp['pattern']}"
                f" got {r['triage']}/recognised={r['recognised']}{flags}"
            )
            print(f"      top3 {r['top3']}  reasons {r['reasons']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

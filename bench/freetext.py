"""Free-text reader benchmark: precision, recall per key and overall, negation errors, ms per text.

    .venv/bin/python bench/freetext.py [SET.jsonl ...] [--errors] [--rounds N]

Default sets: the shared dev texts (../shared/vignettes/freetext-dev.jsonl) and our own
texts in tests/freetext/ (heldout.jsonl was written before any tuning on it).  Facts are
compared as ../shared/tools/freetext_check.py compares them: each region of `locations`
is one fact, duration_days is right within 15 %.  A negation error is a yes/no fact read
with the opposite value.  Time: time.perf_counter around read() on a warm reader, the
median and 95th percentile over all texts and rounds (the one-off pipeline build is
timed separately).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from nervetjek.freetext.reader import Reader

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = [
    ROOT.parent / "shared" / "vignettes" / "freetext-dev.jsonl",
    ROOT / "tests" / "freetext" / "heldout.jsonl",
    ROOT / "tests" / "freetext" / "own.jsonl",
]


def units(facts: dict[str, Any]) -> list[tuple[str, Any]]:
    out = []
    for key, value in facts.items():
        if key == "locations" and isinstance(value, list):
            out += [("locations", region) for region in value]
        else:
            out.append((key, value))
    return out


def same(key: str, gold: Any, got: Any) -> bool:
    if key == "duration_days" and isinstance(gold, int) and isinstance(got, (int, float)):
        return abs(got - gold) <= max(1, 0.15 * gold)
    return gold == got


class Score:
    def __init__(self) -> None:
        self.right: Counter[str] = Counter()
        self.extracted: Counter[str] = Counter()
        self.gold: Counter[str] = Counter()
        self.negation_errors: list[str] = []
        self.wrong: list[str] = []
        self.missed: list[str] = []

    def add(self, case_id: str, gold: dict[str, Any], got: dict[str, Any]) -> None:
        gold_units = units(gold)
        for key, _ in gold_units:
            self.gold[key] += 1
        for key, value in units(got):
            self.extracted[key] += 1
            if key == "locations":
                hit = value in (gold.get("locations") or [])
            else:
                hit = key in gold and same(key, gold[key], value)
            if hit:
                self.right[key] += 1
            else:
                self.wrong.append(f"{case_id}: {key}={value} (gold {gold.get(key, '-')})")
                if isinstance(value, bool) and gold.get(key) is (not value):
                    self.negation_errors.append(f"{case_id}: {key}")
        for key, value in gold_units:
            found = got.get(key)
            if key == "locations":
                ok = value in (found or [])
            else:
                ok = found is not None and same(key, value, found)
            if not ok:
                self.missed.append(
                    f"{case_id}: {key}={value} (got {found if found is not None else '-'})"
                )


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


def report(
    console: Console, name: str, score: Score, times: list[float], show_errors: bool
) -> None:
    table = Table(title=f"{name}: per key")
    for column in ("key", "gold", "extracted", "right", "precision", "recall"):
        table.add_column(column, justify="left" if column == "key" else "right")
    for key in sorted(set(score.gold) | set(score.extracted)):
        right, extracted, gold = score.right[key], score.extracted[key], score.gold[key]
        table.add_row(
            key,
            str(gold),
            str(extracted),
            str(right),
            _ratio(right, extracted),
            _ratio(right, gold),
        )
    right, extracted, gold = (sum(c.values()) for c in (score.right, score.extracted, score.gold))
    table.add_row(
        "ALL",
        str(gold),
        str(extracted),
        str(right),
        _ratio(right, extracted),
        _ratio(right, gold),
        style="bold",
    )
    console.print(table)
    ms = sorted(t * 1000 for t in times)
    console.print(
        f"{name}: precision={_ratio(right, extracted)} recall={_ratio(right, gold)} "
        f"negation_errors={len(score.negation_errors)} "
        f"ms_per_text median={statistics.median(ms):.1f} p95={ms[int(0.95 * (len(ms) - 1))]:.1f}"
    )
    if show_errors:
        for line in score.negation_errors:
            console.print(f"  [red]negation[/red] {line}")
        for line in score.wrong:
            console.print(f"  [yellow]wrong[/yellow] {line}")
        for line in score.missed:
            console.print(f"  [cyan]missed[/cyan] {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="JSON Lines {id, text, facts}.")
    parser.add_argument("--errors", action="store_true", help="List wrong and missed facts.")
    parser.add_argument("--rounds", type=int, default=3, help="Timed rounds over each set (1-20).")
    args = parser.parse_args()
    console = Console()
    started = time.perf_counter()
    reader = Reader()
    console.print(f"pipeline build: {(time.perf_counter() - started) * 1000:.0f} ms")
    for path in args.sets or [p for p in DEFAULT_SETS if p.exists()]:
        cases = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        score, times = Score(), []
        for case in cases:
            score.add(case["id"], case["facts"], reader.read(case["text"]).facts)
        for _ in range(max(1, min(args.rounds, 20))):
            for case in cases:
                start = time.perf_counter()
                reader.read(case["text"])
                times.append(time.perf_counter() - start)
        report(console, f"{path.name} ({len(cases)} texts)", score, times, args.errors)


if __name__ == "__main__":
    main()

"""Search benchmark: hit rate on the patient question table and query latency.

    .venv/bin/python bench/search.py [--rounds N] [--show-misses]

Questions: tests/content/search_questions.yaml (Danish, written like patients write).
Hit rate: share of questions with an expected section in the top 1 and top 3.
Latency: time.perf_counter_ns around one `search()` call (query analysis, spelling
correction, BM25 scoring and highlighted snippets) on the warm index; the index build
is timed once.  Target (issue 4): median under 5 ms.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from fnmatch import fnmatch
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from nervetjek.content.loader import library
from nervetjek.content.search import SearchIndex, search_index

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "content" / "search_questions.yaml"


def _key(hit) -> str:
    return hit.slug + (f"#{hit.anchor}" if hit.anchor else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="Timed rounds over all questions.")
    parser.add_argument("--show-misses", action="store_true", help="List the questions missed.")
    args = parser.parse_args()
    console = Console()
    questions = yaml.safe_load(QUESTIONS.read_text("utf-8"))

    start = time.perf_counter_ns()
    index = SearchIndex(library().in_language("da"), "da")
    build_ms = (time.perf_counter_ns() - start) / 1e6
    index = search_index("da")

    top1 = top3 = 0
    misses = []
    for question in questions:
        got = [_key(hit) for hit in index.search(question["q"], limit=3)]
        hit = [any(fnmatch(g, p) for p in question["expect"]) for g in got]
        top1 += bool(hit[:1] and hit[0])
        top3 += any(hit)
        if not any(hit):
            misses.append((question["q"], got))

    timings = []
    for _ in range(args.rounds):
        gc.collect()
        for question in questions:
            t0 = time.perf_counter_ns()
            index.search(question["q"], limit=10)
            timings.append((time.perf_counter_ns() - t0) / 1e6)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]

    table = Table(title="Search: Danish patient questions")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("questions", str(len(questions)))
    table.add_row("sections indexed", str(len(index.docs)))
    table.add_row("hit rate, top 1", f"{top1 / len(questions):.0%}")
    table.add_row("hit rate, top 3 (target >= 90 %)", f"{top3 / len(questions):.0%}")
    table.add_row("index build (ms)", f"{build_ms:.1f}")
    table.add_row("queries timed", str(len(timings)))
    table.add_row("latency median (ms, target < 5)", f"{statistics.median(timings):.2f}")
    table.add_row("latency p99 (ms)", f"{p99:.2f}")
    table.add_row("latency max (ms)", f"{timings[-1]:.2f}")
    console.print(table)
    if args.show_misses:
        for question, got in misses:
            console.print(f"  miss: {question!r} -> {got}", markup=False)


if __name__ == "__main__":
    main()

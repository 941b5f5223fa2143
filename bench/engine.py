"""Engine benchmark: single-assessment latency and throughput, printed as a table.

    .venv/bin/python bench/engine.py [--rounds N]

Cases: the shared dev vignettes (realistic answer sets).  Timing is in-process with
time.perf_counter_ns around one `assess()` call each (validation included); the garbage
collector runs between rounds, not inside a timing.  Target (issue 12): median under 100 µs.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time

from rich.console import Console
from rich.table import Table

from nervetjek.conditions import Facts
from nervetjek.engine import assess
from nervetjek.engine.model import (
    cohort_log_scores,
    cohort_posterior,
    feature_outcomes,
    observe,
)
from nervetjek.knowledge import load_knowledge
from nervetjek.paths import shared_dir


def load_cases() -> list[dict]:
    path = shared_dir() / "vignettes" / "dev.jsonl"
    return [json.loads(line)["answers"] for line in path.read_text("utf-8").splitlines()]


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


def time_single(cases: list[dict], rounds: int) -> list[float]:
    for case in cases:  # warm caches (knowledge files parsed once per process)
        assess(case)
    timings = []
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        for case in cases:
            start = time.perf_counter_ns()
            assess(case)
            timings.append((time.perf_counter_ns() - start) / 1000)
        gc.enable()
    return sorted(timings)


def time_json(cases: list[dict], rounds: int) -> tuple[float, float]:
    """Median µs to write one full assessment as JSON: json_bytes (the API) and pydantic's
    model_dump_json (the same bytes)."""
    results = [assess(case) for case in cases]
    medians = []
    for write in (
        lambda r: r.json_bytes(),
        lambda r: r.model_dump_json(by_alias=True),
    ):
        timings = []
        for _ in range(max(1, rounds // 10)):
            for result in results:
                start = time.perf_counter_ns()
                write(result)
                timings.append((time.perf_counter_ns() - start) / 1000)
        medians.append(statistics.median(timings))
    return medians[0], medians[1]


def observation_codes(cases: list[dict], knowledge) -> list:
    """The cohort as feature codes: which outcome of each feature each person showed."""
    import numpy as np

    outcomes = feature_outcomes(knowledge)
    index = {
        (obs.feature, obs.value): (f, i)
        for f, feature in enumerate(outcomes)
        for i, (_, _, obs) in enumerate(feature)
    }
    codes = np.full((len(outcomes), len(cases)), -1, dtype=np.int8)
    for person, case in enumerate(cases):
        for obs in observe(Facts.of(case), knowledge):
            f, i = index[(obs.feature, obs.value)]
            codes[f, person] = i
    return list(codes)


def time_cohort(cases: list[dict], rounds: int) -> float:
    """Cases/s for the model alone, scoring the cohort column by column."""
    knowledge = load_knowledge()
    codes = [column.repeat(rounds) for column in observation_codes(cases, knowledge)]
    start = time.perf_counter()
    cohort_posterior(cohort_log_scores(codes, knowledge))
    return len(cases) * rounds / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    cases = load_cases()
    timings = time_single(cases, args.rounds)
    total_s = sum(timings) / 1e6
    table = Table(title=f"assess(): {len(timings)} calls over {len(cases)} dev vignettes")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("median latency", f"{statistics.median(timings):.0f} µs")
    table.add_row("p90 latency", f"{percentile(timings, 90):.0f} µs")
    table.add_row("p99 latency", f"{percentile(timings, 99):.0f} µs")
    table.add_row("max latency", f"{timings[-1]:.0f} µs")
    table.add_row("single assessments/s", f"{len(timings) / total_s:,.0f}")
    table.add_row(
        "model only, cohort column-wise, cases/s", f"{time_cohort(cases, args.rounds):,.0f}"
    )
    fast_json, pydantic_json = time_json(cases, args.rounds)
    table.add_row("full JSON, json_bytes (API), median", f"{fast_json:.0f} µs")
    table.add_row("full JSON, model_dump_json, median", f"{pydantic_json:.0f} µs")
    table.add_row("target median", "< 100 µs")
    Console().print(table)


if __name__ == "__main__":
    main()

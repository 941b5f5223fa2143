"""Cohort scoring benchmark: rows/s of `nervetjek cohort` against the pyarrow I/O floor.

    .venv/bin/python bench/cohort.py [--rows 10000 100000 1000000] [--repeat 1]

Input: the shared dev vignettes and our own clinical cases (tests/cases) written as the
issue's CSV (one column per intake key), repeated with new ids up to each size.  For
each size the table gives the wall time of the whole command (process start-up, imports,
reading, checking, scoring, writing) and the floor: pyarrow reading the same CSV and
writing an output of the same shape, in the same run.  The 1M row file is about 350 MB;
it takes about a minute on a quiet 2-core machine and 2-3 GB of memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import yaml
from rich.console import Console
from rich.table import Table

from nervetjek.intake import load_item_bank
from nervetjek.paths import shared_dir

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("nervetjek")
FLOOR = """
import sys, time, pyarrow as pa, pyarrow.csv as pc
source, target, columns = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
table = pc.read_csv(source, convert_options=pc.ConvertOptions(strings_can_be_null=True))
pc.write_csv(pa.table({f"c{i}": table.column("id") for i in range(columns)}), target)
print(time.perf_counter() - start)
"""


def base_cases() -> list[tuple[str, dict]]:
    lines = (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    cases = [(c["id"], c["answers"]) for c in map(json.loads, filter(None, lines))]
    for path in sorted((ROOT / "tests" / "cases").glob("*.yaml")):
        cases += [(c["id"], c["answers"]) for c in yaml.safe_load(path.read_text("utf-8"))]
    return cases


def write_input(path: Path, rows: int) -> None:
    keys = list(load_item_bank().items)
    small = path.with_suffix(".base.csv")
    with small.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *keys])
        for case_id, answers in base_cases():
            cells = [answers.get(k) for k in keys]
            writer.writerow([case_id, *(_cell(v) for v in cells)])
    base = pl.read_csv(small, infer_schema=False)
    picks = pl.int_range(rows, eager=True) % base.height
    big = base[picks.to_numpy()].with_columns(
        id=pl.format("c{}", pl.int_range(rows)),
    )
    big.write_csv(path)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return ";".join(value) if isinstance(value, list) else str(value)


def run_cohort(source: Path, target: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one `nervetjek cohort` process."""
    start = time.perf_counter()
    subprocess.run([CLI, "cohort", source, "-o", target, "--quiet"], check=True)
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_floor(source: Path, target: Path, columns: int) -> float:
    done = subprocess.run(
        [sys.executable, "-c", FLOOR, source, target, str(columns)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="Runs per size (best is shown).")
    args = parser.parse_args()
    table = Table(title="nervetjek cohort: CSV in, CSV out (best of runs)")
    for column in ("rows", "input MB", "cohort s", "rows/s", "floor s", "x floor", "peak MB"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            source, target = Path(folder) / f"in{rows}.csv", Path(folder) / "out.csv"
            write_input(source, rows)
            runs = [run_cohort(source, target) for _ in range(args.repeat)]
            seconds, peak = min(runs)
            columns = len(pl.read_csv(target, n_rows=1).columns)
            floor = min(
                run_floor(source, Path(folder) / "floor.csv", columns) for _ in range(args.repeat)
            )
            table.add_row(
                f"{rows:,}",
                f"{source.stat().st_size / 1e6:,.0f}",
                f"{seconds:.2f}",
                f"{rows / seconds:,.0f}",
                f"{floor:.2f}",
                f"{seconds / floor:.1f}",
                f"{peak:,.0f}",
            )
            source.unlink()
    Console().print(table)


if __name__ == "__main__":
    main()

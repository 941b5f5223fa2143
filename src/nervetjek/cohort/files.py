"""`nervetjek cohort IN -o OUT`: read, score in blocks, write all or nothing."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import polars as pl
from rich.console import Console

from nervetjek.cohort.read import CohortError, read_cohort
from nervetjek.cohort.score import CohortScorer
from nervetjek.intake import load_item_bank

OUTPUTS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
BLOCK_ROWS = 50_000  # people scored at a time: bounds memory on big files
# Blocks scored side by side: NumPy and Polars release the GIL while they work.
THREADS = min(2, os.cpu_count() or 1)
PROGRESS_MIN_ROWS = 200_000  # below this a file takes a few seconds at most: no bar


def score_file(
    source: Path, output: Path, *, full: bool = False, console: Console | None = None
) -> int:
    """Score every person in `source` and write `output`; returns the number of rows.

    Nothing is written unless every row was read and scored: the output appears whole
    (renamed into place) or not at all.  `console`: where to show a progress bar.
    """
    kind = OUTPUTS.get(output.suffix.lower())
    if kind is None:
        raise CohortError(f"{output}: the output must end in {', '.join(OUTPUTS)}")
    if not output.parent.is_dir():
        raise CohortError(f"{output}: the folder {output.parent} does not exist")
    typed = read_cohort(source, load_item_bank())
    scorer = CohortScorer()
    blocks = [typed.slice(start, BLOCK_ROWS) for start in range(0, typed.height, BLOCK_ROWS)]
    shown = console if typed.height >= PROGRESS_MIN_ROWS else None
    with _progress(shown, typed.height) as step, ThreadPoolExecutor(THREADS) as pool:
        scored = []
        for block, result in zip(
            blocks, pool.map(lambda b: scorer.score(b, full), blocks), strict=True
        ):
            scored.append(result)
            step(block.height)
    if not scored:  # an empty file still gets its header
        scored.append(scorer.score(typed, full))
    _write_whole(pl.concat(scored), output, kind)
    return typed.height


@contextmanager
def _progress(console: Console | None, total: int) -> Iterator:
    if console is None:
        yield lambda rows: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
    )

    columns = ("Scoring", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("Scoring", total=total)
        yield lambda rows: progress.advance(task, rows)


def _write_whole(frame: pl.DataFrame, output: Path, kind: str) -> None:
    handle, temp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".part")
    os.close(handle)
    try:
        if kind == "csv":
            frame.write_csv(temp)
        else:
            frame.write_parquet(temp)
        os.replace(temp, output)
    finally:
        Path(temp).unlink(missing_ok=True)

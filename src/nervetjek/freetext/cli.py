"""`nervetjek extract`: read facts from Danish free text (one text, or a JSON Lines file)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.text import Text

from nervetjek.datafiles import DataFileError, jsonl_records

err_console = Console(stderr=True, soft_wrap=True)


def _texts(file: Path | None, jsonl: Path | None) -> Iterator[tuple[Any, str]]:
    if file is not None:
        text = sys.stdin.read() if str(file) == "-" else file.read_text("utf-8")
        yield file.stem if str(file) != "-" else "stdin", text
        return
    assert jsonl is not None
    with jsonl.open(encoding="utf-8") as handle:
        try:
            for number, record in jsonl_records(handle):
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    err_console.print(f'[red]line {number}: needs {{"id", "text"}}[/red]')
                    raise typer.Exit(2)
                yield record.get("id", f"line-{number}"), record["text"]
        except DataFileError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc


def marked(reading) -> Text:
    """The text with each understood part underlined and labelled with its fact."""
    text = Text(reading.text)
    for span in reading.spans:
        style = "bold red" if span.value is False else "bold green"
        text.stylize(style, span.start, span.end)
    for span in reading.unused:
        text.stylize("yellow", span.start, span.end)
    return text


def _show(console: Console, case_id: Any, reading) -> None:
    console.rule(str(case_id))
    console.print(marked(reading))
    for span in reading.spans:
        console.print(
            f"  [cyan]{span.key}[/cyan] = {json.dumps(span.value, ensure_ascii=False)}"
            f"  «{span.text}»  [dim]{span.cue}[/dim]",
            highlight=False,
        )
    for span in reading.unused:
        console.print(f"  [yellow]no fact[/yellow] {span.key} «{span.text}» [dim]{span.cue}[/dim]")


def extract(
    file: Annotated[Path | None, typer.Argument(help="A text file in Danish; - for stdin.")] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option("--jsonl", help='Read every line {"id", "text"} of a JSON Lines file.'),
    ] = None,
    show: Annotated[
        bool, typer.Option("--show", help="Print the text with the understood parts marked.")
    ] = False,
) -> None:
    """Read intake facts from a person's own Danish words (one JSON line per text)."""
    if (file is None) == (jsonl is None):
        err_console.print("[red]Give exactly one of FILE or --jsonl TEXTS.jsonl[/red]")
        raise typer.Exit(2)
    from nervetjek.freetext import read

    console = Console(soft_wrap=True)
    try:
        texts = list(_texts(file, jsonl))
    except OSError as exc:
        err_console.print(f"[red]Cannot read {file or jsonl}: {exc.strerror}[/red]")
        raise typer.Exit(2) from exc
    with Progress(console=err_console, transient=True, disable=len(texts) < 20) as progress:
        task = progress.add_task("Reading", total=len(texts))
        for case_id, text in texts:
            reading = read(text)
            progress.advance(task)
            if show:
                _show(console, case_id, reading)
                continue
            line = {
                "id": case_id,
                "facts": reading.facts,
                "spans": [span.as_dict() for span in reading.spans],
            }
            print(json.dumps(line, ensure_ascii=False), flush=False)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)

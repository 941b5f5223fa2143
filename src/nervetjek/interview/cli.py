"""`nervetjek simulate`: play cases as patients through the short interview."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from nervetjek.datafiles import DataFileError, jsonl_records

if TYPE_CHECKING:  # the engine is imported when a command runs, not at start-up
    from nervetjek.interview.play import Dialogue

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DONT_KNOW = {"da": "Ved ikke", "en": "Don't know"}


def _cases(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, answers) for every line: a vignette ({id, answers, ...}) or a bare intake."""
    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        err_console.print(f"[red]Cannot read {path}: {exc.strerror}[/red]")
        raise typer.Exit(2) from exc
    with handle:
        try:
            for number, record in jsonl_records(handle):
                if isinstance(record, dict) and isinstance(record.get("answers"), dict):
                    yield str(record.get("id", f"line-{number}")), record["answers"]
                else:
                    answers = {k: v for k, v in record.items() if k != "id"}
                    yield str(record.get("id", f"line-{number}")), answers
        except DataFileError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc


def dialogue_line(case_id: str, dialogue: Dialogue) -> dict[str, Any]:
    result = dialogue.result
    return {
        "id": case_id,
        "triage": result.triage,
        "patterns": result.pattern_ids,
        "recognised": result.recognised,
        "emergency": dialogue.done.emergency,
        "asked": list(dialogue.asked),
        "screens": [list(s.keys) for s in dialogue.screens if not s.done],
        "answered": len(dialogue.answers),
        "stopped": dialogue.done.reason,
    }


def _answer_text(key: str, dialogue: Dialogue, lang: str) -> str:
    from nervetjek.intake import load_item_bank

    if key not in dialogue.answers:
        return DONT_KNOW[lang]
    bank = load_item_bank()
    item, value = bank[key], dialogue.answers[key]
    if item.type == "boolean":
        return {"da": "Ja" if value else "Nej", "en": "Yes" if value else "No"}[lang]
    if item.type == "choice":
        return item.options[value](lang)
    if item.type == "regions":
        return ", ".join(bank.region_label(code, lang) for code in value) or "-"
    return str(value)


def print_dialogue(case_id: str, dialogue: Dialogue, lang: str = "da") -> None:
    from nervetjek.engine.explain import summary
    from nervetjek.intake import load_item_bank

    bank = load_item_bank()
    console.print(f"# {case_id}", markup=False)
    for number, screen in enumerate(dialogue.screens, start=1):
        if screen.done:
            break
        title = f" - {screen.title(lang)}" if screen.title else ""
        console.print(f"\nSkærm {number}{title} (ca. {screen.remaining} spørgsmål tilbage)")
        for key in screen.keys:
            console.print(f"  {bank[key].text(lang)}", markup=False, highlight=False)
            console.print(f"    -> {_answer_text(key, dialogue, lang)}", markup=False)
    console.print(f"\n{len(dialogue.asked)} spørgsmål, {len(dialogue.screens) - 1} skærme.\n")
    console.print(summary(dialogue.result, lang), markup=False, highlight=False)


def simulate(
    jsonl: Annotated[
        Path,
        typer.Option(
            "--jsonl", help="Cases as JSON Lines (vignettes or bare intakes); - for stdin."
        ),
    ],
    show: Annotated[
        str | None, typer.Option("--show", help="Print the dialogue of this case id in Danish.")
    ] = None,
    complete_instruments: Annotated[
        bool,
        typer.Option(
            "--complete-instruments",
            help="Ask the relevant questionnaires (DN4, MNSI, S-LANSS) in full.",
        ),
    ] = False,
) -> None:
    """Play each case as a patient through the interview; one JSON line per case.

    A key the case lacks answers "don't know".  The result is the engine's assessment of
    the answers given, so `assess` on the case's answers cut down to `asked` gives the same.
    """
    from nervetjek.intake import IntakeError, validate_answers
    from nervetjek.interview.play import play

    errors = 0
    for case_id, raw in _cases(jsonl):
        if show is not None and case_id != show:
            continue
        try:
            known = validate_answers(raw)
        except IntakeError as exc:
            errors += 1
            err_console.print(f"[red]{case_id}: {exc}[/red]")
            print(json.dumps({"id": case_id, **exc.as_dict()}), flush=True)
            continue
        dialogue = play(known, complete_instruments=complete_instruments)
        if show is not None:
            print_dialogue(case_id, dialogue)
            return
        print(json.dumps(dialogue_line(case_id, dialogue), ensure_ascii=False), flush=True)
    if show is not None:
        err_console.print(f"[red]No case with id {show!r} in {jsonl}[/red]")
        raise typer.Exit(2)
    if errors:
        raise typer.Exit(1)

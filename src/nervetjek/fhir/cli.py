"""`nervetjek fhir ...`: the FHIR resources on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

fhir_app = typer.Typer(no_args_is_help=True, help="FHIR R4 resources (Questionnaires).")
err_console = Console(stderr=True, soft_wrap=True)


@fhir_app.command("questionnaire")
def questionnaire(
    questionnaire_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="intake (the whole intake) or an instrument: dn4, mnsi, s-lanss."
        ),
    ] = "intake",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
) -> None:
    """Write a FHIR R4 Questionnaire generated from the item bank as JSON."""
    from nervetjek.fhir.questionnaire import (
        QUESTIONNAIRE_IDS,
        UnknownQuestionnaireError,
        build_questionnaire,
    )

    try:
        resource = build_questionnaire(questionnaire_id)
    except UnknownQuestionnaireError as exc:
        err_console.print(
            f"Unknown questionnaire {questionnaire_id!r}; choose one of: "
            + ", ".join(QUESTIONNAIRE_IDS),
            style="red",
            markup=False,
        )
        raise typer.Exit(2) from exc
    text = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, "utf-8")
        err_console.print(f"Wrote Questionnaire/{questionnaire_id} to {output}", markup=False)

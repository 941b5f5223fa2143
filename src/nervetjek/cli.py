"""The nervetjek command line."""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from nervetjek import __version__
from nervetjek.bounds import OutOfBounds, load_json
from nervetjek.content.cli import content_app
from nervetjek.fhir.cli import fhir_app
from nervetjek.freetext.cli import register as register_extract
from nervetjek.interview.cli import simulate
from nervetjek.languages import LANGUAGES
from nervetjek.safety.cli import safety_app
from nervetjek.store.cli import register as register_clinic_commands

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Nervetjek: triage and patient information for leg nerve symptoms.",
)
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks.")
app.add_typer(bench_app, name="bench")
app.add_typer(content_app, name="content")
app.add_typer(fhir_app, name="fhir")
app.add_typer(safety_app, name="safety")
register_clinic_commands(app)
app.command("simulate")(simulate)
register_extract(app)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
WORKER_START_SECONDS = 120
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"nervetjek {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Nervetjek gives guidance, not a diagnosis."""


def _log_config(log_format: str) -> dict[str, Any]:
    """uvicorn's own logging set-up with the access log's redaction, and JSON when asked for."""
    from uvicorn.config import LOGGING_CONFIG

    from nervetjek.web.middleware import RedactAccessLog

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": RedactAccessLog}}
    config["handlers"]["access"]["filters"] = ["redact"]
    if log_format == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        config["formatters"] = {"default": formatter, "access": formatter}
    # The service's own loggers (nervetjek.*) go through the same handler and format.
    config["loggers"]["nervetjek"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    log_level: Annotated[
        str, typer.Option(help="Server log level: critical, error, warning, info or debug.")
    ] = "warning",
    access_log: Annotated[
        bool, typer.Option(help="Log every request (the reverse proxy usually does).")
    ] = False,
) -> None:
    """Start the web service (http://127.0.0.1:8000 by default)."""
    import uvicorn

    from nervetjek.settings import get_settings

    settings = get_settings()
    if settings.metrics_enabled and workers > 1 and not os.environ.get(MULTIPROC_ENV):
        # Every worker writes its numbers here, and /metrics sums them.
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="nervetjek-metrics-")
    uvicorn.run(
        "nervetjek.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Forwarded headers are handled by the app, from NERVETJEK_TRUSTED_PROXIES only.
        proxy_headers=False,
        log_config=_log_config(settings.log_format),
        # Workers import the app (knowledge, content index) before answering the
        # parent's health check; uvicorn's 5 s kills them for ever on a busy host.
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        log_level=log_level,
        access_log=access_log,
        loop="uvloop",
        http="httptools",
    )


def _read_json(path: Path) -> Any:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text("utf-8")
    except OSError as exc:
        err_console.print(f"[red]Cannot read {path}: {exc.strerror}[/red]")
        raise typer.Exit(2) from exc
    try:
        return load_json(text)
    except OutOfBounds as exc:
        err_console.print(f"{path}: {exc}", style="red", markup=False)
        raise typer.Exit(2) from exc
    except json.JSONDecodeError as exc:
        err_console.print(
            f"[red]{path} is not valid JSON: {exc.msg} (line {exc.lineno}, "
            f"column {exc.colno})[/red]"
        )
        raise typer.Exit(2) from exc


def _result_line(case_id: Any, raw: Any) -> dict[str, Any]:
    from nervetjek.engine import assess
    from nervetjek.intake import IntakeError

    try:
        result = assess(raw)
    except IntakeError as exc:
        return {"id": case_id, **exc.as_dict()}
    return {"id": case_id, **result.as_dict()}


def _assess_jsonl(path: Path, output: Path | None) -> int:
    from nervetjek.intake.validate import split_case

    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        err_console.print(f"[red]Cannot read {path}: {exc.strerror}[/red]")
        return 2
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    errors = 0
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = load_json(line)
            except (json.JSONDecodeError, OutOfBounds) as exc:
                message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                err_console.print(f"line {number}: not valid JSON: {message}", style="red")
                out.write(
                    json.dumps(
                        {
                            "id": f"line-{number}",
                            "error": "invalid_json",
                            "problems": [{"key": "(line)", "message": message}],
                        }
                    )
                    + "\n"
                )
                errors += 1
                continue
            case_id, answers = split_case(record, number)
            result = _result_line(case_id, answers)
            if "error" in result:
                errors += 1
                problems = "; ".join(f"{p['key']}: {p['message']}" for p in result["problems"])
                err_console.print(f"[red]{case_id}: {problems}[/red]")
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
    if output:
        out.close()
    return 1 if errors else 0


@app.command()
def assess(
    file: Annotated[
        Path | None, typer.Argument(help="Answers as JSON (intake-v1); - for stdin.")
    ] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl",
            help="Assess every line of a JSON Lines file "
            "(vignettes or bare intakes) and write result lines.",
        ),
    ] = None,
    fhir: Annotated[
        Path | None, typer.Option("--fhir", help="Assess a FHIR QuestionnaireResponse.")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the summary: da or en.")] = "da",
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="With --jsonl: write here instead of standard output."),
    ] = None,
) -> None:
    """Assess answers and print urgency, likely patterns and next steps."""
    from nervetjek.engine import assess as run_assessment
    from nervetjek.engine.explain import summary
    from nervetjek.intake import IntakeError

    if lang not in LANGUAGES:
        err_console.print("[red]--lang must be da or en[/red]")
        raise typer.Exit(2)
    if sum(x is not None for x in (file, jsonl, fhir)) != 1:
        err_console.print(
            "[red]Give exactly one of FILE, --jsonl CASES.jsonl or --fhir RESPONSE.json[/red]"
        )
        raise typer.Exit(2)
    if jsonl is not None:
        raise typer.Exit(_assess_jsonl(jsonl, output))
    if fhir is not None:
        from nervetjek.fhir.mapping import FhirMappingError, response_to_answers

        try:
            raw = response_to_answers(_read_json(fhir))
        except FhirMappingError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    else:
        raw = _read_json(file)
    try:
        result = run_assessment(raw)
    except IntakeError as exc:
        err_console.print("[red]The answers do not fit the intake:[/red]")
        for problem in exc.problems:
            err_console.print(f"  - {problem}")
        raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        console.print(summary(result, lang), markup=False, highlight=False)


@app.command()
def cohort(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="IN",
            help="Intakes, one person a row: .csv or .parquet (an id column and one column "
            "per intake key) or .jsonl (the lines assess --jsonl reads).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Results: .csv or .parquet.")],
    full: Annotated[bool, typer.Option("--full", help="Add every pattern's probability.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Score a whole file of intakes column by column; the same result as assess per row."""
    from nervetjek.cohort import CohortError, score_file

    try:
        rows = score_file(source, output, full=full, console=None if quiet else err_console)
    except CohortError as exc:
        err_console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    if not quiet:
        err_console.print(f"{rows} rows scored: {output}", markup=False, highlight=False)


@bench_app.command("vignettes")
def bench_vignettes(
    file: Annotated[
        Path | None,
        typer.Argument(help="Vignettes (JSON Lines). Default: shared/vignettes/dev.jsonl."),
    ] = None,
    show_misses: Annotated[
        bool, typer.Option("--show-misses", help="List the cases missed.")
    ] = False,
) -> None:
    """Assess clinical vignettes and score them with the shared scorer."""
    import importlib.util
    import tempfile

    from rich.progress import track
    from rich.table import Table

    from nervetjek.paths import SharedNotFoundError, shared_dir

    try:
        shared = shared_dir()
    except SharedNotFoundError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    file = file or shared / "vignettes" / "dev.jsonl"
    spec = importlib.util.spec_from_file_location(
        "score_vignettes", shared / "tools" / "score_vignettes.py"
    )
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    vignettes = scorer.load(file)
    results = []
    for vignette in track(vignettes, description="Assessing", console=err_console):
        results.append(_result_line(vignette["id"], vignette["answers"]))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as tmp:
        tmp.writelines(json.dumps(r) + "\n" for r in results)
    report = scorer.score(vignettes, scorer.load(tmp.name))
    Path(tmp.name).unlink()
    table = Table(title=f"Vignettes: {file}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in report.items():
        if key != "misses":
            table.add_row(key, str(value))
    console.print(table)
    if show_misses:
        for miss in report["misses"]:
            console.print(
                f"  {miss['id']}: want {miss['want']} got {miss['got']}  {miss['summary']}",
                markup=False,
            )

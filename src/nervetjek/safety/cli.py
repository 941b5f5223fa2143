"""`nervetjek safety ...`: the safety case on the command line (run from the repository)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

safety_app = typer.Typer(
    no_args_is_help=True,
    help="Clinical safety case: hazard log, traceability, release gate, ruleset diff.",
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

RootOption = Annotated[
    Path, typer.Option("--root", help="The repository checkout (with docs/ and tests/).")
]


@safety_app.command("report")
def report(root: RootOption = Path(".")) -> None:
    """Run the hazard-control tests and write docs/safety/traceability.md."""
    from nervetjek.safety import controls
    from nervetjek.safety.hazards import load_hazard_log
    from nervetjek.safety.report import REPORT_PATH, render_report

    log = load_hazard_log(root)
    with console.status(f"Running {len(log.test_ids)} hazard-control tests"):
        existing = controls.collected(root, log.test_ids)
        runnable = [t for t in log.test_ids if controls.outcome_of(t, existing)]
        outcomes = controls.run_pytest(root, runnable)
    (root / REPORT_PATH).write_text(render_report(log, outcomes), "utf-8")
    problems = controls.test_problems(log.test_ids, outcomes, want="passed")
    for problem in problems:
        err_console.print(f"[red]{problem}[/red]", highlight=False)
    console.print(f"Wrote {REPORT_PATH}: {len(log.hazards)} hazards, {len(log.test_ids)} tests")
    raise typer.Exit(1 if problems else 0)


@safety_app.command("gate")
def gate(
    root: RootOption = Path("."),
    ruleset: Annotated[
        Path | None,
        typer.Option(
            "--ruleset",
            help="Gate the knowledge files in this folder instead of the shipped ones "
            "(clinical checks and ablation only).",
        ),
    ] = None,
    controls: Annotated[
        bool, typer.Option("--controls/--no-controls", help="Run the hazard-control tests.")
    ] = True,
    ablation: Annotated[
        bool, typer.Option("--ablation/--no-ablation", help="Ablate every safety rule.")
    ] = True,
    record_baseline: Annotated[
        str | None,
        typer.Option(
            "--record-baseline",
            metavar="RELEASE",
            help="After clinical review: record the current figures as RELEASE's baseline.",
        ),
    ] = None,
) -> None:
    """Fail on any safety regression against docs/safety/baseline.json."""
    from nervetjek.safety.diff import RulesetError, ruleset_files
    from nervetjek.safety.gate import record_baseline as record
    from nervetjek.safety.gate import run_gate

    if record_baseline:
        record(root, record_baseline)
        console.print(f"Recorded the baseline of {record_baseline}.")
    try:
        files = ruleset_files(str(ruleset), root) if ruleset else None
    except RulesetError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    with console.status("Running the safety gate"):
        run = run_gate(root, ruleset=files, run_controls=controls, ablate=ablation)
    table = Table(title="Safety gate")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for check in run.checks:
        table.add_row(check.name, "ok" if check.ok else "FAIL", check.detail)
    console.print(table)
    console.print("Safety gate: " + ("passed" if run.ok else "FAILED"))
    raise typer.Exit(0 if run.ok else 1)


@safety_app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="Old ruleset: a knowledge folder or a git revision.")],
    new: Annotated[str, typer.Argument(help="New ruleset: a knowledge folder or a git revision.")],
    root: RootOption = Path("."),
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON line per changed case.")
    ] = False,
) -> None:
    """List every case whose level or top pattern differs between two rulesets."""
    from nervetjek.safety.diff import RulesetError
    from nervetjek.safety.diff import diff as ruleset_diff

    try:
        changed = ruleset_diff(root, old, new)
    except RulesetError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        for change in changed:
            print(json.dumps(change.as_dict()))
        return
    table = Table(title=f"Cases that changed from {old} to {new}")
    for column in ("set", "case", "expected", "level", "top pattern"):
        table.add_column(column)
    for change in changed:
        old_top, new_top = change.top
        table.add_row(
            change.case_set,
            change.case_id,
            change.expected_level,
            f"{change.old.triage} -> {change.new.triage}",
            f"{old_top or '-'} -> {new_top or '-'}",
        )
    console.print(table)
    console.print(f"{len(changed)} cases changed.")


@safety_app.command("ablate")
def ablate(root: RootOption = Path(".")) -> None:
    """Take out or weaken each safety rule in turn; show which cases catch it."""
    from rich.progress import track

    from nervetjek.safety import ablation, clinical

    cases = [c for cases in clinical.case_sets(root).values() for c in cases]
    table = Table(title="Ablation of the triage policy")
    table.add_column("weakening")
    table.add_column("caught by", justify="right")
    table.add_column("e.g.")
    missed = 0
    for mutant in track(list(ablation.mutants()), description="Ablating", console=err_console):
        verdict = ablation.ablate(cases, mutant)
        missed += not verdict.caught
        table.add_row(mutant.what, str(len(verdict.caught_by)), ", ".join(verdict.caught_by[:2]))
    console.print(table)
    raise typer.Exit(1 if missed else 0)

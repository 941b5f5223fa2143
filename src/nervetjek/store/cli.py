"""Clinic commands: `user add`, `purge`, `forget`, `export` (registered in nervetjek.cli)."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from nervetjek.bounds import OutOfBounds, bounded_date
from nervetjek.fhir.export import intake_bundle
from nervetjek.settings import get_settings
from nervetjek.store import repo
from nervetjek.store.db import get_database
from nervetjek.store.export import worklist_csv

user_app = typer.Typer(no_args_is_help=True, help="Clinic users.")
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
CLI_ACTOR = repo.Actor("cli", "command line")
AGE = re.compile(r"([0-9]{1,9})\s*([dwy]?)")
# Longest age `purge --older-than` accepts: beyond it nothing could be older anyway.
MAX_AGE_DAYS = 100 * 365


def _db():
    database = get_database(get_settings().resolved_database_url, get_settings().owner_database_url)
    database.ensure_migrated()
    return database


def parse_age(text: str) -> timedelta:
    """'180d', '26w', '1y' or a bare number of days."""
    found = AGE.fullmatch(text.strip().lower())
    if not found:
        raise typer.BadParameter("use a number of days like 180d (or 26w, 1y)")
    number, unit = int(found.group(1)), found.group(2) or "d"
    days = number * {"d": 1, "w": 7, "y": 365}[unit]
    if days > MAX_AGE_DAYS:
        raise typer.BadParameter(f"at most {MAX_AGE_DAYS} days (100 years)")
    return timedelta(days=days)


def _read_password(password_stdin: bool) -> str:
    if password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The user's e-mail (the login name).")],
    role: Annotated[str, typer.Option(help="clinician or admin.")] = "clinician",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input (for scripts). "
            "Without a terminal this is the default.",
        ),
    ] = False,
) -> None:
    """Create a clinic user; the password is asked for (or read from standard input)."""
    password = _read_password(password_stdin)
    try:
        with _db().session() as session:
            user = repo.create_user(session, email, password, role)
            repo.audit(session, CLI_ACTOR, "user.create", "user", user.id, {"role": role})
            label = f"{user.email} ({user.role})"
    except repo.UserError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Created {label}", markup=False)


def purge(
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            help="Delete intakes sent longer ago than this, e.g. 180d. "
            "Default: NERVETJEK_RETENTION_DAYS.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be deleted.")
    ] = False,
) -> None:
    """Delete intakes (and their follow-ups) past retention; the counts go to the audit log."""
    age = parse_age(older_than) if older_than else timedelta(days=get_settings().retention_days)
    database = _db()
    with database.session() as session:
        result = repo.purge(session, age, CLI_ACTOR, dry_run=dry_run)
    if result.intakes and not dry_run:
        _scrub(database)
    verb = "Would delete" if dry_run else "Deleted"
    console.print(
        f"{verb} {result.intakes} intakes and {result.followups} follow-ups sent before "
        f"{result.cutoff:%Y-%m-%d %H:%M} UTC",
        markup=False,
    )


def forget(
    receipt_or_id: Annotated[
        str, typer.Argument(help="Receipt code (with or without dash) or id.")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete one person's data (answers, contact, notes, follow-ups) on their request."""
    database = _db()
    with database.session() as session:
        intake = repo.find_intake(session, receipt_or_id)
        if intake is None:
            err_console.print("[red]No intake with that receipt code or id[/red]")
            raise typer.Exit(1)
        if not yes and not typer.confirm(f"Delete intake {intake.id} and all its data?"):
            raise typer.Exit(1)
        intake_id = intake.id
        repo.delete_intake(session, intake, CLI_ACTOR, "request")
    _scrub(database)
    console.print(f"Deleted intake {intake_id}", markup=False)


def _scrub(database) -> None:
    if not database.scrub():
        err_console.print(
            "The database's write-ahead log was in use, so deleted data may still be in "
            "its files until the next checkpoint: run the command again when it is quiet.",
            style="yellow",
        )


def export(
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Write the worklist as CSV to this file (- for stdout)."),
    ] = None,
    fhir: Annotated[
        int | None, typer.Option("--fhir", help="Print one intake as a FHIR transaction Bundle.")
    ] = None,
    contact: Annotated[
        bool, typer.Option("--contact", help="With --csv: include name, phone and e-mail.")
    ] = False,
    level: Annotated[str | None, typer.Option(help="With --csv: only this urgency level.")] = None,
    since: Annotated[
        str | None, typer.Option(help="With --csv: sent on or after this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="With --csv: sent on or before this date (YYYY-MM-DD).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="With --fhir: write here.")
    ] = None,
    dialect: Annotated[
        str,
        typer.Option(
            help="With --csv: excel (comma) or excel-da (semicolon and a BOM, for Danish Excel)."
        ),
    ] = "excel",
) -> None:
    """Export the worklist as CSV (no contact data unless --contact) or one intake as FHIR."""
    if (csv_file is None) == (fhir is None):
        err_console.print("[red]Give exactly one of --csv FILE or --fhir ID[/red]")
        raise typer.Exit(2)
    if csv_file is not None:
        if dialect not in ("excel", "excel-da"):
            err_console.print("[red]--dialect must be excel or excel-da[/red]")
            raise typer.Exit(2)
        _export_csv(csv_file, contact, level, since, until, dialect)
    else:
        _export_fhir(fhir, output)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return bounded_date(text)
    except OutOfBounds as exc:
        raise typer.BadParameter(str(exc)) from exc


def _export_csv(path: Path, contact: bool, level, since, until, dialect: str) -> None:
    filters = repo.WorklistFilter(level=level, date_from=_date(since), date_to=_date(until))
    with _db().session() as session:
        intakes = repo.worklist(session, filters, limit=1_000_000)
        body = worklist_csv(intakes, contact, dialect, bom=dialect == "excel-da")
        repo.audit(
            session,
            CLI_ACTOR,
            "export.csv",
            detail={**filters.for_audit(), "rows": len(intakes), "contact": contact},
        )
    if str(path) == "-":
        sys.stdout.write(body)
    else:
        path.write_text(body, "utf-8")
        err_console.print(f"Wrote {len(intakes)} rows to {path}", markup=False)


def _export_fhir(intake_id: int, output: Path | None) -> None:
    with _db().session() as session:
        intake = repo.get_intake(session, intake_id)
        if intake is None:
            err_console.print("[red]No intake with that id[/red]")
            raise typer.Exit(1)
        bundle = intake_bundle(
            intake.id,
            intake.answers,
            intake.created_at,
            {
                "name": intake.contact_name,
                "phone": intake.contact_phone,
                "email": intake.contact_email,
            },
        )
        repo.audit(session, CLI_ACTOR, "export.fhir", "intake", intake.id)
    payload = bundle if isinstance(bundle, dict) else json.loads(bundle.model_dump_json())
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, "utf-8")
    else:
        sys.stdout.write(text)


def backup(
    destination: Annotated[
        Path, typer.Argument(help="New file for the copy (SQLite file, or pg_dump archive).")
    ],
) -> None:
    """Copy the live database to DEST, consistently, while the service runs."""
    from rich.progress import Progress

    from nervetjek.store.backup import BackupError, backup_postgresql, backup_sqlite

    database = _db()
    try:
        if database.is_sqlite:
            with Progress(console=err_console, transient=True) as progress:
                task = progress.add_task("Copying", total=None)
                backup_sqlite(
                    Path(database.url.database),
                    destination,
                    lambda done, total: progress.update(task, completed=done, total=total),
                )
        else:
            backup_postgresql(database.url, destination)
    except BackupError as exc:
        err_console.print(f"Backup failed: {exc}", style="red", markup=False)
        raise typer.Exit(2) from exc
    with database.session() as session:
        repo.audit(session, CLI_ACTOR, "backup", detail={"size": destination.stat().st_size})
    console.print(f"Wrote a backup to {destination}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.command("purge")(purge)
    app.command("forget")(forget)
    app.command("export")(export)
    app.command("backup")(backup)

"""`nervetjek content ...`: check the articles and try the search from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nervetjek.languages import LANGUAGES

content_app = typer.Typer(no_args_is_help=True, help="Patient-information articles.")
console = Console()
err_console = Console(stderr=True)


@content_app.command("check")
def check_command(
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="Folder with da/ and en/ article folders. Default: the shipped articles.",
        ),
    ] = None,
) -> None:
    """Check every article: front matter, headings, anchors, links, languages, LIX."""
    from nervetjek.content.check import LIX_WARNING, check

    if root is not None and not root.is_dir():
        err_console.print(f"[red]{root} is not a folder[/red]")
        raise typer.Exit(2)
    report = check(root)
    for problem in report.problems:
        colour = "red" if problem.level == "error" else "yellow"
        err_console.print(str(problem), style=colour, markup=False, highlight=False, soft_wrap=True)
    if report.lix:
        table = Table(title="LIX of the Danish articles (target under 45)")
        table.add_column("article")
        table.add_column("LIX", justify="right")
        for slug, score in sorted(report.lix.items()):
            mark = "  (above target)" if score > LIX_WARNING else ""
            table.add_row(slug, f"{score:.1f}{mark}")
        console.print(table)
    console.print(
        f"{report.articles} article files, {len(report.errors)} errors, "
        f"{len(report.warnings)} warnings"
    )
    raise typer.Exit(0 if report.ok else 1)


@content_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="What to search for, as a patient would write it.")],
    lang: Annotated[str, typer.Option(help="Language: da or en.")] = "da",
    limit: Annotated[int, typer.Option(help="How many sections to show.")] = 5,
) -> None:
    """Search the articles and print the best matching sections."""
    from nervetjek.content.search import search

    if lang not in LANGUAGES:
        err_console.print("[red]--lang must be da or en[/red]")
        raise typer.Exit(2)
    hits = search(query, lang, limit=limit)
    if not hits:
        console.print("No sections match.")
        raise typer.Exit(1)
    for rank, hit in enumerate(hits, start=1):
        console.print(
            f"{rank}. {hit.score:6.2f}  {hit.url}  {hit.article_title} > {hit.section_title}",
            markup=False,
            highlight=False,
        )

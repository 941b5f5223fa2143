from pathlib import Path

from nervetjek.clidoc import render

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_is_current():
    assert DOCS.read_text("utf-8") == render(), (
        "docs/cli.md is out of date: run `.venv/bin/python -m nervetjek.clidoc > docs/cli.md`"
    )

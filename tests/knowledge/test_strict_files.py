"""Data files load strictly: a typo or a repeated key fails with the file and line."""

from __future__ import annotations

import pytest

from nervetjek.datafiles import DataFileError, package_text, parse_yaml
from nervetjek.knowledge.loader import PACKAGE, parse_triage

SHIPPED = package_text(PACKAGE, "triage.yaml")


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_shipped_triage_policy_fits_its_schema():
    assert parse_triage(SHIPPED)["policy_version"]


def test_a_misspelt_exceptions_key_fails_with_file_and_line():
    typo = SHIPPED.replace("    exceptions:", "    exeptions:", 1)
    line = _line_of(typo, "    exeptions:")
    with pytest.raises(DataFileError) as error:
        parse_triage(typo)
    assert f"knowledge/triage.yaml line {line}" in str(error.value)
    assert "exeptions" in str(error.value)


def test_an_unknown_key_in_an_escalation_fails_with_its_line():
    typo = SHIPPED.replace("    level: emergency\n    when:", "    levl: emergency\n    when:", 1)
    with pytest.raises(DataFileError, match=r"line \d+: .*levl"):
        parse_triage(typo)


def test_a_key_written_twice_fails_with_both_lines():
    with pytest.raises(DataFileError, match=r"x\.yaml line 3: the key .a. is already on line 1"):
        parse_yaml("a: 1\nb: 2\na: 3\n", "x.yaml")

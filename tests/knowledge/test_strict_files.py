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


# One misspelt key in each of the other data files: (file, package, text, misspelt key).
TYPOS = [
    ("knowledge/features.yaml", "nervetjek.knowledge", "absent_counts: false", "absent_count"),
    ("knowledge/features.yaml", "nervetjek.knowledge", "label_no: {", "labelno"),
    ("knowledge/advice.yaml", "nervetjek.knowledge", "see: ", "sea"),
    ("knowledge/calibration.yaml", "nervetjek.knowledge", "temperature_reason:", "temp_reason"),
    ("intake/items.yaml", "nervetjek.intake", "ask_if:", "ask_iff"),
    ("intake/items.yaml", "nervetjek.intake", "answer_no_da:", "answer_no_dA"),
    ("intake/items.yaml", "nervetjek.intake", "item: 7, scores_on:", "score_on"),
    ("instruments/instruments.yaml", "nervetjek.instruments", "at_least: 3", "at_leest"),
    ("instruments/instruments.yaml", "nervetjek.instruments", "  unscored:", "unscore"),
]


def _parse(source: str, text: str):
    from nervetjek.instruments.scoring import parse_instruments_yaml
    from nervetjek.intake.bank import parse_items_yaml
    from nervetjek.knowledge.loader import parse_checked

    if source == "intake/items.yaml":
        return parse_items_yaml(text)
    if source == "instruments/instruments.yaml":
        return parse_instruments_yaml(text)
    return parse_checked(source.split("/")[1], text)


@pytest.mark.parametrize(("source", "package", "needle", "typo"), TYPOS)
def test_a_misspelt_key_in_any_data_file_fails_with_file_and_line(source, package, needle, typo):
    shipped = package_text(package, source.split("/")[1])
    assert _parse(source, shipped)  # the shipped file fits its schema
    key = needle.split(":")[-2].split(",")[-1].strip()  # the key just before the last ":"
    misspelt = needle.replace(f"{key}:", f"{typo}:")
    assert needle in shipped and misspelt != needle
    broken = shipped.replace(needle, misspelt, 1)
    line = _line_of(broken, misspelt)
    with pytest.raises(DataFileError) as error:
        _parse(source, broken)
    assert f"{source} line {line}" in str(error.value)
    assert typo in str(error.value)


def test_an_unknown_likelihood_column_is_refused():
    from nervetjek.knowledge.loader import KnowledgeError, knowledge_from_files

    table = package_text(PACKAGE, "likelihoods.csv")
    header, rest = table.split("\n", 1)
    renamed = header.replace(",reason", ",reasons")
    with pytest.raises(KnowledgeError, match="line 1: unknown column"):
        knowledge_from_files({"likelihoods.csv": renamed + "\n" + rest})

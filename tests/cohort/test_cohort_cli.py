"""`nervetjek cohort`: formats, options, and bad input that stops with row and column."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.knowledge import load_knowledge

runner = CliRunner()
HEADER = "id,age,leg_weakness,weakness_sudden,onset,locations,pain_intensity\n"
GOOD = [
    "a1,42,false,,sudden,lower_back;right.buttock;right.calf,7",
    "a2,70,true,true,gradual,left.foot_top;right.foot_top,",
    "a3,,,,,,",
]


def write(tmp_path, rows, header=HEADER, name="in.csv"):
    path = tmp_path / name
    path.write_text(header + "\n".join(rows) + "\n", "utf-8")
    return path


def run(*args):
    return runner.invoke(app, ["cohort", *map(str, args)])


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "in.csv")


def test_csv_to_csv_has_the_issue_columns(tmp_path):
    out = tmp_path / "out.csv"
    result = run(write(tmp_path, GOOD), "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out)
    assert frame.columns[:10] == [
        "id",
        "triage",
        "pattern_1",
        "pattern_2",
        "pattern_3",
        "probability_1",
        "probability_2",
        "probability_3",
        "recognised",
        "red_flags",
    ]
    assert {"dn4_score", "mnsi_points", "s_lanss_max_possible"} <= set(frame.columns)
    assert frame["id"].to_list() == ["a1", "a2", "a3"]
    assert frame["ruleset_version"].unique().to_list() == [load_knowledge().version]
    # Sudden leg weakness is an emergency (escalation), whatever the patterns say.
    assert frame["triage"][1] == "emergency"
    assert frame["red_flags"][1] == "leg_weakness;weakness_sudden"
    assert not any(c.startswith("probability_cauda") for c in frame.columns)


def test_full_adds_every_pattern_to_parquet(tmp_path):
    out = tmp_path / "out.parquet"
    result = run(write(tmp_path, GOOD), "-o", out, "--full", "-q")
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    per_pattern = [f"probability_{p}" for p in load_knowledge().patterns]
    assert set(per_pattern) <= set(frame.columns)
    totals = frame.select(pl.sum_horizontal(per_pattern)).to_series().to_list()
    assert totals == pytest.approx([1.0, 1.0, 1.0])


def test_parquet_and_jsonl_inputs_read_like_csv(tmp_path):
    csv_in = write(tmp_path, GOOD)
    typed = pl.read_csv(csv_in, infer_schema=False)
    typed.write_parquet(tmp_path / "in.parquet")
    lines = [
        {"id": "a1", "answers": {"age": 42, "leg_weakness": False, "onset": "sudden",
                                 "locations": ["lower_back", "right.buttock", "right.calf"],
                                 "pain_intensity": 7}},
        {"id": "a2", "age": 70, "leg_weakness": True, "weakness_sudden": True,
         "onset": "gradual", "locations": ["left.foot_top", "right.foot_top"]},
        {"id": "a3"},
    ]  # fmt: skip
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    results = []
    for source in (csv_in, tmp_path / "in.parquet", tmp_path / "in.jsonl"):
        out = tmp_path / f"{source.suffix[1:]}.csv"
        assert run(source, "-o", out, "-q").exit_code == 0
        results.append(pl.read_csv(out))
    assert results[0].equals(results[1])
    assert results[0].equals(results[2])


@pytest.mark.parametrize(
    ("rows", "header", "names"),
    [
        (GOOD, HEADER.replace("onset", "onsett"), ["row 1", "column onsett", "unknown column"]),
        ([*GOOD, "a4,forty,,,,,"], HEADER, ["row 4 (id a4)", "column age", "whole number"]),
        ([*GOOD, "a4,250,,,,,"], HEADER, ["row 4 (id a4)", "column age", "250"]),
        ([*GOOD, "a4,,yes,,,,"], HEADER, ["row 4 (id a4)", "column leg_weakness", "true or false"]),
        ([*GOOD, "a4,,,,quick,,"], HEADER, ["row 4 (id a4)", "column onset", "quick"]),
        ([*GOOD, "a4,,,,,left.elbow,"], HEADER, ["row 4 (id a4)", "column locations", "elbow"]),
        ([*GOOD, "a4,,,,,calf,"], HEADER, ["row 4 (id a4)", "column locations", "needs a side"]),
        ([*GOOD, "a4,,,,,right.calf;right.calf,"], HEADER, ["column locations", "twice"]),
        ([*GOOD, "a4,,,,,,3.5"], HEADER, ["row 4 (id a4)", "column pain_intensity"]),
        ([*GOOD, "a4,,false,true,,,"], HEADER, ["row 4 (id a4)", "column weakness_sudden"]),
        ([*GOOD, ",50,,,,,"], HEADER, ["row 4", "column id"]),
    ],
)
def test_bad_input_stops_naming_row_and_column_and_leaves_no_file(tmp_path, rows, header, names):
    out = tmp_path / "out.csv"
    result = run(write(tmp_path, rows, header), "-o", out)
    assert result.exit_code == 2
    for name in names:
        assert name in result.output
    assert leftovers(tmp_path) == []


def test_bad_input_keeps_an_existing_output_untouched(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("earlier results\n", "utf-8")
    result = run(write(tmp_path, [*GOOD, "a4,250,,,,,"]), "-o", out)
    assert result.exit_code == 2
    assert out.read_text("utf-8") == "earlier results\n"
    assert leftovers(tmp_path) == ["out.csv"]


def test_bad_jsonl_line_names_line_and_key(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "x", "age": 30}\n{"id": "y", "age": "30"}\n', "utf-8")
    result = run(source, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert "line 2 (id y), column age" in result.output
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("name", ["in.txt", "out.json"])
def test_unknown_file_kinds_are_refused(tmp_path, name):
    source = write(tmp_path, GOOD)
    if name == "in.txt":
        source = source.rename(tmp_path / name)
    result = run(source, "-o", tmp_path / (name if name.startswith("out") else "out.csv"))
    assert result.exit_code == 2
    assert name in result.output


def test_parquet_columns_of_the_wrong_type_name_row_and_column(tmp_path):
    source = tmp_path / "in.parquet"
    pl.DataFrame({"id": ["p1", "p2"], "burning": [1, 0], "onset": [True, False]}).write_parquet(
        source
    )
    result = run(source, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert "row 1 (id p1), column burning" in result.output
    assert "column onset" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_parquet_booleans_and_numbers_are_read_as_they_are(tmp_path):
    source, out = tmp_path / "in.parquet", tmp_path / "out.csv"
    pl.DataFrame(
        {"id": ["p1"], "leg_weakness": [True], "weakness_sudden": [True], "age": [55]}
    ).write_parquet(source)
    result = run(source, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out)["triage"].to_list() == ["emergency"]

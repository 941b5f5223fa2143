"""`nervetjek extract`: one JSON line per text, and --show."""

import json

from typer.testing import CliRunner

from nervetjek.cli import app

runner = CliRunner()


def test_extract_jsonl_prints_one_line_per_text(tmp_path):
    texts = tmp_path / "texts.jsonl"
    lines = [
        {"id": "a", "text": "Har ikke feber. Ondt i lænden i 3 uger."},
        {"id": "b", "text": "Min far har sukkersyge."},
    ]
    texts.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")
    result = runner.invoke(app, ["extract", "--jsonl", str(texts)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["facts"] == {
        "fever_or_unwell": False,
        "back_pain": True,
        "duration_days": 21,
        "locations": ["lower_back"],
    }
    assert {"key", "value", "text", "start", "end", "cue"} <= set(rows[0]["spans"][0])
    assert rows[1]["facts"] == {}


def test_extract_one_text_file_with_show(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("Det brænder under venstre fod. Måske lidt hævet.", "utf-8")
    result = runner.invoke(app, ["extract", str(path), "--show"])
    assert result.exit_code == 0, result.output
    assert "Det brænder under venstre fod" in result.stdout
    assert "burning" in result.stdout
    assert "left.foot_sole" in result.stdout


def test_extract_needs_exactly_one_input(tmp_path):
    assert runner.invoke(app, ["extract"]).exit_code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', "utf-8")
    assert runner.invoke(app, ["extract", "--jsonl", str(bad)]).exit_code == 2

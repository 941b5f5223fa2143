"""The hazard log's references, checked against the repository: files, rules, settings, tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from nervetjek.knowledge import load_knowledge
from nervetjek.safety.hazards import HazardLog
from nervetjek.safety.pytest_plugin import RECORD_ENV
from nervetjek.settings import Settings


def _known_rules() -> set[str]:
    policy = load_knowledge().policy
    return {r.id for r in policy.escalations} | {f"default:{p}" for p in policy.defaults}


def broken_references(log: HazardLog, root: Path) -> list[str]:
    """Every `implemented_by` entry that names a file, rule or setting that does not exist."""
    rules, settings = _known_rules(), set(Settings.model_fields)
    problems = []
    for hazard in log.hazards:
        for control in hazard.controls:
            for target in control.implemented_by:
                kind, _, name = target.partition(":") if ":" in target else ("file", "", target)
                missing = (
                    (kind == "rule" and name not in rules)
                    or (kind == "setting" and name not in settings)
                    or (kind == "file" and not (root / name).exists())
                    or kind not in ("rule", "setting", "file")
                )
                if missing:
                    problems.append(f"{control.id}: {target} does not exist")
    return problems


def run_pytest(root: Path, test_ids: Iterable[str], *extra: str) -> dict[str, str]:
    """Run (or with --collect-only, collect) the given tests; their outcome by node id."""
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "record.json"
        env = {**os.environ, RECORD_ENV: str(record)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "nervetjek.safety.pytest_plugin"]
        command += ["-p", "no:cacheprovider", *extra, *test_ids]
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        if not record.exists():
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            raise RuntimeError("pytest did not run: " + " | ".join(tail))
        return json.loads(record.read_text("utf-8"))


def collected(root: Path, test_ids: Iterable[str]) -> dict[str, str]:
    """Every test in the files the ids name: "collected", or "skip-marked".

    Whole files are collected because pytest stops at the first node id it cannot find.
    """
    files = sorted({i.split("::")[0] for i in test_ids if (root / i.split("::")[0]).is_file()})
    return run_pytest(root, files, "--collect-only") if files else {}


def outcome_of(test_id: str, outcomes: dict[str, str]) -> str | None:
    """One reference's outcome; a parametrized test without brackets means all its cases.

    The worst case decides: failed, then skipped or skip-marked, then passed or collected.
    """
    found = [v for k, v in outcomes.items() if k == test_id or k.startswith(test_id + "[")]
    for worst in ("failed", "skipped", "skip-marked"):
        if worst in found:
            return worst
    return found[0] if found else None


def test_problems(test_ids: Iterable[str], outcomes: dict[str, str], *, want: str) -> list[str]:
    """Referenced tests that are missing, or whose outcome is not `want`."""
    problems = []
    for test_id in test_ids:
        got = outcome_of(test_id, outcomes)
        if got is None:
            problems.append(f"{test_id}: no such test")
        elif got != want:
            problems.append(f"{test_id}: {got}")
    return problems

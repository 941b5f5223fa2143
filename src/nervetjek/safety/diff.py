"""`safety diff`: every case whose level or top pattern differs between two rulesets.

A ruleset is a folder with the knowledge files, or a git revision of this repository
(its ``src/nervetjek/knowledge/`` files are read with ``git show``).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from nervetjek.knowledge import Knowledge, knowledge_from_files
from nervetjek.knowledge.loader import FILES
from nervetjek.safety import clinical

KNOWLEDGE_DIR = "src/nervetjek/knowledge"


class RulesetError(ValueError):
    pass


def ruleset_files(spec: str, root: Path) -> dict[str, str]:
    """The knowledge files of a folder or of a git revision, by name."""
    folder = Path(spec)
    if folder.is_dir():
        missing = [name for name in FILES if not (folder / name).is_file()]
        if missing:
            raise RulesetError(f"{spec}: no {', '.join(missing)}")
        return {name: (folder / name).read_text("utf-8") for name in FILES}
    files = {}
    for name in FILES:
        shown = subprocess.run(
            ["git", "show", f"{spec}:{KNOWLEDGE_DIR}/{name}"],
            cwd=root,
            capture_output=True,
            text=True,
        )
        if shown.returncode != 0:
            raise RulesetError(f"{spec} is neither a folder nor a git revision with {name}")
        files[name] = shown.stdout
    return files


@dataclass(frozen=True)
class Change:
    case_set: str
    case_id: str
    old: clinical.Outcome
    new: clinical.Outcome
    expected_level: str

    def as_dict(self) -> dict[str, object]:
        old_top, new_top = self.top
        return {
            "set": self.case_set,
            "id": self.case_id,
            "expected": self.expected_level,
            "old": {"triage": self.old.triage, "top": old_top},
            "new": {"triage": self.new.triage, "top": new_top},
        }

    @property
    def top(self) -> tuple[str | None, str | None]:
        def first(o: clinical.Outcome) -> str | None:
            return o.patterns[0] if o.recognised else None

        return first(self.old), first(self.new)


def changes(root: Path, old: Knowledge, new: Knowledge) -> list[Change]:
    found = []
    for name, cases in clinical.case_sets(root).items():
        before, after = clinical.run_engine(cases, old), clinical.run_engine(cases, new)
        for case in cases:
            change = Change(
                name, case["id"], before[case["id"]], after[case["id"]], case["expect"]["triage"]
            )
            if change.old.triage != change.new.triage or change.top[0] != change.top[1]:
                found.append(change)
    return found


def diff(root: Path, old_spec: str, new_spec: str) -> list[Change]:
    old = knowledge_from_files(ruleset_files(old_spec, root))
    new = knowledge_from_files(ruleset_files(new_spec, root))
    return changes(root, old, new)

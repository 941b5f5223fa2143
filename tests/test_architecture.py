"""Data flows one way: answers -> intake -> engine -> result -> web/store/fhir."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nervetjek"

# What each layer may not import.
FORBIDDEN = {
    "conditions.py": ("intake", "engine", "knowledge", "web", "store", "fhir", "content", "safety"),
    "intake": ("engine", "knowledge", "web", "store", "fhir", "content", "safety"),
    "instruments": ("engine", "knowledge", "web", "store", "fhir", "content", "safety"),
    "knowledge": ("engine", "web", "store", "fhir", "content", "safety"),
    "engine": ("web", "store", "fhir", "content", "safety"),
    # The safety case reads the engine and the knowledge; it serves only the CLI.
    "safety": ("web", "store", "fhir", "content"),
    # The free-text reader sits below the engine: text -> intake facts.
    "freetext": ("engine", "knowledge", "web", "store", "fhir", "content", "safety"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_downstream(layer):
    target = PACKAGE / layer
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files
    for path in files:
        for module in imported_modules(path):
            for banned in FORBIDDEN[layer]:
                assert not module.startswith(f"nervetjek.{banned}"), f"{path.name} imports {module}"

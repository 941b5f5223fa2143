"""Where the shared clinical contract lives (spec, vignettes, scorer).

The project is developed beside a `shared/` folder (../shared from the repository).
NERVETJEK_SHARED_DIR overrides the search.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = Path("spec") / "intake-v1.schema.json"


class SharedNotFoundError(FileNotFoundError):
    pass


def shared_dir() -> Path:
    """The shared contract folder; raises SharedNotFoundError with the places tried."""
    tried = []
    env = os.environ.get("NERVETJEK_SHARED_DIR")
    candidates = [Path(env)] if env else []
    here = Path.cwd().resolve()
    package = Path(__file__).resolve()
    for base in (here, *here.parents, *package.parents):
        candidates.append(base / "shared")
        candidates.append(base.parent / "shared")
    candidates.append(Path("/work/shared"))
    for candidate in candidates:
        if candidate in tried:
            continue
        tried.append(candidate)
        if (candidate / MARKER).is_file():
            return candidate
    raise SharedNotFoundError(
        "cannot find the shared clinical contract (shared/spec/intake-v1.schema.json); "
        "set NERVETJEK_SHARED_DIR"
    )

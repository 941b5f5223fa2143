"""Browser fixtures: the system Chromium, axe-core checks and screenshots.

pytest-playwright cannot be told to use /usr/bin/chromium by option, so the launch
arguments are overridden here.  Every test in this folder is marked `browser`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
MOBILE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            # One worker per browser file keeps the live server warm and Chromium count low.
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def external_requests(page):
    """Every request the page makes to a host other than the live server."""
    seen: list[str] = []
    page.on(
        "request",
        lambda request: (
            seen.append(request.url)
            if not re.match(r"^(http://127\.0\.0\.1:\d+/|data:|about:|blob:)", request.url)
            else None
        ),
    )
    return seen


def axe_violations(page, disabled: tuple[str, ...] = ()) -> list[dict]:
    """Run axe-core (evaluated over DevTools, so the page's CSP is untouched)."""
    if not AXE.exists():
        raise RuntimeError("node_modules/axe-core is missing: run scripts/install-system-deps.sh")
    page.evaluate(AXE.read_text("utf-8"))
    options = {"rules": {rule: {"enabled": False} for rule in disabled}}
    result = page.evaluate("(options) => axe.run(document, options)", options)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)


def screenshot(page, name: str) -> None:
    """Desktop and 320 px mobile screenshots of the current page into build/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    if original:
        page.set_viewport_size(original)

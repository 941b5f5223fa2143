"""A pytest plugin that records what happened to each test, by node id, into a JSON file.

Loaded with ``-p nervetjek.safety.pytest_plugin`` and the file named in
``NERVETJEK_SAFETY_RECORD``.  With ``--collect-only`` it records the collected ids and
whether each carries a skip mark; otherwise the outcome of each test (passed, failed,
skipped).  Works under xdist: reports reach the controller.
"""

from __future__ import annotations

import json
import os

import pytest

RECORD_ENV = "NERVETJEK_SAFETY_RECORD"
_record: dict[str, str] = {}


def _statically_skipped(item: pytest.Item) -> bool:
    if item.get_closest_marker("skip"):
        return True
    return any(mark.args and mark.args[0] is True for mark in item.iter_markers("skipif"))


def pytest_collection_modifyitems(session, config, items):
    if config.option.collectonly:
        for item in items:
            _record[item.nodeid] = "skip-marked" if _statically_skipped(item) else "collected"


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _record[report.nodeid] = report.outcome
    elif report.when == "teardown" and report.outcome == "failed":
        _record[report.nodeid] = "failed"


def pytest_sessionfinish(session):
    path = os.environ.get(RECORD_ENV)
    if path and not hasattr(session.config, "workerinput"):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(_record, f, indent=1, sort_keys=True)

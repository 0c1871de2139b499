"""Shared fixtures: copies of real plan folders to break on purpose, and one real build per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Plan folders and edit_csv live in tests/support/plans.py; still importable from here for tests
# written before the move.
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN, edit_csv  # noqa: F401


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Browser tests: skipped locally when Chromium is missing (saying what to install), failed in CI."""
    if item.get_closest_marker("browser"):
        from tests.support.browser import require_browser_tools

        require_browser_tools()


@pytest.fixture
def plan_copy(tmp_path: Path) -> Path:
    """A writable copy of the default plan folder, named like the original (2025)."""
    target = tmp_path / "bac-giang" / "2025"
    shutil.copytree(DEFAULT_PLAN, target)
    return target


@pytest.fixture(scope="session")
def default_build(tmp_path_factory):
    """ocop_helpers.runs.build.build() of the default plan into a temporary folder, once per session.

    The build runs with ``OCOP_STEP_LOG`` set, so every stage the model computes — in this process
    or in any notebook kernel — is logged; the log's path is ``default_build.step_log``.
    """
    import os

    from ocop_helpers.model import compute
    from ocop_helpers.runs.build import build

    out = tmp_path_factory.mktemp("plan-build")
    log = out / "steps.log"
    old = os.environ.get(compute.STEP_LOG_ENV)
    os.environ[compute.STEP_LOG_ENV] = str(log)
    try:
        result = build(out_root=out, progress=lambda line: None)
    finally:
        if old is None:
            del os.environ[compute.STEP_LOG_ENV]
        else:
            os.environ[compute.STEP_LOG_ENV] = old
    result.step_log = log
    return result

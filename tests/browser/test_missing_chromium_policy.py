"""No silent skips in CI (issue 14): a missing browser fails the run when CI is set; locally the
skip says what to install."""

from __future__ import annotations

import pytest

from tests.support import browser


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", str(tmp_path / "no-chromium"))


def test_missing_chromium_fails_in_ci(no_chromium, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    try:
        browser.require_browser_tools()
        outcome: BaseException | None = None
    except BaseException as exc:  # a skip is a BaseException too: it must not pass for a failure
        outcome = exc
    assert isinstance(outcome, pytest.fail.Exception), f"expected a failure, got {outcome!r}"
    assert "CI" in str(outcome) and "apt-get install -y chromium" in str(outcome)


def test_missing_chromium_skips_locally_saying_what_to_install(no_chromium, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    try:
        browser.require_browser_tools()
        outcome: BaseException | None = None
    except BaseException as exc:
        outcome = exc
    assert isinstance(outcome, pytest.skip.Exception), f"expected a skip, got {outcome!r}"
    assert "apt-get install -y chromium" in str(outcome)


def test_browser_modules_are_marked_so_the_check_runs() -> None:
    from tests.browser import test_html_print_in_chromium, test_jupyterlab_loop, test_plan_in_chromium

    for module in (test_plan_in_chromium, test_jupyterlab_loop, test_html_print_in_chromium):
        marks = module.pytestmark if isinstance(module.pytestmark, list) else [module.pytestmark]
        assert any(m.name == "browser" for m in marks), module.__name__

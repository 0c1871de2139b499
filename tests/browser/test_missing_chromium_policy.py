"""No silent skips in CI (issue 14): a missing browser fails the run when CI is set; locally the
skip says what to install. `make test` installs the system packages itself (`make sysdeps`: as root
apt-get, otherwise it stops saying the command), and `.ci/run` is nothing but `make test`."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.support import browser

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = "chromium fonts-dejavu-core"


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


def test_ci_runs_exactly_the_readme_test_command() -> None:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    commands = [line.strip() for line in lines[1:] if line.strip() and not line.lstrip().startswith("#")]
    assert commands == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "make test"]
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")


def makefile_variable(name: str) -> str:
    match = re.search(rf"^{name} := (.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M)
    assert match, name
    return match.group(1)


def test_make_test_installs_the_system_packages_first() -> None:
    from tests.render import test_fontface

    prerequisites = re.search(r"^test: ([^#]*)##", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M)
    assert prerequisites and prerequisites.group(1).split()[0] == "sysdeps"
    # sysdeps looks for what the tests use.
    assert makefile_variable("CHROMIUM_BIN") == browser.CHROMIUM
    assert Path(makefile_variable("DEJAVU_FONT")).parent == test_fontface.DEJAVU_DIR


def sysdeps(tmp_path: Path, *, root: bool, present: str = "") -> tuple[subprocess.CompletedProcess, list[str]]:
    """`make sysdeps` with a fake apt-get that only logs its arguments (and DEBIAN_FRONTEND); ``present``
    names the packages whose files exist."""
    log = tmp_path / "apt.log"
    fake = tmp_path / "apt-get"
    fake.write_text(f'#!/bin/sh\necho "$DEBIAN_FRONTEND|$*" >> {log}\n', encoding="utf-8")
    fake.chmod(0o755)
    chromium, font = tmp_path / "chromium", tmp_path / "DejaVuSans.ttf"
    if "chromium" in present.split():
        chromium.write_text("#!/bin/sh\n", encoding="utf-8")
        chromium.chmod(0o755)
    if "fonts-dejavu-core" in present.split():
        font.write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if k not in ("DEBIAN_FRONTEND", "MAKEFLAGS", "MAKELEVEL")}
    run = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "sysdeps", f"CHROMIUM_BIN={chromium}", f"DEJAVU_FONT={font}"]
        + [f"APT_GET={fake}", f"IS_ROOT={'yes' if root else ''}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return run, (log.read_text(encoding="utf-8").splitlines() if log.exists() else [])


def test_sysdeps_as_root_updates_then_installs_quietly(tmp_path: Path) -> None:
    run, apt = sysdeps(tmp_path, root=True)
    assert run.returncode == 0, run.stderr
    assert apt == ["noninteractive|update -qq", f"noninteractive|install -y -qq -o DPkg::Lock::Timeout=300 {PACKAGES}"]
    (tmp_path / "apt.log").unlink()
    run, apt = sysdeps(tmp_path, root=True, present="chromium")  # only what is missing
    assert apt[-1] == "noninteractive|install -y -qq -o DPkg::Lock::Timeout=300 fonts-dejavu-core"


def test_sysdeps_not_root_stops_at_once_saying_the_command(tmp_path: Path) -> None:
    run, apt = sysdeps(tmp_path, root=False)
    assert run.returncode != 0 and apt == []
    assert f"sudo apt-get install {PACKAGES}" in run.stderr


def test_sysdeps_does_nothing_when_the_packages_are_there(tmp_path: Path) -> None:
    for root in (True, False):
        run, apt = sysdeps(tmp_path, root=root, present=PACKAGES)
        assert run.returncode == 0 and apt == [] and run.stdout == "", (run.stdout, run.stderr)

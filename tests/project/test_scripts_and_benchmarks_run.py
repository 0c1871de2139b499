"""Every script and benchmark runs in its small mode, so a module moved without them following fails here.

The files are found by glob (``scripts/*.py``, ``benchmarks/bench_*.py``); each must be registered in
:data:`SMALL` with the arguments of its small mode and a line its output shows when it worked (for the
benchmarks, a ratio against the baseline of the same run). A new script without a small mode fails
:func:`test_script_runs_in_small_mode` until it has one. Each runs in a subprocess with this
checkout first on ``PYTHONPATH`` and any editable install's import hook removed (a worktree sharing
another checkout's venv would otherwise import a module it no longer has from that checkout).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOBS = ("scripts/*.py", "benchmarks/bench_*.py")
TIMEOUT_S = 900  # generous: the machine is often shared; a small run takes seconds to a minute


@dataclass(frozen=True)
class Small:
    """How to run a script small, and what its output shows when it worked."""

    args: tuple[str, ...]
    expect: str  # a regular expression searched in stdout (multiline)
    slow: bool = False  # starts notebook kernels, process pools or nested pytest runs


SMALL: dict[str, Small] = {
    "scripts/make_synthetic.py": Small(("--small",), r"^3 plan folders checked: all identical$"),
    "scripts/make_results.py": Small(("--small",), r"^2 results folders checked: all identical$"),
    "scripts/mutation_check.py": Small(("--small",), r"^2/2 mutations caught$", slow=True),
    "benchmarks/bench_allocation.py": Small(
        ("--small",), r"^\s+equal_awards \(bisection\)\s.*\d×.*\n(.*\n)*\s+ratio vs our greedy on all draws: [\d,]+×"
    ),
    "benchmarks/bench_build.py": Small(("--small",), r"^ratio build / floor\s+\d+\.\d+x", slow=True),
    "benchmarks/bench_compare.py": Small(
        ("--small",), r"^  sweep: .*\(\d+\.\dx the baseline\)\n(.*\n)*  sweep: .*\(\d+\.\dx the baseline\)", slow=True
    ),
    "benchmarks/bench_widgets.py": Small(
        ("--small",), r"^20-budget-allocation: envelope_vnd\s+\d+ ms\s+baseline/this\s+\d+\.\dx", slow=True
    ),
    "benchmarks/bench_season.py": Small(("--small",), r"^ratio re-forecast / plan build: \d+\.\d\d$", slow=True),
    "benchmarks/bench_scale.py": Small(
        ("--small",), r"^\| 30 → 100 \| \d+\.\d\d× \|(.*\n)*- annex writer, products sheet: .* for ×\d+ rows", slow=True
    ),
}


def _found() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for pattern in GLOBS for p in ROOT.glob(pattern))


def _param(rel: str):
    small = SMALL.get(rel)
    return pytest.param(rel, id=rel, marks=[pytest.mark.slow] if small and small.slow else [])


# Imported by every Python the script starts (kernels and nested pytest too): setuptools' editable
# finder resolves ``ocop_helpers.<name>`` in the checkout it was installed from when this one lacks it.
SITECUSTOMIZE = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """This checkout only on the path; no pytest variables of the outer run (a nested pytest starts clean)."""
    hook = tmp_path_factory.mktemp("this-checkout-only")
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join([str(hook), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def test_scripts_are_found() -> None:
    assert "scripts/mutation_check.py" in _found() and "benchmarks/bench_scale.py" in _found()


def test_every_registered_script_exists() -> None:
    assert not set(SMALL) - set(_found()), "registered in SMALL but gone: remove or rename the entry"


@pytest.mark.parametrize("rel", [_param(rel) for rel in _found()])
def test_script_runs_in_small_mode(rel: str, env: dict[str, str]) -> None:
    small = SMALL.get(rel)
    if small is None:
        pytest.fail(
            f"{rel} has no small mode registered: give it one (e.g. --small, seconds on a tiny size, writing "
            f"nothing in the repository) and add it to SMALL in {Path(__file__).name}"
        )
    done = subprocess.run(
        [sys.executable, rel, *small.args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    shown = f"\n--- stdout (tail)\n{done.stdout[-4000:]}\n--- stderr (tail)\n{done.stderr[-4000:]}"
    assert done.returncode == 0, f"{rel} {' '.join(small.args)} exited {done.returncode}{shown}"
    assert re.search(small.expect, done.stdout, flags=re.MULTILINE), f"no line matching {small.expect!r}{shown}"

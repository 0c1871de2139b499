"""Atomicity under faults (issue 14): a build killed at any point, or failing on a full disk, leaves
the previous plan byte-identical and no half-written file where a user opens it
(``outputs/<province>/<year>/<scenario>/``).

One real build of the default plan (a copy carrying a planner's extra 'ghi_chu' column, which the
build must list in its log and manifest) through the command line, then builds started in a
subprocess and killed with SIGTERM or SIGKILL at several points, then a disk-full simulated by a
writer that raises ENOSPC. The processes a killed build leaves (its notebook kernels) are ended by
their process ids.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from ocop_helpers.core import paths
from ocop_helpers.runs import build

SCENARIO = "default"


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children first found through /proc)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").glob("*"))
        except OSError:  # the process ended while we looked
            continue
        for task in tasks:
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def _end(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _cli_build(plan: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ocop_helpers", "build", "--plan", str(plan), "--out", str(out), *extra],
        cwd=paths.ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """The default plan (with an extra notes column) built once with the CLI into a temporary folder."""
    import shutil

    root = tmp_path_factory.mktemp("atomic")
    plan = root / "bac-giang" / "2025"
    shutil.copytree(paths.DEFAULT_PLAN_DIR, plan)
    orgs = pd.read_csv(plan / "organisations.csv", dtype=str, keep_default_na=False).assign(ghi_chu="liên hệ lại")
    orgs.to_csv(plan / "organisations.csv", index=False)
    out = root / "out"
    proc = _cli_build(plan, out)
    log, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, log
    scenario_dir = out / "bac-giang" / "2025" / SCENARIO
    return {"plan": plan, "out": out, "dir": scenario_dir, "log": log, "before": _snapshot(scenario_dir)}


def _assert_previous_or_complete_new(built: dict, seed: int) -> str:
    """The scenario folder holds exactly the previous plan, or (if the build got to the end before the
    kill) a complete new one — never a mix, never a half-written or temporary file."""
    folder: Path = built["dir"]
    assert folder.is_dir(), "the plan folder disappeared"
    now = _snapshot(folder)
    assert not [n for n in now if n.endswith(".tmp") or n.startswith(".")], now
    if now == built["before"]:
        return "previous"
    assert set(now) == set(built["before"]), f"files differ: {set(now) ^ set(built['before'])}"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == seed, "a mix of two builds"
    return "new"


@pytest.mark.slow
def test_the_build_lists_input_warnings_in_its_log_and_manifest(built):
    assert "Cảnh báo dữ liệu" in built["log"] and "ghi_chu" in built["log"]
    manifest = json.loads((built["dir"] / "manifest.json").read_text(encoding="utf-8"))
    assert any("ghi_chu" in w for w in manifest["input_warnings"]), manifest["input_warnings"]


@pytest.mark.slow
def test_the_build_log_writes_durations_the_vietnamese_way(built):
    """Each notebook's line reads 'xong (12,3 giây)': a decimal comma and the unit in Vietnamese."""
    done = [line for line in built["log"].splitlines() if ": xong (" in line]
    assert len(done) == 3, built["log"]
    assert all(re.search(r": xong \(\d+(\.\d{3})*,\d giây\)$", line) for line in done), done


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "when"),
    [
        (signal.SIGTERM, "after 3 s"),
        (signal.SIGKILL, "first notebook written"),
        (signal.SIGKILL, "html written"),
    ],
)
def test_killed_build_leaves_the_previous_plan(built, sig, when):
    seed = 4242
    parent: Path = built["dir"].parent
    proc = _cli_build(built["plan"], built["out"], "--set", f"seed={seed}")
    kids: list[int] = []
    try:
        t0 = time.monotonic()
        while proc.poll() is None and time.monotonic() - t0 < 600:
            kids = sorted(set(kids) | set(_descendants(proc.pid)))
            building = list(parent.glob(f".{SCENARIO}.building-*"))
            if when == "after 3 s" and time.monotonic() - t0 > 3:
                break
            if when == "first notebook written" and any(any(b.glob("*.ipynb")) for b in building):
                break
            if when == "html written" and any((b / "plan.html").exists() for b in building):
                break
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _end(kids + _descendants(proc.pid))
    outcome = _assert_previous_or_complete_new(built, seed)
    print(f"{sig.name} {when}: {outcome} plan in place")
    if outcome == "new":  # the kill came after the swap: restore the reference for the next case
        built["before"] = _snapshot(built["dir"])


@pytest.mark.slow
def test_disk_full_while_writing_keeps_the_previous_plan(built, monkeypatch):
    from ocop_helpers.core import atomic

    before = _snapshot(built["dir"])

    def full(target, write):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(atomic, "write_atomic", full)
    with pytest.raises(build.BuildError) as info:
        build.build(
            built["plan"],
            out_root=built["out"],
            notebooks=[paths.NOTEBOOKS_DIR / "00-overview.ipynb"],
            progress=lambda line: None,
        )
    assert "không bị thay đổi" in str(info.value)
    assert _snapshot(built["dir"]) == before

"""atomic.write_atomic and atomic.replace_dir: a failed write leaves the old file and no temporary; the
finished folder is swapped in with one exchange, never two renames."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from ocop_helpers.core import atomic


def test_write_atomic_on_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "kich-ban.yaml"
    target.write_text("pass_rate_new: 0.5\n", encoding="utf-8")

    def half_then_full(tmp):
        Path(tmp).write_text("pass_rate_n", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        atomic.write_atomic(target, half_then_full)
    assert target.read_text(encoding="utf-8") == "pass_rate_new: 0.5\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kich-ban.yaml"]


def test_replace_dir_swaps_in_one_step(tmp_path):
    old, new = tmp_path / "default", tmp_path / ".default.building-1"
    old.mkdir()
    (old / "plan.html").write_text("cũ", encoding="utf-8")
    new.mkdir()
    (new / "plan.html").write_text("mới", encoding="utf-8")
    renames = []
    real_rename = Path.rename

    def recorded(self, target):
        renames.append((self.name, Path(target).name))
        return real_rename(self, target)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "rename", recorded)
        atomic.replace_dir(new, old)
    assert (old / "plan.html").read_text(encoding="utf-8") == "mới"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["default"]
    # One exchange, not "old away, new in" (a kill between two renames would leave no plan at all).
    assert renames == [], renames

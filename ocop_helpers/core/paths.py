"""Where things are: the project's folders as plain constants."""

from __future__ import annotations

import os
from pathlib import Path

ROOT: Path = Path(__file__).resolve().parents[2]
DATA_DIR: Path = ROOT / "data"
REFERENCE_DIR: Path = DATA_DIR / "reference"
NOTEBOOKS_DIR: Path = ROOT / "notebooks"
OUTPUTS_DIR: Path = ROOT / "outputs"
DEFAULT_PLAN_DIR: Path = DATA_DIR / "bac-giang" / "2025"


def shown(path: str | os.PathLike) -> str:
    """A path as a reader knows it: relative to the project when it lies inside it (so manifests and
    messages read the same in every clone), else absolute."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)

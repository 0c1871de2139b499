"""Error types shared by every layer: a problem in an input (file, row, column), the validation error listing them, parameter errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# A message shows at most this many problems (grouped by kind); the full list goes to a log file.
MAX_SHOWN = 50


class RowNumbers(tuple):
    """The row numbers of a table's rows as the planner sees them in its file (``frame.attrs["lines"]``).

    Immutable, so a copy may share it: pandas deep-copies a frame's ``attrs`` on every operation, and
    a plain list of 18 700 numbers made each row lookup of a large plan cost milliseconds."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict) -> RowNumbers:
        return self


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the input, located precisely."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", dòng {self.row}"
        if self.column is not None:
            kind = "khóa" if self.file.endswith("plan.yaml") or "(sheet plan)" in self.file else "cột"
            where += f", {kind} '{self.column}'"
        value = self.value
        if value is not None and len(value) > 80:
            value = value[:77] + "…"
        got = "" if value is None else f": giá trị '{value}'"
        return f"{where}{got} — {self.expected}"

    @property
    def kind(self) -> tuple[str, str]:
        """What kind of problem this is: the file and the expectation with its numbers blanked."""
        return self.file, re.sub(r"\d+", "#", self.expected)


def format_problems(problems: list[Problem], limit: int = MAX_SHOWN) -> tuple[str, bool]:
    """At most ``limit`` problems as text lines grouped by kind; returns (text, whether some were left out).

    Every kind gets at least one line while the budget lasts (round robin), so one problem repeated
    587 216 times does not hide a different one; each group ends with "và N lỗi khác cùng loại".
    """
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.kind, []).append(p)
    shown = dict.fromkeys(groups, 0)
    budget = limit
    while budget > 0:
        progressed = False
        for k, items in groups.items():
            if budget > 0 and shown[k] < len(items):
                shown[k] += 1
                budget -= 1
                progressed = True
        if not progressed:
            break
    lines: list[str] = []
    hidden_kinds = hidden_total = 0
    for k, items in groups.items():
        if shown[k] == 0:
            hidden_kinds += 1
            hidden_total += len(items)
            continue
        lines += [f"  - {p}" for p in items[: shown[k]]]
        if len(items) > shown[k]:
            lines.append(f"    và {len(items) - shown[k]} lỗi khác cùng loại")
    if hidden_total:
        lines.append(f"  - và {hidden_total} lỗi khác thuộc {hidden_kinds} loại khác")
    return "\n".join(lines), sum(shown.values()) < len(problems)


class PlanValidationError(ValueError):
    """Raised with every problem found in a plan's inputs.

    The message shows the first :data:`MAX_SHOWN` problems grouped by kind; ``problems`` holds them
    all, and ``log_path`` (set by the loader when the list was cut) names the file with the full list.
    """

    def __init__(self, problems: list[Problem], log_path: str | Path | None = None):
        self.problems = list(problems)
        self.log_path = log_path
        super().__init__(self._message())

    @property
    def truncated(self) -> bool:
        """Whether the message leaves some problems out."""
        return format_problems(self.problems)[1]

    def attach_log(self, path: str | Path | None) -> PlanValidationError:
        """Name the log file holding the full list in the message; returns self."""
        self.log_path = path
        self.args = (self._message(),)
        return self

    def _message(self) -> str:
        text, cut = format_problems(self.problems)
        head = f"Dữ liệu kế hoạch có {len(self.problems)} lỗi"
        if cut:
            head += f" (hiện {MAX_SHOWN} lỗi đầu, theo loại)"
        out = f"{head}:\n{text}"
        if cut and self.log_path:
            out += f"\nDanh sách đầy đủ: {self.log_path}"
        elif cut:
            out += "\n(không ghi được tệp nhật ký với danh sách đầy đủ)"
        return out

    def __str__(self) -> str:
        return self._message()


class ParamError(ValueError):
    """Raised with every parameter problem at once."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Tham số không hợp lệ:\n" + "\n".join(f"  - {p}" for p in problems))

"""Scenario files a planner manages: save, list, read back, compare with the base, combine.

A scenario file is a params YAML file the build accepts unchanged (``make plan PARAMS=...``). It holds
only the values that differ from the plan's base (the registry defaults, what ``make plan`` builds
without parameters), in units a planner reads: money as Vietnamese text that
:func:`ocop_helpers.core.vnformat.parse_money` reads back exactly ("4,5 tỷ", "500 triệu", "1.234.567"
đồng; a bare YAML integer is đồng), shares as percentages ("40%", "35,5%"). The planner's own name and
note are YAML comments at the top (``# Tên: …``, ``# Ghi chú: …``): the build ignores them, the Lab's
scenario list shows them.

Combining files (``--params a.yaml --params b.yaml``) goes through :func:`merge_files`, which reports
every value a later file overrides and never renames the scenario silently.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ocop_helpers.core import atomic, paths, vnformat
from ocop_helpers.domain import labels
from ocop_helpers.inputs import readers
from ocop_helpers.model.params import ParamError, Params, coerce, defaults, specs, validate

# Never written to a scenario file: set by the build or by the session, not by the planner.
NOT_SAVED = ("interactive", "results_path")
TITLE_PREFIX = "# Tên: "
NOTE_PREFIX = "# Ghi chú: "


def scenario_dir() -> Path:
    """Where scenarios are saved and listed: $OCOP_SCENARIO_DIR, else <repo>/scenarios."""
    return Path(os.environ.get("OCOP_SCENARIO_DIR") or paths.ROOT / "scenarios")


def slug(name: str) -> str:
    """A safe file stem from a scenario name typed by a planner ('Kịch bản 1' -> 'kich-ban-1')."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# ----------------------------------------------------------------------------- readable values
def money_text(vnd: int) -> str:
    """Integer đồng as exact Vietnamese text that parse_money reads back to the same integer:
    4_500_000_000 -> '4,5 tỷ', 500_000_000 -> '500 triệu', 1_234_567 -> '1.234.567' (đồng)."""
    vnd = int(vnd)
    sign = "-" if vnd < 0 else ""
    a = abs(vnd)
    for unit, scale in (("tỷ", 10**9), ("triệu", 10**6)):
        # at most three decimals in tỷ / triệu; otherwise the plain đồng figure is clearer
        if a >= scale and a % (scale // 1000) == 0:
            text = format(Decimal(a) / scale, "f")
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return f"{sign}{text.replace('.', ',')} {unit}"
    return sign + vnformat.number(a)


def share_text(share: float) -> str:
    """A share as an exact percentage that parse_share reads back to the same float: 0.355 -> '35,5%'."""
    text = format(Decimal(repr(float(share))) * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')}%"


def file_value(name: str, value: Any) -> Any:
    """How a value is written in a scenario file (money and shares as Vietnamese text)."""
    kind = specs()[name].kind
    if value is None:
        return None
    if kind == "money":
        return money_text(value)
    if kind == "share":
        return share_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def shown_value(name: str, value: Any, unit_names: Mapping[str, str] | None = None) -> str:
    """A value as a planner reads it on screen ('4,5 tỷ đồng', '40%', 'theo kế hoạch', 'huyện Lục Nam').

    ``unit_names``: unit_id -> its name in a document (``compute.unit_display_names``), so the unit
    filter reads as a place ('Toàn tỉnh' when empty), never as a code."""
    spec = specs()[name]
    if name == "unit_filter":
        return (unit_names or {}).get(value, value) if value else "Toàn tỉnh"
    if value is None:
        return "theo kế hoạch" if spec.nullable else "–"
    if spec.kind == "money":
        return vnformat.money(value) if value >= 10**6 else f"{vnformat.number(value)} đồng"
    if spec.kind == "share":
        return share_text(value)
    if spec.kind == "float":
        return vnformat.number(value, 2).rstrip("0").rstrip(",")
    if spec.kind == "int" and name not in ("year", "seed"):
        return vnformat.number(value)
    if name == "rule":
        return labels.ALLOCATION_RULE.get(value, value)
    if name == "routing":
        return labels.ROUTING.get(value, value)
    if isinstance(value, dt.date):
        return vnformat.date(value)
    return str(value) if value != "" else "(trống)"


def differences(values: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, tuple[Any, Any]]:
    """name -> (base value, value) for every saved parameter whose value differs from the base
    (by default the registry defaults: what ``make plan`` builds with no parameter file)."""
    base = defaults() if base is None else base
    reg = specs()
    return {
        k: (base.get(k, reg[k].default), v)
        for k, v in values.items()
        if k in reg and k not in NOT_SAVED and k != "scenario" and v != base.get(k, reg[k].default)
    }


# ----------------------------------------------------------------------------- files
@dataclass(frozen=True)
class Scenario:
    """One scenario: its name, where it came from (a file, or the plan's defaults) and its parameter
    values; read back from a file the Lab saved, the planner's title and note; in a comparison, the
    values of the sweep point it stands for."""

    name: str
    source: str
    values: dict[str, Any]
    swept: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    note: str = ""

    @property
    def params(self) -> Params:
        return Params(self.values)


def scenario_text(values: dict[str, Any], title: str, note: str = "", source: str = "") -> str:
    """The YAML text of a scenario: name and note as comments, the scenario's slug, and only the
    values that differ from the base, in registry order and readable units."""
    name = slug(title)
    if not name:
        raise ValueError("tên kịch bản trống")
    changed = differences(values)
    body: dict[str, Any] = {"scenario": name}
    for spec_name in specs():
        if spec_name in changed:
            body[spec_name] = file_value(spec_name, changed[spec_name][1])
    lines = [TITLE_PREFIX + " ".join(title.split())]
    for line in (note or "").strip().splitlines():
        lines.append(NOTE_PREFIX + line.strip())
    lines.append(f"# Lưu {dt.datetime.now():%d/%m/%Y %H:%M}" + (f" từ {source}" if source else ""))
    lines.append(
        "# Chỉ ghi các giá trị khác mặc định. Tiền: '4,5 tỷ', '500 triệu', '1.234.567' (số không đơn vị = đồng);"
    )
    lines.append("# tỷ lệ: '40%' hoặc 0,4. Dựng kế hoạch: make plan PARAMS=<tệp này>")
    return "\n".join(lines) + "\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)


def save(values: dict[str, Any], title: str, note: str = "", overwrite: bool = False, source: str = "") -> Path:
    """Write ``<scenario_dir>/<slug>.yaml``; FileExistsError when it exists and ``overwrite`` is off."""
    target = scenario_dir() / f"{slug(title)}.yaml"
    text = scenario_text(values, title, note, source)
    if target.exists() and not overwrite:
        raise FileExistsError(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_atomic(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return target


def read(path: str | os.PathLike) -> Scenario:
    """A scenario file: its values validated by the registry (ParamError lists every problem, each
    after the file's name)."""
    path = Path(path)
    try:
        values = validate(readers.read_yaml(path))
    except ParamError as exc:
        raise ParamError([f"{path.name}: {problem}" for problem in exc.problems]) from None
    title, note = "", []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if line.startswith(TITLE_PREFIX):
            title = line[len(TITLE_PREFIX) :].strip()
        elif line.startswith(NOTE_PREFIX):
            note.append(line[len(NOTE_PREFIX) :].strip())
    name = str(values.get("scenario") or path.stem)
    return Scenario(name, str(path), values, title=title or name, note="\n".join(note))


def listed(folder: Path | None = None) -> list[Path]:
    """The scenario files of a folder (newest first)."""
    folder = scenario_dir() if folder is None else folder
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.yaml"), key=lambda p: (-p.stat().st_mtime, p.name))


# ----------------------------------------------------------------------------- combining files
@dataclass
class Merged:
    """Parameters merged from several files and the command line, and what the merge did."""

    values: dict[str, Any]
    report: list[str]
    origin: dict[str, str] = field(default_factory=dict)  # name -> the file (or '--set') its value came from


def _same(name: str, a: Any, b: Any) -> bool:
    reg = specs()
    if name not in reg:
        return a == b
    try:
        return coerce(reg[name], a) == coerce(reg[name], b)
    except ValueError:
        return a == b


def _shown_raw(name: str, value: Any) -> str:
    reg = specs()
    if name in reg:
        try:
            return shown_value(name, coerce(reg[name], value))
        except ValueError:
            pass
    return repr(value)


def parse_settings(pairs: list[str]) -> dict[str, str]:
    """``--set name=value`` pairs of the command line (``build`` and ``compare``), values as typed (the
    registry checks them later); bad syntax is a ParamError."""
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ParamError([f"--set cần dạng tên=giá_trị, nhận được '{pair}'"])
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def merge_files(files: Iterable[str | os.PathLike] = (), overrides: dict[str, Any] | None = None) -> Merged:
    """Merge params files in order (later wins) then command-line overrides, reporting every value a
    later source replaces and how the scenario is named.

    The name: an explicit ``scenario`` on the command line wins; else the one name all files agree on;
    else the files' names joined with '+' (so neither file's plan folder is overwritten).
    """
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    report: list[str] = []
    names: list[tuple[str, str]] = []
    for f in files:
        label = Path(f).name
        for k, v in readers.read_yaml(f).items():
            if k == "scenario":
                names.append((label, str(v)))
                continue
            if k in values and not _same(k, values[k], v):
                report.append(f"{label} ghi đè '{k}': {_shown_raw(k, values[k])} ({origin[k]}) → {_shown_raw(k, v)}")
            values[k], origin[k] = v, label
    overrides = dict(overrides or {})
    for k, v in overrides.items():
        if k == "scenario":
            continue
        if k in values and not _same(k, values[k], v):
            report.append(f"--set ghi đè '{k}': {_shown_raw(k, values[k])} ({origin[k]}) → {_shown_raw(k, v)}")
        values[k], origin[k] = v, "--set"
    distinct = list(dict.fromkeys(n for _, n in names))
    if "scenario" in overrides:
        values["scenario"] = overrides["scenario"]
        if distinct and distinct != [str(overrides["scenario"])]:
            report.append(
                f"Tên kịch bản theo --set: '{overrides['scenario']}' (các tệp đặt tên: {', '.join(distinct)})"
            )
    elif len(distinct) == 1:
        values["scenario"] = distinct[0]
    elif len(distinct) > 1:
        values["scenario"] = "+".join(distinct)
        report.append(
            f"Các tệp đặt tên kịch bản khác nhau ({', '.join(f'{n} trong {lab}' for lab, n in names)}): "
            f"kế hoạch gộp mang tên '{values['scenario']}'"
        )
    return Merged(values, report, origin)


def main(argv: list[str] | None = None) -> int:
    """``python -m ocop_helpers.runs.scenarios a.yaml b.yaml``: what combining the files gives, and every
    override it makes (exit 2 on a file the build would refuse)."""

    files = sys.argv[1:] if argv is None else argv
    if not files:
        print("Cách dùng: python -m ocop_helpers.runs.scenarios a.yaml [b.yaml ...]", file=sys.stderr)
        return 2
    try:
        merged = merge_files(files)
        checked = validate(merged.values)
    except ParamError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 2
    for line in merged.report or ["Không có giá trị nào bị ghi đè."]:
        print(line)
    print(f"Kịch bản: {checked.get('scenario', 'default')}")
    for k, v in checked.items():
        if k != "scenario":
            print(f"  {k} = {shown_value(k, v)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

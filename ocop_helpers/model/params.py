"""Notebook parameters: one registry of every parameter (type, default, range, meaning).

The registry serves the notebooks (validating the ``parameters`` cell once into a typed
:class:`Params`), the build (unknown names are an error, not papermill's warning), the widgets
("save scenario" writes only known names) and the README (the parameter table).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ocop_helpers.core import paths, vnformat
from ocop_helpers.core.errors import ParamError


class RegistryChoices(Sequence[str]):
    """A choice parameter's values read from a registry each time they are used, so an entry
    registered there is a valid choice (and a README row, a dropdown item) with no edit here."""

    def __init__(self, read: Callable[[], tuple[str, ...]]):
        self._read = read

    def __getitem__(self, index):  # type: ignore[override]
        return self._read()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return repr(self._read())


def _allocation_rules() -> tuple[str, ...]:
    """Every allocation rule's code, the optimum included, in the rule registry's order."""
    from ocop_helpers.domain.allocation import (
        registry,  # deferred: numpy and scipy, loaded when the choices are first read
    )

    return registry.codes()


@dataclass(frozen=True)
class Spec:
    """One parameter: its type ('int', 'float', 'money', 'share', 'bool', 'str', 'date', 'choice')."""

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: Sequence[str] = ()
    nullable: bool = False


SPECS: tuple[Spec, ...] = (
    Spec("province", "str", paths.DEFAULT_PLAN_DIR.parent.name, "Mã tỉnh: tên thư mục trong data/"),
    Spec("year", "int", int(paths.DEFAULT_PLAN_DIR.name), "Năm kế hoạch", 2000, 2100),
    Spec("plan_dir", "str", "", "Thư mục kế hoạch hoặc tệp .xlsx; để trống = data/<province>/<year>"),
    Spec("scenario", "str", "default", "Tên kịch bản (thư mục con trong outputs/)"),
    Spec("interactive", "bool", True, "True trong JupyterLab (hiện bảng điều khiển); bản dựng papermill đặt False"),
    Spec(
        "results_path",
        "str",
        "",
        "Do bản dựng đặt: tệp kết quả đã tính một lần cho kịch bản; notebook đọc tệp này thay vì tính lại",
    ),
    Spec("as_of", "date", None, "Ngày xem xét (hạn đã qua hay chưa); để trống = 1/1 năm kế hoạch", nullable=True),
    Spec("seed", "int", 1, "Hạt giống ngẫu nhiên của mô phỏng Monte Carlo", 0, 2**32 - 1),
    # Product targets, stock and calendar (10-product-targets)
    Spec("unit_filter", "str", "", "Chỉ xem một đơn vị hành chính (unit_id); để trống = toàn tỉnh"),
    Spec(
        "pass_rate_new",
        "share",
        0.4,
        "Tỷ lệ sản phẩm đánh giá lần đầu đạt từ 3 sao (giả định, theo mức tăng "
        "các năm trước: khoảng 90 sản phẩm mỗi năm)",
    ),
    Spec("pass_rate_reevaluation", "share", 0.9, "Tỷ lệ sản phẩm đánh giá lại giữ được hạng (giả định)"),
    Spec("pass_rate_upgrade", "share", 0.5, "Tỷ lệ sản phẩm đạt hạng sao cao hơn khi nâng hạng (giả định)"),
    Spec("lapse_share", "share", 0.1, "Tỷ lệ giấy chứng nhận đến hạn nhưng không được đánh giá lại (mất hiệu lực)"),
    Spec(
        "target_risk_chance",
        "share",
        0.7,
        "Ngưỡng khả năng đạt: mục tiêu kết quả có khả năng đạt đến cuối năm dưới mức này được nêu là có nguy cơ "
        "không đạt (tờ trình, báo cáo)",
    ),
    Spec("products_per_session", "int", 30, "Số sản phẩm một hội đồng chấm được trong một phiên (ngày)", 1, 500),
    Spec("sessions_per_round", "int", 2, "Số phiên họp hội đồng trong một đợt", 1, 60),
    Spec(
        "routing",
        "choice",
        "as_filed",
        "as_filed: lịch như kế hoạch ban hành; rerouted: chuyển vòng "
        "ở cấp không còn tồn tại sang cấp đang có thẩm quyền",
        choices=("as_filed", "rerouted"),
    ),
    # Budget and allocation (20-budget-allocation)
    Spec(
        "envelope_vnd",
        "money",
        None,
        "Kinh phí hỗ trợ nhãn hiệu, bao bì, tem nhãn (đồng); trống = dòng 'branding' của kế hoạch",
        0,
        nullable=True,
    ),
    Spec(
        "rule",
        "choice",
        "priority",
        "Quy tắc phân bổ khi kinh phí không đủ",
        choices=RegistryChoices(_allocation_rules),
    ),
    Spec(
        "co_financing_share",
        "share",
        None,
        "Tỷ lệ ngân sách hỗ trợ chi phí bao bì; trống = theo định mức",
        nullable=True,
    ),
    Spec(
        "item_cap_vnd", "money", None, "Mức hỗ trợ tối đa một nội dung (đồng); trống = theo định mức", 0, nullable=True
    ),
    Spec(
        "organisation_cap_vnd",
        "money",
        None,
        "Mức hỗ trợ tối đa một chủ thể (đồng); trống = không giới hạn",
        0,
        nullable=True,
    ),
    Spec("min_grant_vnd", "money", 0, "Mức hỗ trợ tối thiểu có ích (đồng); thấp hơn thì không hỗ trợ", 0),
    Spec("weight_star", "float", 1.0, "Hệ số ưu tiên theo hạng sao mục tiêu", 0, 10),
    Spec("weight_stream", "float", 1.0, "Hệ số ưu tiên theo hình thức đánh giá", 0, 10),
    Spec("weight_organisation_type", "float", 1.0, "Hệ số ưu tiên theo loại hình chủ thể (hợp tác xã trước)", 0, 10),
    Spec(
        "weight_unit_equity",
        "float",
        1.0,
        "Hệ số ưu tiên đơn vị có ít chủ thể đề nghị (công bằng giữa địa phương)",
        0,
        10,
    ),
    Spec("draws", "int", 10_000, "Số lượt mô phỏng Monte Carlo", 100, 200_000),
    Spec("cost_sigma", "float", 0.2, "Độ bất định chi phí từng nội dung (độ lệch chuẩn log)", 0, 2),
    Spec("target_rate", "share", 0.8, "Xác suất sản phẩm đạt đúng hạng sao mục tiêu khi được công nhận"),
    Spec("kept_rate", "share", 0.9, "Xác suất sản phẩm nâng hạng không đạt vẫn giữ hạng cũ"),
    Spec(
        "budget_rewards_vnd",
        "money",
        None,
        "Dòng chi hỗ trợ sau công nhận (đồng); trống = theo kế hoạch",
        0,
        nullable=True,
    ),
    Spec(
        "budget_councils_vnd",
        "money",
        None,
        "Dòng chi hội đồng đánh giá (đồng); trống = theo kế hoạch",
        0,
        nullable=True,
    ),
    Spec(
        "budget_promotion_vnd",
        "money",
        None,
        "Dòng chi xúc tiến thương mại (đồng); trống = theo kế hoạch",
        0,
        nullable=True,
    ),
    Spec(
        "budget_training_vnd",
        "money",
        None,
        "Dòng chi tập huấn, tuyên truyền (đồng); trống = theo kế hoạch",
        0,
        nullable=True,
    ),
)


def specs() -> dict[str, Spec]:
    """Every known parameter by name."""
    return {s.name: s for s in SPECS}


def coerce(spec: Spec, value: Any) -> Any:
    """Convert a value given on the command line, in YAML or by a widget; raise ValueError(reason).

    Money accepts what planners type ('1,5 tỷ', '500 triệu', '1.234.567'; a bare number is đồng) and
    shares '40%', '0,4' or '0.4' (both through :mod:`ocop_helpers.core.vnformat`).
    """
    if value is None or (isinstance(value, str) and value.strip() == "" and spec.kind not in ("str",)):
        if spec.nullable:
            return None
        raise ValueError("không được để trống")
    k = spec.kind
    if k == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "có"):
            return True
        if text in ("false", "0", "no", "không"):
            return False
        raise ValueError("cần True hoặc False")
    if isinstance(value, (list, tuple, dict, set)):
        raise ValueError(f"cần một giá trị đơn, không phải {'danh sách' if not isinstance(value, dict) else 'bảng'}")
    if k == "money":
        # Strings as planners write them ('1,5 tỷ', '500 triệu', '1.234.567'); a bare number is đồng.
        if isinstance(value, bool):
            raise ValueError("cần một số tiền (đồng)")
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise ValueError("cần một số đồng nguyên (ví dụ 5200000000 hoặc '5,2 tỷ')")
            value = int(value)
        elif isinstance(value, str):
            value = vnformat.parse_money(value, "đồng")
        elif not isinstance(value, int):
            raise ValueError("cần một số tiền (đồng)")
    elif k == "int":
        if isinstance(value, bool):
            raise ValueError("cần một số nguyên")
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise ValueError("cần một số nguyên")
            value = int(value)
        if isinstance(value, str):
            text = value.strip()
            try:
                value = int(text)
            except ValueError:
                try:
                    f = float(value)
                except ValueError:
                    raise ValueError("cần một số nguyên") from None
                if not math.isfinite(f) or not f.is_integer():
                    raise ValueError("cần một số nguyên") from None
                value = int(f)
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValueError("cần một số nguyên") from None
    elif k == "share":
        if isinstance(value, bool):
            raise ValueError("cần một tỷ lệ")
        if isinstance(value, str):
            value = vnformat.parse_share(value)
        else:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError("cần một tỷ lệ từ 0 đến 1 (ví dụ 0,4 hoặc 40%)") from None
            if not 0 <= value <= 1:
                raise ValueError("cần một tỷ lệ từ 0 đến 1 (ví dụ 0,4 hoặc 40%)")
    elif k == "float":
        if isinstance(value, bool):
            raise ValueError("cần một số")
        try:
            value = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise ValueError("cần một số") from None
        if not math.isfinite(value):
            raise ValueError("cần một số hữu hạn")
    elif k == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        elif not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError("cần một ngày dạng năm-tháng-ngày (YYYY-MM-DD)") from None
    elif k == "choice":
        value = str(value).strip()
        if value not in spec.choices:
            raise ValueError("cần một trong: " + ", ".join(spec.choices))
    elif k == "str":
        value = "" if value is None else str(value)
    else:  # pragma: no cover - a registry typo
        raise AssertionError(f"unknown parameter kind {k}")
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"không nhỏ hơn {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"không lớn hơn {spec.maximum:g}")
    return value


def validate(values: dict[str, Any], allowed: set[str] | None = None) -> dict[str, Any]:
    """Coerce every given value; unknown names and bad values are reported together."""
    registry = specs()
    problems: list[str] = []
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in registry or (allowed is not None and name not in allowed):
            problems.append(f"'{name}': tham số không tồn tại; các tham số: {', '.join(sorted(allowed or registry))}")
            continue
        try:
            out[name] = coerce(registry[name], value)
        except ValueError as exc:
            problems.append(f"'{name}' = {value!r}: {exc}")
    if problems:
        raise ParamError(problems)
    return out


@dataclass(frozen=True)
class Params:
    """The validated parameters of one run; unknown to a notebook = the registry default.

    Immutable: ``values`` is a read-only mapping; build a changed copy with :meth:`replace`.
    """

    values: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def __reduce__(self):  # a mapping proxy does not pickle; the plain dict does
        return (Params, (dict(self.values),))

    def replace(self, **changes: Any) -> Params:
        """A copy with some values changed (not validated: pass values that went through coerce)."""
        return Params({**self.values, **changes})

    def __getattr__(self, name: str) -> Any:
        if name == "values":
            raise AttributeError(name)
        registry = specs()
        if name not in registry:
            raise AttributeError(f"no parameter named {name!r}")
        return self.values.get(name, registry[name].default)

    @property
    def plan_path(self) -> Path:
        """The plan folder or workbook these parameters select."""
        if self.plan_dir:
            p = Path(self.plan_dir)
            return p if p.is_absolute() else (Path.cwd() / p).resolve()
        return paths.DATA_DIR / self.province / str(self.year)

    def changed(self) -> dict[str, Any]:
        """Only the values that differ from the registry defaults (what a scenario file stores)."""
        registry = specs()
        return {k: v for k, v in self.values.items() if v != registry[k].default}


def from_namespace(namespace: dict[str, Any]) -> Params:
    """Validate the known parameter names found in a notebook's namespace (``globals()``)."""
    registry = specs()
    return Params(validate({k: namespace[k] for k in registry if k in namespace}))


def defaults() -> dict[str, Any]:
    """Every parameter's default value."""
    return {s.name: s.default for s in SPECS}


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def markdown_table(used_by: dict[str, list[str]] | None = None) -> str:
    """The parameter table of the README: name, type and range, default, notebooks, meaning."""
    used_by = used_by or {}
    rows = ["| Parameter | Type | Default | Notebooks | Meaning |", "|---|---|---|---|---|"]
    for s in SPECS:
        kind = s.kind + (f" ({', '.join(s.choices)})" if s.choices else "")
        if s.minimum is not None or s.maximum is not None:
            low = "" if s.minimum is None else _bound(s.minimum)
            high = "" if s.maximum is None else _bound(s.maximum)
            kind += f" [{low}–{high}]"
        default = "empty" if s.default is None else repr(s.default)
        rows.append(f"| `{s.name}` | {kind} | {default} | {', '.join(used_by.get(s.name, []))} | {s.help} |")
    return "\n".join(rows)

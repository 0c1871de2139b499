"""Outcome targets of a yearly plan (``outcome_targets`` in plan.yaml): what the province wants to
*reach*, not how many files it evaluates.

Each target is one of :data:`KINDS`:

- ``recognised``: at least ``value`` products recognised in the year at ``star`` (or higher unless
  ``or_higher: false``), optionally only from some ``streams`` ("phấn đấu có thêm ít nhất 180 sản
  phẩm đạt 3 sao trở lên", "ít nhất 10 sản phẩm 4 sao");
- ``stock``: at least ``value`` certified products (≥3★) at the end of the year ("ít nhất 425 sản
  phẩm từ 3 sao đến cuối năm");
- ``per_unit``: every administrative unit with at least ``value`` products recognised at ``star``
  ("mỗi huyện ít nhất 2 sản phẩm 4 sao");
- ``share_registered``: at least the share ``value`` of the products registered for evaluation
  recognised at ``star`` ("trên 80 % sản phẩm đăng ký đạt từ 3 sao");
- ``share_organisation_type``: at least the share ``value`` of the organisations with a product
  recognised in the year of ``organisation_type`` ("ít nhất 60 % chủ thể là hợp tác xã");
- ``centre_candidates``: at least ``value`` products reaching the 5★ score and proposed to the
  central council ("1 sản phẩm đạt điểm 5 sao đề nghị Trung ương").

Every target carries its ``source`` (a citation, or ``assumption`` for a target the planner sets).
"""

from __future__ import annotations

import re

from ocop_helpers.core.errors import Problem
from ocop_helpers.core.vnformat import parse_share
from ocop_helpers.inputs import plan as P
from ocop_helpers.inputs.plan import SHARE_KINDS, OutcomeTarget

KINDS: tuple[str, ...] = (
    "recognised",
    "stock",
    "per_unit",
    "share_registered",
    "share_organisation_type",
    "centre_candidates",
)
KEYS: tuple[str, ...] = ("id", "kind", "value", "star", "or_higher", "streams", "organisation_type", "text", "source")


def _count(v: object) -> int:
    if isinstance(v, bool) or not (isinstance(v, int) or re.fullmatch(r"\d+", str(v).strip())):
        raise ValueError
    if int(v) < 0:
        raise ValueError
    return int(v)


def _share(v: object) -> float:
    if isinstance(v, bool):
        raise ValueError
    value = float(v) if isinstance(v, int | float) else parse_share(str(v))
    if not 0 <= value <= 1:
        raise ValueError
    return value


def parse_outcome_targets(raw: object, file: str) -> tuple[tuple[OutcomeTarget, ...], list[Problem]]:
    """The ``outcome_targets`` list of plan.yaml, typed; every problem located by its key
    (``outcome_targets[2].star``)."""
    problems: list[Problem] = []
    if raw is None:
        return (), problems
    if not isinstance(raw, list):
        return (), [Problem(file, None, "outcome_targets", str(raw), "cần danh sách mục tiêu kết quả")]
    out: list[OutcomeTarget] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        name = f"outcome_targets[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(file, None, name, str(item), "cần kind, value, source"))
            continue
        bad = len(problems)
        for key in item:
            if key not in KEYS:
                problems.append(Problem(file, None, f"{name}.{key}", None, "khóa không có; cần: " + ", ".join(KEYS)))
        kind = str(item.get("kind", "")).strip()
        if kind not in KINDS:
            problems.append(Problem(file, None, f"{name}.kind", kind or None, "cần một trong: " + ", ".join(KINDS)))
            continue
        fields: dict = {"kind": kind}
        try:
            fields["value"] = _share(item["value"]) if kind in SHARE_KINDS else _count(item["value"])
        except KeyError:
            problems.append(Problem(file, None, f"{name}.value", None, "thiếu giá trị mục tiêu"))
        except (ValueError, TypeError):
            want = "một tỷ lệ 0–1 hoặc '80%'" if kind in SHARE_KINDS else "một số nguyên không âm"
            problems.append(Problem(file, None, f"{name}.value", str(item["value"]), f"cần {want}"))
        source = str(item.get("source") or "").strip()
        if not source:
            problems.append(
                Problem(file, None, f"{name}.source", None, "cần nguồn đã công bố, hoặc 'assumption' (giả định)")
            )
        fields["source"] = source
        if "star" in item:
            try:
                fields["star"] = _count(item["star"])
                if fields["star"] not in (3, 4, 5):
                    raise ValueError
            except (ValueError, TypeError):
                problems.append(Problem(file, None, f"{name}.star", str(item["star"]), "cần hạng sao 3, 4 hoặc 5"))
        if "or_higher" in item:
            if not isinstance(item["or_higher"], bool):
                problems.append(Problem(file, None, f"{name}.or_higher", str(item["or_higher"]), "cần true hoặc false"))
            else:
                fields["or_higher"] = item["or_higher"]
        if "streams" in item:
            streams = item["streams"] if isinstance(item["streams"], list) else [item["streams"]]
            if not streams or any(str(s) not in P.STREAMS for s in streams):
                problems.append(
                    Problem(
                        file, None, f"{name}.streams", str(item["streams"]), "cần danh sách: " + ", ".join(P.STREAMS)
                    )
                )
            else:
                fields["streams"] = tuple(s for s in P.STREAMS if s in {str(x) for x in streams})
        if kind == "share_organisation_type":
            org_type = str(item.get("organisation_type") or "").strip()
            if org_type not in P.ORGANISATION_TYPES:
                problems.append(
                    Problem(
                        file,
                        None,
                        f"{name}.organisation_type",
                        org_type or None,
                        "cần loại chủ thể: " + ", ".join(P.ORGANISATION_TYPES),
                    )
                )
            fields["organisation_type"] = org_type
        if kind == "stock" and fields.get("star", 3) != 3:
            problems.append(Problem(file, None, f"{name}.star", str(fields["star"]), "mục tiêu 'stock' tính từ 3 sao"))
        target_id = str(item.get("id") or f"{kind}-{i}").strip()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_\-]*", target_id):
            problems.append(Problem(file, None, f"{name}.id", target_id, "mã viết thường, không dấu (a-z, 0-9, -, _)"))
        elif target_id in seen:
            problems.append(Problem(file, None, f"{name}.id", target_id, "mã mục tiêu bị trùng"))
        seen.add(target_id)
        fields["id"] = target_id
        fields["text"] = str(item.get("text") or "").strip()
        if len(problems) == bad:
            out.append(OutcomeTarget(**fields))
    return tuple(out), problems

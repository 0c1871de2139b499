"""The allocation rules, one entry each: the one place a rule is declared.

An entry holds the rule's code, its function (and the vectorised core the Monte Carlo runs), its
Vietnamese name, what it does in one or two plain Vietnamese sentences (what a leader needs to
understand it) with the literature it follows, and whether it is one of the options put before the
signer. Everything else reads this registry when it is used:

* ``rules.RULES`` and the rules' dispatch (filled from here when the package is imported);
* the ``rule`` parameter's choices (:mod:`ocop_helpers.model.params`), in the order below;
* ``labels.ALLOCATION_RULE`` / ``labels.allocation_rule`` (the name) and ``labels.ALLOCATION_RULE_GLOSS``;
* the glossary of the plan document and the rule comparison (:mod:`ocop_helpers.document`);
* the rules offered in "Đề xuất, kiến nghị" (:mod:`ocop_helpers.model.findings`).

Adding a rule: write its function and core in :mod:`.rules` (the signature every rule shares) and
add one entry below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import rules
from .optimum import optimum
from .rules import OPTIMUM, Core


@dataclass(frozen=True)
class AllocationRule:
    """One allocation rule.

    ``function``: the rule ``R(claims, envelope, *, weights, priority, min_grant, min_share)`` (for
    the optimum, the MILP :func:`~.optimum.optimum`, which ``allocate`` calls itself); ``core``: the
    same rule on ``(draws, orgs)`` arrays without input checks (``None`` for the optimum, which is
    not run per draw); ``label``: its Vietnamese name; ``glossary``: what it does, in plain
    Vietnamese; ``reference``: the literature (shown in the glossary); ``offered``: one of the
    options put before the signer when the envelope is short (the others are variants a planner
    explores in the Lab).
    """

    id: str
    function: Callable[..., object]
    core: Core | None
    label: str
    glossary: str
    reference: str
    offered: bool = False

    def __post_init__(self) -> None:
        missing = [name for name in ("id", "label", "glossary", "reference") if not getattr(self, name).strip()]
        if missing:
            raise ValueError(f"Quy tắc phân bổ '{self.id}' thiếu: {', '.join(missing)}")
        if not callable(self.function):
            raise ValueError(f"Quy tắc phân bổ '{self.id}' thiếu hàm tính")


REGISTRY: dict[str, AllocationRule] = {
    rule.id: rule
    for rule in (
        AllocationRule(
            "priority",
            rules.priority_rule,
            rules._priority_core,
            "Ưu tiên theo thứ tự (đủ định mức đến khi hết kinh phí)",
            "Xếp tổ chức kinh tế theo điểm ưu tiên, hỗ trợ đủ mức đề nghị lần lượt đến khi hết kinh phí; "
            "tổ chức kinh tế cuối cùng được hỗ trợ phần còn lại.",
            "Thomson (2003)",
            offered=True,
        ),
        AllocationRule(
            "proportional",
            rules.proportional,
            rules._proportional_core,
            "Theo tỷ lệ đề nghị",
            "Mọi tổ chức kinh tế được cùng một tỷ lệ của mức đề nghị (kinh phí chia cho tổng đề nghị).",
            "Thomson (2003)",
            offered=True,
        ),
        AllocationRule(
            "equal_awards",
            rules.equal_awards,
            rules._cea_core,
            "Chia đều có giới hạn (mức trần chung)",
            "Mỗi tổ chức kinh tế nhận tối đa một mức trần chung; đề nghị nhỏ hơn mức trần được đáp ứng đủ.",
            "Thomson (2003)",
            offered=True,
        ),
        AllocationRule(
            "equal_losses",
            rules.equal_losses,
            rules._cel_core,
            "Chia đều phần cắt giảm",
            "Mỗi tổ chức kinh tế bị cắt giảm cùng một khoản so với mức đề nghị (không âm).",
            "Thomson (2003)",
        ),
        AllocationRule(
            "talmud",
            rules.talmud,
            rules._talmud_core,
            "Chia đều nửa đề nghị, rồi chia đều phần cắt giảm",
            "Kết hợp hai cách trên: chia đều có giới hạn với nửa mức đề nghị, phần còn lại chia đều phần cắt giảm.",
            "Aumann và Maschler (1985)",
        ),
        AllocationRule(
            "weighted_proportional",
            rules.weighted_proportional,
            rules._wpro_core,
            "Theo tỷ lệ có trọng số ưu tiên",
            "Như theo tỷ lệ, nhưng tỷ lệ của mỗi tổ chức kinh tế nhân với điểm ưu tiên.",
            "Thomson (2003)",
        ),
        AllocationRule(
            "weighted_equal_awards",
            rules.weighted_equal_awards,
            rules._wcea_core,
            "Chia đều có giới hạn theo trọng số ưu tiên",
            "Như chia đều có giới hạn, nhưng mức trần của mỗi tổ chức kinh tế tỷ lệ với điểm ưu tiên.",
            "Thomson (2003)",
            offered=True,
        ),
        AllocationRule(
            "greedy",
            rules.greedy,
            rules._greedy_core,
            "Chọn trọn gói theo ưu tiên trên chi phí",
            "Hỗ trợ trọn mức đề nghị cho các tổ chức kinh tế có điểm ưu tiên trên chi phí cao nhất, "
            "không hỗ trợ một phần.",
            "ngân sách có sự tham gia (Aziz, Shah 2021)",
        ),
        AllocationRule(
            OPTIMUM,
            optimum,
            None,
            "Phương án tối ưu theo điểm ưu tiên",
            "Phương án có mức đáp ứng theo điểm ưu tiên cao nhất trong giới hạn kinh phí, mức tối thiểu; "
            "dùng làm mốc so sánh.",
            "quy hoạch nguyên hỗn hợp",
            offered=True,
        ),
    )
}
"""Every rule by code, in the order planners see them (the optimum last)."""


def codes() -> tuple[str, ...]:
    """Every rule's code, the optimum included, in the registry's order (the ``rule`` choices)."""
    return tuple(REGISTRY)


def offered() -> tuple[str, ...]:
    """The rules put before the signer, in the registry's order."""
    return tuple(code for code, rule in REGISTRY.items() if rule.offered)


# The rules' dispatch tables are read when a rule runs; they hold the rules with a core (not the optimum).
rules._CORES.update({code: rule.core for code, rule in REGISTRY.items() if rule.core is not None})
rules.RULES.update({code: rule.function for code, rule in REGISTRY.items() if rule.core is not None})  # type: ignore[misc]

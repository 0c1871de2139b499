"""The covering submission (Tờ trình) of the plan: the decisions it asks the People's Committee for.

``compose_submission(results) -> Document | None`` writes, in the form of Nghị định 30/2020/NĐ-CP,
the lead department's Tờ trình "Về việc ban hành Kế hoạch …": the province's People's Committee
above the lead department in force on the plan's issue date, "Số: …/TTr-<abbrev>" left for the
clerk, "Kính gửi", the Căn cứ and the opening; I. the draft plan in brief; II. one numbered item per
decision — the question in one sentence, what the law fixes ("không thay đổi được"), two to four
options with their consequences, the criteria in words and the recommended option with the reason;
III. the recommendations in one sentence each; the signature of the department and "Nơi nhận".

Every number is a figure of the ledger (:func:`ocop_helpers.model.figures.ledger_of`) quoted by id;
nothing here formats a number except dates and document numbers. The calendar decision caused by a
reorganisation (rounds at a level that no longer sits) belongs to the successor's document and is
left out (:func:`ocop_helpers.model.findings.for_submission`). None when nothing is to be decided.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from ocop_helpers.core import vnformat
from ocop_helpers.core.dated import in_force
from ocop_helpers.document import official
from ocop_helpers.document.docmodel import Block, Document, Header, Heading, Paragraph, Signature
from ocop_helpers.document.quote import about, q
from ocop_helpers.document.report import lever
from ocop_helpers.domain import labels
from ocop_helpers.domain.allocation import registry as rule_registry
from ocop_helpers.model import findings
from ocop_helpers.model.compute import Results
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.model.figures import proposals as F
from ocop_helpers.model.figures import season as season_figures
from ocop_helpers.model.ledger import Ledger

DOC_TYPE = "TỜ TRÌNH"
LETTERS = "ABCD"
FIXED_LABEL = "Không thay đổi được"  # what the law or the published plan fixes
SIGNATURE = Signature(authority_line="GIÁM ĐỐC", deputy_line="", title_line="")
RECIPIENTS = ("Như trên", "Lưu: VT, …")
TITLES = {
    "allocation_rule": "Cách phân bổ kinh phí hỗ trợ nhãn hiệu, bao bì, tem nhãn",
    "branding_envelope": "Kinh phí hỗ trợ nhãn hiệu, bao bì, tem nhãn",
    "calendar": "Năng lực hội đồng đánh giá, phân hạng",
    "late_reevaluations": "Sản phẩm đến hạn đánh giá lại",
}
ILLUSTRATIVE_NOTE = {
    "allocation_rule": "Các phương án dưới đây tính trên danh sách đề nghị hỗ trợ minh họa (khớp các tổng đã "
    "công bố, không phải danh sách thật); cần tính lại trên danh sách đã thẩm định trước khi trình ký.",
    "branding_envelope": "Các phương án dưới đây tính trên danh sách đề nghị hỗ trợ và các dòng chi minh họa; "
    "cần tính lại trên số liệu đã thẩm định trước khi trình ký.",
    "calendar": "Các phương án dưới đây tính trên danh sách sản phẩm minh họa; cần tính lại trên danh sách "
    "đăng ký thật trước khi trình ký.",
    "late_reevaluations": "Các phương án dưới đây tính trên danh sách sản phẩm minh họa (ngày cấp giấy chứng nhận "
    "chưa phải số liệu thật); cần đối chiếu với hồ sơ chứng nhận trước khi trình ký.",
}


@dataclass
class Quoter:
    """Quotes the ledger and remembers which figures a part of the document used."""

    ledger: Ledger
    used: set[str] = field(default_factory=set)

    def __call__(self, figure_id: str) -> str:
        self.used.add(figure_id)
        return q(self.ledger, figure_id)

    def about(self, figure_id: str) -> str:
        self.used.add(figure_id)
        return about(self.ledger, figure_id)

    def illustrative(self, ids: set[str]) -> bool:
        return any(self.ledger[i].provenance == "illustrative" for i in ids)


@dataclass(frozen=True)
class Option:
    """One option as written: its name and the sentence of its consequences."""

    code: str
    name: str
    consequences: str
    detail: str = ""  # how it works, after the name in part II only


@dataclass(frozen=True)
class Item:
    """One decision as written in part II, and its line in part III."""

    kind: str
    title: str
    question: str
    facts: tuple[str, ...]
    fixed: tuple[str, ...]
    options: tuple[Option, ...]
    criteria: str
    recommended: str
    reason: str
    illustrative: bool = False

    def letter(self, code: str) -> str:
        return LETTERS[[o.code for o in self.options].index(code)]

    def chosen(self) -> Option:
        return next(o for o in self.options if o.code == self.recommended)


# ----------------------------------------------------------------------------- words
def abbreviation(body: str) -> str:
    """A department's abbreviation for the number line: "Sở Nông nghiệp và Phát triển nông thôn" ->
    "SNNPTNT" (the initial of every word but "và", without tone marks; Đ stays Đ)."""
    out = []
    for word in body.split():
        if word.lower() in ("và", "-", "&"):
            continue
        first = word[0]
        out.append(first.upper() if first in "đĐ" else unicodedata.normalize("NFD", first)[0].upper())
    return "".join(out)


def committee_name(issuer: official.Issuer) -> str:
    """ "Ủy ban nhân dân tỉnh Bắc Giang" from the issuer's "UBND tỉnh Bắc Giang"."""
    return issuer.parent_body.capitalize() + issuer.short_name.removeprefix("UBND")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def support_resolution(r: Results, plan_date) -> str:
    """The province's support resolution in force on the plan's date ("Nghị quyết số 67/2023/NQ-HĐND"),
    from the dated legal bases; a generic phrase when the data hold none."""
    bases = r.official[0]["legal_bases"]
    rows = in_force(bases.loc[bases["province_id"] == r.plan.province_id], plan_date)
    rows = rows.loc[(rows["kind"] == "Nghị quyết") & rows["issuer"].astype(str).str.startswith("Hội đồng nhân dân")]
    if rows.empty:
        return "nghị quyết của Hội đồng nhân dân tỉnh về chính sách hỗ trợ sản phẩm OCOP"
    return f"Nghị quyết số {rows.iloc[0]['number']}"


def priority_words(r: Results) -> str:
    """What raises an organisation's priority, in words (the score itself is never printed)."""
    p = r.params
    parts = []
    if p.weight_star > 0:
        parts.append("sản phẩm hướng tới hạng sao cao hơn")
    if p.weight_stream > 0:
        parts.append("sản phẩm đánh giá lần đầu hoặc nâng hạng (hơn sản phẩm đánh giá lại)")
    if p.weight_organisation_type > 0:
        parts.append("tổ chức là hợp tác xã, tổ hợp tác (hơn hộ kinh doanh và doanh nghiệp)")
    if p.weight_unit_equity > 0:
        parts.append("tổ chức ở địa phương có ít tổ chức đề nghị hỗ trợ")
    if not parts:
        return "Thứ tự ưu tiên: mọi tổ chức kinh tế như nhau."
    return "Thứ tự ưu tiên: một tổ chức kinh tế được xếp trước khi " + _join(parts) + "."


def _unit(r: Results, unit_id) -> str:
    if unit_id is None or (isinstance(unit_id, float) and unit_id != unit_id):
        return "–"
    return r.unit_names.get(unit_id, str(unit_id))


# ----------------------------------------------------------------------------- the decisions
def allocation_item(r: Results, d: findings.Decision, qq: Quoter) -> Item:
    o = d.options.set_index("option")
    env = F.envelope_id(r)

    def rid(rule: str, metric: str) -> str:
        return F.rule_metric_id(r, rule, metric)

    options = []
    for rule, x in o.iterrows():
        rule = str(rule)
        spec = rule_registry.REGISTRY.get(rule)
        gloss = _lower_first(spec.glossary.rstrip(".")) if spec is not None else ""
        mark = "; cách đang áp dụng trong dự thảo" if rule == d.current else ""
        options.append(
            Option(
                rule,
                f"phân bổ theo cách «{labels.ALLOCATION_RULE.get(rule, rule)}»",
                f"{qq(rid(rule, 'fully_funded'))} tổ chức được hỗ trợ đủ theo định mức, "
                f"{qq(rid(rule, 'partly_funded'))} tổ chức được hỗ trợ một phần, "
                f"{qq(rid(rule, 'not_funded'))} tổ chức chưa được hỗ trợ; địa phương được đáp ứng thấp nhất là "
                f"{_unit(r, x['least_unit_id'])} ({qq(rid(rule, 'least_unit_share'))} nhu cầu); mức đáp ứng theo "
                f"thứ tự ưu tiên {qq(rid(rule, 'weighted_coverage'))}; chi hết {qq(env)}, tổng kinh phí "
                "Kế hoạch không đổi.",
                gloss + mark,
            )
        )
    rec = d.recommended
    reason_codes = tuple(d.facts.get("reason", ("not_funded",)))
    none_left = int(o.loc[rec, "not_funded"]) == 0
    reason = (
        "không để tổ chức nào có đề nghị mà không được hỗ trợ"
        if none_left
        else f"để ít tổ chức chưa được hỗ trợ nhất ({qq(rid(rec, 'not_funded'))} tổ chức)"
    )
    if "weighted_coverage" in reason_codes:
        reason += f", và trong các cách đó đáp ứng cao nhất theo thứ tự ưu tiên ({qq(rid(rec, 'weighted_coverage'))})"
    if "least_unit_share" in reason_codes:
        reason += (
            f", và địa phương được đáp ứng thấp nhất vẫn được đáp ứng cao nhất ({qq(rid(rec, 'least_unit_share'))})"
        )
    better_later = [
        str(c)
        for c, x in o.iterrows()
        if c != rec
        and int(x["not_funded"]) > int(o.loc[rec, "not_funded"])
        and float(x["weighted_coverage"]) > float(o.loc[rec, "weighted_coverage"])
    ]
    if better_later:
        names = _join([f"«{labels.ALLOCATION_RULE.get(c, c)}»" for c in better_later])
        reason += (
            f". Cách {names} đáp ứng theo thứ tự ưu tiên cao hơn nhưng để "
            f"{_join([qq(rid(c, 'not_funded')) for c in better_later])} tổ chức không được hỗ trợ"
        )
    return Item(
        d.kind,
        TITLES[d.kind],
        f"Kinh phí bố trí {qq(env)} chỉ đáp ứng {qq('branding.share_met')} nhu cầu hỗ trợ theo định mức "
        f"({qq('branding.need_vnd')}) của {qq('branding.requesting')} tổ chức kinh tế có đề nghị, vậy chia "
        "kinh phí này theo cách nào?",
        (
            priority_words(r)
            + " Mức đáp ứng theo thứ tự ưu tiên là phần nhu cầu được đáp ứng, tính nặng hơn cho tổ chức "
            "được xếp trước.",
        ),
        (
            f"Kinh phí bố trí ({qq(env)}) và tổng kinh phí Kế hoạch ({qq.about('target.budget_total_vnd')}) "
            f"giữ nguyên ở mọi phương án; các phương án chỉ khác nhau ở cách chia.",
        ),
        tuple(options),
        "trước hết số tổ chức có đề nghị mà không được hỗ trợ (càng ít càng tốt); sau đó mức đáp ứng theo thứ "
        "tự ưu tiên (càng cao càng tốt); sau cùng tỷ lệ đáp ứng của địa phương được đáp ứng thấp nhất.",
        rec,
        reason,
    )


def envelope_item(r: Results, d: findings.Decision, qq: Quoter) -> Item:
    f = d.facts
    rule = str(f["rule"])
    o = d.options.set_index("option")
    resolution = support_resolution(r, r.plan.issued_on)

    def eid(option: str, metric: str) -> str:
        return F.envelope_metric_id(r, option, rule, metric)

    options = []
    if "keep" in o.index:
        options.append(
            Option(
                "keep",
                "giữ nguyên kinh phí hỗ trợ nhãn hiệu, bao bì, tem nhãn",
                f"hỗ trợ {qq(eid('keep', 'branding_vnd'))}: {qq(eid('keep', 'fully_funded'))} tổ chức được hỗ trợ "
                f"đủ, {qq(eid('keep', 'partly_funded'))} tổ chức một phần, {qq(eid('keep', 'not_funded'))} tổ chức "
                f"chưa được hỗ trợ; dự toán thưởng giữ {qq(eid('keep', 'rewards_vnd'))}, khả năng tiền thưởng vượt "
                f"dự toán {qq(eid('keep', 'rewards_over_line'))}; tổng kinh phí Kế hoạch không đổi.",
            )
        )
    if "move_from_rewards" in o.index:
        m = "move_from_rewards"
        options.append(
            Option(
                m,
                "chuyển một phần dự toán thưởng sau công nhận sang hỗ trợ nhãn hiệu, bao bì, tem nhãn",
                f"chuyển {qq('decision.envelope.moved_vnd')}: hỗ trợ {qq(eid(m, 'branding_vnd'))}, "
                f"{qq(eid(m, 'fully_funded'))} tổ chức được hỗ trợ đủ, {qq(eid(m, 'partly_funded'))} tổ chức một "
                f"phần, {qq(eid(m, 'not_funded'))} tổ chức chưa được hỗ trợ; địa phương được đáp ứng thấp nhất là "
                f"{_unit(r, o.loc[m, 'least_unit_id'])} ({qq(eid(m, 'least_unit_share'))} nhu cầu); dự toán thưởng "
                f"còn {qq(eid(m, 'rewards_vnd'))}, khả năng tiền thưởng vượt dự toán "
                f"{qq(eid(m, 'rewards_over_line'))}: nếu số sản phẩm đạt vượt dự toán, ngân sách tỉnh bổ sung "
                f"theo {resolution}; tổng kinh phí Kế hoạch không đổi.",
            )
        )
    if "fund_need" in o.index:
        options.append(
            Option(
                "fund_need",
                "bổ sung đủ nhu cầu hỗ trợ ngoài tổng kinh phí",
                f"bổ sung {qq(eid('fund_need', 'extra_vnd'))}: cả {qq(eid('fund_need', 'fully_funded'))} tổ chức "
                f"được hỗ trợ đủ theo định mức ({qq(eid('fund_need', 'branding_vnd'))}); dự toán thưởng giữ "
                f"{qq(eid('fund_need', 'rewards_vnd'))}; tổng kinh phí Kế hoạch tăng từ "
                f"{qq.about('target.budget_total_vnd')} lên {qq('decision.envelope.fund_need.total_vnd')}, phải "
                "điều chỉnh kinh phí đã công bố và bố trí thêm nguồn.",
            )
        )
    rec = d.recommended
    if rec == "move_from_rewards":
        reason = (
            f"tổng kinh phí Kế hoạch không đổi, số tổ chức được hỗ trợ đủ tăng từ {qq(eid('keep', 'fully_funded'))} "
            f"lên {qq(eid(rec, 'fully_funded'))}, dự toán thưởng còn lại vẫn cao hơn số tiền thưởng đủ chi trong chín "
            f"trên mười khả năng ({qq('decision.envelope.rewards_high_vnd')}); tiền thưởng vẫn được bảo đảm theo "
            f"{resolution}"
        )
    else:
        reason = "tổng kinh phí Kế hoạch không đổi và dự toán thưởng không có phần dư để chuyển"
    rule_name = labels.ALLOCATION_RULE.get(rule, rule)
    return Item(
        d.kind,
        TITLES[d.kind],
        f"Nhu cầu hỗ trợ nhãn hiệu, bao bì, tem nhãn theo định mức vượt kinh phí bố trí {qq('branding.shortfall_vnd')}"
        ", vậy giữ nguyên, chuyển một phần dự toán thưởng sang, hay bổ sung kinh phí ngoài tổng?",
        (
            f"Dự toán thưởng sau công nhận là {qq('budget.line.rewards_vnd')}; theo tính toán số sản phẩm đạt, "
            f"{qq('decision.envelope.rewards_high_vnd')} đủ chi trong chín trên mười khả năng. Các phương án tính "
            f"với cách phân bổ «{rule_name}» đề xuất ở mục trên.",
        ),
        (
            f"Tiền thưởng cho mỗi sản phẩm được công nhận là khoản phải chi theo {resolution}: "
            "phương án nào giảm dự toán thưởng thì phần vượt, nếu có, do ngân sách tỉnh bổ sung.",
            f"Tổng kinh phí Kế hoạch đã công bố ({qq.about('target.budget_total_vnd')}) giữ nguyên, trừ "
            "phương án bổ sung ngoài tổng, phương án này nói rõ tổng tăng bao nhiêu.",
        ),
        tuple(options),
        "số tổ chức được hỗ trợ đủ theo định mức; không làm tăng tổng kinh phí đã công bố; khả năng tiền thưởng "
        "vượt dự toán còn thấp.",
        rec,
        reason,
    )


def calendar_item(r: Results, d: findings.Decision, qq: Quoter) -> Item:
    o = d.options.set_index("option")
    first = o.iloc[0]
    rounds = r.calendar.rounds
    at = rounds[(rounds["round"] == first["busiest_round"]) & (rounds["level"] == first["busiest_level"])]
    deadline = vnformat.date(at["deadline"].iloc[0]) if len(at) else "…"
    level = _lower_first(labels.LEVEL.get(str(first["busiest_level"]), str(first["busiest_level"])))
    options = (
        Option(
            "as_filed",
            "giữ lịch như dự thảo",
            f"{qq('decision.calendar.not_scored')} sản phẩm vượt năng lực hội đồng không được chấm trong đợt, "
            "phải chờ đợt sau.",
        ),
        Option(
            "more_sessions",
            "họp thêm phiên trong đợt",
            f"hội đồng họp thêm {qq('decision.calendar.more_sessions.extra_sessions')} phiên trước thời hạn "
            f"{deadline}, ngoài {qq('decision.calendar.sessions_per_round')} phiên của kế hoạch; mọi sản phẩm "
            "được chấm đúng thời hạn.",
        ),
        Option(
            "extra_round",
            "tổ chức thêm đợt đánh giá khi đủ hồ sơ",
            f"tổ chức thêm {qq('decision.calendar.extra_round.rounds')} đợt đánh giá khi đủ hồ sơ, mỗi đợt trong "
            "năng lực hội đồng; sản phẩm đủ hồ sơ sớm được chấm sớm, không phải chờ thời hạn chung.",
        ),
    )
    rec = d.recommended
    reason = (
        "mọi sản phẩm được chấm đúng thời hạn với số phiên họp thêm không quá số phiên của kế hoạch"
        if rec == "more_sessions"
        else "mọi sản phẩm được chấm mà không đợt nào vượt năng lực hội đồng; họp thêm trong một đợt thì số "
        "phiên vượt quá số phiên của kế hoạch"
    )
    return Item(
        d.kind,
        TITLES[d.kind],
        f"{qq('decision.calendar.rounds_over')} đợt đánh giá có hội đồng phải chấm nhiều sản phẩm hơn năng lực, "
        "vậy tổ chức chấm thế nào để sản phẩm không bị chậm?",
        (
            f"Hội đồng đông nhất (đợt đánh giá {level}, thời hạn {deadline}) có "
            f"{qq('decision.calendar.busiest_load')} sản phẩm, trong khi một hội đồng chấm được "
            f"{qq('decision.calendar.capacity')} sản phẩm trong một đợt ({qq('decision.calendar.sessions_per_round')} "
            "phiên).",
        ),
        ("Cấp đánh giá và thẩm quyền công nhận theo quy định hiện hành giữ nguyên.",),
        options,
        "mọi sản phẩm được chấm trong năng lực hội đồng; số phiên họp thêm trong một đợt không quá số phiên của "
        "kế hoạch.",
        rec,
        reason,
    )


def late_item(r: Results, d: findings.Decision, qq: Quoter) -> Item:
    o = d.options.set_index("option")
    ids = F.LATE_IDS
    options = [
        Option(
            "bring_forward",
            "đưa lên đợt sớm hơn",
            f"đưa {qq(ids['forward'])} sản phẩm lên đợt có thời hạn trước ngày hết hạn; "
            f"{qq(F.late_lapsing_id('bring_forward'))} sản phẩm không có đợt nào trước ngày hết hạn, giấy chứng "
            "nhận hết hạn trước khi được đánh giá lại.",
        )
    ]
    if "extra_round" in o.index:
        options.append(
            Option(
                "extra_round",
                "đưa lên đợt sớm hơn và tổ chức thêm đợt đánh giá khi đủ hồ sơ",
                f"như phương án trên, và hội đồng họp thêm {qq(ids['sittings'])} phiên khi đủ hồ sơ, trước ngày "
                f"hết hạn, cho {qq(ids['extra'])} sản phẩm; còn {qq(F.late_lapsing_id('extra_round'))} sản phẩm "
                "hết hạn quá sớm, không kịp thông báo và đánh giá.",
            )
        )
    options.append(
        Option(
            "keep",
            "giữ lịch và thông báo cho tổ chức kinh tế",
            f"giữ các đợt như dự thảo và thông báo cho tổ chức kinh tế; cả {qq(F.late_lapsing_id('keep'))} sản phẩm "
            "hết hạn giấy chứng nhận trước khi được đánh giá lại.",
        )
    )
    rec = d.recommended
    reason = {
        "extra_round": f"ít sản phẩm bị gián đoạn chứng nhận nhất (còn {qq(F.late_lapsing_id('extra_round'))} "
        f"sản phẩm), với {qq(ids['sittings'])} phiên họp thêm",
        "bring_forward": f"ít sản phẩm bị gián đoạn chứng nhận nhất (còn {qq(F.late_lapsing_id('bring_forward'))} "
        "sản phẩm) mà không phải họp thêm",
        "keep": "không phương án nào giảm được số sản phẩm bị gián đoạn chứng nhận",
    }[rec]
    validity = (
        f"Giấy chứng nhận có thời hạn {qq('certificate.validity_months')} tháng"
        if "certificate.validity_months" in qq.ledger
        else "Thời hạn của giấy chứng nhận"
    )
    return Item(
        d.kind,
        TITLES[d.kind],
        f"{qq(ids['late'])} sản phẩm đánh giá lại được xếp vào đợt có thời hạn sau ngày giấy chứng nhận hết hạn, "
        "vậy đưa lên sớm hơn, tổ chức thêm đợt, hay giữ lịch và thông báo cho tổ chức kinh tế?",
        (
            "Danh sách sản phẩm, ngày hết hạn, ngày phải thông báo và đợt sớm nhất có thể tham gia ở phụ lục Excel "
            "kèm theo, bảng «Đánh giá lại».",
        ),
        (
            f"{validity} và việc thông báo cho tổ chức kinh tế trước ngày hết hạn theo quy định; sản "
            "phẩm không được đánh giá lại trước ngày hết hạn thì không còn sử dụng chứng nhận OCOP cho đến khi được "
            "công nhận lại.",
        ),
        tuple(options),
        "trước hết ít sản phẩm bị gián đoạn chứng nhận nhất; sau đó ít phiên họp thêm nhất.",
        rec,
        reason,
    )


WRITERS: dict[str, Callable[[Results, findings.Decision, Quoter], Item]] = {
    "allocation_rule": allocation_item,
    "branding_envelope": envelope_item,
    "calendar": calendar_item,
    "late_reevaluations": late_item,
}


def decision_items(r: Results, qq: Quoter) -> list[Item]:
    """Each decision of the submission as written, marked when it rests on illustrative figures."""
    items = []
    for d in findings.for_submission(r.decisions):
        before = set(qq.used)
        qq.used.clear()
        item = WRITERS[d.kind](r, d, qq)
        used = set(qq.used)
        qq.used = before | used
        if qq.illustrative(used):
            item = Item(**{**item.__dict__, "illustrative": True})
        items.append(item)
    return items


def item_blocks(n: int, item: Item) -> list[Block]:
    """Part II's item ``n``: question, facts, what the law fixes, options, criteria, recommendation."""
    blocks: list[Block] = [Heading(2, item.title, f"{n}."), Paragraph(f"Vấn đề cần quyết định: {item.question}")]
    if item.illustrative:
        blocks.append(Paragraph(ILLUSTRATIVE_NOTE[item.kind], "italic"))
    blocks += [Paragraph(text) for text in item.facts]
    blocks += [Paragraph(f"{FIXED_LABEL}: {_lower_first(text)}") for text in item.fixed]
    blocks.append(Paragraph("Các phương án:"))
    for letter, o in zip(LETTERS, item.options, strict=False):
        detail = f" ({o.detail})" if o.detail else ""
        blocks.append(Paragraph(f"Phương án {letter} – {o.name}{detail}: {o.consequences}", "bullet"))
    blocks.append(Paragraph(f"Tiêu chí so sánh: {item.criteria}"))
    chosen = item.chosen()
    blocks.append(
        Paragraph(
            f"Đề xuất: chọn Phương án {item.letter(item.recommended)} ({chosen.name}), vì {item.reason}.",
            "bold",
        )
    )
    return blocks


def outcome_blocks(r: Results, qq: Quoter) -> list[Block]:
    """The chance of each outcome target by the year end; those below the threshold named, each
    with what would raise it (:func:`ocop_helpers.document.report.lever`)."""

    led = qq.ledger
    year = r.plan.year
    blocks: list[Block] = [
        Paragraph("Khả năng đạt các mục tiêu kết quả đến cuối năm, theo các tỷ lệ đạt giả định của dự thảo:")
    ]
    for t in r.plan.outcomes:
        chance = f"{qq(f'outcome.{t.id}.chance')} đạt"
        expected = qq(f"outcome.{t.id}.expected")
        text = season_figures.target_text(t, year)
        if t.kind == "per_unit":
            line = (
                f"{text}: mục tiêu {qq(f'outcome.{t.id}.value')} đơn vị, mỗi đơn vị ít nhất "
                f"{qq(f'outcome.{t.id}.per_unit')} sản phẩm; dự kiến {expected} đơn vị, {chance}."
            )
        elif t.is_share:
            line = f"{text}: mục tiêu {qq(season_figures.value_id(t, led))}, dự kiến {expected}, {chance}."
        else:
            line = (
                f"{text}: mục tiêu {qq(season_figures.value_id(t, led))} sản phẩm, dự kiến {expected} sản phẩm, "
                f"{chance}."
            )
        blocks.append(Paragraph(line, "bullet"))
    risky = season_figures.at_risk(r)
    if risky:
        blocks.append(
            Paragraph(
                f"Các mục tiêu có khả năng đạt dưới mức {qq('outcome.risk_threshold')} và đề xuất để nâng khả năng đạt:"
            )
        )
        blocks += [Paragraph(lever(r, t, led), "bullet") for t in risky]
        qq.used.update(f.id for f in led if f.id.startswith("outcome.") and f.id.endswith((".gap", ".new_needed")))
    return blocks


# ----------------------------------------------------------------------------- the document
def compose_submission(r: Results, comparison: str | None = None) -> Document | None:
    """The Tờ trình of the plan of ``r``, or None when the plan puts no decision to the signer.

    ``comparison``: a sentence citing a scenario comparison of this plan, when one exists."""
    if not findings.for_submission(r.decisions):
        return None
    plan = r.plan
    led = ledger_of(r)
    qq = Quoter(led)
    fr = official.frame(plan, None, r.official)  # in force on the plan's issue date
    committee = committee_name(fr.issuer)
    lead = fr.lead_body
    plan_title = f"Kế hoạch {_lower_first(fr.summary)}"
    items = decision_items(r, qq)

    body: list[Block] = []
    body.append(
        Paragraph(
            f"Thực hiện nhiệm vụ được giao, {lead} đã xây dựng dự thảo {plan_title}; kính trình {committee} xem "
            "xét, ban hành Kế hoạch và quyết định các nội dung sau:"
        )
    )
    body += [
        Heading(1, "NỘI DUNG CHÍNH CỦA DỰ THẢO KẾ HOẠCH", "I."),
        Paragraph(
            f"Năm {plan.year}, đánh giá, phân hạng {qq('target.total')} sản phẩm OCOP "
            f"({qq('target.new')} sản phẩm đánh giá lần đầu, {qq('target.reevaluation')} sản phẩm đánh giá lại, "
            f"{qq('target.upgrade')} sản phẩm nâng hạng sao) trong {qq('rounds.count')} đợt; phấn đấu đến cuối năm "
            f"có ít nhất {qq('target.stock')} sản phẩm OCOP đạt từ 3 sao; hỗ trợ "
            f"{qq('target.organisations_branding')} tổ chức kinh tế quản lý nhãn hiệu, bao bì, tem nhãn; tổng kinh "
            f"phí {qq.about('target.budget_total_vnd')}."
        ),
    ]
    if "branding.need_vnd" in led and "budget.line.branding_vnd" in led:
        body.append(
            Paragraph(
                f"Theo đề nghị của {qq('branding.requesting')} tổ chức kinh tế, nhu cầu hỗ trợ nhãn hiệu, bao bì, tem "
                f"nhãn theo định mức là {qq('branding.need_vnd')}, kinh phí bố trí {qq('budget.line.branding_vnd')}"
                + (f", thiếu {qq('branding.shortfall_vnd')}." if int(led.value("branding.shortfall_vnd")) > 0 else ".")
            )
        )
    body += outcome_blocks(r, qq)
    body.append(Heading(1, "CÁC NỘI DUNG ĐỀ NGHỊ QUYẾT ĐỊNH", "II."))
    for n, item in enumerate(items, start=1):
        body += item_blocks(n, item)
    body.append(Heading(1, "KIẾN NGHỊ", "III."))
    body.append(Paragraph(f"{lead} kính đề nghị {committee} ban hành {plan_title}, và quyết định:"))
    for item in items:
        chosen = item.chosen()
        body.append(
            Paragraph(
                f"{item.title}: chọn Phương án {item.letter(item.recommended)} – {chosen.name}.",
                "bullet",
            )
        )
    if comparison:
        body.append(Paragraph(f"Các phương án đã được so sánh bằng công cụ lập kế hoạch: {comparison}"))
    body.append(Paragraph(f"{lead} kính trình {committee} xem xét, quyết định./."))

    draft = plan.status != "issued" or any(item.illustrative for item in items) or qq.illustrative(qq.used)
    year = fr.on_date.year
    header = Header(
        parent_body=fr.issuer.short_name.upper(),
        issuing_body=lead.upper(),
        number_line=f"Số: …/TTr-{abbreviation(lead)}",
        place_date=f"{fr.issuer.place_name}, {vnformat.document_date(None, year)}",
    )
    note = official.UNCHECKED_NOTE if draft and any(fr.legal_bases_unchecked) else ""
    bases = tuple(
        line + (official.UNCHECKED_MARK if draft and flag else "")
        for line, flag in zip(fr.legal_bases, fr.legal_bases_unchecked, strict=True)
    )
    return Document(
        header=header,
        doc_type=DOC_TYPE,
        summary=f"Về việc ban hành {plan_title}",
        legal_bases=bases,
        legal_bases_note=note,
        body=tuple(body),
        signature=SIGNATURE,
        recipients=RECIPIENTS,
        draft=draft,
        date=fr.on_date.isoformat(),
        addressee=f"Kính gửi: {committee}.",
    )


def decisions_of(doc: Document) -> list[str]:
    """The titles of the decisions of a composed submission (part II's items)."""
    return [b.text for b in doc.body if isinstance(b, Heading) and b.level == 2]


__all__ = ["compose_submission", "abbreviation", "decisions_of"]

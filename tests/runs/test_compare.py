"""Scenario comparison: sweep parsing, the report's figures against single-scenario computations,
atomic writing, the command line's errors, and the Dask executor on a local cluster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ocop_helpers.core import paths, vnformat
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import ParamError, Params
from ocop_helpers.runs import compare, compare_report
from ocop_helpers.runs.sweep import SweepError, parse_sweep, parse_sweeps, points
from tests.support import docfind

PLAN = paths.DEFAULT_PLAN_DIR
DRAWS = 300  # small Monte Carlo: the figures are compared with computations at the same draws


# ----------------------------------------------------------------------------- sweeps
def test_range_includes_both_ends_and_money_units():
    s = parse_sweep("envelope_vnd=18tỷ..24tỷ/7")
    assert s.values == tuple(n * 10**9 for n in range(18, 25))
    s = parse_sweep("envelope_vnd=4,5tỷ..5tỷ/3")
    assert s.values == (4_500_000_000, 4_750_000_000, 5_000_000_000)
    assert vnformat.parse_money("500triệu") == 500_000_000
    assert vnformat.parse_money("18,5 tỷ") == 18_500_000_000
    assert vnformat.parse_money("18.000.000.000") == 18 * 10**9
    assert parse_sweep("pass_rate_new=0,3..0,5/3").values == pytest.approx((0.3, 0.4, 0.5))
    assert parse_sweep("products_per_session=10..40/4").values == (10, 20, 30, 40)


def test_lists_and_products_of_sweeps():
    rule = parse_sweep("rule=priority,proportional,optimum")
    assert rule.values == ("priority", "proportional", "optimum")
    assert parse_sweep("envelope_vnd=4tỷ,4,5tỷ,500triệu").values == (4 * 10**9, 4_500_000_000, 500_000_000)
    sweeps = parse_sweeps(["envelope_vnd=18tỷ..24tỷ/7", "rule=priority,proportional,optimum"])
    grid = points(sweeps)
    assert len(grid) == 21
    assert grid[0] == {"envelope_vnd": 18 * 10**9, "rule": "priority"}
    assert grid[2] == {"envelope_vnd": 18 * 10**9, "rule": "optimum"}  # the first sweep varies slowest
    assert grid[-1] == {"envelope_vnd": 24 * 10**9, "rule": "optimum"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("envelope=18tỷ..24tỷ/7", "không phải tham số"),
        ("envelope_vnd:18tỷ", "cần dạng"),
        ("envelope_vnd=18tỷ..24tỷ/1", "số điểm"),
        ("envelope_vnd=24tỷ..18tỷ/3", "nhỏ hơn"),
        ("envelope_vnd=18tỷ..24tỷ", "khoảng cần dạng"),
        ("envelope_vnd=18 tấn", "không phải số tiền"),
        ("envelope_vnd=1.5", "số nguyên"),
        ("rule=priority,best", "cần một trong"),
        ("rule=priority..optimum/2", "không phải tham số số"),
        ("province=a,b", "không quét được"),
        ("products_per_session=1..2/5", "quá hẹp"),
        ("pass_rate_new=0,5..1,5/3", "tỷ lệ"),
        ("rule=priority,,optimum", "trống"),
        ("rule=priority,priority", "lặp lại"),
    ],
)
def test_bad_sweeps_say_what_was_expected(text, expected):
    with pytest.raises(SweepError) as info:
        parse_sweep(text)
    assert expected in str(info.value), str(info.value)


def test_a_parameter_swept_twice_is_an_error():
    with pytest.raises(SweepError, match="hai lần"):
        parse_sweeps(["rule=priority", "rule=optimum"])


# ----------------------------------------------------------------------------- scenarios
def _scenario(tmp: Path, name: str, **values) -> Path:
    path = tmp / f"{name}.yaml"
    # as the Lab saves it: every value, the plan's identity and the scenario name
    path.write_text(
        yaml.safe_dump({"province": "bac-giang", "year": 2025, "plan_dir": "/elsewhere", "scenario": name, **values}),
        encoding="utf-8",
    )
    return path


def test_scenario_problems_are_reported_before_computing(tmp_path):
    plan = loading.load_plan(PLAN)
    bad = _scenario(tmp_path, "bad", pass_rate_new=2, colour="red")
    other = tmp_path / "other.yaml"
    other.write_text("province: bac-ninh\nyear: 2026\n", encoding="utf-8")
    too_big = _scenario(tmp_path, "big", envelope_vnd=99 * 10**9)
    with pytest.raises(ParamError) as info:
        compare.scenarios(plan, [bad, other, too_big, tmp_path / "missing.yaml"])
    text = str(info.value)
    assert "'colour': tham số không tồn tại" in text and "'pass_rate_new' = 2" in text
    assert "kịch bản lưu cho province = 'bac-ninh'" in text
    assert "big: 'envelope_vnd'" in text and "lớn hơn tổng kinh phí" in text
    assert "missing.yaml: không có tệp kịch bản này" in text


def test_batches_keep_scenarios_that_share_the_monte_carlo_together():
    plan = loading.load_plan(PLAN)
    sweeps = parse_sweeps(["envelope_vnd=4tỷ..5tỷ/3", "rule=priority,proportional,optimum"])
    items = compare.scenarios(plan, [], sweeps)
    groups = compare.batches(items, workers=2)
    assert sorted(i for g in groups for i in g) == list(range(9))
    for g in groups:
        assert len({items[i].values["envelope_vnd"] for i in g}) == 1
    assert len(compare.batches(items[:3], workers=2)) == 2  # one shared group split for two workers


# ----------------------------------------------------------------------------- the report
@pytest.fixture(scope="module")
def two_scenarios(tmp_path_factory):
    """Two scenario files compared through the default process pool, and each computed on its own."""
    tmp = tmp_path_factory.mktemp("compare")
    a = _scenario(tmp, "Theo kế hoạch", draws=DRAWS, rule="priority")
    b = _scenario(tmp, "=Ít kinh phí", draws=DRAWS, rule="optimum", envelope_vnd=4_000_000_000)
    plan = loading.load_plan(PLAN)
    items = compare.scenarios(plan, [a, b])
    result = compare.compare(plan, items, workers=2, show_progress=False)
    html_path, xlsx_path = compare_report.write(result, tmp / "out")
    single = [compute.compute(plan, Params(s.values)) for s in items]
    return result, html_path, xlsx_path, single


@pytest.mark.slow
def test_report_figures_are_the_single_scenario_figures(two_scenarios):
    result, html_path, xlsx_path, single = two_scenarios
    assert html_path.parent.parts[-3:] == ("bac-giang", "2025", "compare")
    page = html_path.read_text(encoding="utf-8")
    names = ["Theo kế hoạch (gốc)", "=Ít kinh phí"]
    caption = "Các chỉ số quyết định theo phương án"
    for name, r in zip(names, single, strict=True):
        m = r.allocation_metrics
        rewards = r.budget_comparison.set_index("line").loc["rewards"]
        total = r.budget_comparison.set_index("line").loc["total", "planned_vnd"]
        lowest = m.by_unit.loc[m.by_unit["funded_share"].idxmin(), "unit_id"]
        expected = {
            "Tổng kinh phí": vnformat.money(int(total)),
            "– Hỗ trợ nhãn hiệu, bao bì, tem nhãn": vnformat.money(r.envelope_vnd),
            "Chủ thể được hỗ trợ đủ": vnformat.number(m.fully_funded),
            "Chủ thể được hỗ trợ một phần": vnformat.number(m.partly_funded),
            "Chủ thể không được hỗ trợ": vnformat.number(m.not_funded),
            "Đơn vị được đáp ứng thấp nhất": r.unit_names[lowest],
            "Tỷ lệ đáp ứng của đơn vị thấp nhất": vnformat.percent(m.lowest_unit_coverage),
            "Thưởng sau công nhận: mức thấp (P10)": vnformat.money(int(rewards["p10_vnd"])),
            "Thưởng sau công nhận: mức cao (P90)": vnformat.money(int(rewards["p90_vnd"])),
            "Xác suất vượt tổng kinh phí": vnformat.percent(r.simulation.prob_overrun),
            "Đợt đánh giá vượt năng lực hội đồng": vnformat.number(int(r.calendar.rounds["over_capacity"].sum())),
        }
        for row, text in expected.items():
            assert docfind.cell(page, row, name, caption=caption) == text, (row, name)
    # the difference from the base, in its own table
    a, b = (r.allocation_metrics for r in single)
    change = b.not_funded - a.not_funded
    assert change != 0
    shown = docfind.cell(page, "Chủ thể không được hỗ trợ", "=Ít kinh phí", caption="Chênh lệch")
    assert shown == ("+" if change > 0 else "−") + vnformat.number(abs(change))
    # differing cells are highlighted, equal ones are not
    assert "ocop-diff" in page.split(">Chủ thể không được hỗ trợ<", 1)[1].split("</tr>", 1)[0]
    assert "ocop-diff" not in page.split(">Số chủ thể đề nghị hỗ trợ<", 1)[1].split("</tr>", 1)[0]
    # the workbook holds the same figures as numbers, and text stays text (never a formula)
    sheet = docfind.xlsx_table(xlsx_path, "So sánh")
    assert sheet.headers[2] == "=Ít kinh phí"
    assert sheet.cell("Chủ thể không được hỗ trợ", "=Ít kinh phí") == b.not_funded
    assert sheet.cell("Tổng kinh phí", "Theo kế hoạch") == int(
        single[0].budget_comparison.set_index("line").loc["total", "planned_vnd"]
    )
    assert sheet.cell("Xác suất vượt tổng kinh phí", "=Ít kinh phí") == pytest.approx(single[1].simulation.prob_overrun)


@pytest.mark.slow
def test_the_proposals_can_cite_the_comparison(two_scenarios, tmp_path):
    result, html_path, _, single = two_scenarios
    assert compare_report.comparison_workbook(result.plan, tmp_path) is None  # no comparison there
    text = compare_report.citation(compare_report.comparison_workbook(result.plan, html_path.parents[3]))
    fewest = min(range(2), key=lambda i: single[i].allocation_metrics.not_funded)
    name = ["Theo kế hoạch", "=Ít kinh phí"][fewest]
    n = single[fewest].allocation_metrics.not_funded
    assert "so sánh 2 phương án" in text
    assert f"«{name}» để ít tổ chức kinh tế không được hỗ trợ nhất ({n} tổ chức)" in text
    # and the submission (Tờ trình) of the plan built next to that comparison cites it
    from ocop_helpers.document import submission
    from ocop_helpers.render import html as render_html

    doc = submission.compose_submission(single[fewest], text)
    assert text in render_html.render_html(doc)


@pytest.mark.slow
def test_report_is_offline_and_vietnamese(two_scenarios):
    from ocop_helpers.render.html import external_references

    _, html_path, _, _ = two_scenarios
    page = html_path.read_text(encoding="utf-8")
    assert external_references(page) == []
    assert '<html lang="vi">' in page and "<svg" in page and "<script" not in page
    assert "Chủ thể được hỗ trợ theo phương án" in page  # the chart's title


@pytest.mark.slow
def test_a_failed_write_keeps_the_previous_comparison(two_scenarios, monkeypatch):
    result, html_path, xlsx_path, _ = two_scenarios
    before = html_path.read_bytes(), xlsx_path.read_bytes()

    def broken(chart):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(compare_report, "svg", broken)
    with pytest.raises(RuntimeError):
        compare_report.write(result, html_path.parents[3])
    assert (html_path.read_bytes(), xlsx_path.read_bytes()) == before
    assert sorted(p.name for p in html_path.parent.iterdir()) == ["compare.html", "compare.xlsx"]


@pytest.mark.slow
def test_sweep_table_and_chart(tmp_path):
    plan = loading.load_plan(PLAN)
    sweeps = parse_sweeps(["envelope_vnd=4tỷ..5tỷ/2", "rule=priority,optimum"])
    items = compare.scenarios(plan, [], sweeps, {"draws": str(DRAWS)})
    result = compare.compare(plan, items, sweeps, executor_spec="serial", show_progress=False)
    html_path, xlsx_path = compare_report.write(result, tmp_path)
    page = html_path.read_text(encoding="utf-8")
    single = compute.compute(plan, Params(items[3].values))
    assert items[3].swept == {"envelope_vnd": 5 * 10**9, "rule": "optimum"}
    row = items[3].name
    assert docfind.cell(page, row, "Không được hỗ trợ", caption="Kết quả theo từng điểm quét") == vnformat.number(
        single.allocation_metrics.not_funded
    )
    assert "Số chủ thể không được hỗ trợ" in page and page.count("<svg") == 2  # status chart + sweep chart
    sweep_sheet = docfind.xlsx_table(xlsx_path, "Quét tham số")
    assert sweep_sheet.cell(row, "envelope_vnd") == 5 * 10**9
    assert sweep_sheet.cell(row, "Chủ thể không được hỗ trợ") == single.allocation_metrics.not_funded


def test_progress_bar_counts_to_the_total():
    import io as _io

    stream = _io.StringIO()
    bar = compare.Progress(4, stream=stream)
    bar.update(1)
    bar.update(3)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("Tính các phương án: [") and "0/4" in lines[0]
    assert "4/4 (100%)" in lines[-1] and "phương án/giây" in lines[-1]


# ----------------------------------------------------------------------------- command line
def _cli(*args: str, cwd: Path = paths.ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ocop_helpers", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "--sweep", "envelop_vnd=1tỷ..2tỷ/3"], "'envelop_vnd' không phải tham số"),
        (["compare", "--sweep", "envelope_vnd=1tỷ..2tỷ"], "khoảng cần dạng"),
        (["compare", "nowhere.yaml"], "nowhere.yaml: không có tệp kịch bản này"),
        (["compare", "--set", "draws"], "--set cần dạng"),
        (["compare", "--set", "draws=5"], "không nhỏ hơn 100"),
        (["compare", "--executor", "spark://x"], "cần 'process', 'serial' hoặc 'dask://"),
        (["compare", "--plan", "data/nowhere/2030"], "cần một thư mục kế hoạch"),
    ],
)
def test_bad_input_exits_2_with_a_vietnamese_message(args, message, tmp_path, capsys, monkeypatch):
    from ocop_helpers.runs import cli

    monkeypatch.chdir(paths.ROOT)
    assert cli.main([*args, "--out", str(tmp_path)]) == 2  # an exception would fail the test: no traceback
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_unknown_parameter_in_a_scenario_file_exits_2(tmp_path):
    bad = _scenario(tmp_path, "bad", rule="best")
    done = _cli("compare", str(bad), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "'rule' = 'best'" in done.stderr and "Traceback" not in done.stderr


# ----------------------------------------------------------------------------- Dask
@pytest.mark.slow
def test_dask_executor_on_a_local_cluster_gives_the_same_rows():
    distributed = pytest.importorskip("distributed")
    plan = loading.load_plan(PLAN)
    sweeps = parse_sweeps(["rule=priority,optimum"])
    items = compare.scenarios(plan, [], sweeps, {"draws": str(DRAWS)})
    local = compare.compare(plan, items, sweeps, executor_spec="serial", show_progress=False)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address.split("://", 1)[1]
        remote = compare.compare(plan, items, sweeps, executor_spec=f"dask://{address}", show_progress=False)
        with distributed.Client(cluster) as client:
            pids = set(client.run(lambda: __import__("os").getpid()).values())
    assert len(pids) == 2
    assert remote.rows.drop(columns=[]).to_dict("records") == local.rows.to_dict("records")


@pytest.mark.slow
def test_unreachable_dask_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    with pytest.raises(compare.ExecutorError, match="không kết nối được"):
        with compare.executor("dask://127.0.0.1:9"):
            pass


@pytest.mark.slow
def test_make_compare_writes_the_report_and_the_workbook(tmp_path):
    a = _scenario(tmp_path, "a", draws=DRAWS)
    b = _scenario(tmp_path, "b", draws=DRAWS, rule="optimum")
    done = subprocess.run(
        ["make", "compare", f"SCENARIOS={a} {b}", f"OUT={tmp_path / 'out'}"],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    folder = tmp_path / "out" / "bac-giang" / "2025" / "compare"
    assert sorted(p.name for p in folder.iterdir()) == ["compare.html", "compare.xlsx"]
    assert "2/2 (100%)" in done.stderr and "Đã so sánh 2 phương án" in done.stdout


def test_a_failing_scenario_names_itself(monkeypatch):
    plan = loading.load_plan(PLAN)
    items = compare.scenarios(plan, [], parse_sweeps(["rule=priority,optimum"]), {"draws": str(DRAWS)})

    def broken(plan_path, fingerprint, batch):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(compare, "compute_batch", broken)
    with pytest.raises(compare.CompareError, match="Tính phương án lỗi .*rule = Ưu tiên theo thứ tự.*boom"):
        compare.compare(plan, items, executor_spec="serial", show_progress=False)

"""Command line: ``python -m ocop_helpers build|validate|to-xlsx|params|synth`` (a thin layer over the library)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ocop_helpers.core import paths, vnformat
from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.dev.synth import write_synthetic_plan
from ocop_helpers.document import official
from ocop_helpers.domain.season import load_season_results
from ocop_helpers.inputs.export import plan_to_xlsx
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.model.params import SPECS, ParamError, markdown_table
from ocop_helpers.runs import compare as cmp
from ocop_helpers.runs import compare_report, report, seed, yoy_page
from ocop_helpers.runs.build import BuildError, build, parameters_by_notebook
from ocop_helpers.runs.scenarios import parse_settings


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (0 ok, 1 build failed, 2 bad input)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["report"]:  # its own options (ocop_helpers.runs.report)
        return report.main(argv[1:])
    if argv[:1] == ["seed"]:  # its own options (ocop_helpers.runs.seed)
        return seed.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m ocop_helpers", description="Sổ kế hoạch OCOP")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="dựng kế hoạch năm: notebook → HTML, phụ lục XLSX, manifest")
    b.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR), help="thư mục kế hoạch hoặc tệp .xlsx")
    b.add_argument("--params", action="append", default=[], help="tệp YAML tham số (có thể lặp; tệp sau ghi đè)")
    b.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ", help="ghi đè một tham số")
    b.add_argument("--out", default=str(paths.OUTPUTS_DIR), help="thư mục kết quả")
    b.add_argument("--workers", type=int, default=2, help="số notebook chạy song song")
    v = sub.add_parser("validate", help="chỉ kiểm tra dữ liệu đầu vào")
    v.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR))
    x = sub.add_parser("to-xlsx", help="xuất thư mục kế hoạch thành một tệp Excel để nhập liệu")
    x.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR))
    x.add_argument("target")
    c = sub.add_parser("compare", help="so sánh nhiều kịch bản (tệp YAML, quét tham số): compare.html, compare.xlsx")
    c.add_argument("scenarios", nargs="*", help="tệp kịch bản YAML (như Lab lưu); tệp đầu là phương án gốc")
    c.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR), help="thư mục kế hoạch hoặc tệp .xlsx")
    c.add_argument("--sweep", action="append", default=[], metavar="TÊN=ĐẦU..CUỐI/SỐ_ĐIỂM|A,B,C", help="quét tham số")
    c.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ", help="đặt một tham số cho mọi kịch bản")
    c.add_argument(
        "--executor", default="process", help="process (mặc định), serial (một tiến trình) hoặc dask://máy:cổng"
    )
    c.add_argument("--workers", type=int, default=None, help="số tiến trình (mặc định: số lõi)")
    c.add_argument("--out", default=str(paths.OUTPUTS_DIR), help="thư mục kết quả")
    y = sub.add_parser("yoy", help="so sánh kế hoạch năm nay với năm trước: compare/year-over-year.html")
    y.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR), help="thư mục kế hoạch năm nay")
    y.add_argument("--out", default=str(paths.OUTPUTS_DIR), help="thư mục kết quả")
    sub.add_parser("seed", help="khởi tạo kế hoạch năm sau từ kết quả năm nay: seed --plan DIR --out DIR")
    sub.add_parser("report", help="báo cáo kết quả thực hiện đến một ngày: report --plan DIR --as-of YYYY-MM-DD")
    pp = sub.add_parser("params", help="liệt kê mọi tham số")
    pp.add_argument("--markdown", action="store_true", help="bảng Markdown (như trong README)")
    sy = sub.add_parser(
        "synth", help="sinh một kế hoạch giả lập theo quy mô cho trước (thử tải, không phải số liệu thật)"
    )
    sy.add_argument("--products", type=int, required=True, help="số sản phẩm")
    sy.add_argument("--organisations", type=int, required=True, help="số chủ thể")
    sy.add_argument("--out", required=True, help="thư mục mới (hoặc trống) để ghi kế hoạch giả lập")
    sy.add_argument("--seed", type=int, default=1, help="hạt giống ngẫu nhiên (cùng hạt giống → cùng tệp)")
    sy.add_argument(
        "--like",
        default=str(paths.DEFAULT_PLAN_DIR),
        help="thư mục kế hoạch làm mẫu (tỉnh, đơn vị, đợt, định mức, tỷ lệ)",
    )
    args = parser.parse_args(argv)

    try:
        if args.command == "build":
            try:
                build(args.plan, args.params, parse_settings(args.set), args.out, workers=args.workers)
            except BuildError as exc:
                print(f"LỖI: {exc}", file=sys.stderr)
                return 1
        elif args.command == "compare":
            try:
                html_path, xlsx_path, result = compare_report.run(
                    args.plan,
                    args.scenarios,
                    args.sweep,
                    parse_settings(args.set),
                    args.out,
                    executor_spec=args.executor,
                    workers=args.workers,
                )
            except cmp.CompareError as exc:
                print(f"LỖI: {exc}\nBáo cáo so sánh trước đó (nếu có) không bị thay đổi.", file=sys.stderr)
                return 1
            seconds = vnformat.number(result.seconds, 1)
            print(f"Đã so sánh {len(result.scenarios)} phương án trong {seconds} giây: {html_path}, {xlsx_path}")
        elif args.command == "yoy":
            print(yoy_page.write_page(load_plan(args.plan), args.out))
        elif args.command == "validate":
            # The document's frame too (issuer, bodies, tasks, signer on every date it may change):
            # what cannot be defaulted is an error, each default a warning.
            plan = official.check_frame(load_plan(args.plan))
            # Season results (results/ or results.xlsx), when entered: checked with the support norms.
            results = load_season_results(plan)
            for warning in (*plan.warnings, *(results.warnings if results else ())):
                print(f"Cảnh báo: {warning}")
            print(
                f"Dữ liệu hợp lệ: {plan.province_name} {plan.year} — {len(plan.products)} sản phẩm, "
                f"{len(plan.organisations)} chủ thể, {len(plan.requests)} đề nghị hỗ trợ"
            )
            if results is not None:
                print(
                    f"Kết quả đã nhập: {len(results.evaluations)} lượt đánh giá, {len(results.support)} khoản "
                    f"hỗ trợ đã chi, {len(results.spending)} dòng số chi"
                )
        elif args.command == "to-xlsx":
            print(plan_to_xlsx(args.plan, Path(args.target)))
        elif args.command == "synth":
            try:
                out = write_synthetic_plan(args.out, args.products, args.organisations, args.like, args.seed)
            except ValueError as exc:
                print(f"LỖI: {exc}", file=sys.stderr)
                return 2
            print(f"Đã ghi kế hoạch GIẢ LẬP (không phải số liệu thật) vào {out}")
        elif args.command == "params":
            if args.markdown:
                print(markdown_table(parameters_by_notebook()))
            else:
                for s in SPECS:
                    print(f"{s.name:28} {s.kind:7} mặc định={s.default!r:14} {s.help}")
    except (ParamError, PlanValidationError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unreadable or unwritable file named on the command line
        print(f"LỖI: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0

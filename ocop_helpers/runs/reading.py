"""Reading a built document as the official who signs it reads it, against its ledger (figures.json).

``read_plan_dir(folder)`` checks every document of a build (``plan``, ``to-trinh``, ``dieu-chinh``
in HTML, DOCX and PDF) and returns the problems, each a sentence naming the file and the place:

- HTML: every figure mark (``<span class="fig" data-fig=id>``) names a figure of the ledger and shows
  its text exactly; no other number stands in the body, the proposals or a table cell except dates,
  years, document numbers, round numbers ("đợt 2"), star classes ("4 sao") and item numbering;
- DOCX and PDF: the same numbers as the HTML, as many times each (one structure, three renderers);
  every amount of money or percentage is a ledger figure's text;
- the ledger: one definition per figure; budget lines and sources add to the total they are quoted
  with; the targets' streams add to the total.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

DOCUMENTS: tuple[str, ...] = ("plan", "to-trinh", "dieu-chinh", "bao-cao")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# What is not a figure: dates, years, document numbers, numbering, round and star identifiers,
# time terms and score thresholds fixed by the rules.
ALLOWED: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\d{1,2}/\d{1,2}/\d{4}",  # 15/6/2025
        r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}",  # ngày 13 tháng 12 năm 2023
        r"ngày\s+…\s+tháng\s+…\s+năm\s+\d{4}",
        r"\d{1,2}/\d{4}",  # 12/2025
        r"[\w.]*\d+(?:/\d+)*/[\w\-ĐđÂâÊêÔôƠơƯư.]*[A-ZĐ][\w\-ĐđÂâÊêÔôƠơƯư.]*",  # 919/QĐ-TTg, 67/2023/NQ-HĐND
        r"(?:đợt|Đợt)\s+\d+",
        r"\b[1-5]\s+sao\b",
        r"\b(?:19|20)\d{2}\b",  # years
        r"^\s*\d+(?:\.\d+)*\.\s",  # item numbering at the start of a heading or paragraph
        r"\(\*\)",
        r"(?<![\d,.])\d+\s+(?:ngày|tháng)\b",  # time terms of a rule or deadline ("trong 10 ngày")
        r"(?<![\d,.])\d+\s+điểm\b(?!\s+phần)",  # score thresholds of the criteria ("từ 70 điểm")
        r"(?<![\d,.])\d{1,2}\.\s+(?=[^\W\d_])",  # a reference to an item ("Mục III: 3. Phát triển …")
        r"\bS\d+\b",
    )
)
MONEY_OR_SHARE = re.compile(r"(\d+(?:[.,]\d+)*)\s*(tỷ đồng|triệu đồng|đồng|%)")


@dataclass
class _Region:
    name: str
    text: list[str] = field(default_factory=list)  # text outside figure marks, one piece per element
    figures: list[tuple[str, str]] = field(default_factory=list)  # (id, shown) in reading order
    all_text: list[str] = field(default_factory=list)  # every visible text piece


class _Reader(HTMLParser):
    """Visible text of a plan page by region (body, proposals, appendix, frame), figure marks apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.regions: dict[str, _Region] = {}
        self.stack: list[tuple[str, str]] = []  # (tag, region) per open element
        self.fig: list[str | None] = []
        self.skip = 0  # inside <svg>, <style>, <script>, <title>

    def _region(self) -> str:
        return self.stack[-1][1] if self.stack else "frame"

    def handle_startendtag(self, tag, attrs):
        self._break(self._region())

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        region = self._region()
        if tag == "main" and "body" in classes:
            region = "body"
        elif tag == "section" and "proposals" in classes:
            region = "proposals"
        elif tag == "section" and "appendix" in classes:
            region = "appendix"
        if tag in ("svg", "style", "script", "title"):
            self.skip += 1
        if tag != "span":
            self._break(region)
        if tag in ("br", "img", "meta", "link", "hr", "input"):
            return
        self.stack.append((tag, region))
        self.fig.append(a.get("data-fig") if tag == "span" and "fig" in classes else None)

    def _break(self, region: str) -> None:
        """An element boundary: text on either side never runs together."""
        r = self.regions.setdefault(region, _Region(region))
        r.text.append("\n")
        r.all_text.append("\n")

    def handle_endtag(self, tag):
        if tag != "span":
            self._break(self._region())
        if tag in ("svg", "style", "script", "title"):
            self.skip = max(0, self.skip - 1)
        while self.stack:
            t, _ = self.stack.pop()
            self.fig.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self.skip or not data.strip():
            return
        region = self.regions.setdefault(self._region(), _Region(self._region()))
        region.all_text.append(data)
        figure = next((f for f in reversed(self.fig) if f), None)
        if figure:
            region.figures.append((figure, data))
            region.text.append("\x00")  # a figure: splits the surrounding text
        else:
            region.text.append(data)


def load_ledger(folder: Path) -> dict[str, dict]:
    """figures.json of a build as id -> figure."""
    data = json.loads((Path(folder) / "figures.json").read_text(encoding="utf-8"))
    return {f["id"]: f for f in data["figures"]}


def stray_numbers(text: str) -> list[str]:
    """Numbers in ``text`` that are not dates, years, document numbers or identifiers."""
    cleaned = text
    for pattern in ALLOWED:
        cleaned = pattern.sub(" ", cleaned)
    return NUMBER.findall(cleaned)


def read_html(path: Path, ledger: dict[str, dict]) -> tuple[list[str], Counter]:
    """(problems, numbers of the whole visible page) of one HTML document."""
    reader = _Reader()
    reader.feed(Path(path).read_text(encoding="utf-8"))
    problems: list[str] = []
    for name in ("body", "proposals"):
        region = reader.regions.get(name)
        if region is None:
            continue
        for fid, shown in region.figures:
            if fid not in ledger:
                problems.append(f"{path.name}: số liệu '{fid}' ({shown}) không có trong figures.json")
            elif ledger[fid]["shown"] != shown:
                problems.append(f"{path.name}: '{fid}' viết {shown!r}, sổ số liệu ghi {ledger[fid]['shown']!r}")
        for piece in re.split("[\x00\n]", "".join(region.text)):
            for number in stray_numbers(piece):
                problems.append(
                    f"{path.name} ({name}): số {number!r} không lấy từ sổ số liệu, trong: “{_context(piece, number)}”"
                )
    numbers = Counter()
    for region in reader.regions.values():
        numbers.update(NUMBER.findall("".join(region.all_text)))
    return problems, numbers


def _context(text: str, number: str, width: int = 50) -> str:
    at = text.find(number)
    return " ".join(text[max(0, at - width) : at + len(number) + width].split())


def docx_text(path: Path) -> str:
    """Paragraphs and table cells of a Word file, in document order (headers and footers aside)."""
    import docx  # deferred: python-docx is needed only when a Word file is read
    from docx.oxml.ns import qn  # deferred: as above

    d = docx.Document(str(path))
    out = []
    for t in d.element.body.iter(qn("w:t")):
        out.append(t.text or "")
    return " ".join(out)


def pdf_text(path: Path) -> str:
    """The text of a PDF, each page without its page number line."""
    from pypdf import PdfReader  # deferred: pypdf is needed only when a PDF is read

    pages = []
    for i, page in enumerate(PdfReader(str(path)).pages):
        lines = (page.extract_text() or "").splitlines()
        if i > 0:  # the page number (top margin) comes first or last in the text layer
            if lines and lines[0].strip() == str(i + 1):
                lines = lines[1:]
            elif lines and lines[-1].strip() == str(i + 1):
                lines = lines[:-1]
        pages.append("\n".join(lines))
    return "\n".join(pages)


def _same_numbers(name: str, html_numbers: Counter, other: Counter) -> list[str]:
    out = []
    extra = other - html_numbers
    missing = html_numbers - other
    if extra:
        out.append(f"{name}: có số không có trong bản HTML: {', '.join(sorted(extra.elements())[:10])}")
    if missing:
        out.append(f"{name}: thiếu số của bản HTML: {', '.join(sorted(missing.elements())[:10])}")
    return out


def _money_and_shares(name: str, text: str, ledger: dict[str, dict]) -> list[str]:
    shown = {f["shown"] for f in ledger.values()}
    out = []
    for m in MONEY_OR_SHARE.finditer(" ".join(text.split())):
        written = f"{m.group(1)}{m.group(2)}" if m.group(2) == "%" else f"{m.group(1)} {m.group(2)}"
        if written not in shown:
            out.append(f"{name}: “{written}” không phải số liệu nào của sổ số liệu")
    return out


def ledger_problems(ledger: dict[str, dict]) -> list[str]:
    """One definition per figure; lines and sources add to their total; streams to the total."""
    out = []
    seen: dict[str, str] = {}
    for f in ledger.values():
        key = " ".join(f["definition"].lower().split())
        if key in seen:
            out.append(f"figures.json: {f['id']} và {seen[key]} cùng định nghĩa “{f['definition']}”")
        seen[key] = f["id"]
    total_id = "budget.lines_total_vnd" if "budget.lines_total_vnd" in ledger else "target.budget_total_vnd"
    if total_id in ledger:
        total = ledger[total_id]["value"]
        for part in ("budget.line.", "budget.source."):
            values = [f["value"] for i, f in ledger.items() if i.startswith(part) and i.endswith("_vnd")]
            if values and sum(values) != total:
                out.append(f"figures.json: {part}* cộng được {sum(values)} đồng, khác tổng {total} đồng ({total_id})")
    streams = ("target.new", "target.reevaluation", "target.upgrade")
    if all(s in ledger for s in (*streams, "target.total")):
        if sum(ledger[s]["value"] for s in streams) != ledger["target.total"]["value"]:
            out.append("figures.json: lần đầu + đánh giá lại + nâng hạng khác tổng số sản phẩm")
    return out


def read_plan_dir(folder: Path | str, documents: tuple[str, ...] = DOCUMENTS) -> list[str]:
    """Every problem of the documents built in ``folder`` (empty when they hold together)."""
    folder = Path(folder)
    if not (folder / "figures.json").exists():
        return [f"{folder}: không có figures.json (sổ số liệu) bên cạnh kế hoạch hay báo cáo"]
    ledger = load_ledger(folder)
    problems = ledger_problems(ledger)
    if not (folder / "plan.html").exists() and not (folder / "bao-cao.html").exists():
        problems.append(f"{folder}: không có plan.html (hay bao-cao.html)")
    for name in documents:
        html_path = folder / f"{name}.html"
        if not html_path.exists():
            continue
        found, html_numbers = read_html(html_path, ledger)
        problems += found
        for ext, reader in (("docx", docx_text), ("pdf", pdf_text)):
            path = folder / f"{name}.{ext}"
            if not path.exists():
                problems.append(f"{path.name}: không có (bản HTML có)")
                continue
            text = reader(path)
            problems += _same_numbers(path.name, html_numbers, Counter(NUMBER.findall(text)))
            problems += _money_and_shares(path.name, text, ledger)
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m ocop_helpers.runs.reading PLAN_DIR``: the problems, one per line; exit 1 if any."""
    import sys  # deferred: only the command line reads argv

    args = sys.argv[1:] if argv is None else argv
    problems = read_plan_dir(Path(args[0]))
    for p in problems:
        print(p)
    print(f"{len(problems)} vấn đề")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Issue 7: the package works for any province and year from data alone — no province, district,
commune or year is named in ocop_helpers (only in data/ and tests/)."""

from __future__ import annotations

import io as _io
import re
import tokenize
import unicodedata

import pandas as pd

from ocop_helpers.core import paths

PACKAGE = paths.ROOT / "ocop_helpers"


def _code_tokens(source: str) -> list[tuple[int, str, str]]:
    """(line, kind, text) of every string and number token that is not a docstring."""
    out = []
    previous = tokenize.NEWLINE
    for tok in tokenize.generate_tokens(_io.StringIO(source).readline):
        if tok.type == tokenize.STRING and previous in (
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.NL,
        ):
            previous = tok.type  # a docstring (a string that is a whole statement)
            continue
        if tok.type in (tokenize.STRING, tokenize.NUMBER) or (
            tok.type == tokenize.FSTRING_MIDDLE if hasattr(tokenize, "FSTRING_MIDDLE") else False
        ):
            out.append((tok.start[0], tokenize.tok_name[tok.type], tok.string))
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            previous = tok.type
    return out


def place_names() -> set[str]:
    units = pd.read_csv(paths.REFERENCE_DIR / "units.csv", dtype=str, keep_default_na=False)
    names = {unicodedata.normalize("NFC", n) for n in units["unit_name"] if len(n) >= 4}
    names |= {"Bắc Giang", "Bắc Ninh", "bac-giang", "bac-ninh"}
    return names


def test_no_place_or_year_literal_in_package_code():
    names = place_names()
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        for line, kind, text in _code_tokens(source):
            if kind == "NUMBER" and re.fullmatch(r"20[1-3][0-9]", text.replace("_", "")):
                problems.append(f"{path.name}:{line} year literal {text}")
            if kind == "STRING":
                if re.search(r"\b20[12][0-9]-[01]?[0-9]-[0-3]?[0-9]\b|\b[0-3]?[0-9]/[01]?[0-9]/20[12][0-9]\b", text):
                    problems.append(f"{path.name}:{line} date literal {text[:60]}")
                hits = [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
                if hits:
                    problems.append(f"{path.name}:{line} place name {hits[0]!r} in {text[:60]}")
    allowed = {"paths.py"}  # the default plan folder is a path, the one place a plan is named
    problems = [p for p in problems if p.split(":")[0] not in allowed]
    assert not problems, "\n".join(problems)

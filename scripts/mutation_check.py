"""Mutation check of the key assertions (issue 14): break the code on purpose, one way at a time, and
show that the tests meant to guard it FAIL.

Runs in a temporary copy of the project (the repository is never modified): for each mutation, the
named source line is replaced, the named tests run, and the mutation must make them fail. The
unmutated copy must pass first.

    .venv/bin/python scripts/mutation_check.py            # all mutations (about two minutes)
    .venv/bin/python scripts/mutation_check.py talmud     # only those whose name contains 'talmud'

Exit code 0 when every mutation was caught.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTATIONS = (
    Mutation(
        "typo columns accepted as extra columns",
        "ocop_helpers/validation.py",
        "TYPO_CUTOFF = 0.8",
        "TYPO_CUTOFF = 1.01",
        ("tests/inputs/test_input_files.py::test_a_column_name_close_to_a_known_one_is_an_error",),
    ),
    Mutation(
        "round deadlines outside the plan year accepted",
        "ocop_helpers/validation.py",
        "if isinstance(deadline, pd.Timestamp) and deadline.year != year:",
        "if False:",
        ("tests/inputs/test_input_files.py::test_round_deadline_outside_the_plan_year_is_an_error",),
    ),
    Mutation(
        "error list not capped",
        "ocop_helpers/validation.py",
        "MAX_SHOWN = 50",
        "MAX_SHOWN = 10**9",
        ("tests/inputs/test_input_files.py::test_many_problems_are_capped_grouped_and_logged_in_full",),
    ),
    Mutation(
        "province id matched without checking (the old AttributeError)",
        "ocop_helpers/validation.py",
        'if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text):\n        raise ValueError(text)',
        'text = re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text).group(0)',
        ("tests/inputs/test_input_files.py::test_malformed_province_id_is_a_validation_message",),
    ),
    Mutation(
        "symlink loop reported as missing",
        "ocop_helpers/io.py",
        "if exc.errno == errno.ELOOP:",
        "if exc.errno == -1:",
        ("tests/inputs/test_input_files.py::test_symlink_loop_is_not_reported_as_missing",),
    ),
    Mutation(
        "ambiguous '1.5' accepted in a tỷ field",
        "ocop_helpers/vnformat.py",
        'if "." in number and not (word and grouped):',
        "if False:",
        ("tests/inputs/test_fuzz_inputs.py::test_ambiguous_or_inexact_money_is_refused_with_the_expected_forms",),
    ),
    Mutation(
        "talmud switches at the wrong half",
        "ocop_helpers/allocation.py",
        "low = e <= total / 2.0",
        "low = e <= total / 3.0",
        ("tests/domain/test_allocation_against_references.py::test_rule_equals_its_slow_reference",),
    ),
    Mutation(
        "greedy takes the lowest priority per đồng first",
        "ocop_helpers/allocation.py",
        "flat = _flat(_argsort_rows(density, descending=True))",
        "flat = _flat(_argsort_rows(density, descending=False))",
        ("tests/domain/test_allocation_against_references.py::test_greedy_matches_pabutools_on_random_instances",),
    ),
    Mutation(
        "browser tests skip silently in CI",
        "tests/support/browser.py",
        'if os.environ.get("CI"):',
        "if False:",
        ("tests/browser/test_missing_chromium_policy.py",),
    ),
    Mutation(
        "the finished build moved in with two renames",
        "ocop_helpers/io.py",
        "    if _exchange(new, target):\n",
        "    if False:\n",
        ("tests/core/test_atomic.py::test_replace_dir_swaps_in_one_step",),
    ),
)


def _pytest(copy: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *tests],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=900,
    )


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not argv or any(a in m.name for a in argv)]
    with tempfile.TemporaryDirectory(prefix="ocop-mutation-") as tmp:
        copy = Path(tmp) / "project"
        ignore = shutil.ignore_patterns(".venv", ".git", "outputs", "test-artifacts", "__pycache__", "*.egg-info")
        shutil.copytree(ROOT, copy, ignore=ignore)
        (copy / "outputs").mkdir()
        every = tuple(sorted({t for m in chosen for t in m.tests}))
        clean = _pytest(copy, every)
        if clean.returncode != 0:
            print("the unmutated copy fails these tests; fix that first:\n" + clean.stdout[-3000:])
            return 2
        missed = []
        for m in chosen:
            path = copy / m.file
            original = path.read_text(encoding="utf-8")
            if original.count(m.old) != 1:
                print(f"?? {m.name}: the line to mutate is not found once in {m.file}")
                missed.append(m.name)
                continue
            path.write_text(original.replace(m.old, m.new), encoding="utf-8")
            try:
                result = _pytest(copy, m.tests)
            finally:
                path.write_text(original, encoding="utf-8")
            caught = result.returncode != 0
            print(f"{'caught' if caught else 'MISSED'}: {m.name}")
            if not caught:
                missed.append(m.name)
        print(f"{len(chosen) - len(missed)}/{len(chosen)} mutations caught")
        return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

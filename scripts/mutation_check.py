"""Mutation check of the key assertions (issue 14): break the code on purpose, one way at a time, and
show that the tests meant to guard it FAIL.

Runs in a temporary copy of the project (the repository is never modified): for each mutation, the
named source line is replaced, the named tests run, and the mutation must make them fail. The
unmutated copy must pass first.

    .venv/bin/python scripts/mutation_check.py            # all mutations (about two minutes)
    .venv/bin/python scripts/mutation_check.py talmud     # only those whose name contains 'talmud'
    .venv/bin/python scripts/mutation_check.py --small    # every mutation located, two cheap ones run (make test)

Before running anything, each mutation is located: its file must exist, its line occur exactly once
and its tests be collected; otherwise the script names the mutation and exits 3 (a module moved
without this file following it). Exit code 0 when every mutation was caught; 1 when one was missed or
did not run as meant (pytest exiting with anything but "tests failed"); 2 when the unmutated copy
fails.
"""

from __future__ import annotations

import argparse
import os
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
        "ocop_helpers/inputs/schema.py",
        "TYPO_CUTOFF = 0.8",
        "TYPO_CUTOFF = 1.01",
        ("tests/inputs/test_input_files.py::test_a_column_name_close_to_a_known_one_is_an_error",),
    ),
    Mutation(
        "round deadlines outside the plan year accepted",
        "ocop_helpers/inputs/checks.py",
        "if isinstance(deadline, pd.Timestamp) and deadline.year != year:",
        "if False:",
        ("tests/inputs/test_input_files.py::test_round_deadline_outside_the_plan_year_is_an_error",),
    ),
    Mutation(
        "error list not capped",
        "ocop_helpers/core/errors.py",
        "MAX_SHOWN = 50",
        "MAX_SHOWN = 10**9",
        ("tests/inputs/test_input_files.py::test_many_problems_are_capped_grouped_and_logged_in_full",),
    ),
    Mutation(
        "province id matched without checking (the old AttributeError)",
        "ocop_helpers/inputs/schema.py",
        'if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text):\n        raise ValueError(text)',
        'text = re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text).group(0)',
        ("tests/inputs/test_input_files.py::test_malformed_province_id_is_a_validation_message",),
    ),
    Mutation(
        "symlink loop reported as missing",
        "ocop_helpers/inputs/readers.py",
        "if exc.errno == errno.ELOOP:",
        "if exc.errno == -1:",
        ("tests/inputs/test_input_files.py::test_symlink_loop_is_not_reported_as_missing",),
    ),
    Mutation(
        "ambiguous '1.5' accepted in a tỷ field",
        "ocop_helpers/core/vnformat.py",
        'if "." in number and not (word and grouped):',
        "if False:",
        ("tests/inputs/test_fuzz_inputs.py::test_ambiguous_or_inexact_money_is_refused_with_the_expected_forms",),
    ),
    Mutation(
        "talmud switches at the wrong half",
        "ocop_helpers/domain/allocation/rules.py",
        "low = e <= total / 2.0",
        "low = e <= total / 3.0",
        ("tests/domain/test_allocation_against_references.py::test_rule_equals_its_slow_reference",),
    ),
    Mutation(
        "greedy takes the lowest priority per đồng first",
        "ocop_helpers/domain/allocation/rules.py",
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
        "ocop_helpers/core/atomic.py",
        "    if _exchange(new, target):\n",
        "    if False:\n",
        ("tests/core/test_atomic.py::test_replace_dir_swaps_in_one_step",),
    ),
)


# --small runs these two (about 10 s each under load): an inputs check and the atomic swap.
SMALL = ("typo columns accepted as extra columns", "the finished build moved in with two renames")


def _pytest(copy: Path, args: list[str] | tuple[str, ...], timeout: float = 900) -> subprocess.CompletedProcess:
    """pytest in the copy, importing the copy's ``ocop_helpers`` first (before an installed or editable one)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", *args],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _covers(test: str, collected: set[str]) -> bool:
    """``test`` (a file, a test or one parametrised case) names at least one collected test."""
    return any(c == test or c.startswith((test + "[", test + "::")) for c in collected)


def locate(copy: Path, mutations: tuple[Mutation, ...]) -> list[str]:
    """Every way a mutation no longer fits the code: its file missing, its line not found exactly
    once, its test file missing or its test not collected. One line per problem, naming the mutation."""
    problems = []
    for m in mutations:
        path = copy / m.file
        if not path.is_file():
            problems.append(f"{m.name}: {m.file} does not exist (moved? grep the line in ocop_helpers/)")
        elif (found := path.read_text(encoding="utf-8").count(m.old)) != 1:
            problems.append(f"{m.name}: the line to mutate is found {found} times in {m.file}, not once: {m.old!r}")
        for test in m.tests:
            if not (copy / test.split("::")[0]).is_file():
                problems.append(f"{m.name}: test file {test.split('::')[0]} does not exist")
    files = sorted({t.split("::")[0] for m in mutations for t in m.tests if (copy / t.split("::")[0]).is_file()})
    if files:
        listed = _pytest(copy, ["--collect-only", "-q", *files], timeout=300)
        if listed.returncode != 0:
            problems.append(f"collecting {' '.join(files)} failed:\n{listed.stdout[-2000:]}{listed.stderr[-2000:]}")
        collected = {line.strip() for line in listed.stdout.splitlines() if "::" in line}
        for m in mutations:
            for test in m.tests:
                if (copy / test.split("::")[0]).is_file() and not _covers(test, collected):
                    problems.append(f"{m.name}: test {test} is not collected (renamed or moved?)")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only the mutations whose name contains one of these")
    parser.add_argument(
        "--small",
        action="store_true",
        help="check that every mutation still fits the code (file, line, tests), then run only the cheap ones",
    )
    args = parser.parse_args(argv)
    chosen = tuple(
        m
        for m in MUTATIONS
        if (not args.names or any(a in m.name for a in args.names)) and (not args.small or m.name in SMALL)
    )
    if not chosen:
        print(f"no mutation matches {args.names}; known: {', '.join(m.name for m in MUTATIONS)}")
        return 2
    with tempfile.TemporaryDirectory(prefix="ocop-mutation-") as tmp:
        copy = Path(tmp) / "project"
        ignore = shutil.ignore_patterns(
            ".venv", ".git", "outputs", "test-artifacts", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis"
        )
        shutil.copytree(ROOT, copy, ignore=ignore)
        (copy / "outputs").mkdir()
        # Every mutation is checked against the code, even those not run: a move breaks this loudly.
        problems = locate(copy, MUTATIONS if args.small else chosen)
        if problems:
            print("mutations that no longer fit the code (update scripts/mutation_check.py):")
            print("\n".join(f"  {p}" for p in problems))
            return 3
        every = tuple(sorted({t for m in chosen for t in m.tests}))
        clean = _pytest(copy, ["-x", "-q", *every])
        if clean.returncode != 0:
            print("the unmutated copy fails these tests; fix that first:\n" + clean.stdout[-3000:])
            return 2
        missed, broken = [], []
        for m in chosen:
            path = copy / m.file
            original = path.read_text(encoding="utf-8")
            path.write_text(original.replace(m.old, m.new), encoding="utf-8")
            try:
                result = _pytest(copy, ["-x", "-q", *m.tests])
            except subprocess.TimeoutExpired:
                result = None
            finally:
                path.write_text(original, encoding="utf-8")
            # pytest exits 1 when tests failed; anything else (no tests, usage or collection error,
            # timeout) means the mutation did not run as meant, which is not a catch.
            if result is not None and result.returncode == 1:
                print(f"caught: {m.name}")
            elif result is not None and result.returncode == 0:
                print(f"MISSED: {m.name}")
                missed.append(m.name)
            else:
                why = "timed out" if result is None else f"pytest exit code {result.returncode}"
                tail = "" if result is None else (result.stdout + result.stderr)[-1500:]
                print(f"ERROR: {m.name}: {why}\n{tail}")
                broken.append(m.name)
        print(f"{len(chosen) - len(missed) - len(broken)}/{len(chosen)} mutations caught")
        for name in broken:
            print(f"mutation did not run as meant: {name}")
        return 1 if missed or broken else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

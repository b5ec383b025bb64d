"""Fuzzed case files through the command line: whatever the input, the CLI keeps its contract (CONTRACT.md).

Every shipped case ``cases/*.toml`` is mutated (:mod:`tests.reliability.mutations`: dropped keys and tables,
wrong types, NaN and infinities, negative and huge sizes, unknown tables / keys / scheme names, ``--set``
junk, non-UTF-8 bytes, empty, truncated and duplicated-key files) and run with ``gridshock run``. Always:
exit 0, 1, 2 or 3; no traceback and no exception escaping ``main()``; on exit 2 one line naming the file and
what is allowed, no warning from the validation, and nothing in the output directory (no ``.h5``, no temporary
file); on exit 3 a diagnosis and nothing written; on 0/1 exactly the result file.

* default run: ``DEFAULT_PER_CASE`` derandomized examples per case (reproducible in CI), in process, mostly
  invalid inputs;
* ``slow``: ``SLOW_PER_CASE`` random examples per case, valid runs (shrunk: short, coarse) included;
* a few examples through the real ``gridshock`` executable (a separate process, as users run it).

``GRIDSHOCK_FUZZ_LOG=FILE`` appends one line per example (case, exit code, seconds, mutation);
``GRIDSHOCK_FUZZ_PER_CASE=N`` changes the number of slow examples per case.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .mutations import CASE_NAMES, Mutant, check_outcome, files_under, mutants, run_cli, write_mutant

DEFAULT_PER_CASE = 4        # x 16 shipped cases = 64 examples
SLOW_PER_CASE = 32          # x 16 = 512 examples
SUBPROCESS_EXAMPLES = 5
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.function_scoped_fixture]


def fuzz_one(mutant: Mutant, root: Path) -> None:
    with tempfile.TemporaryDirectory(dir=root) as d:
        case, out = write_mutant(mutant, Path(d) / "cases"), Path(d) / "out"
        start = time.perf_counter()
        outcome = run_cli(["run", str(case), "--out", str(out)] + mutant.args)
        if os.environ.get("GRIDSHOCK_FUZZ_LOG"):      # one line per example: case, exit code, seconds, mutation
            with open(os.environ["GRIDSHOCK_FUZZ_LOG"], "a") as log:
                print(f"{mutant.case}\t{outcome.code}\t{time.perf_counter() - start:.2f}\t{mutant.label[:120]!r}"
                      f"\t{len(outcome.warnings)} warnings", file=log)
        check_outcome(mutant, case, out, outcome)
        assert [p.name for p in case.parent.iterdir()] == ["case.toml"], "files written beside the case file"


@pytest.mark.parametrize("name", CASE_NAMES)
def test_fuzzed_case_keeps_the_cli_contract(name, tmp_path):
    @settings(max_examples=DEFAULT_PER_CASE, derandomize=True, database=None, deadline=None,
              suppress_health_check=HEALTH)
    @given(mutants(name, runs=False))
    def check(mutant):
        fuzz_one(mutant, tmp_path)
    check()


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_NAMES)
def test_fuzzed_case_keeps_the_cli_contract_slow(name, tmp_path):
    @settings(max_examples=int(os.environ.get("GRIDSHOCK_FUZZ_PER_CASE", SLOW_PER_CASE)), database=None,
              deadline=None, suppress_health_check=HEALTH)
    @given(mutants(name))
    def check(mutant):
        fuzz_one(mutant, tmp_path)
    check()


def gridshock_command() -> list[str]:
    exe = Path(sys.executable).with_name("gridshock")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("gridshock")
    return [found] if found else [sys.executable, "-m", "solvers"]


@settings(max_examples=SUBPROCESS_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=HEALTH)
@given(st.sampled_from(CASE_NAMES).flatmap(lambda name: mutants(name, runs=False)))
def test_the_gridshock_executable_never_prints_a_traceback(tmp_path_factory, mutant):
    root = tmp_path_factory.mktemp("exe")
    case, out = write_mutant(mutant, root / "cases"), root / "out"
    env = dict(os.environ, PYTHONWARNINGS="default")
    proc = subprocess.run(gridshock_command() + ["run", str(case), "--out", str(out)] + mutant.args,
                          capture_output=True, text=True, timeout=300, env=env, stdin=subprocess.DEVNULL)
    info = f"\n{mutant.describe()}\n--- exit {proc.returncode}; stderr ---\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, info
    assert proc.returncode in (0, 1, 2, 3), info
    if proc.returncode in (2, 3):
        assert files_under(out) == [], info
        assert proc.stderr.strip().splitlines()[-1].startswith("gridshock: "), info

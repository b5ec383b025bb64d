"""Blow-up and limits: every run that cannot succeed stops with a diagnosis, the right exit code and no file.

* an explicit step above the stability limit: refused up front (exit 3), or, with ``check_stability = false``,
  caught when the solution blows up (exit 3: what, when, where, which limit, what to change);
* NaN / infinite data: invalid input (exit 2) naming the file, the key, the value and what is allowed;
* a grid that cannot hold the mixture (domain narrower than mean +- 4 std, fewer than one point per std, a
  periodic box the mixture outgrows): exit 2;
* more memory than the machine has (a 100000 x 100000 grid, a billion saves, a billion MFG time levels), more
  time steps than any run can take, a VP horizon past the schedule's overflow: exit 2, before anything is
  allocated.

The runs go through ``solvers.cli.main`` in this process (see :mod:`tests.reliability.mutations`).
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from solvers.errors import InputError
from solvers.config import limits
from solvers.families import family_of, load_case
from solvers.problems.heat_problem import build_heat_problem

from .mutations import REPO, SHORT_SAVES, SHORT_STOP, files_under, run_cli

CASES = REPO / "cases"
SHORT = [f"--set=time.stop={SHORT_STOP}", f"--set=time.saves={SHORT_SAVES}", f"--set=measure.times=[{SHORT_STOP}]"]


def run(case: str | Path, sets: list[str], out: Path, short: bool = True):
    path = case if isinstance(case, Path) else CASES / case
    outcome = run_cli(["run", str(path), "--out", str(out)] + (SHORT if short else []) + [f"--set={s}" for s in sets])
    assert outcome.escaped is None, outcome.escaped
    assert "Traceback" not in outcome.stderr, outcome.stderr
    return outcome


def diagnosis(outcome) -> str:
    lines = [ln for ln in outcome.stderr.splitlines() if ln.startswith("gridshock: ")]
    assert len(lines) == 1, outcome.stderr
    return lines[0]


def expect_input_error(outcome, out: Path, path: Path, key: str, *words: str) -> str:
    """Exit 2, one line naming file, key and what is allowed (plus ``words``), nothing written."""
    assert outcome.code == 2, (outcome.code, outcome.stderr)
    msg = diagnosis(outcome)
    assert str(path) in msg and f"key '{key}'" in msg and "allowed" in msg, msg
    for word in words:
        assert word in msg, f"{word!r} missing: {msg}"
    assert files_under(out) == [], files_under(out)
    return msg


def expect_numerical_failure(outcome, out: Path, *words: str) -> str:
    """Exit 3 with what, when (t, step), where and which limit; nothing written."""
    assert outcome.code == 3, (outcome.code, outcome.stderr)
    msg = diagnosis(outcome)
    for word in ("numerical failure", "at t=", "(step ", "limit:") + words:
        assert word in msg, f"{word!r} missing: {msg}"
    assert files_under(out) == [], files_under(out)
    return msg


def heat_stability_limit(extra: list[str]) -> float:
    """The explicit limit of the shipped heat case with ``extra`` overrides: dt("auto") / safety."""
    case = load_case(CASES / "heat_symmetric_1d.toml", [s.removeprefix("--set=") for s in SHORT] + extra)
    return build_heat_problem(case).dt / case["time"]["safety"]


# ------------------------------------------------------------------------------------ explicit blow-up

def test_explicit_dt_ten_times_the_stability_limit_is_refused_up_front(tmp_path):
    limit = heat_stability_limit(["method.time=euler"])
    dt = 10 * limit
    outcome = run("heat_symmetric_1d.toml", ["method.time=euler", f"time.dt={dt!r}"], tmp_path / "out")
    msg = expect_numerical_failure(outcome, tmp_path / "out", "time.dt", "stability limit of euler",
                                   "at t=0 (step 0)", "set time.dt = \"auto\" or smaller")
    assert f"dt <= {limit:.6g}" in msg, msg


def test_explicit_blow_up_without_the_check_stops_with_time_place_and_limit(tmp_path):
    limit = heat_stability_limit(["method.time=euler"])
    outcome = run("heat_symmetric_1d.toml", ["method.time=euler", f"time.dt={10 * limit!r}",
                                             "time.check_stability=false"], tmp_path / "out")
    msg = expect_numerical_failure(outcome, tmp_path / "out", "grid point", "x = ",
                                   "explicit stability of euler: dt * rho(L) <= 2")
    assert "NaN/Inf in the solution" in msg or "grew beyond" in msg, msg
    t = float(re.search(r"at t=([0-9.e+-]+)", msg).group(1))
    assert 0 < t <= SHORT_STOP, msg


def test_burgers_explicit_dt_above_its_limit_is_refused(tmp_path):
    outcome = run("burgers_travelling_shock_1d.toml", ["time.dt=0.05"], tmp_path / "out")
    expect_numerical_failure(outcome, tmp_path / "out", "time.dt = 0.05 exceeds the stability limit",
                             "muscl_minmod + rk4", "dt <= ")


# ------------------------------------------------------------------------------------------ NaN / Inf

NON_FINITE = [
    ("heat_symmetric_1d.toml", "data.weights=[nan, 0.5]", "data.weights", "nan"),
    ("heat_symmetric_1d.toml", "data.means=[-1.0, inf]", "data.means", "inf"),
    ("heat_symmetric_1d.toml", "data.stds=[0.25, -inf]", "data.stds", "-inf"),
    ("heat_three_components_2d.toml", "data.means=[[-1.0, 0.0], [1.0, nan], [0.0, 1.5]]", "data.means", "nan"),
    ("burgers_symmetric_1d.toml", "data.weights=[0.5, 1e999]", "data.weights", "inf"),   # TOML 1e999 is inf
    ("burgers_double_well_1d.toml", "data.eps=nan", "data.eps", "nan"),
    ("burgers_travelling_shock_1d.toml", "data.amplitude=inf", "data.amplitude", "inf"),
    ("heat_periodic_spectral_1d.toml", "grid.upper=[inf]", "grid.upper", "inf"),
    ("mfg_lq_coupled_1d.toml", "mfg.x_T=[nan]", "mfg.x_T", "nan"),
    ("mfg_lq_coupled_1d.toml", "mfg.kappa=inf", "mfg.kappa", "inf"),
    ("heat_weighted_1d.toml", "method.nu=nan", "method.nu", "nan"),
    ("heat_weighted_1d.toml", "time.dt=inf", "time.dt", "inf"),
]


@pytest.mark.parametrize("case, item, key, value", NON_FINITE, ids=[f"{c.split('.')[0]}:{k}" for c, _, k, _ in NON_FINITE])
def test_nan_and_infinite_data_are_invalid_input(tmp_path, case, item, key, value):
    outcome = run(case, [item], tmp_path / "out")
    expect_input_error(outcome, tmp_path / "out", CASES / case, key, value)


def test_nan_written_in_the_case_file_is_invalid_input(tmp_path):
    text = (CASES / "heat_symmetric_1d.toml").read_text().replace("weights = [0.5, 0.5]", "weights = [nan, 0.5]")
    path = tmp_path / "nan_weight.toml"
    path.write_text(text)
    outcome = run(path, [], tmp_path / "out")
    expect_input_error(outcome, tmp_path / "out", path, "data.weights", "nan", "finite")


# ------------------------------------------------------------------------- the grid must hold the data

GRID = [
    # domain narrower than mean +- 4 std (component 0 at -1, std 0.25: [-2, 0])
    ("heat_symmetric_1d.toml", ["grid.lower=[-1.5]"], "grid.lower", ["mean +- 4 std", "component 0"]),
    ("heat_symmetric_1d.toml", ["grid.upper=[1.5]"], "grid.upper", ["mean +- 4 std", "component 1"]),
    ("heat_three_components_2d.toml", ["grid.upper=[3.5, 2.0]"], "grid.upper", ["mean +- 4 std", "axis 1"]),
    ("burgers_vp_linear_1d.toml", ["grid.lower=[-1.5]"], "grid.lower", ["mean +- 4 std"]),
    # at a later time.start the components are wider: sqrt(0.25^2 + 10) * 4 = 12.7 > 6
    ("heat_symmetric_1d.toml", ["time.start=10.0", "time.stop=10.05", "measure.times=[10.05]"], "grid.lower",
     ["mean +- 4 std"]),
    # fewer than one point per std: h = 12/40 = 0.3 > 0.25
    ("heat_symmetric_1d.toml", ["grid.points=[40]"], "grid.points", ["one point per std", "0.25"]),
    ("heat_three_components_2d.toml", ["grid.points=[20, 140]"], "grid.points", ["one point per std"]),
    ("mfg_generative_1d.toml", ["grid.points=[40]"], "grid.points", ["grid spacing <="]),
    ("burgers_double_well_1d.toml", ["grid.points=[40]"], "grid.points", ["one point per well std"]),
    # a periodic box the mixture outgrows (std at time.stop > 2 periods): uniform to round-off
    ("heat_periodic_spectral_1d.toml", ["method.nu=1e12"], "time.stop", ["periodic", "2 periods"]),
    ("heat_periodic_spectral_1d.toml", ["data.stds=[0.3, 1e50]"], "data.stds", ["2 periods"]),
    # the two measured components must be apart (their interface is the bisector of the means)
    ("burgers_symmetric_1d.toml", ["data.means=[1.0, 1.0]"], "data.means", ["distinct means"]),
]


@pytest.mark.parametrize("case, sets, key, words", GRID, ids=[f"{c.split('.')[0]}:{k}:{s[0]}" for c, s, k, _ in GRID])
def test_a_grid_that_cannot_hold_the_data_is_invalid_input(tmp_path, case, sets, key, words):
    outcome = run(case, sets, tmp_path / "out")
    expect_input_error(outcome, tmp_path / "out", CASES / case, key, *words)


def test_huge_stds_do_not_overflow_the_extent_check(tmp_path):
    outcome = run("burgers_two_components_2d.toml", ["data.stds=[0.3, 1e100]"], tmp_path / "out")
    assert outcome.warnings == [], outcome.warnings
    expect_input_error(outcome, tmp_path / "out", CASES / "burgers_two_components_2d.toml", "grid.lower",
                       "mean +- 4 std")


# --------------------------------------------------------------------------------- memory and time steps

MEMORY = [
    ("heat_three_components_2d.toml", ["grid.points=[100000, 100000]"], "grid.points", ["1e+10 grid points"]),
    ("burgers_two_components_2d.toml", ["grid.points=[100000, 100000]"], "grid.points", ["grid points"]),
    ("heat_symmetric_1d.toml", ["grid.points=[1000000000]"], "grid.points", ["grid points"]),
    ("heat_symmetric_1d.toml", ["time.saves=100000000"], "time.saves", ["stored snapshots", "time.saves <= "]),
    ("burgers_symmetric_1d.toml", ["time.saves=100000000"], "time.saves", ["stored snapshots"]),
    ("mfg_lq_coupled_1d.toml", ["time.dt=1e-9"], "time.dt", ["time levels", "dt >= "]),
    ("mfg_generative_1d.toml", ["mfg.dt_per_h=1e-9"], "mfg.dt_per_h", ["time levels"]),
]


@pytest.mark.parametrize("case, sets, key, words", MEMORY, ids=[f"{c.split('.')[0]}:{s[0]}" for c, s, _, _ in MEMORY])
def test_a_run_beyond_the_machine_memory_is_refused_before_allocating(tmp_path, case, sets, key, words):
    outcome = run(case, sets, tmp_path / "out")          # the later --set wins over the shortening
    expect_input_error(outcome, tmp_path / "out", CASES / case, key, "GiB", "available", *words)


def test_memory_estimate_is_points_times_bytes_times_saves_and_arrays():
    case = load_case(CASES / "heat_three_components_2d.toml")
    size = family_of(case).run_size(case)
    total, one, how = limits.estimate_memory(case, size)
    levels, arrays = case["time"]["saves"] + 1 + len(case["measure"]["times"]), size.arrays_per_level
    assert arrays == 6 + 2 * 2                                  # density, exact, score, exact score, errors, temps
    points = case["grid"]["points"][0] * case["grid"]["points"][1]
    assert one == points * 8 * (arrays + limits.WORK_ARRAYS)
    assert total == points * 8 * (levels * arrays + limits.WORK_ARRAYS)
    assert f"{levels} stored snapshots" in how
    limits.check_memory(case, size, available=total)                 # fits exactly
    with pytest.raises(InputError) as info:
        limits.check_memory(case, size, available=total / 2)         # half the levels fit: fewer saves
    assert info.value.key == "time.saves" and info.value.exit_code == 2
    assert "time.saves <= " in str(info.value)
    with pytest.raises(InputError) as info:
        limits.check_memory(case, size, available=one / 2)           # not even one level: fewer points
    assert info.value.key == "grid.points"


def test_available_memory_is_read_from_the_machine():
    available = limits.available_memory()
    assert 0 < available < math.inf


STEPS = [
    ("heat_symmetric_1d.toml", ["method.time=implicit_euler", "time.dt=1e-20"], "time.dt", ["1e-20", "dt >= "]),
    ("heat_symmetric_1d.toml", ["method.nu=1e90"], "time.dt", ["'auto'", "steps"]),
    ("burgers_symmetric_1d.toml", ["method.time=imex_ars222", "time.dt=1e-20"], "time.dt", ["steps"]),
    ("burgers_vp_linear_1d.toml", ["time.stop=30.0", "measure.times=[30.0]"], "time.stop", ["B(time.stop)",
                                                                                           "time.stop <= 3.165"]),
    ("burgers_vp_linear_1d.toml", ["time.stop=1e50", "measure.times=[1.0]"], "time.stop", ["B(time.stop)"]),
    # output times closer than double precision resolves (a subnormal horizon gave dt = 0, a ZeroDivisionError)
    ("mfg_generative_2d.toml", ["time.stop=1e-90", "measure.times=[0.0]", "measure.allow_under_resolved=true"],
     "time.stop", ["not resolved"]),
    ("burgers_symmetric_1d.toml", ["time.saves=100000000000"], "time.saves", ["not resolved"]),
]


@pytest.mark.parametrize("case, sets, key, words", STEPS, ids=[f"{c.split('.')[0]}:{s[-1]}" for c, s, _, _ in STEPS])
def test_a_run_of_too_many_steps_or_unresolved_times_or_past_the_vp_horizon_is_refused(tmp_path, case, sets, key, words):
    outcome = run(case, sets, tmp_path / "out")
    assert outcome.warnings == [], outcome.warnings
    expect_input_error(outcome, tmp_path / "out", CASES / case, key, *words)


# ------------------------------------------------------------------- numbers beyond double precision's reach

BIG_INT = "1" + "0" * 400        # tomllib reads integers of any size; TOML allows 64 bits
RANGE = [
    ("heat_symmetric_1d.toml", ["time.stop=1e300"], "time.stop", ["[1e-100, 1e100]"]),
    ("heat_symmetric_1d.toml", ["method.nu=5e-324"], "method.nu", ["[1e-100, 1e100]"]),
    ("heat_symmetric_1d.toml", ["data.means=[-1e101, 1.0]"], "data.means", ["[1e-100, 1e100]"]),
    ("heat_symmetric_1d.toml", ["data.stds=[0.25, 1e300]"], "data.stds", ["[1e-100, 1e100]"]),
    ("heat_symmetric_1d.toml", ["grid.lower=[-1.7e308]", "grid.upper=[1.7e308]"], "grid.lower", ["[1e-100, 1e100]"]),
    ("mfg_lq_coupled_1d.toml", ["mfg.x_T=[1e200]"], "mfg.x_T", ["[1e-100, 1e100]"]),
    ("heat_symmetric_1d.toml", [f"time.stop={BIG_INT}"], "time.stop", ["64-bit"]),
    ("heat_symmetric_1d.toml", [f"grid.points=[{BIG_INT}]"], "grid.points", ["64-bit"]),
    ("heat_symmetric_1d.toml", [f"time.saves=-{BIG_INT}"], "time.saves", ["64-bit"]),
    ("mfg_lq_coupled_1d.toml", [f"mfg.x_T=[{BIG_INT}]"], "mfg.x_T", ["64-bit"]),
]


@pytest.mark.parametrize("case, sets, key, words", RANGE, ids=[f"{c.split('.')[0]}:{s[0][:24]}" for c, s, _, _ in RANGE])
def test_numbers_that_overflow_double_precision_are_invalid_input(tmp_path, case, sets, key, words):
    outcome = run(case, sets, tmp_path / "out")
    assert outcome.warnings == [], outcome.warnings
    expect_input_error(outcome, tmp_path / "out", CASES / case, key, *words)


def test_out_of_memory_during_a_run_is_exit_3_with_a_diagnosis(monkeypatch, tmp_path):
    """The backstop for the work arrays the estimate leaves out: no traceback, exit 3, what to change."""
    import solvers.runs.run as run_module

    def exhausted(*args, **kwargs):
        raise MemoryError()
    monkeypatch.setattr(run_module, "run_case", exhausted)
    outcome = run("heat_symmetric_1d.toml", [], tmp_path / "out")
    assert outcome.code == 3, outcome.stderr
    msg = diagnosis(outcome)
    assert "out of memory" in msg and "GiB" in msg and "grid.points" in msg, msg
    assert files_under(tmp_path / "out") == []

"""``gridshock study work-precision``: the method-of-lines peer is the same spatial discretisation, the study
file holds every method and level, bad input exits 2 without a file, ``--quiet`` silences a run."""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from solvers.cli import main
from solvers.studies.convergence import build
from solvers.problems.semi_discrete import semi_discrete, stencil_sparsity

CASES = Path(__file__).resolve().parents[2] / "cases"


def _one_euler_step_rate(problem, t, dt=1e-4):
    """``(S_euler(dt) u - u) / dt``: forward Euler's step is ``u + dt F(t, u)`` with the steppers' own kernels."""
    u = problem.initial_condition()
    from solvers.integrators import TIME_SCHEMES
    from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
    if problem.family == "burgers":
        from solvers.integrators.split_steppers import make_split_stepper
        stepper = make_split_stepper(problem.operator, BURGERS_TIME_SCHEMES.get("euler"), dt)
    else:
        from solvers.integrators.steppers import make_stepper
        stepper = make_stepper(problem.operator, TIME_SCHEMES.get("euler"), dt)
    w = u.copy()
    stepper.advance(w, t, 1)
    return u, (w - u) / dt


@pytest.mark.parametrize("case, sets", [
    ("heat_symmetric_1d.toml", ["grid.points=[96]", "measure.allow_under_resolved=true", 'method.time="euler"']),
    ("heat_three_components_2d.toml", ["grid.points=[48, 40]", "measure.allow_under_resolved=true",
                                       'method.time="euler"']),
    ("burgers_symmetric_1d.toml", ["grid.points=[96]", "measure.allow_under_resolved=true", 'method.time="euler"',
                                   "method.crosscheck=false"]),
    ("burgers_two_components_2d.toml", ["grid.points=[56, 40]", "measure.allow_under_resolved=true",
                                        'method.time="euler"']),
    ("burgers_periodic_spectral_1d.toml", ["grid.points=[64]", 'method.time="euler"', "method.crosscheck=false"]),
])
def test_method_of_lines_rhs_is_the_steppers_spatial_operator(case, sets):
    """F(t, u) of the solve_ivp peer equals the rate of one forward-Euler step of gridshock's own stepper
    (time-dependent exact walls included): the peer integrates the same semi-discrete system."""
    _, problem = build(str(CASES / case), sets)
    t = float(problem.output_times[0])
    u, rate = _one_euler_step_rate(problem, t)
    system = semi_discrete(problem)
    F = system.rhs(t, u.ravel()).reshape(u.shape)
    scale = np.abs(rate).max()
    assert np.abs(F - rate).max() <= 1e-8 * scale, np.abs(F - rate).max() / scale


@pytest.mark.parametrize("case, sets", [
    ("burgers_symmetric_1d.toml", ["grid.points=[60]", "measure.allow_under_resolved=true", "method.crosscheck=false"]),
    ("burgers_two_components_2d.toml", ["grid.points=[28, 20]", "measure.allow_under_resolved=true"]),
    ("burgers_travelling_shock_1d.toml", ["grid.points=[40]", "measure.allow_under_resolved=true"]),
])
def test_jacobian_sparsity_covers_the_differenced_jacobian(case, sets):
    """Every entry of a finite-difference Jacobian of F lies inside the declared pattern, which Radau/BDF use
    to group columns: a missing entry would silently give a wrong Jacobian."""
    _, problem = build(str(CASES / case), sets)
    system = semi_discrete(problem)
    assert system.jac_sparsity is not None          # finite differences declare their band pattern
    t, y = float(problem.output_times[0]), system.y0
    f0 = system.rhs(t, y)
    eps = 1e-7 * max(1.0, np.abs(y).max())
    J = np.empty((y.size, y.size))
    for j in range(y.size):
        yp = y.copy()
        yp[j] += eps
        J[:, j] = (system.rhs(t, yp) - f0) / eps
    pattern = system.jac_sparsity.toarray() != 0
    outside = np.abs(J[~pattern]).max() if (~pattern).any() else 0.0
    assert outside <= 1e-6 * np.abs(J).max()
    assert pattern.sum() < 0.5 * pattern.size or y.size < 50     # a band, not a dense matrix


def test_stencil_sparsity_wraps_when_periodic():
    S = stencil_sparsity([8], 2, [True]).toarray()
    assert S[0, 7] and S[0, 6] and not S[0, 5]
    N = stencil_sparsity([8], 2, [False]).toarray()
    assert not N[0, 7] and N.sum() == 8 * 5 - 2 * (2 + 1)


def test_work_precision_study_writes_every_method_and_level(tmp_path, capsys):
    code = main(["study", "work-precision", str(CASES / "heat_symmetric_1d.toml"),
                 "--schemes", "central2+crank_nicolson,central4+rk4", "--peers", "Radau,BDF", "--levels", "2",
                 "--peer-space", "central2", "--set", "grid.points=[96]", "--set", "measure.allow_under_resolved=true",
                 "--set", "time.stop=0.3",
                 "--set", "time.saves=2", "--set", "measure.times=[0.3]", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "central4+rk4" in out and "scipy-Radau" in out
    path = tmp_path / "heat_symmetric_1d_work_precision.h5"
    with h5py.File(path) as f:
        assert f.attrs["kind"] == "work_precision"
        wp = f["work_precision"]
        assert set(wp) == {"central2+crank_nicolson", "central4+rk4", "scipy-Radau", "scipy-BDF"}
        assert wp.attrs["primary_measure"] == "density_l2_error"
        for label, g in wp.items():
            points, err, run_s = g["points"][:], g["density_l2_error"][:], g["run_s"][:]
            np.testing.assert_array_equal(points, [96, 192])
            assert np.all(np.isfinite(err)) and np.all(run_s > 0) and np.all(g["compile_s"][:] >= 0)
            assert err[1] < err[0]
        cn = wp["central2+crank_nicolson/density_l2_error"][:]
        rk = wp["central4+rk4/density_l2_error"][:]
        radau = wp["scipy-Radau/density_l2_error"][:]
        # the peers run central2 in space with a tight tolerance: the same space error as CN's within 20 %
        np.testing.assert_allclose(radau, cn, rtol=0.2)
        assert np.log2(cn[0] / cn[1]) == pytest.approx(2.0, abs=0.2)
        assert np.log2(rk[0] / rk[1]) == pytest.approx(4.0, abs=0.3)
        assert np.all(np.isnan(wp["central4+rk4/rtol"][:])) and np.all(wp["scipy-BDF/rtol"][:] > 0)
    assert path.with_suffix(".csv").read_text().count("\n") == 1 + 4 * 2


@pytest.mark.parametrize("argv, key", [
    (["--schemes", "weno7"], "--schemes"),
    (["--schemes", "central2", "--peers", "LSODA"], "--peers"),
    (["--schemes", "central2", "--levels", "1"], "--levels"),
])
def test_work_precision_bad_input_exits_2_without_a_file(tmp_path, capsys, argv, key):
    code = main(["study", "work-precision", str(CASES / "heat_symmetric_1d.toml"), *argv, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and key in err
    assert not list(tmp_path.iterdir())


def test_work_precision_refuses_the_mfg_system(tmp_path, capsys):
    code = main(["study", "work-precision", str(CASES / "mfg_lq_coupled_1d.toml"), "--schemes", "godunov",
                 "--out", str(tmp_path)])
    assert code == 2 and "heat, burgers" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_quiet_run_prints_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GRIDSHOCK_QUIET", raising=False)
    code = main(["run", str(CASES / "heat_symmetric_1d.toml"), "--quiet", "--set", "grid.points=[192]",
                 "--set", "measure.allow_under_resolved=true", "--set", "time.saves=10", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert code in (0, 1) and captured.out == "" and captured.err == ""
    assert (tmp_path / "heat_symmetric_1d.h5").is_file()
    from solvers.progress import show_progress
    assert show_progress() is False


def test_refined_step_respects_the_advective_cfl_for_imex_burgers():
    """upwind1 (order 1) + ARS222 (order 2): the accuracy rule alone would shrink dt by 2^(-l/2) while h halves,
    breaking the explicit advective CFL; for Burgers the step falls at least like h (heat keeps the rule)."""
    from solvers.studies.convergence import _level_dt
    base = dict(explicit=False, time_order=2.0, space_order=1.0, dt=1e-2, dt_auto=True)
    assert _level_dt(dict(base, advective_cfl=True), 2) == pytest.approx(1e-2 / 4)
    assert _level_dt(dict(base, advective_cfl=False), 2) == pytest.approx(1e-2 / 2)
    assert _level_dt(dict(base, space_order=4.0, advective_cfl=True), 1) == pytest.approx(1e-2 / 4)

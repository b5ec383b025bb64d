"""Measurements of a solved MFG against ANALYTIC.md §6a / §6b, and the outer solver's history.

Every MFG run compares ``mass_error`` (relative drift of ``h^d sum m``; the adjoint FP conserves it to
round-off) and ``negative_density`` (``max(0, -min m)``, zero for the M-matrix scheme). Then:

* §6a (``terminal = "data_log_density"``): ``density_linf_error`` (``max |m - p_{T-t}|``),
  ``drift_linf_error`` (``-grad phi`` by centred differences against the score ``u(T - t)`` where the density is
  resolved), and the interface measurements of the computed density's score ``grad log m`` (width, position,
  speciation in the generative direction at ``T - tau_S``; the machinery of :mod:`solvers.analysis.common`).
* §6b (``terminal = "quadratic"``): ``mean_error`` (``|mbar_h(t) - mbar(t)|``), ``phi_gradient_error``
  (``grad phi`` against ``P x + Q`` where ``m`` is resolved), ``component_mean_error`` /
  ``component_variance_error`` (a least-squares fit of the mixture with the data's weights to ``m(t)``), and in
  1D ``mode_merge_time`` (first level with one mode, refined on the linear-in-time interpolant by bisection).
* ``cole_hopf_crosscheck_linf`` for the ``cole_hopf`` solver: ``max |w w_hat - m| / max m`` (the product of the
  two heat solutions against the FP density).
"""
from __future__ import annotations


import numpy as np
from scipy.optimize import least_squares

from ..closed_forms.mixture import GaussianMixture
from ..measurements.derivatives import gradient, score_from_density
from ..measurements.modes import modes_of_density
from ..problems.mfg_exact import GenerativeMFGExact
from .tanh_fit import fitted_interface_series
from .common import (Analysis, begin, binary_split, bisect_merge, finish, first_merge,
                     masked_linf, pointwise_error, resolved)

MERGE_TOLERANCE = 1e-10     # bisection of the mode-merge time on the interpolant, absolute (time units)


def analyse_mfg(problem, run) -> Analysis:
    out, comparer, idx, at = begin(problem, run.times)
    grid, exact, case = problem.grid, problem.exact, problem.case
    sol, t_all = run.solution, run.times
    shape = (t_all.size,) + grid.points
    M, PHI = sol.m.reshape(shape), sol.phi.reshape(shape)
    X = grid.coordinates()
    floor = case["measure"]["density_floor"]
    M_exact = np.stack([exact.density(X, t) for t in t_all])
    grad_phi = gradient(PHI, grid.spacing, "central2", problem.periodic, leading=1)
    out.fields.update(t=t_all, density=M, phi=PHI, density_exact=M_exact, drift=-grad_phi)
    region = resolved(M_exact, floor)

    mass = np.array([grid.integrate(m) for m in M])
    out.series.update(mass=mass, min_density=M.reshape(t_all.size, -1).min(axis=1))
    err = np.abs(mass[idx] - mass[0]) / mass[0]
    comparer.add("mass_error", err, np.zeros_like(err), "relative drift of h^d sum m (adjoint FP, no-flux faces)", at=at)
    neg = np.maximum(0.0, -out.series["min_density"][idx])
    comparer.add("negative_density", neg, np.zeros_like(neg), "max(0, -min m): positivity of the M-matrix FP", at=at)

    def linf(A, B, mask=None):
        vector = not (grid.dim == 1 or A.ndim == B.ndim == 1 + grid.dim)
        return masked_linf(pointwise_error(A, B, 2 if vector else 1), mask, idx, nan="skip")

    if isinstance(exact, GenerativeMFGExact):
        dens = linf(M, M_exact)
        comparer.add("density_linf_error", dens, np.zeros_like(dens), "max |m_h(t) - p_{T-t}| (ANALYTIC 6a)", at=at)
        score_exact = np.stack([exact.score(X, t) for t in t_all])
        drift = linf(-grad_phi, score_exact, region)
        comparer.add("drift_linf_error", drift, np.zeros_like(drift),
                     f"max |-D_h phi - u(T - t)| (centred differences) where p > {floor:g} max p", at=at)
        U = score_from_density(M, grid.spacing, "central2", problem.periodic, leading=1)
        out.fields.update(score=U, score_exact=score_exact)
        if _fit_is_definition(exact.mixture):
            fitted_interface_series(problem, binary_split(problem), out, comparer, idx)
    else:
        _lq(problem, out, comparer, idx, M, grad_phi, region)
    if "cole_hopf_product_linf" in sol.extras:
        v = sol.extras["cole_hopf_product_linf"]
        comparer.add("cole_hopf_crosscheck_linf", v, 0.0, "max |w w_hat - m| / max m: the Cole-Hopf product of the "
                     "backward and forward heat solutions against the FP density")
    hist = {k: np.asarray(v) for k, v in sol.history.items()}
    out.groups["mfg"] = hist
    out.attrs["mfg"] = dict(solver=problem.solver.name, iterations=sol.iterations, time_steps=problem.system.steps,
                            dt=problem.dt, dt_rule=problem.dt_rule, hjb_newton_steps=sol.hjb_newton_steps,
                            tol=problem.settings.tol, description=problem.solver.description)
    return finish(out, comparer)


def _lq(problem, out, comparer, idx, M, grad_phi, region):
    grid, game, t_all = problem.grid, problem.exact.game, out.fields["t"]
    X = grid.coordinates()
    at = t_all[idx]
    ops = problem.system.ops
    mbar_h = np.array([ops.mean(m.ravel()) for m in M])
    mbar = np.array([game.mbar(t) for t in t_all])
    out.series.update(mean=mbar_h[:, 0] if grid.dim == 1 else mbar_h)
    out.reference_series["mean"] = mbar[:, 0] if grid.dim == 1 else mbar
    err = np.linalg.norm(mbar_h[idx] - mbar[idx], axis=-1)
    comparer.add("mean_error", err, np.zeros_like(err), "|mbar_h(t) - mbar(t)|, mbar_h = h^d sum x m", at=at)
    gp_exact = np.stack([game.grad_phi(X, t) for t in t_all])
    e = pointwise_error(grad_phi, gp_exact, grid.dim)
    gerr = np.array([e[j][region[j]].max() for j in idx])
    comparer.add("phi_gradient_error", gerr, np.zeros_like(gerr),
                 "max |D_h phi - (P x + Q)| (centred differences) where m > floor max m", at=at)
    mu_err, var_err = [], []
    for j in idx:
        mu, var = _fit_mixture(grid, M[j], game.m0.weights, game.means(t_all[j]), game.variances(t_all[j]))
        mu_err.append(np.abs(mu - game.means(t_all[j])).max())
        var_err.append(np.abs(var - game.variances(t_all[j])).max())
    comparer.add("component_mean_error", np.array(mu_err), np.zeros(len(idx)),
                 "max_k |mu_k - mu_k(t)| of a least-squares mixture fit (data weights) to m_h(t)", at=at)
    comparer.add("component_variance_error", np.array(var_err), np.zeros(len(idx)),
                 "max_k |Sigma_k - Sigma_k(t)| of the same fit", at=at)
    if grid.dim == 1 and game.m0.n_components >= 2:
        _mode_merge(problem, out, comparer, M)


def _fit_mixture(grid, m, weights, mu0, var0):
    X = grid.coordinates()
    K, d = mu0.shape

    def model(p):
        mu, var = p[:K * d].reshape(K, d), np.exp(p[K * d:])
        return GaussianMixture(weights, mu, np.sqrt(var)).density(X, 0.0)

    p0 = np.concatenate([mu0.ravel(), np.log(var0)])
    res = least_squares(lambda p: (model(p) - m).ravel(), p0, method="lm", xtol=1e-14, ftol=1e-14)
    return res.x[:K * d].reshape(K, d), np.exp(res.x[K * d:])


def _mode_merge(problem, out, comparer, M):
    """First time level with one mode, bisected on the linear-in-time interpolant of ``m_h``."""
    t_all = out.fields["t"]
    floor = problem.case["measure"]["density_floor"]
    h = problem.grid.spacing[0]

    def modes(m):
        return modes_of_density(m, h, "central2", floor)

    counts = np.array([modes(m) for m in M])
    out.series["modes"] = counts.astype(float)
    j = first_merge(counts)
    t_meas = None
    if j is not None:
        dt = t_all[j + 1] - t_all[j]
        lo, hi = bisect_merge(0.0, 1.0, lambda s: modes((1 - s) * M[j] + s * M[j + 1]) > 1,
                              lambda lo, hi: (hi - lo) * dt > MERGE_TOLERANCE)
        t_meas = float(t_all[j] + 0.5 * (lo + hi) * dt)
    t_ref = problem.exact.game.mode_merge_time()
    comparer.add("mode_merge_time", t_meas, t_ref,
                 "first time level with one mode, refined by bisection on the linear-in-time interpolant of m_h; "
                 "reference: the closed-form mixture m(t) (ANALYTIC 6b)",
                 note="" if t_ref is not None else "no mode merging within the horizon")


def _fit_is_definition(mixture) -> bool:
    """The tanh fit measures ANALYTIC §3's interface only where the score is exactly affine + tanh: two
    components of equal std. Elsewhere (m, phi) carry no binary split, so nothing is compared (§7)."""
    return mixture.n_components == 2 and float(mixture.stds[0]) == float(mixture.stds[1])

"""The closed-form reference file ``cases/reference/closed_forms.h5`` (``gridshock reference``).

Everything stored is computed in float64 by :mod:`solvers.closed_forms` (log-sum-exp everywhere; the double well
by adaptive quadrature to relative 1e-12). Conventions: VE time ``tau`` = added variance
(``dp/dtau = (1/2) Lap p``), score ``u = grad log p``, ``nu = 1/2``; VP ``tau(t) = exp(B(t)) - 1``.
Section numbers refer to ``ANALYTIC.md``. All datasets are float64, gzip-compressed.

Layout
------
Root attributes: ``software_version`` (``solvers.__version__``), ``created`` (ISO 8601, UTC), ``conventions``,
``generator`` (``"gridshock reference"``).

``/symmetric/<label>`` (§3a, §4, §8), labels ``a1_s0.25``, ``a2_s0.5``, ``a1.5_s0.3``: data
``0.5 N(-a, s0^2) + 0.5 N(a, s0^2)``.
  attrs ``a``, ``s0``, ``tau_S`` (``a^2 - s0^2``), ``ell0`` (``s0^2/a``), ``ell_tau_S`` (``a``), ``t_S_ou``
  (constant ``beta = 2``), ``t_S_linear`` (linear ``beta`` 0.1..20), ``spectral_estimate_ou``,
  ``spectral_estimate_linear`` (``B(t) = log(a^2 + s0^2)``).
  datasets ``tau`` (61 values on ``[0, 1.5 tau_S]``), ``width`` and ``indicator_D`` (aligned with ``tau``),
  ``x`` (201 points on ``[-4a-2, 4a+2]``), ``score`` and ``log_density`` (``len(tau) x len(x)``).

``/weighted/w0.3_a1_s0.25`` (§3b): data ``w N(a, s0^2) + (1-w) N(-a, s0^2)``.
  attrs ``w``, ``a``, ``s0``, ``tau_S``, ``tau_M``, ``x_M`` (mode merging: ``u = u_x = 0``).
  datasets ``tau`` (61 values on ``[0, 1.5 tau_S]``), ``interface_position`` (``-(S/(2a)) log(w/(1-w))``),
  ``width`` (``S/a``), ``D`` (``u_x`` at the interface), ``x`` (201 points on ``[-6, 6]``),
  ``score`` (``len(tau) x len(x)``).

``/double_well/eps0.1``, ``/double_well/eps0.05`` (§3d): ``p_0 ∝ exp(-(x^2-1)^2/eps)``.
  attrs ``eps``, ``tau_S``.
  datasets ``tau`` (4 values), ``x`` (101 points on ``[-3, 3]``), ``density`` and ``score``
  (``len(tau) x len(x)``), ``width_at_origin`` (aligned with ``tau``).

``/vp/linear_0.1_20``, ``/vp/constant_2`` (§4):
  attrs ``kind`` and the schedule parameters (``beta_min``, ``beta_max`` or ``beta``), ``t_S_<label>`` for each
  symmetric row.
  datasets ``t`` (101 values on ``[0, 1]`` (linear) / ``[0, 2]`` (constant)), ``B``, ``tau``, ``t_S`` (one
  value per symmetric row, in the order of ``labels``), ``labels`` (strings), ``tau_S``.

``/mixture2d/three_components`` (§2, ``d = 2``): weights ``[0.4, 0.3, 0.3]``, means
``[[-1, 0], [1, 0], [0, 1.5]]``, stds ``[0.3, 0.3, 0.35]`` (also stored as attrs).
  datasets ``x`` (41 on ``[-3, 3]``), ``y`` (41 on ``[-2.5, 4]``), ``tau`` (4 values), ``log_density``
  (``len(tau) x len(x) x len(y)``, ``ij`` indexing: first spatial index is ``x``), ``score``
  (``len(tau) x len(x) x len(y) x 2``).

``/periodic/sample`` (§2, periodic version) on ``[-pi, pi)``: weights ``[0.6, 0.4]``, means ``[-1, 2.5]``,
stds ``[0.3, 0.5]`` (attrs, with ``lower``, ``upper``).
  datasets ``x`` (128 points, ``[-pi, pi)``), ``tau`` (4 values), ``n_max`` (images kept per ``tau``),
  ``log_density``, ``score`` (``len(tau) x len(x)``).
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np

from solvers import __version__
from solvers.closed_forms import (BinarySplit, ConstantSchedule, DoubleWell, GaussianMixture, LinearSchedule,
                                  PeriodicGaussianMixture, mode_merge, spectral_estimate, vp_speciation_time)

__all__ = ["DEFAULT_REFERENCE_PATH", "default_reference_path", "generate_reference", "SYMMETRIC_ROWS"]

DEFAULT_REFERENCE_PATH = Path("cases/reference/closed_forms.h5")

CONVENTIONS = ("VE time tau is the added variance: p_tau = p_0 * N(0, tau I), dp/dtau = (1/2) Lap p (nu = 1/2); "
               "a component of variance s0^2 has variance S = s0^2 + tau. Score u = grad log p, "
               "u_tau = (1/2) u_xx + u u_x; v = -u solves v_tau + v v_x = (1/2) v_xx. "
               "VP: dx = -(1/2) beta(t) x dt + sqrt(beta(t)) dW, tau(t) = exp(B(t)) - 1, B(t) = int_0^t beta. "
               "Interface width ell: interfacial term A tanh((x - x0)/ell) (ell = S/a for the equal-variance binary "
               "mixture); speciation time: sign change of the normal derivative of u at the interface (S = a^2).")

#: ANALYTIC §8 rows: label -> (a, s0)
SYMMETRIC_ROWS = {"a1_s0.25": (1.0, 0.25), "a2_s0.5": (2.0, 0.5), "a1.5_s0.3": (1.5, 0.3)}

_OU = ConstantSchedule(2.0)
_LINEAR = LinearSchedule(0.1, 20.0)


def default_reference_path() -> Path:
    """``<repo root>/cases/reference/closed_forms.h5``, resolved from the package location (``solvers/..``)."""
    return Path(__file__).resolve().parents[2] / DEFAULT_REFERENCE_PATH


def _ds(group: h5py.Group, name: str, data) -> None:
    data = np.asarray(data)
    if data.dtype.kind in "OUS":
        group.create_dataset(name, data=data.astype(h5py.string_dtype()))
    elif data.ndim == 0:
        group.create_dataset(name, data=data.astype(np.float64))
    else:
        group.create_dataset(name, data=data.astype(np.float64), compression="gzip", compression_opts=9,
                             shuffle=True)


def _symmetric(root: h5py.Group) -> None:
    top = root.create_group("symmetric")
    for label, (a, s0) in SYMMETRIC_ROWS.items():
        g = top.create_group(label)
        mix = GaussianMixture([0.5, 0.5], [-a, a], [s0, s0])
        split = BinarySplit(mix, [1], [0])
        tau_s = split.speciation_time()
        lam = mix.largest_eigenvalue()
        g.attrs.update(a=a, s0=s0, tau_S=tau_s, ell0=split.width(0.0), ell_tau_S=split.width(tau_s),
                       t_S_ou=vp_speciation_time(_OU, a, s0), t_S_linear=vp_speciation_time(_LINEAR, a, s0),
                       spectral_estimate_ou=spectral_estimate(_OU, lam),
                       spectral_estimate_linear=spectral_estimate(_LINEAR, lam))
        tau = np.linspace(0.0, 1.5 * tau_s, 61)
        x = np.linspace(-4.0 * a - 2.0, 4.0 * a + 2.0, 201)
        _ds(g, "tau", tau)
        _ds(g, "width", [split.width(t) for t in tau])
        _ds(g, "indicator_D", [split.indicator(t) for t in tau])
        _ds(g, "x", x)
        _ds(g, "score", mix.score(x[None, :], tau[:, None]))
        _ds(g, "log_density", mix.log_density(x[None, :], tau[:, None]))


def _weighted(root: h5py.Group) -> None:
    w, a, s0 = 0.3, 1.0, 0.25
    g = root.create_group("weighted").create_group("w0.3_a1_s0.25")
    mix = GaussianMixture([w, 1.0 - w], [a, -a], [s0, s0])
    split = BinarySplit(mix, [0], [1])
    tau_s = split.speciation_time()
    x_m, tau_m = mode_merge(mix, 1.5 * tau_s)
    g.attrs.update(w=w, a=a, s0=s0, tau_S=tau_s, tau_M=tau_m, x_M=x_m)
    tau = np.linspace(0.0, 1.5 * tau_s, 61)
    pos = np.array([split.interface_point(t) for t in tau])
    x = np.linspace(-6.0, 6.0, 201)
    _ds(g, "tau", tau)
    _ds(g, "interface_position", pos)
    _ds(g, "width", [split.width(t, p) for t, p in zip(tau, pos)])
    _ds(g, "D", [split.indicator(t, p) for t, p in zip(tau, pos)])
    _ds(g, "x", x)
    _ds(g, "score", mix.score(x[None, :], tau[:, None]))


def _double_well(root: h5py.Group) -> None:
    top = root.create_group("double_well")
    x = np.linspace(-3.0, 3.0, 101)
    for eps in (0.1, 0.05):
        dw = DoubleWell(eps)
        g = top.create_group(f"eps{eps:g}")
        tau_s = dw.speciation_time()
        g.attrs.update(eps=eps, tau_S=tau_s)
        tau = np.array([0.05, 0.25, tau_s, 1.5])
        _ds(g, "tau", tau)
        _ds(g, "x", x)
        _ds(g, "density", np.stack([dw.density(x, t) for t in tau]))
        _ds(g, "score", np.stack([dw.score(x, t) for t in tau]))
        _ds(g, "width_at_origin", [dw.width_at_origin(t) for t in tau])


def _vp(root: h5py.Group) -> None:
    top = root.create_group("vp")
    for name, sched, t_end in (("linear_0.1_20", _LINEAR, 1.0), ("constant_2", _OU, 2.0)):
        g = top.create_group(name)
        g.attrs.update(kind=sched.kind, **sched.params)
        t = np.linspace(0.0, t_end, 101)
        _ds(g, "t", t)
        _ds(g, "B", sched.B(t))
        _ds(g, "tau", sched.tau(t))
        labels = list(SYMMETRIC_ROWS)
        t_s = [vp_speciation_time(sched, *SYMMETRIC_ROWS[lab]) for lab in labels]
        _ds(g, "labels", np.array(labels, dtype=object))
        _ds(g, "t_S", t_s)
        _ds(g, "tau_S", [a * a - s0 * s0 for a, s0 in SYMMETRIC_ROWS.values()])
        for lab, ts in zip(labels, t_s):
            g.attrs[f"t_S_{lab}"] = ts


def _mixture2d(root: h5py.Group) -> None:
    g = root.create_group("mixture2d").create_group("three_components")
    weights, means, stds = [0.4, 0.3, 0.3], [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.5]], [0.3, 0.3, 0.35]
    mix = GaussianMixture(weights, means, stds)
    g.attrs.update(weights=weights, means=np.asarray(means), stds=stds)
    x = np.linspace(-3.0, 3.0, 41)
    y = np.linspace(-2.5, 4.0, 41)
    tau = np.array([0.0, 0.1, 0.5, 1.0])
    pts = np.stack(np.meshgrid(x, y, indexing="ij"), axis=-1)
    _ds(g, "x", x)
    _ds(g, "y", y)
    _ds(g, "tau", tau)
    _ds(g, "log_density", np.stack([mix.log_density(pts, t) for t in tau]))
    _ds(g, "score", np.stack([mix.score(pts, t) for t in tau]))


def _periodic(root: h5py.Group) -> None:
    g = root.create_group("periodic").create_group("sample")
    weights, means, stds = [0.6, 0.4], [-1.0, 2.5], [0.3, 0.5]
    mix = PeriodicGaussianMixture(weights, means, stds, -np.pi, np.pi)
    g.attrs.update(weights=weights, means=means, stds=stds, lower=-np.pi, upper=np.pi)
    x = np.linspace(-np.pi, np.pi, 128, endpoint=False)
    tau = np.array([0.0, 0.5, 2.0, 10.0])
    _ds(g, "x", x)
    _ds(g, "tau", tau)
    _ds(g, "n_max", [mix.n_max(t) for t in tau])
    _ds(g, "log_density", np.stack([mix.log_density(x, t) for t in tau]))
    _ds(g, "score", np.stack([mix.score(x, t) for t in tau]))


def generate_reference(path=None) -> Path:
    """Write the reference file (layout in the module docstring) atomically: to ``path.with_suffix('.h5.tmp')``,
    then ``os.replace``. ``path`` defaults to :func:`default_reference_path`. Returns the path written."""
    path = default_reference_path() if path is None else Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".h5.tmp")
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["software_version"] = __version__
            f.attrs["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
            f.attrs["conventions"] = CONVENTIONS
            f.attrs["generator"] = "gridshock reference"
            for part in (_symmetric, _weighted, _double_well, _vp, _mixture2d, _periodic):
                part(f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path

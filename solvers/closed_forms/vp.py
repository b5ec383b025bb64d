"""VP process and its exact reduction to VE (ANALYTIC.md section 4).

VP SDE ``dx = -(1/2) beta(t) x dt + sqrt(beta(t)) dW``, ``B(t) = int_0^t beta``. With ``y = e^{B/2} x`` the
process is VE with added variance ``tau(t) = e^{B(t)} - 1`` (computed as ``expm1``). Hence (``d`` = dimension,
``u_VE = grad log p_VE`` the VE score, ``nu = 1/2``):

* ``s_VP(t, x) = e^{B/2} u_VE(tau(t), e^{B/2} x)``,  ``p_VP(t, x) = e^{d B/2} p_VE(tau(t), e^{B/2} x)``;
* symmetric binary speciation: ``B(t_S) = log(1 + a^2 - s0^2)``;
* spectral estimate (Biroli, Bonnaire, de Bortoli, Mezard 2024): ``B(t) = log Lambda``, ``Lambda`` the largest
  eigenvalue of the data covariance (``(1/2) log Lambda`` for ``beta = 2``); a leading-order estimate only.

The VP score solves ``s_t = (beta/2)(s_xx + 2 s s_x + x s_x + s)`` (1D).
"""
from __future__ import annotations

import numpy as np

__all__ = ["ConstantSchedule", "LinearSchedule", "make_schedule", "vp_speciation_time", "spectral_estimate",
           "vp_score", "vp_density", "vp_log_density"]


class ConstantSchedule:
    """``beta(t) = beta``: ``B(t) = beta t``, ``tau(t) = expm1(beta t)`` (ANALYTIC §4; ``beta = 2`` is the OU
    process ``dx = -x dt + sqrt(2) dW``)."""

    kind = "constant"

    def __init__(self, beta: float):
        beta = float(beta)
        if not beta > 0.0:
            raise ValueError(f"beta must be positive, got {beta}")
        self.beta = beta

    def __repr__(self) -> str:
        return f"ConstantSchedule(beta={self.beta})"

    @property
    def params(self) -> dict:
        """Constructor parameters (for storage)."""
        return {"beta": self.beta}

    def beta_at(self, t):
        """``beta(t) = beta``."""
        return np.full(np.shape(t), self.beta) if np.ndim(t) else self.beta

    def B(self, t):
        """``B(t) = beta t``."""
        return self.beta * np.asarray(t, dtype=np.float64)

    def tau(self, t):
        """``tau(t) = e^{B(t)} - 1`` (``expm1``)."""
        return np.expm1(self.B(t))

    def t_of_B(self, b):
        """Inverse of ``B``: ``t = B/beta``."""
        return np.asarray(b, dtype=np.float64) / self.beta

    def t_of_tau(self, tau):
        """Inverse of ``tau(t)``: ``t = log1p(tau)/beta``."""
        return self.t_of_B(np.log1p(np.asarray(tau, dtype=np.float64)))


class LinearSchedule:
    """``beta(t) = beta_min + (beta_max - beta_min) t``: ``B(t) = beta_min t + (beta_max - beta_min) t^2/2``
    (ANALYTIC §4), ``t`` in ``[0, 1]`` by convention (the formulas hold for any ``t >= 0``)."""

    kind = "linear"

    def __init__(self, beta_min: float, beta_max: float):
        beta_min, beta_max = float(beta_min), float(beta_max)
        if not beta_min >= 0.0 or not beta_max >= beta_min or not beta_max > 0.0:
            raise ValueError(f"need 0 <= beta_min <= beta_max, beta_max > 0; got {beta_min}, {beta_max}")
        self.beta_min = beta_min
        self.beta_max = beta_max

    def __repr__(self) -> str:
        return f"LinearSchedule(beta_min={self.beta_min}, beta_max={self.beta_max})"

    @property
    def params(self) -> dict:
        """Constructor parameters (for storage)."""
        return {"beta_min": self.beta_min, "beta_max": self.beta_max}

    def beta_at(self, t):
        """``beta(t) = beta_min + (beta_max - beta_min) t``."""
        return self.beta_min + (self.beta_max - self.beta_min) * np.asarray(t, dtype=np.float64)

    def B(self, t):
        """``B(t) = beta_min t + (beta_max - beta_min) t^2/2``."""
        t = np.asarray(t, dtype=np.float64)
        return t * (self.beta_min + 0.5 * (self.beta_max - self.beta_min) * t)

    def tau(self, t):
        """``tau(t) = e^{B(t)} - 1`` (``expm1``)."""
        return np.expm1(self.B(t))

    def t_of_B(self, b):
        """Positive root of ``(db/2) t^2 + beta_min t - B = 0`` (``db = beta_max - beta_min``) in the form
        ``t = 2B / (beta_min + sqrt(beta_min^2 + 2 db B))``, free of cancellation."""
        b = np.asarray(b, dtype=np.float64)
        db = self.beta_max - self.beta_min
        den = self.beta_min + np.sqrt(self.beta_min**2 + 2.0 * db * b)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(den > 0.0, 2.0 * b / den, 0.0)
        return t[()]

    def t_of_tau(self, tau):
        """Inverse of ``tau(t)``: ``t_of_B(log1p(tau))``."""
        return self.t_of_B(np.log1p(np.asarray(tau, dtype=np.float64)))


def make_schedule(kind: str, **params):
    """Schedule from its case-file description: ``"constant"`` (``beta``) or ``"linear"``
    (``beta_min``, ``beta_max``) (ANALYTIC §4)."""
    if kind == "constant":
        return ConstantSchedule(**params)
    if kind == "linear":
        return LinearSchedule(**params)
    raise ValueError(f"unknown schedule kind {kind!r}; allowed: 'constant', 'linear'")


def _scalar(v):
    return float(v) if np.ndim(v) == 0 else v


def vp_speciation_time(schedule, a, s0) -> float | None:
    """VP speciation time of the symmetric binary mixture (ANALYTIC §4): ``B(t_S) = log(1 + a^2 - s0^2)``, i.e.
    ``t_S = t(tau_S)`` with ``tau_S = a^2 - s0^2``; ``None`` when ``a <= s0`` (no speciation)."""
    a, s0 = float(a), float(s0)
    if a <= s0:
        return None
    return float(schedule.t_of_B(np.log1p((a - s0) * (a + s0))))


def spectral_estimate(schedule, largest_eigenvalue) -> float | None:
    """Spectral speciation estimate of Biroli, Bonnaire, de Bortoli and Mezard (2024): ``t`` with
    ``B(t) = log Lambda`` (``(1/2) log Lambda`` for ``beta = 2``), ``Lambda`` the largest eigenvalue of the data
    covariance (``a^2 + s0^2`` for the symmetric binary) (ANALYTIC §4). ``None`` when ``Lambda <= 1`` (no
    positive solution). Leading-order only: never compare it with a tight tolerance."""
    lam = float(largest_eigenvalue)
    if lam <= 1.0:
        return None
    return float(schedule.t_of_B(np.log(lam)))


def _ve_score(mixture_or_callable):
    fn = getattr(mixture_or_callable, "score", None)
    return fn if fn is not None else mixture_or_callable


def vp_score(mixture_or_callable, schedule, t, x):
    """VP score ``s_VP(t, x) = e^{B/2} u_VE(tau(t), e^{B/2} x)`` (ANALYTIC §4).

    ``mixture_or_callable``: an object with a ``score(x, tau)`` method (a mixture, a double well) or a callable
    ``score(x, tau)``. ``x`` follows the mixture's point convention (``(..., 2)`` in 2D)."""
    score = _ve_score(mixture_or_callable)
    b = schedule.B(t)
    e = np.exp(0.5 * b)
    return e * score(e * np.asarray(x, dtype=np.float64), _scalar(np.expm1(b)))


def vp_log_density(mixture, schedule, t, x):
    """``log p_VP(t, x) = (d B/2) + log p_VE(tau(t), e^{B/2} x)`` (ANALYTIC §4)."""
    b = schedule.B(t)
    d = getattr(mixture, "dim", 1)
    return 0.5 * d * b + mixture.log_density(np.exp(0.5 * b) * np.asarray(x, dtype=np.float64),
                                             _scalar(np.expm1(b)))


def vp_density(mixture, schedule, t, x):
    """``p_VP(t, x) = e^{d B/2} p_VE(tau(t), e^{B/2} x)`` (ANALYTIC §4)."""
    return np.exp(vp_log_density(mixture, schedule, t, x))

"""The closed forms of the MFG cases as the problem's ``exact`` (ANALYTIC.md §6a and §6b): density, ``phi`` and
its gradient at any time, in the calling convention of the analysis.

* :class:`GenerativeMFGExact` (``terminal = "data_log_density"``, §6a): ``m(t) = p_{T-t}``,
  ``phi(t) = -log p_{T-t}`` of the data mixture in VE time ``tau = T - t`` (``nu = 1/2``); the optimal drift
  ``-grad phi`` is the score ``u(T - t)``.
* :class:`LQExact` (``terminal = "quadratic"``, §6b): the linear-quadratic game of
  :class:`~solvers.closed_forms.lq_mfg.LQMeanFieldGame`.
"""
from __future__ import annotations

import numpy as np

from ..closed_forms.lq_mfg import LQMeanFieldGame
from ..closed_forms.mixture import GaussianMixture


class GenerativeMFGExact:
    """§6a: ``m(t) = p_{T-t}``, ``phi = -log p_{T-t}``; VE time ``tau = T - t`` (``nu = 1/2``)."""

    time_reversed = True

    def __init__(self, mixture: GaussianMixture, T: float):
        self.mixture, self.T, self.nu = mixture, float(T), 0.5

    def tau(self, t):
        return self.T - np.asarray(t, dtype=float)

    def t_of_tau(self, tau):
        return self.T - np.asarray(tau, dtype=float)

    def scale(self, t):
        return 1.0

    def density(self, x, t):
        return self.mixture.density(x, float(self.tau(t)))

    def phi(self, x, t):
        return -self.mixture.log_density(x, float(self.tau(t)))

    def grad_phi(self, x, t):
        return -self.mixture.score(x, float(self.tau(t)))

    def score(self, x, t):
        """The score of ``m(t)``: ``grad log p_{T-t}`` (= the optimal drift ``-grad phi``)."""
        return self.mixture.score(x, float(self.tau(t)))


class LQExact:
    """§6b through :class:`LQMeanFieldGame`."""

    time_reversed = False

    def __init__(self, game: LQMeanFieldGame):
        self.game = game

    def density(self, x, t):
        return self.game.density(x, t)

    def phi(self, x, t):
        return self.game.phi(x, t)

    def grad_phi(self, x, t):
        return self.game.grad_phi(x, t)

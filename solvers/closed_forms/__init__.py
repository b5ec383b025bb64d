"""Closed forms of gridshock (ANALYTIC.md sections 2-5): the exact heat evolution of Gaussian mixtures and its
score (Burgers), binary splits and the interface layer, the quartic double well by quadrature, the VP-to-VE
reduction, and textbook exact solutions.

Conventions: VE time ``tau`` = added variance (``dp/dtau = (1/2) Lap p``), score ``u = grad log p``,
``nu = 1/2`` (``v = -u`` solves ``v_tau + v v_x = (1/2) v_xx``).
"""
from .binary import BinarySplit, count_modes, mode_merge
from .double_well import DoubleWell
from .exact_solutions import cole_hopf_burgers, heat_sine_mode, heat_sine_mode_2d, travelling_shock
from .mixture import GaussianMixture, PeriodicGaussianMixture
from .vp import (ConstantSchedule, LinearSchedule, make_schedule, spectral_estimate, vp_density,
                 vp_log_density, vp_score, vp_speciation_time)

__all__ = [
    "GaussianMixture", "PeriodicGaussianMixture",
    "BinarySplit", "mode_merge", "count_modes",
    "DoubleWell",
    "ConstantSchedule", "LinearSchedule", "make_schedule", "vp_speciation_time", "spectral_estimate",
    "vp_score", "vp_density", "vp_log_density",
    "heat_sine_mode", "heat_sine_mode_2d", "travelling_shock", "cole_hopf_burgers",
]

"""The case-file schema: every key, its type, its default and what is allowed, stated in one place.

``SCHEMA[section][key] = Field(...)``; the top-level keys live in section ``""``. ``cases/README.md``
documents the same table for users. Defaults of the comparisons are in :data:`COMPARISON_DEFAULTS`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REQUIRED = object()
MIN_POINTS = 8            # cells per axis: the widest stencil (WENO5, 3 ghosts each side) plus its extrapolation


@dataclass(frozen=True)
class Field:
    kind: str                 # "str", "int", "float", "bool", "list", "float_or_auto", "str_or_list", "any"
    default: Any = REQUIRED
    allowed: str = ""         # human-readable description of the allowed values
    choices: tuple = ()


SCHEMA: dict[str, dict[str, Field]] = {
    "": {
        "name": Field("str", REQUIRED, "a file stem of letters, digits, '_', '-', '.'"),
        "equation": Field("str", REQUIRED, choices=("heat", "burgers", "mfg")),
        "dimension": Field("int", REQUIRED, choices=(1, 2)),
        "description": Field("str", ""),
    },
    "data": {
        "kind": Field("str", "gaussian_mixture",
                      choices=("gaussian_mixture", "sine", "double_well", "travelling_shock")),
        "weights": Field("list", None, "positive numbers summing to 1"),
        "means": Field("list", None, "one coordinate list per component (1D: plain numbers accepted)"),
        "stds": Field("list", None, "positive numbers, one per component"),
        "wavenumbers": Field("list", None, "one wavenumber per dimension (kind = 'sine')"),
        "amplitude": Field("float", 1.0, "a number (kind = 'sine'; kind = 'travelling_shock': A > 0)"),
        "offset": Field("float", 0.0, "a number (kind = 'sine')"),
        "eps": Field("float", None, "a positive number (kind = 'double_well')"),
        "speed": Field("float", 0.0, "a number (kind = 'travelling_shock': shock speed c)"),
        "position": Field("float", 0.0, "a number (kind = 'travelling_shock': shock position at t = 0)"),
    },
    "process": {
        "kind": Field("str", "ve", choices=("ve", "vp")),
        "schedule": Field("str", "linear", choices=("linear", "constant")),
        "beta": Field("float", 2.0, "a positive number (schedule = 'constant')"),
        "beta_min": Field("float", 0.1, "a number >= 0 (schedule = 'linear')"),
        "beta_max": Field("float", 20.0, "a number > beta_min (schedule = 'linear')"),
    },
    "grid": {
        "lower": Field("list", REQUIRED, "one number per dimension"),
        "upper": Field("list", REQUIRED, "one number per dimension, each above lower"),
        "points": Field("list", REQUIRED, f"one integer >= {MIN_POINTS} per dimension"),
        "boundary": Field("str_or_list", "exact", "a boundary name, or one per dimension"),
        "boundary_value": Field("float", 0.0, "a number (the constant of 'dirichlet' / 'neumann')"),
    },
    "time": {
        "start": Field("float", 0.0, "a number >= 0"),
        "stop": Field("float", REQUIRED, "a number above time.start"),
        "dt": Field("float_or_auto", "auto", "a positive number or \"auto\""),
        "saves": Field("int", 100, "an integer >= 2 (save intervals between start and stop)"),
        "safety": Field("float", 0.9, "a number in (0, 1] (fraction of the explicit stability limit)"),
        "accuracy": Field("float", 1e-4, "a number in (0, 0.1] (local error target of dt = 'auto' for implicit schemes)"),
        "check_stability": Field("bool", True, "true or false"),
    },
    "method": {
        "space": Field("str", "central2", "a registered space scheme"),
        "time": Field("str", "rk4", "a registered time scheme"),
        "nu": Field("float", 0.5, "a positive number (diffusivity; 1/2 is the VE convention)"),
        "diffusion": Field("str", "central2", "central2 or central4 (burgers: the diffusion stencil)",
                           choices=("central2", "central4")),
        "variable": Field("str", "score", "score (u = grad log p) or textbook (v = -u) (burgers)",
                          choices=("score", "textbook")),
        "advection_form": Field("str", "gradient", "gradient or upwind (2D burgers)", choices=("gradient", "upwind")),
        "crosscheck": Field("bool", False, "true or false (burgers: also solve the heat equation and compare "
                                           "the Cole-Hopf score)"),
    },
    "mfg": {
        "nu": Field("float", 0.5, "a positive number (the MFG viscosity)"),
        "solver": Field("str", "newton", "a registered MFG outer solver"),
        "coupling": Field("str", "none", choices=("none", "mean_quadratic")),
        "kappa": Field("float", 1.0, "a number > 0 (coupling = 'mean_quadratic')"),
        "terminal": Field("str", "quadratic", choices=("quadratic", "data_log_density")),
        "c": Field("float", 1.0, "a number >= 0 (terminal = 'quadratic': G = (c/2)|x - x_T|^2)"),
        "x_T": Field("list", [0.0], "one number per dimension (terminal = 'quadratic')"),
        "damping": Field("float", 0.5, "a number in (0, 1] (picard: m <- (1 - damping) m + damping FP(HJB(m)))"),
        "tol": Field("float", 1e-8, "a number in (0, 1) (outer iteration: relative change of m)"),
        "max_iterations": Field("int", 200, "an integer >= 1"),
        "dt_per_h": Field("float", 1.0, "a positive number (dt = 'auto': dt = dt_per_h x min h)"),
    },
    "measure": {
        "times": Field("list", None, "times within [time.start, time.stop]"),
        "components": Field("list", [0, 1], "two distinct component indices (the interface between them)"),
        "density_floor": Field("float", 1e-8, "a number in (0, 1): score errors only where p > floor * max p"),
        "fit_window": Field("float", 6.0, "a number > 1: tanh fit over |x - x0| < fit_window * ell"),
        "allow_under_resolved": Field("bool", False, "true or false: run although the grid does not resolve the "
                                      "narrowest interface layer, every measurement flagged under_resolved"),
    },
    "compare": {},   # [compare.<quantity>] tables, validated against COMPARISON_DEFAULTS
}

# Default comparisons of a Gaussian-mixture case: quantity -> (rtol, atol). A case enables them all; a
# [compare.<quantity>] table overrides the tolerance or disables one with `enabled = false`.
COMPARISON_DEFAULTS: dict[str, tuple[float | None, float | None]] = {
    "speciation_time": (1e-3, None),
    "mode_merge_time": (1e-3, None),
    "interface_width": (1e-3, None),
    "interface_position": (None, 1e-3),
    "pass_point_error": (None, 1e-3),
    "speciation_onset_time": (1e-3, None),
    "score_linf_error": (None, 1e-2),
    "layer_linf_error": (None, 1e-2),
    "density_l2_error": (None, 1e-4),
    "mass_error": (None, 1e-10),
    "curl_linf": (None, 1e-2),
    "score_crosscheck_linf": (None, 1e-2),
    "density_linf_error": (None, 1e-2),
    "drift_linf_error": (None, 5e-2),
    "mean_error": (None, 1e-2),
    "phi_gradient_error": (None, 5e-2),
    "component_mean_error": (None, 1e-2),
    "component_variance_error": (None, 1e-2),
    "negative_density": (None, 0.0),
    "cole_hopf_crosscheck_linf": (None, 5e-2),
}
COMPARE_KEYS = {"rtol": Field("float", None), "atol": Field("float", None), "enabled": Field("bool", True)}

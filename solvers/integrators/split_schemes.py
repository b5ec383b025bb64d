"""Registered time schemes of the split semi-discrete systems ``w' = L w + b(t) + N(w, t)`` (Burgers).

``L`` is the linear diffusion (stiff), ``b(t)`` its boundary data, ``N`` the advective (non-stiff, nonlinear)
part. Schemes are data: a class per family in :mod:`solvers.integrators.split_steppers` reads the
coefficients here.

===================  =====  =========  ======================================================================
name                 order  family     treatment and source
===================  =====  =========  ======================================================================
``euler``            1      explicit   forward Euler on ``L + N``
``ssprk3``           3      explicit   Shu-Osher SSP-RK3 (Shu & Osher 1988; Gottlieb, Shu & Tadmor 2001)
``rk4``              4      explicit   classical RK4 (Kutta 1901)
``imex_ars222``      2      imex       ARS(2,2,2): L-stable SDIRK for ``L``, explicit for ``N``
                                       (Ascher, Ruuth & Spiteri 1997, §2.6), gamma = 1 - 1/sqrt(2)
``crank_nicolson``   2      cnab       Crank-Nicolson for ``L``, Adams-Bashforth 2 for ``N`` (CNAB2; e.g.
                                       Peyret 2002 §4.5; Wang & Ruuth 2008 eqn 2.9); each ``advance`` call
                                       starts with one CN/Heun step so no state leaks between calls
``etdrk4``           4      etd        Cox-Matthews ETDRK4 (J. Comput. Phys. 176, 2002) with the phi
                                       functions by the Kassam-Trefethen contour integral (SISC 26, 2005)
===================  =====  =========  ======================================================================

``stability_interval``: length of the real negative stability interval of the explicit tableau (diffusive
limit of explicit schemes). ``cfl``: the factor applied to the space scheme's advective Courant number.
``shu_osher``: for explicit schemes whose stages use only the step's start and the previous stage, the rows
``(a_i, b_i, c_i)`` of the two-register form ``u^(i) = a_i u^n + b_i u^(i-1) + c_i dt F(u^(i-1))`` (Shu & Osher
1988; Gottlieb, Shu & Tadmor 2001): the same scheme as ``(A, b)``, run without stored slopes by the weno5 loop
(:mod:`solvers.kernels.burgers_lowstorage`); empty when there is none (RK4). ``params``: what the steppers of
the other families read, on the entry rather than as loose constants: ``imex`` the ARS(2,2,2) ``gamma`` and
``delta = 1 - 1/(2 gamma)``; ``cnab`` the Crank-Nicolson ``theta`` and the Adams-Bashforth 2 weights ``ab2``;
``etd`` ``phi``, the function tabulating the ETDRK4 coefficients ``E, E2, Q, f1, f2, f3`` of ``z = h L``
(:func:`solvers.kernels.etd.etdrk4_coefficients`). ``source``: the literature, as in the table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..kernels.etd import etdrk4_coefficients
from ..registry import Registry

BURGERS_TIME_SCHEMES: Registry["SplitTimeScheme"] = Registry("time")


@dataclass(frozen=True)
class SplitTimeScheme:
    name: str
    order: float
    family: str                        # "explicit", "imex", "cnab", "etd"
    stability_interval: float          # diffusive limit for "explicit"; np.inf when L is implicit/exact
    cfl: float                         # factor on the advective Courant number
    stage_c: np.ndarray                # stage times (fractions of dt) where boundary data is needed
    A: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    b: np.ndarray = field(default_factory=lambda: np.zeros(0))
    description: str = ""
    shu_osher: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    source: str = ""
    params: dict = field(default_factory=dict, compare=False)   # family-specific coefficients (see above)

    @property
    def explicit(self) -> bool:
        return self.family == "explicit"


_GAMMA = 1.0 - 1.0 / np.sqrt(2.0)            # ARS(2,2,2): the SDIRK diagonal

for _s in (
    SplitTimeScheme("euler", 1, "explicit", 2.0, 1.0, np.array([0.0]), np.zeros((1, 1)), np.array([1.0]),
                    "forward Euler, order 1", np.array([[0.0, 1.0, 1.0]]),
                    source="Euler 1768 (Institutionum calculi integralis)"),
    SplitTimeScheme("ssprk3", 3, "explicit", 2.512745326618329, 1.0, np.array([0.0, 1.0, 0.5]),
                    np.array([[0, 0, 0], [1.0, 0, 0], [0.25, 0.25, 0]]), np.array([1, 1, 4]) / 6.0,
                    "Shu-Osher SSP-RK3, order 3, SSP coefficient 1",
                    np.array([[0.0, 1.0, 1.0], [0.75, 0.25, 0.25], [1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]]),
                    source="Shu & Osher 1988 (J. Comput. Phys. 77); Gottlieb & Shu 1998 (Math. Comp. 67); "
                           "Gottlieb, Shu & Tadmor 2001 (SIAM Rev. 43)"),
    SplitTimeScheme("rk4", 4, "explicit", 2.785293563405282, 1.0, np.array([0.0, 0.5, 0.5, 1.0]),
                    np.array([[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1.0, 0]]),
                    np.array([1, 2, 2, 1]) / 6.0, "classical RK4, order 4",
                    source="Kutta 1901 (Z. Math. Phys. 46)"),
    SplitTimeScheme("imex_ars222", 2, "imex", np.inf, 1.0, np.array([0.0, _GAMMA, 1.0]),
                    description="ARS(2,2,2) IMEX Runge-Kutta, order 2, L-stable implicit part",
                    source="Ascher, Ruuth & Spiteri 1997 (Appl. Numer. Math. 25), §2.6",
                    params={"gamma": _GAMMA, "delta": 1.0 - 1.0 / (2.0 * _GAMMA)}),
    SplitTimeScheme("crank_nicolson", 2, "cnab", np.inf, 0.5, np.array([0.0, 1.0]),
                    description="Crank-Nicolson / Adams-Bashforth 2 (CNAB2), order 2",
                    source="Crank & Nicolson 1947; CNAB2: Peyret 2002 §4.5, Wang & Ruuth 2008 eqn 2.9",
                    params={"theta": 0.5, "ab2": (1.5, -0.5)}),
    SplitTimeScheme("etdrk4", 4, "etd", np.inf, 1.0, np.array([0.0, 0.5, 1.0]),
                    description="Cox-Matthews ETDRK4 with Kassam-Trefethen contour phi functions, order 4",
                    source="Cox & Matthews 2002 (J. Comput. Phys. 176); Kassam & Trefethen 2005 (SISC 26)",
                    params={"phi": etdrk4_coefficients}),
):
    BURGERS_TIME_SCHEMES.add(_s)


def butcher_from_shu_osher(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Butcher ``(A, b)`` of the two-register rows ``(a_i, b_i, c_i)``: stage ``i`` evaluates ``F`` at
    ``u^(i-1) = u^n + dt sum_j A[i-1, j] K_j``, so ``A[i] = b_i A[i-1] + c_i e_{i-1}`` (needs ``a_i + b_i = 1``)
    and ``b`` is the row after the last stage."""
    s = rows.shape[0]
    full = np.zeros((s + 1, s))
    for i, (_, bi, ci) in enumerate(rows):
        full[i + 1] = bi * full[i]
        full[i + 1, i] += ci
    return full[:s], full[s]

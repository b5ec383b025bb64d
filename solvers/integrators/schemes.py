"""Registered time schemes, as data (Dedalus style): coefficients, formal order and stability function.

For the linear test equation ``y' = lambda y`` each scheme multiplies by its stability function
``R(z)``, ``z = lambda dt``; the spectral stepper uses ``R`` directly on every Fourier mode, and
``dt = "auto"`` for explicit schemes uses the length of the stability interval on the negative real axis.

=====================  =====  ====================================================  ==============================
name                   order  R(z)                                                  source
=====================  =====  ====================================================  ==============================
``euler``              1      1 + z                                                 forward Euler (Euler 1768)
``rk4``                4      1 + z + z^2/2 + z^3/6 + z^4/24                        Kutta 1901 (classical RK4)
``implicit_euler``     1      1 / (1 - z)                                           backward Euler, L-stable
                                                                                    (Hairer & Wanner 1996, IV.3)
``crank_nicolson``     2      (1 + z/2) / (1 - z/2)                                 Crank & Nicolson 1947, A-stable
``integrating_factor`` exact  exp(z)                                                exact for linear constant-
                                                                                    coefficient operators (spectral;
                                                                                    Trefethen 2000, ch. 10)
=====================  =====  ====================================================  ==============================

Each entry carries what its stepper (:mod:`solvers.integrators.steppers`) runs: the Butcher tableau
``(A, b, c)`` of the explicit schemes, ``theta`` of the implicit ones, and ``source``, its literature.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..registry import Registry

TIME_SCHEMES: Registry["TimeScheme"] = Registry("time")


@dataclass(frozen=True)
class TimeScheme:
    name: str
    order: float                      # formal order; np.inf for exact integration
    kind: str                         # "explicit", "implicit" or "exact"
    stability_interval: float         # length of the real negative stability interval (np.inf if A-stable)
    A: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))   # explicit Butcher tableau
    b: np.ndarray = field(default_factory=lambda: np.zeros(0))
    c: np.ndarray = field(default_factory=lambda: np.zeros(0))
    theta: float = np.nan             # theta method parameter for implicit schemes
    description: str = ""
    source: str = ""

    def amplification(self, z: np.ndarray) -> np.ndarray:
        """Stability function ``R(z)`` (exact for the linear test equation)."""
        z = np.asarray(z, dtype=complex if np.iscomplexobj(z) else float)
        if self.kind == "exact":
            return np.exp(z)
        if self.kind == "implicit":
            return (1 + (1 - self.theta) * z) / (1 - self.theta * z)
        # explicit RK: R(z) = 1 + z b^T (I - zA)^{-1} 1, evaluated through the stage recursion
        stages = []
        for s in range(len(self.b)):
            stages.append(1 + z * sum(self.A[s, r] * stages[r] for r in range(s)) if s else np.ones_like(z))
        return 1 + z * sum(self.b[s] * stages[s] for s in range(len(self.b)))

    @property
    def explicit(self) -> bool:
        return self.kind == "explicit"


for _scheme in (
    TimeScheme("euler", 1, "explicit", 2.0, A=np.zeros((1, 1)), b=np.array([1.0]), c=np.array([0.0]),
               description="forward Euler, order 1, stable for -2 <= z <= 0",
               source="Euler 1768 (Institutionum calculi integralis)"),
    TimeScheme("rk4", 4, "explicit", 2.785293563405282,
               A=np.array([[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1.0, 0]]),
               b=np.array([1, 2, 2, 1]) / 6.0, c=np.array([0, 0.5, 0.5, 1.0]),
               description="classical fourth-order Runge-Kutta (Kutta 1901), stable for -2.785 <= z <= 0",
               source="Kutta 1901 (Z. Math. Phys. 46)"),
    TimeScheme("implicit_euler", 1, "implicit", np.inf, theta=1.0,
               description="backward Euler (theta = 1), order 1, L-stable",
               source="backward Euler; Hairer & Wanner 1996 (Solving ODEs II), §IV.3"),
    TimeScheme("crank_nicolson", 2, "implicit", np.inf, theta=0.5,
               description="Crank-Nicolson (theta = 1/2; Crank & Nicolson 1947), order 2, A-stable",
               source="Crank & Nicolson 1947 (Proc. Camb. Phil. Soc. 43)"),
    TimeScheme("integrating_factor", np.inf, "exact", np.inf,
               description="exact integrating factor exp(dt L) for diagonalised (spectral) linear parts",
               source="integrating factor; Trefethen 2000 (Spectral Methods in MATLAB), ch. 10"),
):
    TIME_SCHEMES.add(_scheme)

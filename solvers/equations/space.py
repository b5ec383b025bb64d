"""Registered space discretisations of the diffusion operator ``nu Lap`` (and the first derivative used to
form the score ``grad log p`` "with the scheme's own difference operator").

=============  =====  ======================================================  =========================
name           order  operator                                                source
=============  =====  ======================================================  =========================
``central2``   2      3-point Laplacian, 2-point centred first derivative      textbook (LeVeque 2007 §1)
``central4``   4      5-point Laplacian, 4-point centred first derivative      Fornberg 1988
``spectral``   exp.   Fourier pseudo-spectral (periodic axes only)             Trefethen 2000, ch. 3
=============  =====  ======================================================  =========================

Each entry carries what the code needs to run it: the stencil weights (times ``h^2`` / ``h``), applied by the
kernels of :mod:`solvers.kernels.stencils`,

* ``central2``: ``u_xx ~ (u_{i-1} - 2 u_i + u_{i+1}) / h^2`` and ``u_x ~ (u_{i+1} - u_{i-1}) / (2h)``, truncation
  error O(h^2);
* ``central4``: ``u_xx ~ (-u_{i-2} + 16 u_{i-1} - 30 u_i + 16 u_{i+1} - u_{i+2}) / (12 h^2)`` and
  ``u_x ~ (u_{i-2} - 8 u_{i-1} + 8 u_{i+1} - u_{i+2}) / (12 h)``, truncation error O(h^4) (Fornberg 1988, Table 1),

and the spectral radius of ``-h^2 d^2/dx^2`` (the sup of its symbol: 4, 16/3, ``pi^2``), which sets the explicit
stability limit ``dt <= interval h^2 / (nu radius)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..registry import Registry

SPACE_SCHEMES: Registry["SpaceScheme"] = Registry("space")


def _no_stencil() -> np.ndarray:
    return np.zeros(0)


@dataclass(frozen=True)
class SpaceScheme:
    name: str
    order: float            # formal order; np.inf for spectral (exponential convergence)
    kind: str               # "stencil" or "spectral"
    ghost_layers: int = 0
    description: str = ""
    source: str = ""
    # centred weights of u_xx (times h^2) and u_x (times h), u_{i-g} .. u_{i+g}; empty for spectral
    second_derivative: np.ndarray = field(default_factory=_no_stencil, compare=False)
    first_derivative: np.ndarray = field(default_factory=_no_stencil, compare=False)
    spectral_radius: float = np.pi ** 2   # sup of the symbol of -h^2 d^2/dx^2 over resolved wavenumbers


for _scheme in (
    SpaceScheme("central2", 2, "stencil", 1, "second-order centred differences",
                source="textbook (LeVeque 2007 §1)",
                second_derivative=np.array([1.0, -2.0, 1.0]),
                first_derivative=np.array([-0.5, 0.0, 0.5]),
                spectral_radius=4.0),
    SpaceScheme("central4", 4, "stencil", 2, "fourth-order centred differences",
                source="Fornberg 1988 (Math. Comp. 51), Table 1",
                second_derivative=np.array([-1.0, 16.0, -30.0, 16.0, -1.0]) / 12.0,
                first_derivative=np.array([1.0, -8.0, 0.0, 8.0, -1.0]) / 12.0,
                spectral_radius=16.0 / 3.0),
    SpaceScheme("spectral", np.inf, "spectral", 0, "Fourier pseudo-spectral, periodic axes only",
                source="Trefethen 2000 (Spectral Methods in MATLAB), ch. 3"),
):
    SPACE_SCHEMES.add(_scheme)

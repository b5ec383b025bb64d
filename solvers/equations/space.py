"""Registered space discretisations of the diffusion operator ``nu Lap`` (and the first derivative used to
form the score ``grad log p`` "with the scheme's own difference operator").

=============  =====  ======================================================  =========================
name           order  operator                                                source
=============  =====  ======================================================  =========================
``central2``   2      3-point Laplacian, 2-point centred first derivative      textbook (LeVeque 2007 §1)
``central4``   4      5-point Laplacian, 4-point centred first derivative      Fornberg 1988
``spectral``   exp.   Fourier pseudo-spectral (periodic axes only)             Trefethen 2000, ch. 3
=============  =====  ======================================================  =========================
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels.stencils import FIRST_DERIVATIVE, SECOND_DERIVATIVE, SECOND_DERIVATIVE_SPECTRAL_RADIUS
from ..registry import Registry

SPACE_SCHEMES: Registry["SpaceScheme"] = Registry("space")


@dataclass(frozen=True)
class SpaceScheme:
    name: str
    order: float            # formal order; np.inf for spectral (exponential convergence)
    kind: str               # "stencil" or "spectral"
    ghost_layers: int = 0
    description: str = ""

    @property
    def second_derivative(self) -> np.ndarray:
        return SECOND_DERIVATIVE[self.name]

    @property
    def first_derivative(self) -> np.ndarray:
        return FIRST_DERIVATIVE[self.name]

    @property
    def spectral_radius(self) -> float:
        """sup of the symbol of ``-h^2 d^2/dx^2`` over resolved wavenumbers (``pi^2`` for spectral)."""
        return SECOND_DERIVATIVE_SPECTRAL_RADIUS.get(self.name, np.pi ** 2)


for _scheme in (
    SpaceScheme("central2", 2, "stencil", 1, "second-order centred differences"),
    SpaceScheme("central4", 4, "stencil", 2, "fourth-order centred differences"),
    SpaceScheme("spectral", np.inf, "spectral", 0, "Fourier pseudo-spectral, periodic axes only"),
):
    SPACE_SCHEMES.register(_scheme.name)(_scheme)

"""Boundary conditions as ghost-cell closures on the cell-centred grid.

Every non-periodic boundary fills ``layers`` ghost cells beyond the face by an affine rule

    ghost_j = sum_m W[j, m] * u_m  +  offset_j(t),        j = 0 .. layers-1 (from the face outwards),

where ``u_m`` (m = 0, 1, ...) are the interior unknowns counted from the same face inwards. One numba kernel
(:func:`solvers.kernels.ghosts.fill_ghosts_1d` / ``_2d``) applies the rule, the implicit integrators fold
``W`` into their matrices and ``offset`` into the right-hand side, so explicit and implicit schemes see the
same boundary. Kinds (``s`` = distance from the face in cells):

``periodic``     wrap-around (no ghosts rule; the kernel copies the opposite end).
``dirichlet``    odd reflection about the face value g: ``ghost_j = 2 g - u_j``. Exact to all orders for the
                 heat equation with constant g (all even derivatives >= 2 vanish on such a wall); second order
                 in general.
``neumann``      even reflection with the outward normal derivative g: ``ghost_j = u_j + (2j+1) h g``. The
                 boundary face flux of both the 2nd- and 4th-order Laplacian stencils is then exactly g, so
                 the discrete mass changes only by the prescribed flux. Exact for the heat equation with
                 constant g (all odd derivatives >= 3 vanish on such a wall); second order in general.
``zero_flux``    ``neumann`` with g = 0: the midpoint-rule mass ``h * sum(u)`` is conserved to round-off.
``exact``        time-dependent Dirichlet data in the ghost cells themselves: ``ghost_j = u_exact(x_j, t)``
                 from the case's closed form (no truncation error from the boundary).
``extrapolate``  linear extrapolation ``ghost_j = (j+2) u_0 - (j+1) u_1`` (for fields that grow linearly at
                 the domain ends, such as the score).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError

BOUNDARY_KINDS = ("periodic", "dirichlet", "neumann", "zero_flux", "exact", "extrapolate")
KINDS_WITH_VALUE = ("dirichlet", "neumann")


@dataclass(frozen=True)
class BoundaryCondition:
    """The closure on one axis (both faces share the kind; ``value`` is the constant datum g)."""

    kind: str
    value: float = 0.0

    @property
    def periodic(self) -> bool:
        return self.kind == "periodic"

    @property
    def time_dependent(self) -> bool:
        return self.kind == "exact"

    @property
    def conservative(self) -> bool:
        """True when the discrete mass is conserved exactly (no flux through the faces)."""
        return self.kind == "periodic" or self.kind == "zero_flux" or (self.kind == "neumann" and self.value == 0)

    def weights(self, layers: int) -> np.ndarray:
        """``W`` of the affine ghost rule, shape (layers, max(layers, 2))."""
        W = np.zeros((layers, max(layers, 2)))
        j = np.arange(layers)
        if self.kind == "dirichlet":
            W[j, j] = -1.0
        elif self.kind in ("neumann", "zero_flux"):
            W[j, j] = 1.0
        elif self.kind == "extrapolate":
            W[:, 0], W[:, 1] = j + 2.0, -(j + 1.0)
        return W

    def constant_offset(self, layers: int, spacing: float) -> np.ndarray:
        """The time-independent ``offset_j`` (zero for ``exact``, whose offsets come from the closed form)."""
        j = np.arange(layers)
        if self.kind == "dirichlet":
            return np.full(layers, 2.0 * self.value)
        if self.kind == "neumann":
            return (2 * j + 1) * spacing * self.value
        return np.zeros(layers)


def boundary_from_spec(spec, dim: int, value: float = 0.0, key: str = "grid.boundary") -> list[BoundaryCondition]:
    """One :class:`BoundaryCondition` per axis from a case-file entry (a name, or a list of names per axis)."""
    names = [spec] * dim if isinstance(spec, str) else list(spec) if isinstance(spec, (list, tuple)) else None
    if names is None or len(names) != dim or not all(isinstance(n, str) for n in names):
        raise InputError(key, spec, f"a boundary name or a list of {dim} names from {', '.join(BOUNDARY_KINDS)}")
    for name in names:
        if name not in BOUNDARY_KINDS:
            raise InputError(key, name, ", ".join(BOUNDARY_KINDS))
    return [BoundaryCondition(n, float(value)) for n in names]

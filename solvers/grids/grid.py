"""Uniform, cell-centred Cartesian grids in 1D and 2D.

Convention (all boundary kinds alike): the interval ``[lower, upper]`` of each axis is cut into ``points``
cells of width ``h = (upper - lower) / points``; unknowns live at the cell centres
``x_i = lower + (i + 1/2) h``, ``i = 0 .. points-1``. Boundaries sit on the faces ``x = lower`` and
``x = upper``, half a cell from the first and last unknown. For periodic axes the period is
``upper - lower``. Integrals use the midpoint rule ``h * sum(f)`` (spectrally accurate for smooth periodic
data, second order otherwise); it is the quantity conserved exactly by the zero-flux discretisations.
Arrays are indexed ``[i]`` in 1D and ``[i, j]`` (``x`` first, ``indexing="ij"``) in 2D.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class UniformGrid:
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    points: tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "lower", tuple(float(v) for v in self.lower))
        object.__setattr__(self, "upper", tuple(float(v) for v in self.upper))
        object.__setattr__(self, "points", tuple(int(v) for v in self.points))
        if not (len(self.lower) == len(self.upper) == len(self.points)) or len(self.points) not in (1, 2):
            raise ValueError("lower, upper and points need one entry per dimension (1 or 2)")
        # a guard for direct use (kernel tests, the bench): the widest stencil needs 4 cells; case files are
        # held to config.schema.MIN_POINTS by the validation, the one place a case's grid.points is checked
        if any(u <= lo for lo, u in zip(self.lower, self.upper)) or any(n < 4 for n in self.points):
            raise ValueError("need upper > lower and at least 4 points per axis")

    @property
    def dim(self) -> int:
        return len(self.points)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.points

    @property
    def spacing(self) -> tuple[float, ...]:
        return tuple((u - lo) / n for lo, u, n in zip(self.lower, self.upper, self.points))

    @property
    def size(self) -> int:
        return int(np.prod(self.points))

    @property
    def cell_volume(self) -> float:
        return float(np.prod(self.spacing))

    @property
    def axes(self) -> list[np.ndarray]:
        """Cell-centre coordinates of each axis."""
        return [lo + (np.arange(n) + 0.5) * h for lo, n, h in zip(self.lower, self.points, self.spacing)]

    def coordinates(self) -> np.ndarray:
        """Cell centres: shape (n,) in 1D, (nx, ny, 2) in 2D (the points convention of the closed forms)."""
        if self.dim == 1:
            return self.axes[0]
        X, Y = np.meshgrid(*self.axes, indexing="ij")
        return np.stack([X, Y], axis=-1)

    def ghost_coordinates(self, axis: int, side: int, layers: int) -> np.ndarray:
        """Centres of the ``layers`` ghost cells beyond face ``side`` (0 low, 1 high) of ``axis``.

        Ordered from the face outwards; in 2D the result has shape (layers, n_along, 2) with the other
        coordinate running along the face.
        """
        h = self.spacing[axis]
        j = np.arange(layers)
        line = self.lower[axis] - (j + 0.5) * h if side == 0 else self.upper[axis] + (j + 0.5) * h
        if self.dim == 1:
            return line
        other = self.axes[1 - axis]
        a, b = np.meshgrid(line, other, indexing="ij")
        return np.stack([a, b] if axis == 0 else [b, a], axis=-1)

    def integrate(self, field: np.ndarray) -> float:
        """Midpoint rule over the domain."""
        return float(field.sum() * self.cell_volume)

    def describe(self) -> dict:
        return {"lower": np.array(self.lower), "upper": np.array(self.upper),
                "points": np.array(self.points), "spacing": np.array(self.spacing), "centering": "cell"}

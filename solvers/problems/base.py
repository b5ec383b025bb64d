"""What every assembled problem shares: the :class:`Problem` protocol the time loop, the analysis, the
studies and the result writer read, and the pieces of assembly every family does the same way (grid and
boundaries from ``[grid]``, output times from ``[time]`` and ``[measure] times``)."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from ..config.case import Case
from ..grids import UniformGrid, boundary_from_spec


class Problem(Protocol):
    """A runnable problem of any equation family.

    ``case`` the validated case; ``grid`` and ``bcs`` (one closure per axis); ``space`` and ``scheme`` the
    registered scheme entries (name, order, description, source); ``dt`` and ``dt_rule`` (how it was chosen);
    ``output_times`` the saved times (MFG: every time level); ``nu`` the diffusivity; ``exact`` the closed
    form; ``periodic`` one flag per axis; ``family`` the name of the registered equation family."""

    case: Case
    grid: UniformGrid
    bcs: list
    space: object
    scheme: object
    dt: float
    dt_rule: str
    output_times: np.ndarray
    exact: object
    family: str

    @property
    def nu(self) -> float: ...

    @property
    def periodic(self) -> list[bool]: ...


class OnGrid:
    """Mixin: ``periodic`` from the boundary closures."""

    @property
    def periodic(self) -> list[bool]:
        return [bc.periodic for bc in self.bcs]


def grid_and_boundaries(case: Case) -> tuple[UniformGrid, list]:
    """The cell-centred grid of ``[grid]`` and one boundary closure per axis."""
    g = case["grid"]
    return UniformGrid(g["lower"], g["upper"], g["points"]), boundary_from_spec(g["boundary"], case.dim,
                                                                                g["boundary_value"])


def save_times(case: Case) -> np.ndarray:
    """``time.saves`` equal intervals from start to stop, merged with the ``[measure] times``."""
    t = case["time"]
    saves = np.linspace(t["start"], t["stop"], t["saves"] + 1)
    extra = np.asarray(case["measure"]["times"] or [], dtype=float)
    times = np.unique(np.concatenate([saves, extra]))
    # a measurement time that equals a save up to rounding (0.9 vs 0.8999999999999999) is that save: two knots
    # 1e-16 apart would wreck the interpolants through the series
    keep = np.concatenate([[True], np.diff(times) > 1e-9 * max(1.0, abs(t["stop"]))])
    return times[keep]

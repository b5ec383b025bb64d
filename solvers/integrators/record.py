"""The record of one solve, the same for every equation family: what the analysis and the result writer read.

Timings follow Dedalus' habit: ``setup_s`` builds the steppers (allocations, factorisations), ``compile_s`` is
the first call of every kernel (numba compile or cache load) apart from ``run_s``, the solve alone (progress
bars and other hooks are opened before it starts).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Run:
    """``times``: the saved times (MFG: every time level); ``steps``: time steps taken; ``fields``: the saved
    states of a time loop, shape ``(len(times),) + state shape``; ``solution``: the MFG solution (``phi``, ``m``,
    outer-iteration history) where the family solves a coupled system instead."""

    times: np.ndarray
    steps: int
    setup_s: float
    compile_s: float
    run_s: float
    fields: np.ndarray | None = None
    solution: object = None

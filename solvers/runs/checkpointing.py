"""When and what to checkpoint during a run (``gridshock run --checkpoint-every``); the file is written by
:mod:`solvers.storage.checkpoint`.

Time-dependent problems checkpoint at the first save at or after every multiple of ``every`` (simulated time
since the start): the save is where the time loop's state is complete. The MFG outer iteration checkpoints
after every ``every``-th iteration (``every`` rounded to a whole number of iterations).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..storage.checkpoint import write_checkpoint


@dataclass
class Checkpointing:
    path: Path
    case: object
    every: float
    start: float = 0.0
    written: int = 0

    def __post_init__(self):
        self._last_slot = 0

    def due(self, t: float) -> bool:
        slot = math.floor((t - self.start) / self.every * (1 + 1e-12))
        if slot > self._last_slot:
            self._last_slot = slot
            return True
        return False

    def write_saves(self, j: int, t: float, steps: int, dt: float, fields: np.ndarray) -> None:
        write_checkpoint(self.path, self.case, "time integration", {"fields": fields},
                         dict(save_index=j, time=t, steps=steps, dt=dt, every=self.every))
        self.written += 1

    @property
    def every_iterations(self) -> int:
        return max(1, int(round(self.every)))

    def write_iteration(self, state: dict) -> None:
        """MFG: ``state`` = iterate arrays, ``history`` (dict of lists) and scalar counters."""
        arrays = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
        arrays["history"] = {k: np.asarray(v, dtype=float) for k, v in state["history"].items()}
        scalars = {k: v for k, v in state.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        write_checkpoint(self.path, self.case, "MFG outer iteration", arrays, dict(scalars, every=self.every))
        self.written += 1

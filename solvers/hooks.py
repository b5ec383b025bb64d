"""Runtime collaborators of one solve, kept apart from the case settings: progress, checkpoint and resume.

Every equation family's solve takes one :class:`RunHooks`. The time loop (heat, Burgers) reports simulated
time and asks for checkpoints at saves; the MFG outer solvers report iterations and their residual history and
checkpoint every ``every``-th iteration. Hooks are opened (progress bars built) before the timed region of a
solve, so ``run_s`` measures the numerics only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import numpy as np


class Progress(Protocol):
    """What a solve reports to: :meth:`open` before the timed loop, :meth:`advance` per save or iteration."""

    def open(self, total: float, initial: float, unit: str, desc: str) -> None: ...

    def advance(self, amount: float, postfix: str = "") -> None: ...

    def close(self) -> None: ...


class SilentProgress:
    """No output (``--quiet``, studies, tests)."""

    def open(self, total: float, initial: float, unit: str, desc: str) -> None:
        pass

    def advance(self, amount: float, postfix: str = "") -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class RunHooks:
    """``progress``: a :class:`Progress`; ``checkpoint``: a
    :class:`~solvers.runs.checkpointing.Checkpointing` (``due``, ``write_saves``, ``every_iterations``,
    ``write_iteration``) or None; ``resume``: ``(arrays, attrs)`` of a checkpoint to continue from, or None;
    ``on_iteration``: an extra callback ``f(history)`` after every MFG outer iteration (the bench stops a
    solve at a residual target by raising from it)."""

    progress: Any = field(default_factory=SilentProgress)
    checkpoint: Any = None
    resume: tuple | None = None
    on_iteration: Callable[[dict], None] | None = None

    # -- MFG outer iterations ---------------------------------------------------------------------------
    def iteration_done(self, history: dict) -> None:
        """After every outer iteration: progress (last residuals) and the extra callback."""
        last = {k: v[-1] for k, v in history.items() if len(v)}
        self.progress.advance(1, ", ".join(f"{k}={v:.2e}" for k, v in last.items()))
        if self.on_iteration is not None:
            self.on_iteration(history)

    def checkpoint_iteration(self, iteration: int, state: dict) -> None:
        """Write the iterate after every ``every``-th outer iteration, when checkpointing."""
        if self.checkpoint is not None and iteration % self.checkpoint.every_iterations == 0:
            self.checkpoint.write_iteration(dict(state, iteration=iteration))

    def resumed_iteration(self) -> dict | None:
        """The checkpoint's loop state (arrays, ``history`` as lists, ``iteration``, ``newton_steps``), or None."""
        if self.resume is None:
            return None
        arrays, attrs = self.resume
        state = {k: np.array(v) for k, v in arrays.items() if k != "history"}
        state["history"] = {k: list(np.asarray(v, dtype=float)) for k, v in arrays["history"].items()}
        state.update(iteration=int(attrs["iteration"]), newton_steps=int(attrs.get("newton_steps", 0)))
        return state

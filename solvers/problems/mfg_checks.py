"""Case checks of ``equation = "mfg"`` that depend on the registered schemes and solvers: asked of the entries
(:data:`~solvers.equations.mfg.MFG_SPACE_SCHEMES`, :data:`~solvers.integrators.mfg_solvers.MFG_TIME_SCHEMES`,
:data:`~solvers.integrators.mfg_solvers.MFG_SOLVERS`), never of their names, so a new entry brings its own
constraints. ``error(key, value, allowed, reason="")`` makes the :class:`~solvers.errors.InputError` (the
case's ``Case.error``, which names the file).
"""
from __future__ import annotations

from typing import Callable

from ..equations.mfg import MFG_SPACE_SCHEMES, MFGSpaceScheme
from ..errors import InputError
from ..integrators.mfg_solvers import MFG_SOLVERS, MFG_TIME_SCHEMES, MFGTimeScheme, OuterSolver

ErrorFactory = Callable[..., InputError]


def check_mfg_method(error: ErrorFactory, method: dict, mfg: dict, bcs: list,
                     boundary) -> tuple[MFGSpaceScheme, MFGTimeScheme, OuterSolver]:
    """Resolve ``method.space``, ``method.time`` and ``mfg.solver`` (unknown names list the registered ones) and
    check the space scheme's demands on the rest of the case: periodic walls (``boundary``: the case's
    ``grid.boundary`` as written), its terminal cost and its time schemes. Returns the three entries."""
    space = MFG_SPACE_SCHEMES.get(method["space"], "method.space")
    scheme = MFG_TIME_SCHEMES.get(method["time"], "method.time")
    if space.periodic_only and not all(bc.periodic for bc in bcs):
        anywhere = ", ".join(s.name for s in MFG_SPACE_SCHEMES if not s.periodic_only)
        raise error("method.space", space.name, f"{anywhere} ({space.name} needs grid.boundary = \"periodic\")",
                    reason=f"grid.boundary is {boundary!r}")
    if space.needs_terminal is not None and mfg["terminal"] != space.needs_terminal:
        raise error("mfg.terminal", mfg["terminal"],
                    f"{space.needs_terminal} (method.space = {space.name!r} needs {space.needs_terminal_why})")
    if space.time_schemes is not None and scheme.name not in space.time_schemes:
        raise error("method.time", method["time"],
                    f"{', '.join(space.time_schemes)} (method.space = {space.name!r}: {space.time_schemes_why})")
    return space, scheme, MFG_SOLVERS.get(mfg["solver"], "mfg.solver")


def check_mfg_coupling(error: ErrorFactory, solver: OuterSolver, coupling: str) -> None:
    """A solver that needs ``F = 0`` refuses a coupling; the message lists the solvers that take one."""
    if solver.needs_uncoupled and coupling != "none":
        allowed = [s.name for s in MFG_SOLVERS if not s.needs_uncoupled]
        raise error("mfg.solver", solver.name, ", ".join(allowed) + f" (coupling = {coupling!r})",
                    reason=solver.uncoupled_why)

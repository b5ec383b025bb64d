"""The time loop of a problem: from the start to every output time, with blow-up detection and timings.

Timings follow Dedalus' habit: building the steppers (allocations, factorisations) is ``setup_s``; the first
call of every kernel (numba compile or cache load) runs as a warm-up step on a scratch copy and is
``compile_s``; ``run_s`` is the time loop alone (the progress bar is opened before it starts).

The problem is any :class:`~solvers.problems.base.Problem` with ``steps_between(t0, t1)``, ``stepper(dt)``
and ``initial_condition()``; optional ``check_cfl`` and ``describe_failure`` refine the blow-up diagnosis.
"""
from __future__ import annotations

import time
import numpy as np

from ..errors import InputError, NumericalFailure
from ..hooks import RunHooks
from .record import Run

GROWTH_LIMIT = 1e6   # |u| beyond GROWTH_LIMIT * max(|u0|, 1): unstable


def _check(problem, u: np.ndarray, t: float, step: int, bound: float) -> None:
    finite = np.isfinite(u)
    if finite.all() and np.abs(u).max() <= bound:
        return
    bad = np.argwhere(~finite) if not finite.all() else np.argwhere(np.abs(u) > bound)
    idx = tuple(int(i) for i in bad[0])
    what = "NaN/Inf in the solution" if not finite.all() else f"solution grew beyond {GROWTH_LIMIT:g} x its initial size"
    if hasattr(problem, "describe_failure"):
        where, limit = problem.describe_failure(idx)
        raise NumericalFailure(what, time=t, step=step, where=where, limit=limit)
    where = ", ".join(f"{ax} = {problem.grid.axes[a][i]:.6g}" for a, (ax, i) in enumerate(zip("xy", idx)))
    scheme = problem.scheme
    limit = (f"explicit stability of {scheme.name}: dt * rho(L) <= {scheme.stability_interval:.6g} "
             f"(dt = {problem.dt:.6g}, rho(L) = {problem.operator.spectral_radius:.6g})"
             if scheme.explicit else f"{scheme.name} is unconditionally stable: check the data and boundaries")
    raise NumericalFailure(what, time=t, step=step, where=f"grid point {idx} ({where})", limit=limit)


def advance(problem, u: np.ndarray, t0: float, t1: float, step0: int = 0, bound: float = np.inf) -> int:
    """Move ``u`` from ``t0`` to ``t1`` in place; returns the number of steps taken."""
    n, dt = problem.steps_between(t0, t1)
    problem.stepper(dt).advance(u, t0, n)
    _check(problem, u, t1, step0 + n, bound)
    if hasattr(problem, "check_cfl"):          # advective Courant number of the state just reached
        problem.check_cfl(u, t1, step0 + n, dt)
    return n


def warm_up(problem) -> tuple[float, float]:
    """Build every stepper the output times need and call each once on a scratch copy."""
    t_setup = time.perf_counter()
    dts = {problem.steps_between(a, b)[1] for a, b in zip(problem.output_times[:-1], problem.output_times[1:])}
    steppers = [problem.stepper(dt) for dt in sorted(dts)]
    setup = time.perf_counter() - t_setup
    t_compile = time.perf_counter()
    scratch = problem.initial_condition()
    for st in steppers:
        st.advance(scratch.copy(), problem.output_times[0], 1)
    return setup, time.perf_counter() - t_compile


def integrate(problem, hooks: RunHooks | None = None) -> Run:
    """Every save interval in turn. ``hooks`` (:class:`~solvers.hooks.RunHooks`): ``progress`` advanced by the
    simulated time of every save; ``checkpoint``: the state written after the saves it asks for; ``resume``:
    ``(arrays, attrs)`` of a checkpoint to continue from (saves, step count and state restored, ``dt`` checked)."""
    hooks = RunHooks() if hooks is None else hooks
    setup_s, compile_s = warm_up(problem)
    times = problem.output_times
    u = problem.initial_condition()
    bound = GROWTH_LIMIT * max(np.abs(u).max(), 1.0)
    fields = np.empty((times.size,) + u.shape)
    fields[0] = u
    steps, first = 0, 1
    if hooks.resume is not None:
        first, steps = _restore(problem, hooks.resume, fields, u)
    progress, checkpoint = hooks.progress, hooks.checkpoint
    progress.open(total=float(times[-1] - times[0]), initial=float(times[first - 1] - times[0]), unit="t",
                  desc=problem.case.name)
    try:
        start = time.perf_counter()
        for j in range(first, times.size):
            steps += advance(problem, u, times[j - 1], times[j], steps, bound)
            fields[j] = u
            progress.advance(float(times[j] - times[j - 1]),
                             f"{steps} steps, {steps / max(time.perf_counter() - start, 1e-9):.3g} steps/s")
            if checkpoint is not None and j < times.size - 1 and checkpoint.due(times[j]):
                checkpoint.write_saves(j, float(times[j]), steps, float(problem.dt), fields[:j + 1])
        run_s = time.perf_counter() - start
    finally:
        progress.close()
    return Run(times, steps, setup_s, compile_s, run_s, fields=fields)


def _restore(problem, resume, fields: np.ndarray, u: np.ndarray) -> tuple[int, int]:
    """Put a checkpoint's saves and state in place; returns (first save index to compute, steps so far)."""
    arrays, attrs = resume
    j = int(attrs["save_index"])
    saved = np.asarray(arrays["fields"])
    if float(attrs["dt"]) != float(problem.dt) or saved.shape[1:] != u.shape or j >= fields.shape[0]:
        raise InputError("--resume", f"save {j}, dt {float(attrs['dt'])!r}", f"a checkpoint of this run's grid "
                         f"and step (dt = {problem.dt!r}, {fields.shape[0]} saves)")
    fields[:j + 1] = saved
    u[...] = saved[j]
    return j + 1, int(attrs["steps"])

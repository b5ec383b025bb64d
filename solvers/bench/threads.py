"""``parallel=True`` 2D explicit kernels: what two threads bring at 1024^2, and the measured size thresholds.

The forward Euler ``central2`` 2D step (periodic) is run, on the same stepper's work arrays and round-robin, on
square grids from 32^2 to 1024^2 through

* the serial kernel (:func:`solvers.kernels.runge_kutta.rk_advance_2d`, 2D views),
* the parallel kernel (:func:`solvers.kernels.stencils.rk_advance_2d_parallel`, contiguous rows split across
  threads) on one thread and on two.

``threads_speedup_2d`` is what the second thread brings to the parallel kernel at 1024^2 (median per-repetition
ratio of its times on 1 and 2 threads). Two crossovers are measured, each the smallest size from which one
variant is faster at every larger size measured: parallel kernel on 1 thread against the serial kernel (below it
the stepper keeps the serial kernel: ``PARALLEL_MIN_POINTS``) and on 2 threads against 1 thread (from it the
stepper gives the kernel all of numba's threads: ``THREADS_MIN_POINTS``). The constants are set from these
measurements and reported beside them.
"""
from __future__ import annotations

import os

import numba
import numpy as np

from ..integrators.steppers import PARALLEL_MIN_POINTS, THREADS_MIN_POINTS
from ..kernels.runge_kutta import rk_advance_2d
from ..kernels.stencils import rk_advance_2d_parallel
from .heat import heat_stepper, initial
from .timing import calls_for, first_call, median, median_ratio, per_step, round_robin


def _kernel_call(kernel, n: int):
    """``run(k)``: ``k`` Euler steps on an ``n x n`` periodic grid through ``kernel`` (offset tables built once)."""
    grid, st, dt = heat_stepper(2, n, "euler")
    op, u = st.operator, initial(grid)
    off = st._stage_offsets(np.zeros(1))                      # time-independent: zero-stride in the step axis
    offs = [np.broadcast_to(o[:1], (1 << 20,) + o.shape[1:]) for o in off]

    def run(k):
        kernel(u, st.ue, st.se, st.K, st.A, st.b, k, dt, op.g, op.periodic[0], op.periodic[1], op.weights[0],
               op.weights[1], offs[0], offs[1], op.coefs[0], op.coefs[1])
    return run


def _on_threads(fn, count: int):
    def call():
        previous = numba.get_num_threads()
        numba.set_num_threads(count)
        try:
            fn()
        finally:
            numba.set_num_threads(previous)
    return call


def _row(n: int, repeats: int, min_call_s: float, used: int) -> tuple[dict, float]:
    serial, parallel = _kernel_call(rk_advance_2d, n), _kernel_call(rk_advance_2d_parallel, n)
    compile_s = first_call(_on_threads(lambda: parallel(1), used))
    serial(1)
    steps = calls_for(serial, min_call_s, min_steps=10)
    t = round_robin({"serial": lambda: serial(steps),
                     "parallel": _on_threads(lambda: parallel(steps), used),
                     "parallel_1thread": _on_threads(lambda: parallel(steps), 1)}, repeats)
    row = {"n": n, "points": n * n, "steps_per_call": steps,
           "serial_step_s": median(per_step(t["serial"], steps)),
           "parallel_1thread_step_s": median(per_step(t["parallel_1thread"], steps)),
           "parallel_step_s": median(per_step(t["parallel"], steps)),
           "rows_vs_serial": median_ratio(t["serial"], t["parallel_1thread"]),
           "threads_only_speedup": median_ratio(t["parallel_1thread"], t["parallel"]),
           "parallel_vs_serial": median_ratio(t["serial"], t["parallel"])}
    return row, compile_s


def threads(sizes: list[int], repeats: int, min_call_s: float, threads_used: int = 2) -> dict:
    used = min(threads_used, numba.config.NUMBA_NUM_THREADS)
    rows, compile_s = [], None
    for n in sizes:
        row, c = _row(n, repeats, min_call_s, used)
        rows.append(row)
        compile_s = c if compile_s is None else compile_s
    return {"threads": used, "threading_layer": _layer(), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY") or f"spin {os.environ.get('GOMP_SPINCOUNT')}",
            "rows": rows, "parallel_compile_s": compile_s,
            "threads_speedup_largest": rows[-1]["threads_only_speedup"],
            "parallel_vs_serial_largest": rows[-1]["parallel_vs_serial"],
            "serial_below_points": crossover(rows, "rows_vs_serial"),
            "threshold_points_in_code": PARALLEL_MIN_POINTS,
            "two_threads_from_points": crossover(rows, "threads_only_speedup"),
            "two_threads_points_in_code": THREADS_MIN_POINTS}


def crossover(rows: list[dict], key: str) -> int | None:
    """Smallest size from which ``row[key] > 1`` at every larger measured size (None: not even at the largest)."""
    best = None
    for row in reversed(rows):
        if row[key] <= 1.0:
            break
        best = row["points"]
    return best


def _layer() -> str:
    try:
        return numba.threading_layer()
    except ValueError:                                        # no parallel region has run yet
        return "not initialised"

"""Timing discipline shared by every benchmark group.

The machine is shared and noisy, so nothing is timed alone: implementations are called round-robin (A, B, A, B,
...) and a ratio is the median of the per-repetition ratios (both members of a pair see the same background load
within a few milliseconds of each other). The first call of every implementation (numba compile or on-disk cache
load, py-pde's closure compilation, FFT planning) is timed apart and never enters a median. Each call is made long
enough (``calls_for``) that timer resolution and per-call Python overhead do not matter.
"""
from __future__ import annotations

import math
import statistics
import time
from typing import Callable


def first_call(fn: Callable[[], object]) -> float:
    """Seconds of one call: used for the compile (or cache-load) call, reported apart from the medians."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def calls_for(step: Callable[[int], object], min_call_s: float, min_steps: int = 1, max_steps: int = 1 << 20) -> int:
    """Steps per timed call so that one call lasts about ``min_call_s`` and makes at least ``min_steps`` steps (a
    stepper's per-call work, e.g. copying the state in and out, then weighs ``1/min_steps`` at most): ``step(k)``
    runs ``k`` steps; the cost of one step is the fastest of three single-step calls (load only ever adds time)."""
    one = min(first_call(lambda: step(1)) for _ in range(3))
    return int(min(max_steps, max(min_steps, math.ceil(min_call_s / max(one, 1e-9)))))


def round_robin(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """``repeats`` rounds, each calling every implementation once in turn; seconds per call, per implementation."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, fn in calls.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median over repetitions of ``numerator[i] / denominator[i]`` (same-round pairs)."""
    return statistics.median(a / b for a, b in zip(numerator, denominator))


def median(values: list[float]) -> float:
    return statistics.median(values)


def per_step(times: list[float], steps: int) -> list[float]:
    return [t / steps for t in times]


def fitted_slope(x: list[float], y: list[float]) -> float:
    """Least-squares slope of ``log y`` against ``log x``."""
    lx, ly = [math.log(v) for v in x], [math.log(v) for v in y]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)

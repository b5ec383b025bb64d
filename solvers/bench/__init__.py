"""``gridshock bench`` (``make bench``): performance as ratios measured in one run, on this machine.

Every headline figure is a ratio of two implementations timed round-robin in the same run (median of the
per-repetition ratios, :mod:`.timing`), against the machine's physical limit (a numba STREAM copy of the same
size, :mod:`.memory`) or against what a user would otherwise pick (py-pde, ``scipy.linalg.solve_banded``,
``numpy.fft``, Picard iteration). Compile time is measured apart, cold and cached, in fresh processes. The raw
medians behind every ratio, the machine and the versions go to ``results/bench.json`` and ``results/bench.md``;
absolute times stay there and out of the tests. Groups: :mod:`.heat`, :mod:`.burgers`, :mod:`.mfg`,
:mod:`.scaling`, :mod:`.threads`, :mod:`.compile`; keys, targets and the report: :mod:`.report`.
"""
from __future__ import annotations

from .runner import run_benchmarks

__all__ = ["run_benchmarks"]

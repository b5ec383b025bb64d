"""How the ``parallel=True`` kernels use the machine's threads: OpenMP waiting and the free-core rule.

* Waiting: idle libgomp workers spin ``GOMP_SPINCOUNT = 20000`` iterations at a join, then sleep. Measured
  (2D Euler heat step, this 2-core machine kind, quiet, medians of 7): two threads over one were 1.34x at 128^2,
  1.51x at 256^2, 1.67x at 512^2, 2.2x at 1024^2 with this short spin, against 0.5-0.8x below 1024^2 with
  ``OMP_WAIT_POLICY=passive`` (a sleeping worker takes ~10 us to wake, longer than a 128^2-512^2 step) and
  2-25x *slower* with libgomp's default 300 000-iteration spin when another job holds a core.
* Free cores: with another job on the second core, two threads lose at every size (0.34-0.61x with the short
  spin, 0.6-0.87x passive); the kernels then run on one thread. :func:`threads_to_use` reads the 1-minute load
  average (``/proc/loadavg``, ~10 us, once per ``advance`` call) and grants ``n`` threads only when at least
  ``n - 1`` cores beyond this process are idle (load average <= cores - n + 1.5, this process counting ~1).
Explicit settings in the environment (``GOMP_SPINCOUNT``, ``OMP_WAIT_POLICY``) win; both are read by libgomp
when numba first starts its threads, so this module is imported by every module with parallel kernels.
"""
from __future__ import annotations

import os

import numba

if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "20000")


def threads_to_use() -> int:
    """numba's thread count, or 1 when the other cores are busy (load average; see the module docstring)."""
    available = numba.get_num_threads()
    if available <= 1:
        return 1
    try:
        load = os.getloadavg()[0]
    except OSError:                      # no load average on this platform: trust the configuration
        return available
    cores = os.cpu_count() or available
    free = int(cores + 0.5 - load)       # idle cores besides this (busy) process
    return max(1, min(available, free + 1))

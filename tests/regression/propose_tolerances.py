"""Propose ``[compare.*]`` tolerances from a result file: 5x the largest measured error, one significant digit
rounded up (so every tolerance is at most 10x what the run measures; ``cases/README.md``).

    python tests/regression/propose_tolerances.py results/CASE.h5
"""
from __future__ import annotations

import math
import sys

import h5py
import numpy as np


def _up(v: float) -> float:
    if v <= 0 or not np.isfinite(v):
        return 1e-15
    e = math.floor(math.log10(v))
    return math.ceil(v / 10 ** e) * 10 ** e


def propose(path: str) -> str:
    lines = []
    with h5py.File(path, "r") as f:
        for q, g in f["comparison"].items():
            get = (lambda k: g[k][()] if k in g else g.attrs.get(k))
            abs_err = np.atleast_1d(np.asarray(get("abs_error"), dtype=float))
            rel_err = np.atleast_1d(np.asarray(get("rel_error"), dtype=float))
            rtol = g.attrs.get("rtol")
            use_rel = rtol is not None and np.isfinite(rtol) and np.all(np.isfinite(rel_err))
            err = np.nanmax(rel_err if use_rel else abs_err)
            key = "rtol" if use_rel else "atol"
            lines.append(f"[compare.{q}]\n{key} = {_up(5 * err):.0e}          # measured max {err:.3g}")
    return "\n".join(lines)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"# {p}\n{propose(p)}\n")

"""Compile time of a first run, cold (empty numba cache) and cached, ours and py-pde's, each in a fresh process.

Ours: ``gridshock run`` of the default case (``cases/heat_symmetric_1d.toml``) in a subprocess with
``NUMBA_CACHE_DIR`` pointing at an empty temporary directory (cold: every kernel compiles), then again with the
same directory (cached: every kernel loads from disk). The figure is the result file's ``/timings`` ``compile_s``
(first call of every kernel, apart from the run); the subprocess wall time is reported beside it.
py-pde: a subprocess builds and first-calls its explicit diffusion stepper (1D, periodic) under the same two
conditions; its closures are compiled per process, so "cached" shows what its on-disk cache saves.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CASE = ROOT / "cases" / "heat_symmetric_1d.toml"

PYPDE_SCRIPT = """
import json, time
t0 = time.perf_counter()
import numpy as np, pde
t1 = time.perf_counter()
grid = pde.CartesianGrid([[0.0, 2 * np.pi]], [{n}], periodic=True)
state = pde.ScalarField.from_expression(grid, "sin(x)")
stepper = pde.EulerSolver(pde.DiffusionPDE(diffusivity=0.5), adaptive=False).make_stepper(state, 1e-9)
stepper(state, 0.0, 1e-9)
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "compile_s": t2 - t1}}))
"""


def _env(cache_dir: str) -> dict:
    env = dict(os.environ)
    env["NUMBA_CACHE_DIR"] = cache_dir
    return env


def _ours_once(cache_dir: str, out_dir: str, overrides: list[str]) -> dict:
    import h5py
    cmd = [sys.executable, "-m", "solvers", "run", str(DEFAULT_CASE), "--out", out_dir]
    for o in overrides:
        cmd += ["--set", o]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=_env(cache_dir), cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"default case failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
    with h5py.File(Path(out_dir) / f"{DEFAULT_CASE.stem}.h5", "r") as f:
        timings = dict(f["timings"].attrs)
    return {"compile_s": float(timings["compile_s"]), "run_s": float(timings["run_s"]), "process_wall_s": wall}


def ours(overrides: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        cold = _ours_once(cache, out, overrides)
        cached = _ours_once(cache, out, overrides)
    return {"case": DEFAULT_CASE.name, "overrides": overrides, "cold": cold, "cached": cached}


def _pypde_once(cache_dir: str, n: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", PYPDE_SCRIPT.format(n=n)], env=_env(cache_dir), cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"py-pde stepper failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pypde(n: int) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        cold = _pypde_once(cache, n)
        cached = _pypde_once(cache, n)
    return {"n": n, "cold": cold, "cached": cached}

"""``gridshock bench``: performance ratios measured in the same run (PERFORMANCE.md lists what to expect).

Every figure is the median of repeated timings after a warm-up call; compile time (the first call of each
numba kernel: compile or on-disk cache load) is reported apart. Ratios, not absolute times, are the result:

* explicit heat step (Euler, central2, periodic) against the machine's measured copy bandwidth (a fused step
  must read and write the field once: 16 bytes per point, like a copy) and against a numpy slicing version;
* the same step against py-pde's compiled diffusion stepper, when py-pde is installed (``make bench`` does);
* a Crank-Nicolson step with the numba Thomas factorisation reused against ``scipy.linalg.solve_banded``
  called every step (what a straightforward implementation does);
* the spectral step's FFT pair, numpy against scipy.fft;
* Burgers: million point-updates per second (Mupd/s = points x steps / time) of WENO5 + SSP-RK3 and of
  spectral + ETDRK4, 1D (N = 1e5) and 2D (512^2), with two same-run ratios: the WENO5 step time in units of a
  copy of the field per stage (the memory-bound floor; > 1 means compute-bound), and the ETDRK4 step time in
  units of one rfft/irfft pair (its floor is 4 pairs: one per nonlinear evaluation).
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np
from numba import njit

from .equations.heat import StencilDiffusion
from .equations.space import SPACE_SCHEMES
from .grids import BoundaryCondition, UniformGrid
from .integrators import TIME_SCHEMES
from .integrators.steppers import make_stepper


@njit(cache=True)
def _copy(src, dst):
    for i in range(src.shape[0]):
        dst[i] = src[i]


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _first_call(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_bandwidth(n: int, repeats: int) -> dict:
    a, b = np.random.default_rng(0).random(n), np.empty(n)
    compile_s = _first_call(lambda: _copy(a, b))
    t = _median_time(lambda: _copy(a, b), repeats)
    return {"copy_GBps": 16 * n / t / 1e9, "compile_s": compile_s}


def _heat_stepper(n: int, scheme: str):
    grid = UniformGrid((0.0,), (2 * np.pi,), (n,))
    op = StencilDiffusion(grid, [BoundaryCondition("periodic")], SPACE_SCHEMES.get("central2"), 0.5)
    ts = TIME_SCHEMES.get(scheme)
    dt = 0.5 * ts.stability_interval / op.spectral_radius if ts.explicit else 1e-3
    return grid, make_stepper(op, ts, dt), dt


def bench_explicit(n: int, steps: int, repeats: int, copy_GBps: float) -> dict:
    grid, stepper, dt = _heat_stepper(n, "euler")
    u = np.sin(grid.axes[0])
    compile_s = _first_call(lambda: stepper.advance(u, 0.0, 1))
    t_ours = _median_time(lambda: stepper.advance(u, 0.0, steps), repeats) / steps
    c = 0.5 * dt / grid.spacing[0] ** 2
    v = np.sin(grid.axes[0])
    lap = np.empty_like(v)

    def numpy_step():
        for _ in range(steps):
            np.subtract(np.roll(v, 1) + np.roll(v, -1), 2 * v, out=lap)
            v[:] += c * lap

    t_numpy = _median_time(numpy_step, repeats) / steps
    return {"step_s": t_ours, "compile_s": compile_s,
            "fraction_of_copy_bandwidth": (16 * n / t_ours / 1e9) / copy_GBps,
            "speedup_vs_numpy": t_numpy / t_ours}


def bench_pypde(n: int, steps: int, ours_step_s: float) -> dict | None:
    try:
        import pde
    except ImportError:
        return None
    grid = pde.CartesianGrid([[0, 2 * np.pi]], [n], periodic=True)
    state = pde.ScalarField.from_expression(grid, "sin(x)")
    eq = pde.DiffusionPDE(diffusivity=0.5)
    dt = 0.5 * 2.0 / (0.5 * 4.0 / (2 * np.pi / n) ** 2)
    t0 = time.perf_counter()
    eq.solve(state, t_range=dt, dt=dt, tracker=None, solver="euler", adaptive=False)
    compile_s = time.perf_counter() - t0
    t = _median_time(lambda: eq.solve(state, t_range=steps * dt, dt=dt, tracker=None, solver="euler",
                                      adaptive=False), 3) / steps
    return {"pypde_step_s": t, "pypde_compile_s": compile_s, "speedup_vs_pypde": t / ours_step_s}


def bench_crank_nicolson(n: int, steps: int, repeats: int) -> dict:
    from scipy.linalg import solve_banded
    grid, stepper, dt = _heat_stepper(n, "crank_nicolson")
    u = np.sin(grid.axes[0])
    compile_s = _first_call(lambda: stepper.advance(u, 0.0, 1))
    t_ours = _median_time(lambda: stepper.advance(u, 0.0, steps), repeats) / steps
    r = 0.5 * 0.5 * dt / grid.spacing[0] ** 2
    ab = np.zeros((3, n))
    ab[0, 1:], ab[1], ab[2, :-1] = -r, 1 + 2 * r, -r
    v = np.sin(grid.axes[0])

    def scipy_step():
        nonlocal v
        for _ in range(steps):
            rhs = v + r * (np.roll(v, 1) - 2 * v + np.roll(v, -1))
            v = solve_banded((1, 1), ab, rhs)      # (Dirichlet-like ends: the cost, not the answer, matters)

    t_scipy = _median_time(scipy_step, repeats) / steps
    return {"step_s": t_ours, "compile_s": compile_s, "speedup_vs_solve_banded": t_scipy / t_ours}


def bench_fft(n: int, repeats: int) -> dict:
    import scipy.fft
    u = np.random.default_rng(0).random(n)
    t_np = _median_time(lambda: np.fft.irfft(np.fft.rfft(u), n=n), repeats)
    t_sp = _median_time(lambda: scipy.fft.irfft(scipy.fft.rfft(u), n=n), repeats)
    return {"numpy_pair_s": t_np, "scipy_pair_s": t_sp, "scipy_over_numpy": t_np / t_sp}


def _burgers_stepper(dim: int, n: int, space: str, time_name: str):
    from .equations.advection import BURGERS_SPACE_SCHEMES
    from .equations.burgers import Coefficients, FluxBurgers1D, SpectralBurgers, VectorBurgers2D
    from .integrators.split_schemes import BURGERS_TIME_SCHEMES
    from .integrators.split_steppers import make_split_stepper
    grid = UniformGrid((-np.pi,) * dim, (np.pi,) * dim, (n,) * dim)
    coefs = Coefficients(1.0, 0.5)
    bcs = [BoundaryCondition("periodic")] * dim
    adv, diff = BURGERS_SPACE_SCHEMES.get(space), SPACE_SCHEMES.get("central4")
    if space == "spectral":
        op = SpectralBurgers(grid, coefs)
    elif dim == 1:
        op = FluxBurgers1D(grid, bcs, adv, diff, coefs)
    else:
        op = VectorBurgers2D(grid, bcs, adv, diff, coefs, "upwind")
    x = grid.axes[0]
    u = np.sin(x) if dim == 1 else np.stack([np.sin(x)[:, None] * np.cos(x)[None, :],
                                              np.cos(x)[:, None] * np.sin(x)[None, :]])
    dt = 0.2 * grid.spacing[0] ** 2 if BURGERS_TIME_SCHEMES.get(time_name).explicit else 0.2 * grid.spacing[0]
    return make_split_stepper(op, BURGERS_TIME_SCHEMES.get(time_name), dt), np.ascontiguousarray(u)


def bench_burgers(dim: int, n: int, steps: int, repeats: int, copy_GBps: float) -> dict:
    """Mupd/s of weno5 + ssprk3 and spectral + etdrk4 (periodic ``sin`` data, ``nu = 1/2``)."""
    import scipy.fft
    points = n ** dim
    out = {}
    for space, time_name in (("weno5", "ssprk3"), ("spectral", "etdrk4")):
        stepper, u = _burgers_stepper(dim, n, space, time_name)
        compile_s = _first_call(lambda: stepper.advance(u, 0.0, 1))
        t = _median_time(lambda: stepper.advance(u, 0.0, steps), repeats) / steps
        out[f"{space}+{time_name}"] = {"step_s": t, "compile_s": compile_s, "Mupd_per_s": points / t / 1e6}
    comps = 1 if dim == 1 else 2
    copy_s = 16 * points * comps / (copy_GBps * 1e9)
    out["weno5_step_over_copy_per_stage"] = out["weno5+ssprk3"]["step_s"] / (3 * copy_s)
    field = np.random.default_rng(0).random((n,) * dim)
    pair = _median_time(lambda: scipy.fft.irfftn(scipy.fft.rfftn(field), s=field.shape), repeats)
    out["etdrk4_step_over_fft_pair"] = out["spectral+etdrk4"]["step_s"] / (pair * comps)
    return out


def run_benchmarks(quick: bool = False, out: str | Path = "results/bench.json") -> int:
    sizes = [1_000, 10_000] if quick else [10_000, 100_000, 1_000_000]
    steps, repeats = (20, 3) if quick else (200, 5)
    report = {"sizes": sizes, "rows": []}
    print(f"{'benchmark':<34} {'N':>9} {'ratio':>10}  meaning")
    for n in sizes:
        bw = bench_bandwidth(n, repeats)
        ex = bench_explicit(n, steps, repeats, bw["copy_GBps"])
        cn = bench_crank_nicolson(n, steps, repeats)
        ff = bench_fft(n, repeats)
        rows = [
            ("explicit step / copy bandwidth", ex["fraction_of_copy_bandwidth"], "fraction of the copy bound"),
            ("explicit step vs numpy slicing", ex["speedup_vs_numpy"], "x faster"),
            ("CN Thomas (factored) vs solve_banded", cn["speedup_vs_solve_banded"], "x faster"),
            ("FFT pair scipy vs numpy", ff["scipy_over_numpy"], "x (>1: scipy faster)"),
        ]
        if not quick:
            pp = bench_pypde(n, steps, ex["step_s"])
            if pp is not None:
                rows.append(("explicit step vs py-pde", pp["speedup_vs_pypde"], "x faster"))
                ex.update(pp)
        for name, ratio, meaning in rows:
            print(f"{name:<34} {n:>9} {ratio:>10.3g}  {meaning}")
        report["rows"].append({"n": n, "copy": bw, "explicit": ex, "crank_nicolson": cn, "fft": ff})
    bw = report["rows"][-1]["copy"]["copy_GBps"]
    report["burgers"] = []
    for dim, n in ((1, 10_000 if quick else 100_000), (2, 128 if quick else 512)):
        b = bench_burgers(dim, n, 5 if quick else (40 if dim == 1 else 10), repeats, bw)
        label = f"{n}" if dim == 1 else f"{n}^2"
        for key in ("weno5+ssprk3", "spectral+etdrk4"):
            print(f"{'Burgers ' + key + ' Mupd/s':<34} {label:>9} {b[key]['Mupd_per_s']:>10.3g}  "
                  f"million point-updates/s (compile {b[key]['compile_s']:.2f} s apart)")
        print(f"{'Burgers weno5 step / copy per stage':<34} {label:>9} {b['weno5_step_over_copy_per_stage']:>10.3g}  "
              "x the memory-bound floor (compute-bound above 1)")
        print(f"{'Burgers etdrk4 step / FFT pair':<34} {label:>9} {b['etdrk4_step_over_fft_pair']:>10.3g}  "
              "rfft+irfft pairs per step (floor 4)")
        report["burgers"].append({"dim": dim, "n": n, **b})
    compile_s = {k: report["rows"][0][k]["compile_s"] for k in ("copy", "explicit", "crank_nicolson")}
    print("compile / cache-load time of the first call (s, apart from the timings above): "
          + ", ".join(f"{k} {v:.3f}" for k, v in compile_s.items()))
    print(f"copy bandwidth measured: " + ", ".join(f"N={r['n']}: {r['copy']['copy_GBps']:.1f} GB/s"
                                                     for r in report["rows"]))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(report, indent=1, default=float))
    print(f"wrote {out}")
    return 0

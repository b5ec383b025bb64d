"""Burgers steps: WENO5 + SSP-RK3 against the copy bandwidth, spectral ETDRK4 against the same algorithm in numpy.

* ``weno5_vs_copy``: the fused 1D flux RK loop (:class:`~solvers.integrators.split_steppers.FusedFluxRKStepper`;
  for SSP-RK3 the two-register Shu-Osher loop of :mod:`solvers.kernels.burgers_lowstorage`) at ``N`` points,
  periodic ``sin`` data, ``nu = 1/2``, ``central4`` diffusion. Its memory-bound floor is one read and one write
  of the field per stage (3 x 16 bytes per point and step), so ``3 t_copy / t_step`` is the fraction of the copy
  bandwidth it reaches; WENO5 is compute-bound (~100 flops per point and stage), so this is small by nature and
  the throughput (million point-updates per second, Mupd/s) is reported with it.
* ``etdrk4_vs_numpy``: our spectral ETDRK4 step (Cox-Matthews, Kassam-Trefethen coefficients, 2/3 dealiasing)
  against the same algorithm written directly with ``numpy.fft`` the way Kassam & Trefethen's ``kdv.m`` reads
  (allocating temporaries, ``rfft`` for the real field): same coefficients, same data; answers compared.
"""
from __future__ import annotations

import numpy as np

from ..equations.advection import BURGERS_SPACE_SCHEMES
from ..equations.burgers import Coefficients, FluxBurgers1D, SpectralBurgers
from ..equations.space import SPACE_SCHEMES
from ..grids import BoundaryCondition, UniformGrid
from ..integrators.split_linear import etd_plan
from ..integrators.split_schemes import BURGERS_TIME_SCHEMES
from ..integrators.split_steppers import make_split_stepper
from .memory import CopyBench
from .timing import calls_for, first_call, median, median_ratio, per_step, round_robin

COEFFICIENTS = Coefficients(1.0, 0.5)          # the VE score equation u_t = u_xx / 2 + u u_x


def _grid(n: int) -> UniformGrid:
    return UniformGrid((-np.pi,), (np.pi,), (n,))


def weno5_stepper(n: int):
    grid = _grid(n)
    op = FluxBurgers1D(grid, [BoundaryCondition("periodic")], BURGERS_SPACE_SCHEMES.get("weno5"),
                       SPACE_SCHEMES.get("central4"), COEFFICIENTS)
    dt = 0.2 * grid.spacing[0] ** 2
    return grid, make_split_stepper(op, BURGERS_TIME_SCHEMES.get("ssprk3"), dt)


def etdrk4_stepper(n: int):
    grid = _grid(n)
    op = SpectralBurgers(grid, COEFFICIENTS)
    return grid, op, make_split_stepper(op, BURGERS_TIME_SCHEMES.get("etdrk4"), 0.2 * grid.spacing[0])


def weno5_vs_copy(n: int, repeats: int, min_call_s: float) -> dict:
    grid, stepper = weno5_stepper(n)
    u = np.sin(grid.axes[0])
    copy = CopyBench(n)
    compile_s = first_call(lambda: stepper.advance(u, 0.0, 1))
    first_call(lambda: copy.run(1))
    steps = calls_for(lambda k: stepper.advance(u, 0.0, k), min_call_s, min_steps=5)
    t = round_robin({"ours": lambda: stepper.advance(u, 0.0, steps), "copy": lambda: copy.run(3 * steps)}, repeats)
    step_s = median(per_step(t["ours"], steps))
    return {"n": n, "steps_per_call": steps, "repeats": repeats, "compile_s": compile_s, "step_s": step_s,
            "copy_pass_s": median(per_step(t["copy"], 3 * steps)), "Mupd_per_s": n / step_s / 1e6,
            "fraction_of_copy_bandwidth": median_ratio(t["copy"], t["ours"]),
            "parallel": bool(stepper.parallel)}          # the size rule's choice (weno5.weno5_parallel)


class NumpyETDRK4:
    """ETDRK4 for the spectral Burgers equation written plainly with ``numpy.fft`` (the peer implementation)."""

    def __init__(self, op: SpectralBurgers, dt: float):
        c = etd_plan(op, dt).c                        # the same contour-integral coefficients
        self.E, self.E2, self.Q, self.f1, self.f2, self.f3 = (c[k] for k in ("E", "E2", "Q", "f1", "f2", "f3"))
        self.mask, self.n = op.mask, op.grid.points[0]
        self.g = -op.ik[0]                           # -i k (2/3-masked)
        self.c2 = op.coefs.at(0.0)[1]

    def nonlinear(self, v):
        u = np.fft.irfft(self.mask * v, n=self.n)
        return self.g * np.fft.rfft(self.c2 * u * u)

    def advance(self, u: np.ndarray, steps: int) -> None:
        v = np.fft.rfft(u)
        E, E2, Q, f1, f2, f3 = self.E, self.E2, self.Q, self.f1, self.f2, self.f3
        for _ in range(steps):
            Nv = self.nonlinear(v)
            a = E2 * v + Q * Nv
            Na = self.nonlinear(a)
            b = E2 * v + Q * Na
            Nb = self.nonlinear(b)
            c = E2 * a + Q * (2 * Nb - Nv)
            Nc = self.nonlinear(c)
            v = E * v + Nv * f1 + 2 * (Na + Nb) * f2 + Nc * f3
        u[:] = np.fft.irfft(v, n=self.n)


def etdrk4_vs_numpy(n: int, repeats: int, min_call_s: float) -> dict:
    grid, op, ours = etdrk4_stepper(n)
    peer = NumpyETDRK4(op, ours.dt)
    u, v = np.sin(grid.axes[0]), np.sin(grid.axes[0])
    compile_s = first_call(lambda: ours.advance(u, 0.0, 1))
    a, b = np.sin(grid.axes[0]), np.sin(grid.axes[0])        # the check: 5 steps of both
    ours.advance(a, 0.0, 5)
    peer.advance(b, 5)
    difference = float(np.abs(a - b).max() / np.abs(a).max())
    steps = calls_for(lambda k: ours.advance(u, 0.0, k), min_call_s, min_steps=3)
    t = round_robin({"ours": lambda: ours.advance(u, 0.0, steps), "numpy": lambda: peer.advance(v, steps)}, repeats)
    step_s = median(per_step(t["ours"], steps))
    return {"n": n, "dt": ours.dt, "steps_per_call": steps, "repeats": repeats, "compile_s": compile_s,
            "step_s": step_s, "numpy_step_s": median(per_step(t["numpy"], steps)), "Mupd_per_s": n / step_s / 1e6,
            "relative_difference_after_5_steps": difference, "fused_step_loop": ours.fused is not None,
            "speedup_vs_numpy_fft": median_ratio(t["numpy"], t["ours"])}

"""Semi-discrete viscous Burgers operators, split as ``w' = L(t) w + b(t) + N(w, t)``.

The PDE (ANALYTIC.md §1, §4; notation of :mod:`solvers.equations.advection`)::

    1D:  w_t = nu(t) w_xx - d/dx (c2(t) w^2 + c1(t) x w)
    2D:  w_t = nu Lap w - grad(c2 |w|^2)            (gradient form)
         w_t = nu Lap w - (a . grad) w,  a = 2 c2 w  (upwind form)

``w`` is the score ``u = grad log p`` (``form = "score"``, ``c2 = -1/2``: ``u_t = nu u_xx + u u_x``) or
``v = -u`` (``form = "textbook"``, ``c2 = +1/2``: ``v_t + v v_x = nu v_xx``); for VP data in VP time
``nu = beta(t)/2``, ``c2 = -sigma beta/2``, ``c1 = -beta/2`` (:class:`Coefficients`).

Every operator works on its *state* (physical values for finite differences, ``rfft`` coefficients for the
spectral one; :meth:`to_state` / :meth:`to_physical`) and offers what the time schemes of
:mod:`solvers.integrators.split_steppers` need: ``full_rhs`` (explicit schemes), ``nonlinear`` (``N``), ``linear``
(``L w + b``), and the linear part as data: the finite-difference operators ``boundary_term`` (``b(t)``) and
``diffusion_matrix`` (``L`` at ``nu = 1``, whole or per axis), the spectral one its ``symbol``. The implicit solves
and ETDRK4 plans built from them are time-scheme machinery (:mod:`solvers.integrators.split_linear`). Boundary
data enters through ghost offsets tabulated per stage time by ``boundary_table`` (see
:mod:`solvers.grids.boundaries`). :class:`FluxBurgers1D` also offers ``flux_kernel``, the arguments of its fused
numba loops (:class:`FluxKernelArgs`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..grids import BoundaryCondition, UniformGrid
from ..kernels.fluxes import burgers_rhs_1d, flux_divergence_1d
from ..kernels.ghosts import fill_ghosts_1d, fill_ghosts_2d
from ..kernels.stencils import apply_stencil_1d, apply_stencil_2d
from ..kernels.vector_burgers import gradient_advection_2d, upwind_advection_2d
from .advection import AdvectionScheme
from .heat import StencilDiffusion
from .space import SpaceScheme


class Coefficients:
    """``(nu, c2, c1)`` at time ``t``: VE (constant) or VP (through the schedule ``beta(t)``)."""

    def __init__(self, sign: float, nu: float, schedule=None):
        self.sign, self.nu, self.schedule = float(sign), float(nu), schedule

    @property
    def constant(self) -> bool:
        return self.schedule is None or self.schedule.kind == "constant"

    def at(self, t: float) -> tuple[float, float, float]:
        if self.schedule is None:
            return self.nu, -0.5 * self.sign, 0.0
        beta = float(self.schedule.beta_at(t))
        return 0.5 * beta, -0.5 * self.sign * beta, -0.5 * beta

    def max_nu(self, t0: float, t1: float) -> float:
        return max(self.at(t0)[0], self.at(t1)[0])


@dataclass(frozen=True)
class FluxKernelArgs:
    """What the fused 1D flux loops (:mod:`solvers.kernels.burgers_rk`, :mod:`solvers.kernels.burgers_lowstorage`)
    take from a :class:`FluxBurgers1D`, made once by the operator: ``n`` cells of width ``h`` from ``x0``, ``g``
    ghost layers (``periodic`` or the affine rule ``weights`` ``(2, g, M)`` with the time-independent ``offsets``
    ``(2, g)``), the flux kernel (``flux_id``, ``reach``: the advection entry's ``kernel_id`` and
    ``ghost_layers``), ``d2`` the diffusion weights at ``nu = 1`` (over ``h^2``), ``work`` the operator's ghosted
    work array (``n + 2g``; scratch, shared with the operator's own sweeps), ``scheme`` the advection entry."""

    n: int
    h: float
    x0: float
    g: int
    periodic: bool
    weights: np.ndarray
    offsets: np.ndarray
    flux_id: int
    reach: int
    d2: np.ndarray
    work: np.ndarray
    scheme: AdvectionScheme


class _StencilBurgers:
    """Shared finite-difference machinery: ghosted work arrays, boundary tables, the diffusion's matrices."""

    def __init__(self, grid: UniformGrid, bcs: list[BoundaryCondition], adv: AdvectionScheme, diff: SpaceScheme,
                 coefficients: Coefficients, boundary_values=None, components: int = 1, boundary_rates=None):
        self.grid, self.bcs, self.adv, self.diff, self.coefs = grid, bcs, adv, diff, coefficients
        layers = max(adv.ghost_layers, diff.ghost_layers)
        # one diffusion closure per component (the exact boundary data differs per component)
        def component(fn, c):
            if fn is None:
                return None
            return fn if components == 1 else (lambda x, t, c=c: fn(x, t)[..., c])
        self.closures = [StencilDiffusion(grid, bcs, diff, 1.0, component(boundary_values, c),
                                          component(boundary_rates, c), layers=layers) for c in range(components)]
        # d/dt of the wall data: explicit RK stages then see g(t_n) + dt sum_j a_ij g'(t_n + c_j dt)
        self.has_rates = boundary_rates is not None
        self.g = self.closures[0].g
        self.components = components
        self.periodic = [bc.periodic for bc in bcs]
        self.weights = self.closures[0].weights
        self.d2 = [diff.second_derivative / h ** 2 for h in grid.spacing]       # nu = 1
        self._d2_scaled = [np.empty_like(c) for c in self.d2]
        # time-independent ghost offsets (used when no per-stage table is passed)
        self._consts = [cl.offsets(np.zeros(())) for cl in self.closures]

    # -- representation ----------------------------------------------------------------------------------
    def to_state(self, u: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(u, dtype=float).copy()

    def to_physical(self, w: np.ndarray) -> np.ndarray:
        return w

    @property
    def time_dependent(self) -> bool:
        return self.closures[0].time_dependent

    def boundary_table(self, times: np.ndarray, rate: bool = False):
        """Ghost offsets at ``times`` (any shape): ``[component][axis] -> times.shape + (2, g[, n_along])``;
        ``rate=True``: their time derivatives."""
        return [cl.offsets(times, rate=rate) for cl in self.closures]

    def _scaled_d2(self, nu: float):
        for out, c in zip(self._d2_scaled, self.d2):
            np.multiply(c, nu, out=out)
        return self._d2_scaled

    # -- stability --------------------------------------------------------------------------------------
    def diffusive_radius(self, t: float) -> float:
        nu = self.coefs.at(t)[0]
        return nu * self.diff.spectral_radius * sum(1.0 / h ** 2 for h in self.grid.spacing)

    # -- the linear part as data (solvers.integrators.split_linear builds its solves from it) ---------------
    def diffusion_matrix(self, axis: int | None = None) -> sp.csr_matrix:
        """``L`` at ``nu = 1`` with the boundary closure folded in (one component): on the flattened unknowns, or
        the ``n x n`` operator of one ``axis``."""
        return self.closures[0].matrix() if axis is None else self.closures[0].axis_matrix(axis)

    def boundary_term(self, t, off):
        """``b(t)`` of ``L w + b(t)`` (a work array, overwritten by the next call); ``off``: the ghost offsets of
        ``boundary_table`` at ``t``, or ``None`` for the time-independent ones."""
        raise NotImplementedError


class FluxBurgers1D(_StencilBurgers):
    """1D conservative finite differences: numerical flux (advection scheme) + centred diffusion."""

    def __init__(self, grid, bcs, adv, diff, coefficients, boundary_values=None, boundary_rates=None):
        if adv.kernel_id is None:
            raise ValueError(f"advection scheme {adv.name!r} has no 1D flux kernel")
        super().__init__(grid, bcs, adv, diff, coefficients, boundary_values, boundary_rates=boundary_rates)
        n, g = grid.points[0], self.g
        self.n, self.h, self.x0 = n, grid.spacing[0], grid.lower[0]
        self.ue = np.zeros(n + 2 * g)
        self._zero = np.zeros(n + 2 * g)
        self._b = np.zeros(n)
        self.flux_kernel = FluxKernelArgs(n, self.h, self.x0, g, self.periodic[0], self.weights[0],
                                          self._consts[0][0], adv.kernel_id, adv.ghost_layers, self.d2[0], self.ue,
                                          adv)

    def _fill(self, w, off):
        g, n = self.g, self.n
        self.ue[g:g + n] = w
        fill_ghosts_1d(self.ue, g, self.periodic[0], self.weights[0], (off if off is not None else self._consts)[0][0])

    def full_rhs(self, w, t, off, out):
        nu, c2, c1 = self.coefs.at(t)
        k = self.flux_kernel
        self._fill(w, off)
        burgers_rhs_1d(self.ue, self.g, self.n, self.h, self.x0, k.flux_id, k.reach, c2, c1, self._scaled_d2(nu)[0], out)

    def nonlinear(self, w, t, off, out):
        _, c2, c1 = self.coefs.at(t)
        k = self.flux_kernel
        self._fill(w, off)
        flux_divergence_1d(self.ue, self.g, self.n, self.h, self.x0, k.flux_id, k.reach, c2, c1, out, False)

    def linear(self, w, t, off, out):
        nu = self.coefs.at(t)[0]
        self._fill(w, off)
        apply_stencil_1d(self.ue, self.g, self._scaled_d2(nu)[0], out)

    def boundary_term(self, t, off):
        nu = self.coefs.at(t)[0]
        self._zero[:] = 0.0
        fill_ghosts_1d(self._zero, self.g, self.periodic[0], self.weights[0], (off if off is not None else self._consts)[0][0])
        apply_stencil_1d(self._zero, self.g, self._scaled_d2(nu)[0], self._b)
        return self._b


class VectorBurgers2D(_StencilBurgers):
    """2D vector Burgers by finite differences; state shape ``(2, nx, ny)``."""

    def __init__(self, grid, bcs, adv, diff, coefficients, form: str, boundary_values=None, boundary_rates=None):
        if not coefficients.constant or coefficients.schedule is not None:
            raise ValueError("the 2D system is integrated in VE time")
        super().__init__(grid, bcs, adv, diff, coefficients, boundary_values, components=2,
                         boundary_rates=boundary_rates)
        g = self.g
        nx, ny = grid.points
        self.form = form
        self.ue = np.zeros((2, nx + 2 * g, ny + 2 * g))
        self._zero = np.zeros((nx + 2 * g, ny + 2 * g))
        self.q = np.zeros((nx + 2 * g, ny + 2 * g))
        self._b = np.zeros((2, nx, ny))
        self._lap = np.zeros((nx, ny))
        # what the form's kernel needs, from the entry: the gradient's order or the one-sided derivatives' id
        self.gradient_order, self.scheme_id = adv.gradient_order_2d, adv.upwind_kernel_2d
        if (form == "gradient" and self.gradient_order is None) or (form != "gradient" and self.scheme_id is None):
            raise ValueError(f"advection scheme {adv.name!r} has no 2D {form!r} form")

    def _fill(self, w, off):
        g = self.g
        nx, ny = self.grid.points
        for c in range(2):
            o = off[c] if off is not None else self._consts[c]
            self.ue[c, g:g + nx, g:g + ny] = w[c]
            fill_ghosts_2d(self.ue[c], g, self.periodic[0], self.periodic[1], self.weights[0], o[0], self.weights[1], o[1])

    def _advect(self, out, c2, accumulate):
        hx, hy = self.grid.spacing
        if self.form == "gradient":
            gradient_advection_2d(self.ue, self.g, hx, hy, c2, self.q, out, accumulate, self.gradient_order)
        else:
            upwind_advection_2d(self.ue, self.g, hx, hy, c2, self.scheme_id, out, accumulate)

    def _diffuse(self, out, nu, accumulate):
        dx, dy = self._scaled_d2(nu)
        for c in range(2):
            if accumulate:
                apply_stencil_2d(self.ue[c], self.g, dx, dy, self._lap)
                out[c] += self._lap
            else:
                apply_stencil_2d(self.ue[c], self.g, dx, dy, out[c])

    def full_rhs(self, w, t, off, out):
        nu, c2, _ = self.coefs.at(t)
        self._fill(w, off)
        self._diffuse(out, nu, False)
        self._advect(out, c2, True)

    def nonlinear(self, w, t, off, out):
        _, c2, _ = self.coefs.at(t)
        self._fill(w, off)
        self._advect(out, c2, False)

    def linear(self, w, t, off, out):
        nu = self.coefs.at(t)[0]
        self._fill(w, off)
        self._diffuse(out, nu, False)

    def boundary_term(self, t, off):
        nu = self.coefs.at(t)[0]
        dx, dy = self._scaled_d2(nu)
        for c in range(2):
            o = off[c] if off is not None else self._consts[c]
            self._zero[:] = 0.0
            fill_ghosts_2d(self._zero, self.g, self.periodic[0], self.periodic[1], self.weights[0], o[0],
                           self.weights[1], o[1])
            apply_stencil_2d(self._zero, self.g, dx, dy, self._b[c])
        return self._b


class SpectralBurgers:
    """Fourier pseudo-spectral Burgers on a periodic grid (1D scalar, 2D gradient-form vector).

    State: ``rfftn`` coefficients (2D: shape ``(2,) + rfft shape``). ``L`` is the diagonal ``-nu |k|^2``;
    ``N = -i k_c M FFT(c2 |w_M|^2)`` with ``w_M`` the field with the top third of the modes removed and ``M``
    the same 2/3-rule mask on the product (Orszag 1971), so the quadratic term is alias-free.
    """

    time_dependent = False

    def __init__(self, grid: UniformGrid, coefficients: Coefficients):
        if coefficients.schedule is not None:
            raise ValueError("the spectral scheme needs periodic data; VP's linear drift x is not periodic")
        self.grid, self.coefs, self.dim = grid, coefficients, grid.dim
        ks = [2 * np.pi * np.fft.fftfreq(n, d=h) for n, h in zip(grid.points, grid.spacing)]
        ks[-1] = 2 * np.pi * np.fft.rfftfreq(grid.points[-1], d=grid.spacing[-1])
        self.K = np.meshgrid(*ks, indexing="ij")
        modes = [np.abs(np.fft.fftfreq(n, d=1.0 / n)) for n in grid.points]
        modes[-1] = np.fft.rfftfreq(grid.points[-1], d=1.0 / grid.points[-1])
        M = np.meshgrid(*modes, indexing="ij")
        self.mask = np.ones(self.K[0].shape)
        for m, n in zip(M, grid.points):
            self.mask *= (m < n / 3.0)
        nu = coefficients.at(0.0)[0]
        self.symbol = -nu * sum(k ** 2 for k in self.K)
        self.shape = grid.points
        self.axes = tuple(range(-self.dim, 0))
        self.components = 1 if self.dim == 1 else 2
        self.periodic = [True] * self.dim
        self.ik = [1j * k * self.mask for k in self.K]       # i k times the 2/3-rule mask, per axis

    def to_state(self, u):
        return np.fft.rfftn(u, axes=self.axes)

    def to_physical(self, w):
        return np.fft.irfftn(w, s=self.shape, axes=self.axes)

    def boundary_table(self, times):
        return None

    def diffusive_radius(self, t):
        return float(-self.symbol.min())

    def nonlinear(self, w, t, off, out):
        _, c2, _ = self.coefs.at(t)
        phys = np.fft.irfftn(w * self.mask, s=self.shape, axes=self.axes)
        q = c2 * (phys * phys if self.dim == 1 else phys[0] ** 2 + phys[1] ** 2)
        q_hat = np.fft.rfftn(q)
        if self.dim == 1:
            np.multiply(self.ik[0], q_hat, out=out)
            out *= -1.0
        else:
            for c in range(2):
                np.multiply(self.ik[c], q_hat, out=out[c])
                out[c] *= -1.0

    def linear(self, w, t, off, out):
        np.multiply(self.symbol, w, out=out)

    def full_rhs(self, w, t, off, out):
        self.nonlinear(w, t, off, out)
        out += self.symbol * w

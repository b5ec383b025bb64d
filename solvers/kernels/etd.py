"""Coefficients of the Cox-Matthews ETDRK4 scheme by the Kassam-Trefethen contour integral.

For ``w' = L w + N(w, t)`` and a step ``h``, ETDRK4 (Cox & Matthews, J. Comput. Phys. 176, 2002, eqs. 26-29)
needs, with ``z = h L``::

    E  = e^z,   E2 = e^{z/2},   Q  = h (e^{z/2} - 1)/z,
    f1 = h (-4 - z + e^z (4 - 3z + z^2)) / z^3,
    f2 = h ( 2 + z + e^z (-2 + z)) / z^3,
    f3 = h (-4 - 3z - z^2 + e^z (4 - z)) / z^3.

Evaluated directly these suffer cancellation for small ``|z|``; Kassam & Trefethen (SIAM J. Sci. Comput. 26,
2005, §3) average each function over ``M`` points of a circle of radius 1 centred at ``z`` (Cauchy's formula,
trapezoidal rule, geometric convergence), which is accurate to round-off for every ``z``. For a real ``L`` the
result is the real part. Operators that are not diagonal are diagonalised per axis
(:class:`AxisDiagonalisation`): ``L = sum_d I x .. x L_d x .. x I`` with ``L_d = V_d Lambda_d V_d^{-1}``,
so ``f(hL)`` acts as ``V (f(h (lambda_i + mu_j)) .* (V^{-1} w))`` with one matrix product per axis.
:class:`ETDPlan` binds the coefficient tables of one step ``h`` to that basis change (numpy only: no numba here).
"""
from __future__ import annotations

import numpy as np

CONTOUR_POINTS = 64
ETD_NAMES = ("E", "E2", "Q", "f1", "f2", "f3")


def etdrk4_coefficients(z: np.ndarray, h: float, points: int = CONTOUR_POINTS, chunk: int = 65536) -> dict:
    """``{E, E2, Q, f1, f2, f3}`` at ``z = h * lambda`` (any shape; real input -> real output)."""
    z = np.asarray(z)
    real = not np.iscomplexobj(z)
    flat = z.ravel().astype(complex)
    r = np.exp(1j * np.pi * (np.arange(1, points + 1) - 0.5) / points)
    out = {k: np.empty(flat.shape, dtype=complex) for k in ETD_NAMES}
    for s in range(0, flat.size, chunk):
        zc = flat[s:s + chunk]
        lr = zc[:, None] + r[None, :]
        e, e2 = np.exp(lr), np.exp(lr / 2)
        lr3 = lr ** 3
        out["Q"][s:s + chunk] = h * np.mean((e2 - 1) / lr, axis=1)
        out["f1"][s:s + chunk] = h * np.mean((-4 - lr + e * (4 - 3 * lr + lr ** 2)) / lr3, axis=1)
        out["f2"][s:s + chunk] = h * np.mean((2 + lr + e * (lr - 2)) / lr3, axis=1)
        out["f3"][s:s + chunk] = h * np.mean((-4 - 3 * lr - lr ** 2 + e * (4 - lr)) / lr3, axis=1)
    out["E"], out["E2"] = np.exp(flat), np.exp(flat / 2)
    return {k: (v.real if real else v).reshape(z.shape) for k, v in out.items()}


class AxisDiagonalisation:
    """A separable linear operator ``L = sum_d L_d`` (one dense ``n_d x n_d`` matrix per axis, the boundary
    closure folded in), diagonalised once: ``apply(f, w)`` computes ``f(L) w`` for a function ``f`` tabulated on
    the eigenvalue sums. Dense: for axes of at most a few thousand points."""

    MAX_POINTS = 6000

    def __init__(self, axis_matrices: list[np.ndarray]):
        self.V, self.Vinv, lams = [], [], []
        for A in axis_matrices:
            A = np.asarray(A, dtype=float)
            if A.shape[0] > self.MAX_POINTS:
                raise ValueError(f"dense diagonalisation limited to {self.MAX_POINTS} points per axis")
            if np.allclose(A, A.T, atol=1e-14 * np.abs(A).max()):
                lam, V = np.linalg.eigh(A)
                Vinv = V.T
            else:
                lam, V = np.linalg.eig(A)
                if np.abs(lam.imag).max() > 1e-9 * np.abs(lam).max() or np.linalg.cond(V) > 1e8:
                    raise ValueError("the finite-difference operator is not safely diagonalisable")
                lam, V = lam.real, V.real
                Vinv = np.linalg.inv(V)
            self.V.append(np.ascontiguousarray(V)); self.Vinv.append(np.ascontiguousarray(Vinv)); lams.append(lam)
        grids = np.meshgrid(*lams, indexing="ij")
        self.eigenvalues = sum(grids)

        self._VinvT = [np.ascontiguousarray(M.T) for M in self.Vinv]
        self._VT = [np.ascontiguousarray(M.T) for M in self.V]
        self._work = np.empty(self.eigenvalues.shape)

    def to_eigen(self, w: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out = V^{-1} w`` (per axis), without allocating."""
        if len(self.V) == 1:
            return np.matmul(self.Vinv[0], w, out=out)
        np.matmul(self.Vinv[0], w, out=self._work)
        return np.matmul(self._work, self._VinvT[1], out=out)

    def from_eigen(self, c: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out = V c`` (per axis), without allocating."""
        if len(self.V) == 1:
            return np.matmul(self.V[0], c, out=out)
        np.matmul(self.V[0], c, out=self._work)
        return np.matmul(self._work, self._VT[1], out=out)


class ETDPlan:
    """ETDRK4 coefficients of ``h L`` in the basis where ``L`` is diagonal; ``fwd(w, out)`` / ``inv(c, out)``
    change basis into a preallocated ``out`` (component by component for vector states); ``None``: the state
    is already in that basis (Fourier)."""

    def __init__(self, coefficients: dict, diagonalisation=None, components: int = 1):
        self.c, self.diag, self.components = coefficients, diagonalisation, components

    def _apply(self, fn, src, out):
        if self.diag is None:
            np.copyto(out, src)
        elif self.components == 1:
            fn(src, out)
        else:
            for c in range(self.components):
                fn(src[c], out[c])
        return out

    def fwd(self, w, out):
        return self._apply(self.diag.to_eigen if self.diag is not None else None, w, out)

    def inv(self, c, out):
        return self._apply(self.diag.from_eigen if self.diag is not None else None, c, out)

"""Many tridiagonal systems at once: ``K`` matrices factored together, each solved for many right-hand sides.

The Newton step of the MFG space-time system (:mod:`solvers.integrators.mfg_newton`) factors every time level's
HJB and FP block (``K = N`` tridiagonal ``S x S`` matrices in 1D) and solves each with up to ``N d + 1`` columns.
Layout: row ``k`` of the ``(K, S)`` arrays is matrix ``k`` (``lower[k, i] = M[i, i-1]``, ``diag[k, i] = M[i, i]``,
``upper[k, i] = M[i, i+1]``); the right-hand sides of one matrix are the columns of a C-ordered ``(S, k)`` array,
so the inner loops run along a row of ``B`` and many columns cost one pass.

Method: LU without pivoting (Doolittle: unit lower factor with multipliers ``l_i = a_i / p_{i-1}``, pivots
``p_i = b_i - l_i c_{i-1}``; Golub & Van Loan, Matrix Computations, Alg. 4.3.6), stable without pivoting for the
row or column diagonally dominant M-matrices it is used on.

Why not :mod:`solvers.kernels.tridiagonal`: its Thomas factor computes ``b_i - a_i (c_{i-1} / p_{i-1})`` and scales
the forward sweep by the pivots, this one ``b_i - (a_i / p_{i-1}) c_{i-1}`` with the scaling in the back sweep:
the same solution to round-off, but not bit for bit, and the Newton results are kept bit for bit. That one solves
one right-hand side of one (possibly cyclic) matrix; this one many columns of many matrices.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def tridiagonal_factor_batch(lower, diag, upper):
    """LU without pivoting of ``K`` tridiagonal matrices (rows of ``(K, S)`` arrays): the multipliers and the
    reciprocal pivots, each ``(K, S)``."""
    K, S = diag.shape
    mult = np.zeros((K, S))
    inv_pivot = np.empty((K, S))
    for k in range(K):
        pivot = diag[k, 0]
        inv_pivot[k, 0] = 1.0 / pivot
        for i in range(1, S):
            mult[k, i] = lower[k, i] * inv_pivot[k, i - 1]
            pivot = diag[k, i] - mult[k, i] * upper[k, i - 1]
            inv_pivot[k, i] = 1.0 / pivot
    return mult, inv_pivot


@njit(cache=True)
def tridiagonal_solve_columns(mult, inv_pivot, upper, B):
    """Solve in place with one matrix's factor of :func:`tridiagonal_factor_batch` (``mult[k]``,
    ``inv_pivot[k]``, ``upper[k]``) for every column of ``B`` (``(S, k)``, C order); returns ``B``."""
    S, k = B.shape
    for i in range(1, S):
        for j in range(k):
            B[i, j] -= mult[i] * B[i - 1, j]
    for j in range(k):
        B[S - 1, j] *= inv_pivot[S - 1]
    for i in range(S - 2, -1, -1):
        for j in range(k):
            B[i, j] = (B[i, j] - upper[i] * B[i + 1, j]) * inv_pivot[i]
    return B

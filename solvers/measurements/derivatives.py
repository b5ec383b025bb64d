"""Derivatives of saved fields "with the scheme's own difference operator".

The score of a computed density is ``u = grad log p``: ``log p`` is differenced with the first-derivative
stencil of the run's space scheme (``central2``: order 2, ``central4``: order 4) or spectrally (Fourier) on
periodic axes. On non-periodic axes the stencil needs values beyond the last cell; they are extrapolated by a
quartic through the five outermost cells (error O(h^5), below either stencil's truncation error), so the
edge values keep the scheme's order for smooth ``log p``.
"""
from __future__ import annotations

import numpy as np

from ..equations.space import SPACE_SCHEMES

# Lagrange extrapolation of cells 0..4 (at s = 0..4) to s = -1 and s = -2
_EXTRAPOLATE = np.array([[5.0, -10.0, 10.0, -5.0, 1.0], [15.0, -40.0, 45.0, -24.0, 5.0]])


def derivative(f: np.ndarray, axis: int, spacing: float, scheme: str, periodic: bool) -> np.ndarray:
    """``d f / d x_axis`` along ``axis`` of an array of samples at cell centres (any leading axes); ``scheme``
    names a registered heat space scheme (:data:`~solvers.equations.space.SPACE_SCHEMES`), whose entry carries
    the first-derivative weights."""
    f = np.moveaxis(np.asarray(f, dtype=float), axis, -1)
    n = f.shape[-1]
    entry = SPACE_SCHEMES.get(scheme, "derivative scheme")
    if entry.kind == "spectral":
        if not periodic:
            raise ValueError("the spectral derivative needs a periodic axis")
        k = 2 * np.pi * np.fft.rfftfreq(n, d=spacing)
        d_hat = np.fft.rfft(f, axis=-1) * (1j * k)
        if n % 2 == 0:
            d_hat[..., -1] = 0.0           # the Nyquist mode has no odd derivative
        out = np.fft.irfft(d_hat, n=n, axis=-1)
        return np.moveaxis(out, -1, axis)
    coef = entry.first_derivative / spacing
    g = coef.size // 2
    if periodic:
        ext = np.concatenate([f[..., -g:], f, f[..., :g]], axis=-1)
    else:
        lo = np.stack([f[..., :5] @ _EXTRAPOLATE[j] for j in range(g)][::-1], axis=-1)
        hi = np.stack([f[..., ::-1][..., :5] @ _EXTRAPOLATE[j] for j in range(g)], axis=-1)
        ext = np.concatenate([lo, f, hi], axis=-1)
    out = sum(c * ext[..., k:k + n] for k, c in enumerate(coef) if c != 0.0)
    return np.moveaxis(out, -1, axis)


def gradient(f: np.ndarray, spacing, scheme: str, periodic, leading: int = 0) -> np.ndarray:
    """Gradient of fields with ``leading`` leading (e.g. time) axes: 1D -> same shape, 2D -> trailing axis 2."""
    dim = f.ndim - leading
    if dim == 1:
        return derivative(f, leading, spacing[0], scheme, periodic[0])
    return np.stack([derivative(f, leading + a, spacing[a], scheme, periodic[a]) for a in range(dim)], axis=-1)


def score_from_density(p: np.ndarray, spacing, scheme: str, periodic, leading: int = 0) -> np.ndarray:
    """``grad log p``; non-positive densities give NaN there (reported, not hidden)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), np.nan)
    return gradient(logp, spacing, scheme, periodic, leading)

"""Shared figure helpers of :mod:`postprocess.plots`: saving, axes from the grid, log-axis data, titles.

Importing this module selects matplotlib's Agg backend (every figure module imports it first).
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402

from postprocess.model import Result  # noqa: E402

DPI = 110


def save_figure(fig: plt.Figure, outdir: str | Path, name: str) -> Path:
    """Save ``fig`` as ``outdir/name`` and close it."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / name
    try:
        with np.errstate(under="ignore"):      # log-axis locators and tiny image values underflow harmlessly
            fig.savefig(path, dpi=DPI)
    finally:
        plt.close(fig)
    return path


def coordinate_or_index(coord: np.ndarray | None, n: int) -> tuple[np.ndarray, bool]:
    """The grid coordinate if it matches ``n`` points, else the index (flag False)."""
    if coord is not None and coord.ndim == 1 and len(coord) == n:
        return coord, True
    return np.arange(n, dtype=float), False


def positive_only(values: np.ndarray) -> np.ndarray:
    """``values`` with non-positive and non-finite entries replaced by NaN (for log axes)."""
    v = np.asarray(values, dtype=float).copy()
    bad = ~np.isfinite(v)
    v[bad] = np.nan
    v[~bad & (v <= 0)] = np.nan
    return v


def has_positive(values: np.ndarray) -> bool:
    return bool(np.isfinite(positive_only(values)).any())


def positive_pairs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The points of ``(x, y)`` (over their common length) where both are positive and finite, for a log-log
    curve; ``None`` when there is none."""
    n = min(len(x), len(y))
    x, y = positive_only(x[:n]), positive_only(y[:n])
    ok = np.isfinite(x) & np.isfinite(y)
    return (x[ok], y[ok]) if ok.any() else None


def time_label(t: np.ndarray | None, i: int) -> str:
    return f"t = {t[i]:.4g}" if t is not None and i < len(t) else f"save {i}"


def figure_title(result: Result, what: str) -> str:
    return f"{result.case_name}: {what}"


def stored_shape(result: Result, name: str, ndim: int) -> tuple[int, ...] | None:
    """Shape of field ``name`` if stored with ``ndim`` axes (time first) and at least one save, else None."""
    shape = result.field_shape(name)
    return tuple(shape) if shape is not None and len(shape) == ndim and shape[0] > 0 else None


def fields_1d(result: Result, name: str) -> np.ndarray | None:
    """All saves of a 1D field ``(n_save, nx)``, or None."""
    return result.get_field(name) if stored_shape(result, name, 2) else None


def grid_coords(result: Result) -> tuple[np.ndarray | None, np.ndarray | None]:
    if result.grid is None:
        return None, None
    return result.grid.x, result.grid.y


def draw_image(fig: plt.Figure, ax: plt.Axes, result: Result, values: np.ndarray, title: str,
               norm: Normalize | None = None, cmap: str = "viridis") -> None:
    """``values[ix, iy]`` as a pseudo-colour image on the grid (x horizontal, y vertical)."""
    gx, gy = grid_coords(result)
    x, _ = coordinate_or_index(gx, values.shape[0])
    y, _ = coordinate_or_index(gy, values.shape[1])
    mesh = ax.pcolormesh(x, y, values.T, shading="nearest", norm=norm, cmap=cmap)
    fig.colorbar(mesh, ax=ax)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    ax.set_title(title, fontsize="medium")

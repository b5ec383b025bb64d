"""Pointwise error figure: ``<label>_errors.png``, the computed field against its stored closed form at the
last save (1D curves, 2D image; log scale)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.colors import LogNorm

from postprocess.model import Result
from postprocess.plots._style import (coordinate_or_index, draw_image, fields_1d, figure_title, has_positive, plt,
                                      positive_only, save_figure, stored_shape, time_label)


def plot_errors(result: Result, outdir: str | Path) -> list[Path]:
    """Pointwise error against the stored closed form at the last save (log scale).

    1D: ``|u - u_exact|`` (and ``|p - p_exact|`` when stored) against x. 2D: ``|u - u_exact|`` (vector norm)
    as an image with a logarithmic colour scale.
    """
    outdir = Path(outdir)
    if result.dimension == 2:
        return _errors_2d(result, outdir)
    return _errors_1d(result, outdir)


def _pair_1d(result: Result, name: str) -> np.ndarray | None:
    """``|field - field_exact|`` at the last save, or None when either is missing or shapes differ."""
    data, exact = fields_1d(result, name), fields_1d(result, f"{name}_exact")
    if data is None or exact is None or data.shape != exact.shape or data.shape[0] == 0:
        return None
    return np.abs(data[-1] - exact[-1])


def _errors_1d(result: Result, outdir: Path) -> list[Path]:
    panels = [(n, lab, err) for n, lab in (("score", "|u - u_exact|"), ("density", "|p - p_exact|"))
              if (err := _pair_1d(result, n)) is not None]
    if not panels:
        return []
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.0), squeeze=False)
    for ax, (_, label, err) in zip(axes[0], panels):
        x, on_grid = coordinate_or_index(result.grid.x if result.grid else None, len(err))
        if has_positive(err):
            ax.semilogy(x, positive_only(err), lw=1.2)
        else:
            ax.plot(x, np.nan_to_num(err), lw=1.2)
            ax.text(0.5, 0.5, "error is zero everywhere", transform=ax.transAxes, ha="center")
        ax.set_xlabel("x" if on_grid else "grid index")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
    return _save_errors(fig, result, outdir, "pointwise error")


def _errors_2d(result: Result, outdir: Path) -> list[Path]:
    names = ("score_x", "score_y", "score_exact_x", "score_exact_y")
    shapes = [stored_shape(result, n, 3) for n in names]
    if any(s is None for s in shapes) or len(set(shapes)) != 1:
        return []
    sx, sy, ex, ey = (result.snapshot(n, -1) for n in names)
    err = np.hypot(sx - ex, sy - ey)
    fig, ax = plt.subplots(figsize=(5.5, 4.6))
    positive = positive_only(err)
    if has_positive(err):
        lo, hi = np.nanmin(positive), np.nanmax(positive)
        norm = LogNorm(vmin=lo, vmax=hi if hi > lo else lo * 10)
        draw_image(fig, ax, result, np.ma.masked_invalid(positive), r"$|u - u_{exact}|$", norm=norm)
    else:
        draw_image(fig, ax, result, np.nan_to_num(err), r"$|u - u_{exact}|$ (zero everywhere)")
    return _save_errors(fig, result, outdir, "pointwise score error")


def _save_errors(fig: plt.Figure, result: Result, outdir: Path, what: str) -> list[Path]:
    """Title ``<what> at <time of the last save>``; saved as ``<label>_errors.png``."""
    i_last = len(result.t) - 1 if result.t is not None and len(result.t) else None
    when = time_label(result.t, i_last) if i_last is not None else "last save"
    fig.suptitle(figure_title(result, f"{what} at {when}"))
    fig.tight_layout()
    return [save_figure(fig, outdir, f"{result.label}_errors.png")]

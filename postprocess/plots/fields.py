"""Field figures: snapshots of density and score, and the 2D score's streamlines with its curl.

``<label>_snapshots.png``: 1D, about five saved times (closed form dashed); 2D, density image and score arrows at
the first and the last save. ``<label>_curl.png``: 2D score at the last save as streamlines over the density,
and its curl (computed here by :func:`score_curl`) as an image.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.colors import Normalize

from postprocess.model import Result
from postprocess.plots._style import (coordinate_or_index, draw_image, fields_1d, figure_title, grid_coords, plt,
                                      save_figure, stored_shape, time_label)

N_SNAPSHOTS = 5
N_ARROWS = 20
#: The curl figure blanks cells where the density is below this fraction of its maximum.
CURL_DENSITY_FLOOR = 1e-8


def snapshot_indices(n_save: int, n: int = N_SNAPSHOTS) -> list[int]:
    """About ``n`` evenly spread indices into ``n_save`` saves, always including the first and the last."""
    if n_save <= 0:
        return []
    return sorted(set(np.linspace(0, n_save - 1, min(n, n_save)).round().astype(int).tolist()))


# --------------------------------------------------------------------------------------------------------------
# snapshots
# --------------------------------------------------------------------------------------------------------------
def plot_snapshots(result: Result, outdir: str | Path) -> list[Path]:
    """Density and score at a few saved times (1D) or at the first and last save (2D).

    1D: about five saved times, computed solid (one colour per time), the stored closed form black dashed.
    2D: density image and score quiver (over ``|u|``) at the first and the last save.
    """
    outdir = Path(outdir)
    if result.dimension == 2:
        return _snapshots_2d(result, outdir)
    return _snapshots_1d(result, outdir)


def _snapshots_1d(result: Result, outdir: Path) -> list[Path]:
    panels = [(name, label) for name, label in (("density", "density $p$"), ("score", r"score $u$"))
              if stored_shape(result, name, 2)]
    if not panels:
        return []
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.0), squeeze=False)
    for ax, (name, label) in zip(axes[0], panels):
        _snapshot_panel_1d(ax, result, name, label)
    fig.suptitle(figure_title(result, "snapshots (solid: computed, black dashed: closed form)"))
    fig.tight_layout()
    return [save_figure(fig, outdir, f"{result.label}_snapshots.png")]


def _snapshot_panel_1d(ax: plt.Axes, result: Result, name: str, label: str) -> None:
    data = fields_1d(result, name)
    exact = fields_1d(result, f"{name}_exact")
    if exact is not None and exact.shape != data.shape:
        exact = None
    x, on_grid = coordinate_or_index(result.grid.x if result.grid else None, data.shape[1])
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, i in enumerate(snapshot_indices(data.shape[0])):
        color = colors[k % len(colors)]
        ax.plot(x, data[i], color=color, lw=1.4, label=time_label(result.t, i))
        if exact is not None:
            ax.plot(x, exact[i], color="k", lw=0.8, ls="--")
    ax.set_xlabel("x" if on_grid else "grid index")
    ax.set_ylabel(label)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)


def _snapshots_2d(result: Result, outdir: Path) -> list[Path]:
    density = stored_shape(result, "density", 3)
    score = stored_shape(result, "score_x", 3)
    has_score = score is not None and score == stored_shape(result, "score_y", 3)
    if density is None and not has_score:
        return []
    n_save = (density or score)[0]
    saves = sorted({0, n_save - 1})
    ncols = int(density is not None) + int(has_score)
    fig, axes = plt.subplots(len(saves), ncols, figsize=(5.0 * ncols, 4.2 * len(saves)), squeeze=False)
    for row, i in enumerate(saves):
        col = 0
        if density is not None:
            draw_image(fig, axes[row, col], result, result.snapshot("density", i),
                       f"density, {time_label(result.t, i)}")
            col += 1
        if has_score:
            _quiver(fig, axes[row, col], result, result.snapshot("score_x", i), result.snapshot("score_y", i),
                    f"score, {time_label(result.t, i)}")
    fig.suptitle(figure_title(result, "snapshots"))
    fig.tight_layout()
    return [save_figure(fig, outdir, f"{result.label}_snapshots.png")]


def _quiver(fig: plt.Figure, ax: plt.Axes, result: Result, ux: np.ndarray, uy: np.ndarray, title: str) -> None:
    """Score arrows (subsampled) over an image of ``|u|``."""
    draw_image(fig, ax, result, np.hypot(ux, uy), title + r" (colour: $|u|$)", cmap="magma")
    gx, gy = grid_coords(result)
    x, _ = coordinate_or_index(gx, ux.shape[0])
    y, _ = coordinate_or_index(gy, ux.shape[1])
    _arrows(ax, x, y, ux, uy)


def _arrows(ax: plt.Axes, x: np.ndarray, y: np.ndarray, ux: np.ndarray, uy: np.ndarray) -> None:
    """Arrows of ``u[ix, iy]`` (white), subsampled to about :data:`N_ARROWS` per axis."""
    sx, sy = max(1, ux.shape[0] // N_ARROWS), max(1, ux.shape[1] // N_ARROWS)
    xx, yy = np.meshgrid(x[::sx], y[::sy], indexing="ij")
    ax.quiver(xx, yy, ux[::sx, ::sy], uy[::sx, ::sy], color="white", angles="xy")


# --------------------------------------------------------------------------------------------------------------
# score streamlines and curl
# --------------------------------------------------------------------------------------------------------------
def score_curl(ux: np.ndarray, uy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """``curl u = d(u_y)/dx - d(u_x)/dy`` of a field stored as ``u[ix, iy]`` on the coordinates ``x``, ``y``.

    Second-order central differences inside and one-sided second-order ones at the edges
    (:func:`numpy.gradient`, ``edge_order=2``; first order along an axis of only two points). ``None`` when an
    axis has fewer than two points or the shapes do not match.
    """
    ux, uy = np.asarray(ux, dtype=float), np.asarray(uy, dtype=float)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if ux.ndim != 2 or ux.shape != uy.shape or ux.shape != (len(x), len(y)) or min(ux.shape) < 2:
        return None
    return (np.gradient(uy, x, axis=0, edge_order=2 if len(x) > 2 else 1)
            - np.gradient(ux, y, axis=1, edge_order=2 if len(y) > 2 else 1))


def _finite_abs_max(values: np.ndarray) -> float:
    """``max |values|`` over the finite entries (NaN when there is none)."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    return float(v.max()) if v.size else float("nan")


def _uniform(coord: np.ndarray) -> bool:
    """Whether ``coord`` is strictly increasing with equal steps (what :meth:`~matplotlib.axes.Axes.streamplot`
    accepts)."""
    d = np.diff(coord)
    return d.size > 0 and bool(np.all(d > 0)) and bool(np.allclose(d, d[0], rtol=1e-6, atol=0.0))


def plot_score_curl(result: Result, outdir: str | Path) -> list[Path]:
    """2D score at the last save, as streamlines over the density, and its curl as an image.

    The curl is computed here from ``/fields/score_x``, ``/fields/score_y`` on ``/grid/x``, ``/grid/y`` with
    :func:`score_curl`; the panel title gives ``max |curl u| / max |u|``. The background of the streamlines
    is the computed density, else the stored closed-form density, else ``|u|``. Where a density is stored,
    the curl and both maxima are restricted to ``p > CURL_DENSITY_FLOOR * max p`` (far tails, where the score
    of an almost vanishing density is not resolved, are blanked), as the solver's ``curl_linf`` measure does.
    """
    if result.dimension != 2:
        return []
    shape = stored_shape(result, "score_x", 3)
    if shape is None or shape != stored_shape(result, "score_y", 3) or min(shape[1:]) < 2:
        return []
    ux, uy = result.snapshot("score_x", -1), result.snapshot("score_y", -1)
    gx, gy = grid_coords(result)
    x, on_x = coordinate_or_index(gx, shape[1])
    y, on_y = coordinate_or_index(gy, shape[2])
    curl = score_curl(ux, uy, x, y)
    if curl is None:
        return []
    i_last = shape[0] - 1
    when = time_label(result.t, i_last)
    speed = np.hypot(ux, uy)
    density, what = None, ""
    for name, label in (("density", "density"), ("density_exact", "closed-form density")):
        if stored_shape(result, name, 3) == shape:
            density, what = np.asarray(result.snapshot(name, -1), dtype=float), label
            break
    where = ""
    if density is not None:
        pmax = _finite_abs_max(density)
        if np.isfinite(pmax) and pmax > 0:
            support = np.isfinite(density) & (density > CURL_DENSITY_FLOOR * pmax)
            curl = np.where(support, curl, np.nan)
            speed = np.where(support, speed, np.nan)
            where = f", where p > {CURL_DENSITY_FLOOR:g} max p"
    umax, cmax = _finite_abs_max(speed), _finite_abs_max(curl)
    rel = cmax / umax if np.isfinite(cmax) and umax > 0 else float("nan")

    fig, axes = plt.subplots(1, 2, figsize=(11.0, 5.0), squeeze=False)
    ax = axes[0, 0]
    if density is not None:
        draw_image(fig, ax, result, np.ma.masked_invalid(density), f"score streamlines over the {what}")
    else:
        draw_image(fig, ax, result, np.ma.masked_invalid(speed), r"score streamlines over $|u|$", cmap="magma")
    _streamlines(ax, x, y, ux, uy)

    ax = axes[0, 1]
    vmax = cmax if np.isfinite(cmax) and cmax > 0 else 1.0
    draw_image(fig, ax, result, np.ma.masked_invalid(curl),
               r"curl $u = \partial_x u_y - \partial_y u_x$" + where + "\n"
               + rf"$\max|\mathrm{{curl}}\,u| / \max|u|$ = {rel:.3g}" + f" ({cmax:.3g} / {umax:.3g})",
               norm=Normalize(vmin=-vmax, vmax=vmax), cmap="RdBu_r")
    fig.suptitle(figure_title(result, f"score and its curl at {when}"
                                      + ("" if on_x and on_y else " (grid index axes)")))
    fig.tight_layout()
    return [save_figure(fig, outdir, f"{result.label}_curl.png")]


def _streamlines(ax: plt.Axes, x: np.ndarray, y: np.ndarray, ux: np.ndarray, uy: np.ndarray) -> None:
    """Streamlines of ``u[ix, iy]`` (white); subsampled arrows when the grid is not uniform."""
    ux, uy = np.nan_to_num(ux), np.nan_to_num(uy)
    if _uniform(x) and _uniform(y) and (np.any(ux) or np.any(uy)):
        ax.streamplot(x, y, ux.T, uy.T, color="white", density=1.0, linewidth=0.7, arrowsize=0.8)
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(y[0], y[-1])
        return
    _arrows(ax, x, y, ux, uy)

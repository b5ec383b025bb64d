"""Figures from result files (matplotlib, Agg backend).

Each ``plot_*`` function takes a :class:`~postprocess.io.Result` (or several) and an output directory, writes
PNG files named after ``result.label`` and returns the list of written paths. When the data a figure needs is
not in the file, the function writes nothing and returns ``[]``. Computed curves are solid, closed forms dashed.

Files written (``<label>`` is the result file's stem): ``<label>_snapshots.png``, ``_interface.png`` (width,
position, D against t), ``_modes.png`` (mode count, ``/series/modes``), ``_curl_linf.png`` (``/series/curl_linf``),
``_curl.png`` (2D score streamlines and its curl at the last save), ``_errors.png``, ``_eoc.png`` (convergence
files), ``_mfg_history.png``, ``_error_vs_runtime.png`` (work-precision files), and ``work_precision.png``
(wall time of all convergence files).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm, Normalize  # noqa: E402
from matplotlib.ticker import MaxNLocator, NullLocator  # noqa: E402

from postprocess.io import Result, WorkPrecisionMethod, is_convergence  # noqa: E402

__all__ = [
    "PER_RESULT_PLOTS",
    "plot_all",
    "plot_convergence",
    "plot_curl_series",
    "plot_errors",
    "plot_interface_series",
    "plot_mfg_history",
    "plot_modes",
    "plot_score_curl",
    "plot_snapshots",
    "plot_work_precision",
    "plot_work_precision_study",
    "score_curl",
    "snapshot_indices",
]

DPI = 110
N_SNAPSHOTS = 5
N_ARROWS = 20
#: At most this many error measures get a panel in a work-precision figure (the tables list all).
WP_MAX_PANELS = 3
#: The curl figure blanks cells where the density is below this fraction of its maximum.
CURL_DENSITY_FLOOR = 1e-8
_SERIES_PANELS = (
    ("interface_width", r"interface width $\ell$"),
    ("interface_position", r"interface position $x_0$"),
    ("speciation_indicator", r"$D = \partial_n u$ at the interface"),
)


# --------------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------------
def _save(fig: plt.Figure, outdir: str | Path, name: str) -> Path:
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


def snapshot_indices(n_save: int, n: int = N_SNAPSHOTS) -> list[int]:
    """About ``n`` evenly spread indices into ``n_save`` saves, always including the first and the last."""
    if n_save <= 0:
        return []
    return sorted(set(np.linspace(0, n_save - 1, min(n, n_save)).round().astype(int).tolist()))


def _axis(coord: np.ndarray | None, n: int) -> tuple[np.ndarray, bool]:
    """The grid coordinate if it matches ``n`` points, else the index (flag False)."""
    if coord is not None and coord.ndim == 1 and len(coord) == n:
        return coord, True
    return np.arange(n, dtype=float), False


def _positive(values: np.ndarray) -> np.ndarray:
    """``values`` with non-positive and non-finite entries replaced by NaN (for log axes)."""
    v = np.asarray(values, dtype=float).copy()
    bad = ~np.isfinite(v)
    v[bad] = np.nan
    v[~bad & (v <= 0)] = np.nan
    return v


def _has_positive(values: np.ndarray) -> bool:
    return bool(np.isfinite(_positive(values)).any())


def _time_label(t: np.ndarray | None, i: int) -> str:
    return f"t = {t[i]:.4g}" if t is not None and i < len(t) else f"save {i}"


def _title(result: Result, what: str) -> str:
    return f"{result.case_name}: {what}"


def _shape(result: Result, name: str, ndim: int) -> tuple[int, ...] | None:
    """Shape of field ``name`` if stored with ``ndim`` axes (time first) and at least one save, else None."""
    shape = result.field_shape(name)
    return tuple(shape) if shape is not None and len(shape) == ndim and shape[0] > 0 else None


def _fields_1d(result: Result, name: str) -> np.ndarray | None:
    """All saves of a 1D field ``(n_save, nx)``, or None."""
    return result.get_field(name) if _shape(result, name, 2) else None


def _grid_coords(result: Result) -> tuple[np.ndarray | None, np.ndarray | None]:
    if result.grid is None:
        return None, None
    return result.grid.x, result.grid.y


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
              if _shape(result, name, 2)]
    if not panels:
        return []
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.0), squeeze=False)
    for ax, (name, label) in zip(axes[0], panels):
        _snapshot_panel_1d(ax, result, name, label)
    fig.suptitle(_title(result, "snapshots (solid: computed, black dashed: closed form)"))
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_snapshots.png")]


def _snapshot_panel_1d(ax: plt.Axes, result: Result, name: str, label: str) -> None:
    data = _fields_1d(result, name)
    exact = _fields_1d(result, f"{name}_exact")
    if exact is not None and exact.shape != data.shape:
        exact = None
    x, on_grid = _axis(result.grid.x if result.grid else None, data.shape[1])
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, i in enumerate(snapshot_indices(data.shape[0])):
        color = colors[k % len(colors)]
        ax.plot(x, data[i], color=color, lw=1.4, label=_time_label(result.t, i))
        if exact is not None:
            ax.plot(x, exact[i], color="k", lw=0.8, ls="--")
    ax.set_xlabel("x" if on_grid else "grid index")
    ax.set_ylabel(label)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)


def _snapshots_2d(result: Result, outdir: Path) -> list[Path]:
    density = _shape(result, "density", 3)
    score = _shape(result, "score_x", 3)
    has_score = score is not None and score == _shape(result, "score_y", 3)
    if density is None and not has_score:
        return []
    n_save = (density or score)[0]
    saves = sorted({0, n_save - 1})
    ncols = int(density is not None) + int(has_score)
    fig, axes = plt.subplots(len(saves), ncols, figsize=(5.0 * ncols, 4.2 * len(saves)), squeeze=False)
    for row, i in enumerate(saves):
        col = 0
        if density is not None:
            _image(fig, axes[row, col], result, result.snapshot("density", i),
                   f"density, {_time_label(result.t, i)}")
            col += 1
        if has_score:
            _quiver(fig, axes[row, col], result, result.snapshot("score_x", i), result.snapshot("score_y", i),
                    f"score, {_time_label(result.t, i)}")
    fig.suptitle(_title(result, "snapshots"))
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_snapshots.png")]


def _image(fig: plt.Figure, ax: plt.Axes, result: Result, values: np.ndarray, title: str,
           norm: Normalize | None = None, cmap: str = "viridis") -> None:
    """``values[ix, iy]`` as a pseudo-colour image on the grid (x horizontal, y vertical)."""
    gx, gy = _grid_coords(result)
    x, _ = _axis(gx, values.shape[0])
    y, _ = _axis(gy, values.shape[1])
    mesh = ax.pcolormesh(x, y, values.T, shading="nearest", norm=norm, cmap=cmap)
    fig.colorbar(mesh, ax=ax)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    ax.set_title(title, fontsize="medium")


def _quiver(fig: plt.Figure, ax: plt.Axes, result: Result, ux: np.ndarray, uy: np.ndarray, title: str) -> None:
    """Score arrows (subsampled) over an image of ``|u|``."""
    _image(fig, ax, result, np.hypot(ux, uy), title + r" (colour: $|u|$)", cmap="magma")
    gx, gy = _grid_coords(result)
    x, _ = _axis(gx, ux.shape[0])
    y, _ = _axis(gy, ux.shape[1])
    sx, sy = max(1, ux.shape[0] // N_ARROWS), max(1, ux.shape[1] // N_ARROWS)
    xx, yy = np.meshgrid(x[::sx], y[::sy], indexing="ij")
    ax.quiver(xx, yy, ux[::sx, ::sy], uy[::sx, ::sy], color="white", angles="xy")


# --------------------------------------------------------------------------------------------------------------
# interface time series
# --------------------------------------------------------------------------------------------------------------
def plot_interface_series(result: Result, outdir: str | Path) -> list[Path]:
    """Interface width, position and speciation indicator ``D`` against time, closed form dashed.

    The measured speciation time (and the closed form's, when finite) is marked with a vertical line when the
    file holds a ``speciation_time`` comparison.
    """
    series = result.series
    if series is None or series.t is None:
        return []
    panels = [(name, label) for name, label in _SERIES_PANELS if series.has(name)]
    if not panels:
        return []
    fig, axes = plt.subplots(len(panels), 1, figsize=(6.5, 2.8 * len(panels)), sharex=True, squeeze=False)
    for k, (ax, (name, label)) in enumerate(zip(axes[:, 0], panels)):
        _series_panel(ax, result, name, label, label_marks=k == 0)
    axes[-1, 0].set_xlabel("t")
    fig.suptitle(_title(result, "interface (solid: computed, dashed: closed form)"))
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_interface.png")]


def _series_panel(ax: plt.Axes, result: Result, name: str, label: str, label_marks: bool) -> None:
    series = result.series
    values, ref = series.values[name], series.reference_of(name)
    ax.plot(series.t, values, lw=1.5, label="computed")
    if ref is not None:
        ax.plot(series.t, ref, "k--", lw=1.0, label="closed form")
    if name == "interface_width" and _all_positive(values, ref):
        ax.set_yscale("log")
    if name == "speciation_indicator":
        ax.axhline(0.0, color="grey", lw=0.8)
        _symlog_if_wide(ax, values, ref)
    _mark_speciation(ax, result, labelled=label_marks)
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")


def _all_positive(*arrays: np.ndarray | None) -> bool:
    """Whether every finite entry of every given array is positive (and at least one entry is finite)."""
    finite = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays if a is not None])
    finite = finite[np.isfinite(finite)]
    return finite.size > 0 and bool((finite > 0).all())


def _symlog_if_wide(ax: plt.Axes, *arrays: np.ndarray | None) -> None:
    """Symmetric-log y axis when the data spans more than two decades, so a sign change stays visible."""
    finite = np.abs(np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays if a is not None]))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size and finite.max() > 100 * np.median(finite):
        ax.set_yscale("symlog", linthresh=float(np.median(finite)) / 10)


def _mark_speciation(ax: plt.Axes, result: Result, labelled: bool) -> None:
    """Vertical lines at the measured (solid) and closed-form (dotted) speciation times, where finite."""
    _mark_time(ax, result, "speciation_time", "speciation", "tab:red", labelled)


#: Colours of the event times marked on time-series figures (other ``*_time`` comparisons cycle below).
_EVENT_COLORS = {"speciation_time": "tab:red", "mode_merge_time": "tab:purple"}
_OTHER_EVENT_COLORS = ("tab:brown", "tab:olive", "tab:cyan")


def _mark_time(ax: plt.Axes, result: Result, name: str, what: str, color: str, labelled: bool) -> bool:
    """Vertical lines at the measured (solid) and closed-form (dotted) value of the scalar comparison ``name``
    (a time), where finite; whether anything was drawn."""
    comp = result.comparison(name)
    if comp is None or comp.is_multi:
        return False
    drawn = False
    for value, style, source in ((comp.measured, "-", "computed"), (comp.reference, ":", "closed form")):
        value = float(value)
        if np.isfinite(value):
            ax.axvline(value, color=color, lw=1.0, ls=style,
                       label=f"{what} ({source}) {value:.4g}" if labelled else None)
            drawn = True
    return drawn


def _mark_event_times(ax: plt.Axes, result: Result) -> None:
    """Mark every scalar ``*_time`` comparison (speciation, mode merge, ...), measured solid, closed form dotted."""
    names = [c.name for c in result.comparisons if c.name.endswith("_time") and not c.is_multi]
    names.sort(key=lambda n: (n not in _EVENT_COLORS, n))
    k = 0
    for name in names:
        color = _EVENT_COLORS.get(name)
        if color is None:
            color = _OTHER_EVENT_COLORS[k % len(_OTHER_EVENT_COLORS)]
            k += 1
        _mark_time(ax, result, name, name.removesuffix("_time").replace("_", " "), color, labelled=True)


# --------------------------------------------------------------------------------------------------------------
# mode count and curl
# --------------------------------------------------------------------------------------------------------------
def plot_modes(result: Result, outdir: str | Path) -> list[Path]:
    """Number of modes of the density against time (``/series/modes``) as a step plot.

    The speciation and mode-merge times (and any other scalar ``*_time`` comparison) are marked: measured
    solid, closed form dotted. A closed-form mode count (``/series/reference/modes``) is drawn dashed.
    """
    series = result.series
    if series is None or not series.has("modes"):
        return []
    t = np.asarray(series.t, dtype=float)
    modes = np.asarray(series.values["modes"], dtype=float)
    ok = np.isfinite(t) & np.isfinite(modes)
    if not ok.any():
        return []
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.step(t[ok], modes[ok], where="post", lw=1.6, label="computed")
    ref = series.reference_of("modes")
    shown = [modes[ok]]
    if ref is not None:
        ref = np.asarray(ref, dtype=float)
        rok = np.isfinite(t) & np.isfinite(ref)
        if rok.any():
            ax.step(t[rok], ref[rok], "k--", where="post", lw=1.0, label="closed form")
            shown.append(ref[rok])
    _mark_event_times(ax, result)
    values = np.concatenate(shown)
    ax.set_ylim(values.min() - 0.5, values.max() + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("t")
    ax.set_ylabel("number of modes")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(_title(result, "mode count"), fontsize="medium")
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_modes.png")]


def plot_curl_series(result: Result, outdir: str | Path) -> list[Path]:
    """``max |curl u|`` against time (``/series/curl_linf``, log y); only the finite entries are drawn.

    When the file holds a multi-time ``curl_linf`` comparison, its ``closed_form`` entries (the same discrete
    curl of the sampled exact score, i.e. its truncation error) are drawn dashed and its ``atol`` dotted.
    """
    series = result.series
    if series is None or not series.has("curl_linf"):
        return []
    t = np.asarray(series.t, dtype=float)
    curl = np.asarray(series.values["curl_linf"], dtype=float)
    finite = np.isfinite(t) & np.isfinite(curl)
    if not finite.any():
        return []
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    style = "o-" if finite.sum() <= 40 else "-"
    log = _has_positive(curl[finite])
    if log:
        pos = _positive(curl)
        ok = finite & np.isfinite(pos)
        ax.semilogy(t[ok], pos[ok], style, lw=1.4, ms=4, label=r"computed $\max|\mathrm{curl}\,u|$")
    else:
        ax.plot(t[finite], curl[finite], style, lw=1.4, ms=4, label=r"computed $\max|\mathrm{curl}\,u|$")
    ref = series.reference_of("curl_linf")
    if ref is not None and log and _has_positive(ref):
        ax.plot(t, _positive(ref), "k--", lw=1.0, label="closed form")
    comp = result.comparison("curl_linf")
    if comp is not None and comp.is_multi:
        closed = comp.extra.get("closed_form")
        if log and closed is not None and closed.shape == comp.at.shape and _has_positive(closed):
            ax.plot(comp.at, _positive(closed), "s--", color="k", lw=0.8, ms=3,
                    label="closed form (discrete curl of the exact score)")
        if log and np.isfinite(comp.atol) and comp.atol > 0:
            ax.axhline(comp.atol, color="grey", ls=":", lw=1.0, label=f"atol {comp.atol:g}")
    ax.set_xlabel("t")
    ax.set_ylabel(r"$\max|\partial_x u_y - \partial_y u_x|$")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    ax.set_title(_title(result, "curl of the score against time"), fontsize="medium")
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_curl_linf.png")]


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
    shape = _shape(result, "score_x", 3)
    if shape is None or shape != _shape(result, "score_y", 3) or min(shape[1:]) < 2:
        return []
    ux, uy = result.snapshot("score_x", -1), result.snapshot("score_y", -1)
    gx, gy = _grid_coords(result)
    x, on_x = _axis(gx, shape[1])
    y, on_y = _axis(gy, shape[2])
    curl = score_curl(ux, uy, x, y)
    if curl is None:
        return []
    i_last = shape[0] - 1
    when = _time_label(result.t, i_last)
    speed = np.hypot(ux, uy)
    density, what = None, ""
    for name, label in (("density", "density"), ("density_exact", "closed-form density")):
        if _shape(result, name, 3) == shape:
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
        _image(fig, ax, result, np.ma.masked_invalid(density), f"score streamlines over the {what}")
    else:
        _image(fig, ax, result, np.ma.masked_invalid(speed), r"score streamlines over $|u|$", cmap="magma")
    _streamlines(ax, x, y, ux, uy)

    ax = axes[0, 1]
    vmax = cmax if np.isfinite(cmax) and cmax > 0 else 1.0
    _image(fig, ax, result, np.ma.masked_invalid(curl),
           r"curl $u = \partial_x u_y - \partial_y u_x$" + where + "\n"
           + rf"$\max|\mathrm{{curl}}\,u| / \max|u|$ = {rel:.3g}" + f" ({cmax:.3g} / {umax:.3g})",
           norm=Normalize(vmin=-vmax, vmax=vmax), cmap="RdBu_r")
    fig.suptitle(_title(result, f"score and its curl at {when}"
                                + ("" if on_x and on_y else " (grid index axes)")))
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_curl.png")]


def _streamlines(ax: plt.Axes, x: np.ndarray, y: np.ndarray, ux: np.ndarray, uy: np.ndarray) -> None:
    """Streamlines of ``u[ix, iy]`` (white); subsampled arrows when the grid is not uniform."""
    ux, uy = np.nan_to_num(ux), np.nan_to_num(uy)
    if _uniform(x) and _uniform(y) and (np.any(ux) or np.any(uy)):
        ax.streamplot(x, y, ux.T, uy.T, color="white", density=1.0, linewidth=0.7, arrowsize=0.8)
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(y[0], y[-1])
        return
    sx, sy = max(1, ux.shape[0] // N_ARROWS), max(1, ux.shape[1] // N_ARROWS)
    xx, yy = np.meshgrid(x[::sx], y[::sy], indexing="ij")
    ax.quiver(xx, yy, ux[::sx, ::sy], uy[::sx, ::sy], color="white", angles="xy")


# --------------------------------------------------------------------------------------------------------------
# pointwise errors
# --------------------------------------------------------------------------------------------------------------
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
    data, exact = _fields_1d(result, name), _fields_1d(result, f"{name}_exact")
    if data is None or exact is None or data.shape != exact.shape or data.shape[0] == 0:
        return None
    return np.abs(data[-1] - exact[-1])


def _errors_1d(result: Result, outdir: Path) -> list[Path]:
    panels = [(n, lab, err) for n, lab in (("score", "|u - u_exact|"), ("density", "|p - p_exact|"))
              if (err := _pair_1d(result, n)) is not None]
    if not panels:
        return []
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.0), squeeze=False)
    i_last = len(result.t) - 1 if result.t is not None and len(result.t) else None
    for ax, (_, label, err) in zip(axes[0], panels):
        x, on_grid = _axis(result.grid.x if result.grid else None, len(err))
        if _has_positive(err):
            ax.semilogy(x, _positive(err), lw=1.2)
        else:
            ax.plot(x, np.nan_to_num(err), lw=1.2)
            ax.text(0.5, 0.5, "error is zero everywhere", transform=ax.transAxes, ha="center")
        ax.set_xlabel("x" if on_grid else "grid index")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
    when = _time_label(result.t, i_last) if i_last is not None else "last save"
    fig.suptitle(_title(result, f"pointwise error at {when}"))
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_errors.png")]


def _errors_2d(result: Result, outdir: Path) -> list[Path]:
    names = ("score_x", "score_y", "score_exact_x", "score_exact_y")
    shapes = [_shape(result, n, 3) for n in names]
    if any(s is None for s in shapes) or len(set(shapes)) != 1:
        return []
    sx, sy, ex, ey = (result.snapshot(n, -1) for n in names)
    err = np.hypot(sx - ex, sy - ey)
    fig, ax = plt.subplots(figsize=(5.5, 4.6))
    positive = _positive(err)
    if _has_positive(err):
        lo, hi = np.nanmin(positive), np.nanmax(positive)
        norm = LogNorm(vmin=lo, vmax=hi if hi > lo else lo * 10)
        _image(fig, ax, result, np.ma.masked_invalid(positive), r"$|u - u_{exact}|$", norm=norm)
    else:
        _image(fig, ax, result, np.nan_to_num(err), r"$|u - u_{exact}|$ (zero everywhere)")
    i_last = len(result.t) - 1 if result.t is not None and len(result.t) else None
    when = _time_label(result.t, i_last) if i_last is not None else "last save"
    fig.suptitle(_title(result, f"pointwise score error at {when}"))
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_errors.png")]


# --------------------------------------------------------------------------------------------------------------
# convergence
# --------------------------------------------------------------------------------------------------------------
def _refinement_axes(result: Result) -> list[tuple[str, np.ndarray]]:
    """The step sizes errors are plotted against: h and/or dt, from ``refine`` or from what varies."""
    conv = result.convergence
    candidates = [("h", conv.h), ("dt", conv.dt)]
    wanted = {"space": {"h"}, "time": {"dt"}, "both": {"h", "dt"}}.get(conv.refine.strip().lower())
    out = []
    for name, values in candidates:
        if values is None or not _has_positive(values):
            continue
        varies = np.unique(values[np.isfinite(values)]).size > 1
        if (wanted is not None and name in wanted) or (wanted is None and varies):
            out.append((name, values))
    return out


def _slope_triangle(ax: plt.Axes, x: np.ndarray, y: np.ndarray, order: float) -> None:
    """A right triangle of slope ``order`` on log-log axes, just below the curve ``(x, y)`` (positive, finite).

    The vertical side sits at about two thirds of the x range, its top a factor 3 below the curve there, so a
    curve of that slope stays above the whole triangle.
    """
    if not np.isfinite(order) or order <= 0 or x.size < 2:
        return
    xmin, xmax = x.min(), x.max()
    if not xmax > xmin:
        return
    ratio = xmax / xmin
    x1 = xmin * ratio ** 0.65
    x0 = x1 / ratio ** 0.3
    sort = np.argsort(x)
    y1 = float(np.exp(np.interp(np.log(x1), np.log(x[sort]), np.log(y[sort])))) / 3.0
    y0 = y1 / (x1 / x0) ** order
    ax.plot([x0, x1, x1, x0], [y0, y0, y1, y0], color="0.3", lw=1.0)
    ax.text(x1 * ratio ** 0.02, np.sqrt(y0 * y1), f"{order:.3g}", va="center", ha="left", fontsize="small")


def _expected_slope(conv, xname: str) -> float:
    """The expected order as a slope against ``xname``.

    ``expected_order`` is taken as the order in the refined variable (h for ``space``/``both``, dt for
    ``time``); against dt under ``both`` it is converted with the fitted exponent of h against dt.
    """
    orders = [m.expected_order for m in conv.measures.values() if np.isfinite(m.expected_order)]
    order = orders[0] if orders else conv.expected_order
    if xname != "dt" or conv.refine.strip().lower() != "both" or conv.h is None or conv.dt is None:
        return order
    n = min(len(conv.h), len(conv.dt))
    h, dt = _positive(conv.h[:n]), _positive(conv.dt[:n])
    ok = np.isfinite(h) & np.isfinite(dt)
    if ok.sum() < 2 or np.unique(dt[ok]).size < 2:
        return order
    exponent = np.polyfit(np.log(dt[ok]), np.log(h[ok]), 1)[0]
    return order * exponent


def _step_ticks(ax: plt.Axes, x: np.ndarray) -> None:
    """Label the x axis at the step sizes themselves (a refinement study spans about one decade)."""
    ticks = np.unique(x[np.isfinite(x)])
    if ticks.size == 0 or ticks.size > 8:
        return
    ax.set_xticks(ticks, [f"{v:.3g}" for v in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.tick_params(axis="x", labelrotation=30)


def plot_convergence(result: Result, outdir: str | Path) -> list[Path]:
    """Log-log error against h (and/or dt) per error measure, with a slope triangle of the expected order."""
    conv = result.convergence
    if conv is None or not conv.measures:
        return []
    xaxes = _refinement_axes(result)
    if not xaxes:
        return []
    fig, axes = plt.subplots(1, len(xaxes), figsize=(5.5 * len(xaxes), 4.3), squeeze=False)
    for ax, (xname, xvalues) in zip(axes[0], xaxes):
        _convergence_panel(ax, conv, xname, xvalues)
    fig.suptitle(_title(result, f"convergence (refine: {conv.refine or '-'})"))
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_eoc.png")]


def _convergence_panel(ax: plt.Axes, conv, xname: str, xvalues: np.ndarray) -> None:
    lowest: tuple[np.ndarray, np.ndarray] | None = None
    for m in conv.measures.values():
        n = min(len(xvalues), len(m.error))
        x, y = _positive(xvalues[:n]), _positive(m.error[:n])
        ok = np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            continue
        label = m.name if not np.isfinite(m.observed_order) else f"{m.name} (order {m.observed_order:.3g})"
        ax.loglog(x[ok], y[ok], "o-", lw=1.3, ms=4, label=label)
        if lowest is None or y[ok].min() < lowest[1].min():
            lowest = (x[ok], y[ok])
    if lowest is not None:
        _slope_triangle(ax, lowest[0], lowest[1], _expected_slope(conv, xname))
        _step_ticks(ax, lowest[0])
        ax.legend(fontsize="small")
    ax.set_xlabel(xname)
    ax.set_ylabel("error")
    ax.grid(alpha=0.3, which="both")


def _run_name(result: Result) -> str:
    """Case name plus the ``space/time`` schemes when stored (curves of one case by two methods differ)."""
    space, time = result.method.get("space"), result.method.get("time")
    schemes = "/".join(str(v) for v in (space, time) if v)
    return f"{result.case_name} ({schemes})" if schemes else result.case_name


def plot_work_precision(results: Iterable[Result], outdir: str | Path) -> list[Path]:
    """Error against wall time per level, one curve per (convergence file, measure); ``[]`` without data."""
    curves = []
    for r in results:
        conv = r.convergence
        if not is_convergence(r) or conv is None or conv.wall_time_s is None:
            continue
        for m in conv.measures.values():
            n = min(len(conv.wall_time_s), len(m.error))
            x, y = _positive(conv.wall_time_s[:n]), _positive(m.error[:n])
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.any():
                curves.append((f"{_run_name(r)}: {m.name}", x[ok], y[ok]))
    if not curves:
        return []
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for label, x, y in curves:
        ax.loglog(x, y, "o-", lw=1.3, ms=4, label=label)
    ax.set_xlabel("wall time per level [s]")
    ax.set_ylabel("error")
    ax.set_title("work-precision")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="x-small" if len(curves) > 6 else "small")
    fig.tight_layout()
    return [_save(fig, Path(outdir), "work_precision.png")]


def plot_work_precision_study(result: Result, outdir: str | Path) -> list[Path]:
    """Work-precision study file (``/work_precision``): error against run time, log-log, one curve per method.

    One panel per error measure (the primary measure first); gridshock methods solid, ``solve_ivp`` peers
    dashed, each method in the same colour throughout. Run time excludes compilation, which is shown in a last
    panel (compile time summed over the levels, per method) when stored.
    """
    wp = result.work_precision
    if wp is None or not wp.methods:
        return []
    methods = list(wp.methods.values())
    ordered = [wp.primary_measure] + [m for m in wp.measures if m != wp.primary_measure]
    measures = [m for m in dict.fromkeys(ordered) if m and any(_wp_curve(meth, m) is not None for meth in methods)]
    measures = measures[:WP_MAX_PANELS]
    if not measures:
        return []
    compile_total = {meth.label: _nansum(meth.compile_s) for meth in methods}
    has_compile = any(np.isfinite(v) for v in compile_total.values())
    ratios = [1.0] * len(measures) + ([0.65] if has_compile else [])
    fig, axes = plt.subplots(1, len(ratios), figsize=(5.4 * sum(ratios) + 0.6, 4.8), squeeze=False,
                             gridspec_kw={"width_ratios": ratios})
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    style = {meth.label: colors[k % len(colors)] for k, meth in enumerate(methods)}
    for k, (ax, measure) in enumerate(zip(axes[0], measures)):
        for meth in methods:
            curve = _wp_curve(meth, measure)
            if curve is None:
                continue
            dashed = meth.is_solve_ivp
            ax.loglog(*curve, "s--" if dashed else "o-", color=style[meth.label], lw=1.3, ms=4,
                      label=_wp_legend(meth) if k == 0 else None)
        ax.set_xlabel("run time [s] (compile time excluded)")
        ax.set_ylabel(measure + (" (primary)" if measure == wp.primary_measure else ""))
        ax.grid(alpha=0.3, which="both")
        if k == 0:
            ax.legend(fontsize="x-small" if len(methods) > 6 else "small",
                      title="solid: gridshock, dashed: solve_ivp", title_fontsize="x-small")
    if has_compile:
        ax = axes[0, -1]
        labels = list(compile_total)
        values = [compile_total[lab] if np.isfinite(compile_total[lab]) else 0.0 for lab in labels]
        bars = ax.barh(np.arange(len(labels)), values, color=[style[lab] for lab in labels])
        for bar, lab, value in zip(bars, labels, values):
            if wp.methods[lab].is_solve_ivp:
                bar.set_hatch("//")
            ax.annotate(f"{value:.3g} s", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize="small")
        ax.set_xlim(0, max(max(values), 1e-3) * 1.3)
        ax.set_yticks(np.arange(len(labels)), labels, fontsize="small")
        ax.invert_yaxis()
        ax.set_xlabel("compile time [s] (sum over levels)")
        ax.grid(alpha=0.3, axis="x")
        ax.set_title("compile time (not in run time)", fontsize="medium")
    workers = f", {wp.workers_text}" if wp.workers_text else ""
    fig.suptitle(_title(result, f"work-precision, {len(methods)} methods{workers}"))
    fig.tight_layout()
    return [_save(fig, outdir, f"{result.label}_error_vs_runtime.png")]


def _wp_curve(meth: WorkPrecisionMethod, measure: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(run time, error) of the levels where both are positive and finite, ordered by run time; else None."""
    if measure not in meth.errors:
        return None
    n = min(len(meth.run_s), len(meth.errors[measure]))
    x, y = _positive(meth.run_s[:n]), _positive(meth.errors[measure][:n])
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    order = np.argsort(x[ok], kind="stable")
    return x[ok][order], y[ok][order]


def _wp_legend(meth: WorkPrecisionMethod) -> str:
    """The method label with its formal orders (space/time) where finite."""
    space, time = (np.isfinite(v) for v in (meth.order_space, meth.order_time))
    if space and time:
        return f"{meth.label} (orders {meth.order_space:g}/{meth.order_time:g})"
    if space:
        return f"{meth.label} (order {meth.order_space:g} in space)"
    if time:
        return f"{meth.label} (order {meth.order_time:g} in time)"
    return meth.label


def _nansum(values: np.ndarray) -> float:
    """Sum of the finite entries; NaN when there is none."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.sum()) if v.size else float("nan")


def plot_all(result: Result, outdir: str | Path) -> list[Path]:
    """Every per-result figure that the file's data supports."""
    paths: list[Path] = []
    for plot in PER_RESULT_PLOTS:
        paths += plot(result, outdir)
    return paths


def plot_mfg_history(result: Result, outdir: str | Path) -> list[Path]:
    """MFG outer-solver history: change of ``m`` and the HJB / FP (and Newton) residuals per iteration."""
    hist = result.mfg_history
    if not hist:
        return []
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    labels = {"change": "relative change of m", "hjb_residual": "HJB residual (max)",
              "fp_residual": "FP residual (max)", "newton_residual": "Newton residual (2-norm)"}
    for key, label in labels.items():
        values = hist.get(key)
        if values is not None and values.size and _has_positive(values):
            ax.semilogy(np.arange(1, values.size + 1), _positive(values), "o-", ms=3, label=label)
    solver = result.mfg.get("solver", "")
    ax.set_xlabel("outer iteration")
    ax.set_ylabel("residual / change")
    ax.set_title(_title(result, f"MFG outer solver {solver} ({result.mfg.get('iterations', '?')} iterations)"))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    with np.errstate(under="ignore"):          # log-axis locators near 1e-15 underflow harmlessly
        return [_save(fig, outdir, f"{result.label}_mfg_history.png")]


#: The per-result plot functions, in report order.
PER_RESULT_PLOTS: Sequence = (plot_snapshots, plot_interface_series, plot_modes, plot_curl_series,
                              plot_score_curl, plot_errors, plot_convergence, plot_mfg_history,
                              plot_work_precision_study)

"""Figures from result files (matplotlib, Agg backend).

Each ``plot_*`` function takes a :class:`~postprocess.io.Result` (or several) and an output directory, writes
PNG files named after ``result.label`` and returns the list of written paths. When the data a figure needs is
not in the file, the function writes nothing and returns ``[]``. Computed curves are solid, closed forms dashed.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.ticker import NullLocator  # noqa: E402

from postprocess.io import Result, is_convergence  # noqa: E402

__all__ = [
    "PER_RESULT_PLOTS",
    "plot_all",
    "plot_convergence",
    "plot_errors",
    "plot_interface_series",
    "plot_mfg_history",
    "plot_snapshots",
    "plot_work_precision",
    "snapshot_indices",
]

DPI = 110
N_SNAPSHOTS = 5
N_ARROWS = 20
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
           norm: LogNorm | None = None, cmap: str = "viridis") -> None:
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
    comp = result.comparison("speciation_time")
    if comp is None or comp.is_multi:
        return
    for value, style, what in ((float(comp.measured), "-", "computed"), (float(comp.reference), ":", "closed form")):
        if np.isfinite(value):
            ax.axvline(value, color="tab:red", lw=1.0, ls=style,
                       label=f"speciation ({what}) {value:.4g}" if labelled else None)


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
PER_RESULT_PLOTS: Sequence = (plot_snapshots, plot_interface_series, plot_errors, plot_convergence,
                              plot_mfg_history)

"""Convergence figure: ``<label>_eoc.png``, log-log error against h and/or dt per error measure of a
convergence file, with a slope triangle of the expected order."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import NullLocator

from postprocess.model import Convergence, Result
from postprocess.plots._style import figure_title, has_positive, plt, positive_only, positive_pairs, save_figure


def _refinement_axes(result: Result) -> list[tuple[str, np.ndarray]]:
    """The step sizes errors are plotted against: h and/or dt, from ``refine`` or from what varies."""
    conv = result.convergence
    candidates = [("h", conv.h), ("dt", conv.dt)]
    wanted = {"space": {"h"}, "time": {"dt"}, "both": {"h", "dt"}}.get(conv.refine.strip().lower())
    out = []
    for name, values in candidates:
        if values is None or not has_positive(values):
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


def _expected_slope(conv: Convergence, xname: str) -> float:
    """The expected order as a slope against ``xname``.

    ``expected_order`` is taken as the order in the refined variable (h for ``space``/``both``, dt for
    ``time``); against dt under ``both`` it is converted with the fitted exponent of h against dt.
    """
    orders = [m.expected_order for m in conv.measures.values() if np.isfinite(m.expected_order)]
    order = orders[0] if orders else conv.expected_order
    if xname != "dt" or conv.refine.strip().lower() != "both" or conv.h is None or conv.dt is None:
        return order
    n = min(len(conv.h), len(conv.dt))
    h, dt = positive_only(conv.h[:n]), positive_only(conv.dt[:n])
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
    fig.suptitle(figure_title(result, f"convergence (refine: {conv.refine or '-'})"))
    fig.tight_layout()
    return [save_figure(fig, outdir, f"{result.label}_eoc.png")]


def _convergence_panel(ax: plt.Axes, conv: Convergence, xname: str, xvalues: np.ndarray) -> None:
    lowest: tuple[np.ndarray, np.ndarray] | None = None
    for m in conv.measures.values():
        points = positive_pairs(xvalues, m.error)
        if points is None:
            continue
        x, y = points
        label = m.name if not np.isfinite(m.observed_order) else f"{m.name} (order {m.observed_order:.3g})"
        ax.loglog(x, y, "o-", lw=1.3, ms=4, label=label)
        if lowest is None or y.min() < lowest[1].min():
            lowest = (x, y)
    if lowest is not None:
        _slope_triangle(ax, lowest[0], lowest[1], _expected_slope(conv, xname))
        _step_ticks(ax, lowest[0])
        ax.legend(fontsize="small")
    ax.set_xlabel(xname)
    ax.set_ylabel("error")
    ax.grid(alpha=0.3, which="both")


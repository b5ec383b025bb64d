"""Work-precision figures: error against cost.

``<label>_error_vs_runtime.png`` for a work-precision study file (``/work_precision``: one panel per error
measure, one curve per method, and the compile time per method), and ``work_precision.png`` over all
convergence files (error against wall time per refinement level).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from postprocess.model import Result, WorkPrecision, WorkPrecisionMethod, is_convergence
from postprocess.plots._style import figure_title, plt, positive_pairs, save_figure

#: At most this many error measures get a panel in a work-precision figure (the tables list all).
WP_MAX_PANELS = 3


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
            points = positive_pairs(conv.wall_time_s, m.error)
            if points is not None:
                curves.append((f"{_run_name(r)}: {m.name}", *points))
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
    return [save_figure(fig, Path(outdir), "work_precision.png")]


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
        _compile_panel(axes[0, -1], wp, compile_total, style)
    workers = f", {wp.workers_text}" if wp.workers_text else ""
    fig.suptitle(figure_title(result, f"work-precision, {len(methods)} methods{workers}"))
    fig.tight_layout()
    return [save_figure(fig, outdir, f"{result.label}_error_vs_runtime.png")]


def _compile_panel(ax: plt.Axes, wp: WorkPrecision, compile_total: dict[str, float], style: dict[str, str]) -> None:
    """Compile time summed over the levels, one bar per method in its curve colour (``solve_ivp`` hatched)."""
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


def _wp_curve(meth: WorkPrecisionMethod, measure: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(run time, error) of the levels where both are positive and finite, ordered by run time; else None."""
    points = positive_pairs(meth.run_s, meth.errors[measure]) if measure in meth.errors else None
    if points is None:
        return None
    x, y = points
    order = np.argsort(x, kind="stable")
    return x[order], y[order]


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

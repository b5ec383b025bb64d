"""Time-series figures: the interface (width, position, speciation indicator), the mode count and the curl.

``<label>_interface.png`` (``/series`` with its closed form dashed and the speciation time marked),
``<label>_modes.png`` (``/series/modes`` as a step plot, event times marked) and ``<label>_curl_linf.png``
(``/series/curl_linf``, log y, with the closed form and tolerance of the ``curl_linf`` comparison).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from postprocess.model import Result
from postprocess.plots._style import figure_title, has_positive, plt, positive_only, save_figure

_SERIES_PANELS = (
    ("interface_width", r"interface width $\ell$"),
    ("interface_position", r"interface position $x_0$"),
    ("speciation_indicator", r"$D = \partial_n u$ at the interface"),
)
#: Colours of the event times marked on time-series figures (other ``*_time`` comparisons cycle below).
_EVENT_COLORS = {"speciation_time": "tab:red", "mode_merge_time": "tab:purple"}
_OTHER_EVENT_COLORS = ("tab:brown", "tab:olive", "tab:cyan")


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
    fig.suptitle(figure_title(result, "interface (solid: computed, dashed: closed form)"))
    fig.tight_layout()
    return [save_figure(fig, outdir, f"{result.label}_interface.png")]


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
# finite series: mode count and curl
# --------------------------------------------------------------------------------------------------------------
def _finite_series(result: Result, name: str,
                   height: float) -> tuple[plt.Figure, plt.Axes, np.ndarray, np.ndarray, np.ndarray] | None:
    """A new figure for the stored series ``name``: ``(fig, ax, t, values, finite)`` with ``t`` and ``values``
    as floats and ``finite`` where both are finite; ``None`` (no figure) when it is not stored or nowhere
    finite."""
    series = result.series
    if series is None or not series.has(name):
        return None
    t = np.asarray(series.t, dtype=float)
    values = np.asarray(series.values[name], dtype=float)
    finite = np.isfinite(t) & np.isfinite(values)
    if not finite.any():
        return None
    fig, ax = plt.subplots(figsize=(6.5, height))
    return fig, ax, t, values, finite


def _save_series(fig: plt.Figure, ax: plt.Axes, result: Result, outdir: str | Path, ylabel: str, what: str,
                 suffix: str, grid_which: str = "major") -> list[Path]:
    """Axis labels (``t`` against ``ylabel``), grid, legend and title ``what``; saved as ``<label>_<suffix>.png``."""
    ax.set_xlabel("t")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which=grid_which)
    ax.legend(fontsize="small")
    ax.set_title(figure_title(result, what), fontsize="medium")
    fig.tight_layout()
    return [save_figure(fig, outdir, f"{result.label}_{suffix}.png")]


def plot_modes(result: Result, outdir: str | Path) -> list[Path]:
    """Number of modes of the density against time (``/series/modes``) as a step plot.

    The speciation and mode-merge times (and any other scalar ``*_time`` comparison) are marked: measured
    solid, closed form dotted. A closed-form mode count (``/series/reference/modes``) is drawn dashed.
    """
    drawn = _finite_series(result, "modes", 3.6)
    if drawn is None:
        return []
    fig, ax, t, modes, ok = drawn
    ax.step(t[ok], modes[ok], where="post", lw=1.6, label="computed")
    ref = result.series.reference_of("modes")
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
    return _save_series(fig, ax, result, outdir, "number of modes", "mode count", "modes")


def plot_curl_series(result: Result, outdir: str | Path) -> list[Path]:
    """``max |curl u|`` against time (``/series/curl_linf``, log y); only the finite entries are drawn.

    When the file holds a multi-time ``curl_linf`` comparison, its ``closed_form`` entries (the same discrete
    curl of the sampled exact score, i.e. its truncation error) are drawn dashed and its ``atol`` dotted.
    """
    drawn = _finite_series(result, "curl_linf", 3.8)
    if drawn is None:
        return []
    fig, ax, t, curl, finite = drawn
    style = "o-" if finite.sum() <= 40 else "-"
    log = has_positive(curl[finite])
    if log:
        pos = positive_only(curl)
        ok = finite & np.isfinite(pos)
        ax.semilogy(t[ok], pos[ok], style, lw=1.4, ms=4, label=r"computed $\max|\mathrm{curl}\,u|$")
    else:
        ax.plot(t[finite], curl[finite], style, lw=1.4, ms=4, label=r"computed $\max|\mathrm{curl}\,u|$")
    ref = result.series.reference_of("curl_linf")
    if ref is not None and log and has_positive(ref):
        ax.plot(t, positive_only(ref), "k--", lw=1.0, label="closed form")
    comp = result.comparison("curl_linf")
    if comp is not None and comp.is_multi:
        closed = comp.extra.get("closed_form")
        if log and closed is not None and closed.shape == comp.at.shape and has_positive(closed):
            ax.plot(comp.at, positive_only(closed), "s--", color="k", lw=0.8, ms=3,
                    label="closed form (discrete curl of the exact score)")
        if log and np.isfinite(comp.atol) and comp.atol > 0:
            ax.axhline(comp.atol, color="grey", ls=":", lw=1.0, label=f"atol {comp.atol:g}")
    return _save_series(fig, ax, result, outdir, r"$\max|\partial_x u_y - \partial_y u_x|$",
                        "curl of the score against time", "curl_linf", grid_which="both")

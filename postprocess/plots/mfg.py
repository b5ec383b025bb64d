"""MFG figure: ``<label>_mfg_history.png``, the outer solver's history (``/mfg`` datasets) per iteration."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from postprocess.model import Result
from postprocess.plots._style import figure_title, has_positive, plt, positive_only, save_figure


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
        if values is not None and values.size and has_positive(values):
            ax.semilogy(np.arange(1, values.size + 1), positive_only(values), "o-", ms=3, label=label)
    solver = result.mfg.get("solver", "")
    ax.set_xlabel("outer iteration")
    ax.set_ylabel("residual / change")
    iterations = result.mfg.get("iterations", "?")
    ax.set_title(figure_title(result, f"MFG outer solver {solver} ({iterations} iterations)"))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    with np.errstate(under="ignore"):          # log-axis locators near 1e-15 underflow harmlessly
        return [save_figure(fig, outdir, f"{result.label}_mfg_history.png")]

"""What both report pages (:mod:`postprocess.render_md`, :mod:`postprocess.render_html`) show of a result:
the figures written for it, its metadata, whether it gets a comparison table, and the conventions texts."""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from postprocess.formatting import format_number
from postprocess.model import Result, is_convergence, is_work_precision
from postprocess.tables import method_text


@dataclass
class Figures:
    """Figures written for one result, and the plot functions that failed (name, message)."""

    paths: list[Path] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def now() -> str:
    """The current UTC time, to the second (ISO 8601): the ``Generated`` stamp of both pages."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def relative_path(path: Path, outdir: Path) -> str:
    """``path`` relative to the report's directory, with forward slashes (for links and ``<img src>``)."""
    return Path(os.path.relpath(path, outdir)).as_posix()


def _vector_text(values) -> str:
    if values is None:
        return "-"
    return "[" + ", ".join(format_number(v) for v in np.atleast_1d(values).tolist()) + "]"


def metadata_items(r: Result) -> list[tuple[str, str]]:
    """(key, text) pairs: file, kind, equation, status, method, grid, timings, MFG / study settings, provenance."""
    a, m = r.attrs, r.method
    items = [("file", str(r.path)),
             ("kind", f"{r.kind}, schema version {r.schema_version}"),
             ("equation", f"{r.equation or '-'}, dimension {r.dimension}"),
             ("status", f"{r.status or '-'}, wall time {format_number(r.wall_time_s)} s")]
    if m:
        items.append(("method", f"{method_text(r)} (order {format_number(m.get('order_space'))} in space, "
                                f"{format_number(m.get('order_time'))} in time), dt = {format_number(m.get('dt'))} "
                                f"({m.get('dt_rule') or '-'}), {format_number(m.get('steps'))} steps"))
    if r.grid is not None:
        g = r.grid
        items.append(("grid", f"{_vector_text(g.points)} points on {_vector_text(g.lower)} .. "
                              f"{_vector_text(g.upper)}, boundary {g.boundary or '-'}, "
                              f"centering {g.centering or '-'}"))
    if r.timings:
        t = r.timings
        items.append(("timings [s]", ", ".join(f"{k.removesuffix('_s')} {format_number(t.get(k))}"
                                               for k in ("compile_s", "run_s", "measure_s", "total_s") if k in t)))
    if r.mfg:
        items.append(("MFG outer solver", ", ".join(f"{k} {format_number(v)}" for k, v in r.mfg.items()
                                                    if not isinstance(v, (list, np.ndarray)))))
    wp = r.work_precision
    if wp is not None:
        items.append(("work-precision", f"{len(wp.methods)} methods, measures {', '.join(wp.measures) or '-'} "
                                        f"(primary {wp.primary_measure or '-'}), "
                                        f"run on {wp.workers_text or 'unknown workers'}"))
        if wp.note:
            items.append(("note", wp.note))
    items.append(("provenance", f"software version {a.get('software_version', '-')}, "
                                f"created {a.get('created', '-')}"))
    return items


def shows_comparisons(r: Result) -> bool:
    """A comparison table is shown for a run file, and for a study file that stores comparisons."""
    return bool(r.comparisons) or not (is_convergence(r) or is_work_precision(r))


def conventions(results: Sequence[Result]) -> list[str]:
    """The distinct ``conventions`` root attributes of ``results``, in order."""
    return list(dict.fromkeys(str(r.attrs["conventions"]) for r in results if r.attrs.get("conventions")))

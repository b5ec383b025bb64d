"""One case, end to end: load and validate -> build -> solve -> measure and compare -> write the result file.

Every step asks the case's registered equation family (:mod:`solvers.families`); the runtime collaborators of
the solve (progress bar, checkpoints, resume) travel in one :class:`~solvers.hooks.RunHooks`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config.resolution import FLAG as UNDER_RESOLVED
from ..errors import InputError
from ..families import family_of, load_case
from ..hooks import RunHooks
from ..progress import TqdmProgress
from ..storage.checkpoint import checkpoint_path, read_checkpoint
from ..storage.results import write_run_result
from .checkpointing import Checkpointing


@dataclass
class RunOutcome:
    """A finished run: its name, result file, verdict, comparisons, problem, wall time, and the in-memory
    run record and analysis (what the file holds)."""

    name: str
    path: Path | None
    passed: bool
    comparisons: list
    problem: object
    wall_time_s: float
    run: object = None
    analysis: object = None


def solve_case(case, progress=None, checkpoint_every=None, resume=None, out_dir="results"):
    """Build, solve and analyse a validated case; returns ``(problem, run, analysis, checkpointing, wall start)``.
    ``progress``: None (a tqdm bar on a terminal), a bool, or a :class:`~solvers.hooks.Progress`."""
    start = time.perf_counter()
    family = family_of(case)
    problem = family.build(case)
    saved = read_checkpoint(resume, case, family.solve_unit) if resume is not None else None
    if checkpoint_every is None and saved is not None:
        checkpoint_every = float(saved[1]["every"])       # keep checkpointing as the interrupted run did
    ckpt = _checkpointing(family, problem, case, out_dir, checkpoint_every, saved)
    bar = progress if hasattr(progress, "open") else TqdmProgress(progress)
    run = family.solve(problem, RunHooks(progress=bar, checkpoint=ckpt, resume=saved))
    analysis = family.analyse(problem, run)
    mark_under_resolved(case, analysis.comparisons)
    return problem, run, analysis, ckpt, start


def mark_under_resolved(case, comparisons) -> None:
    """A case that opted out of the resolution check (``measure.allow_under_resolved``, and its grid does not
    resolve the narrowest layer: ``case.under_resolved``) flags every comparison ``under_resolved``
    (CONTRACT.md: its measurements are marked; the verdicts stand)."""
    if getattr(case, "under_resolved", None):
        for comparison in comparisons:
            comparison.add_flags(UNDER_RESOLVED)


def run_case(case_path, overrides=None, out_dir="results", progress=None, checkpoint_every=None,
             resume=None) -> RunOutcome:
    """Raises InputError (exit 2) before anything is written, NumericalFailure (exit 3) without writing.

    ``case_path``: a case file or a mapping of its tables; ``checkpoint_every``: simulated time between
    checkpoints (MFG: outer iterations), written to ``<out>/<name>.checkpoint.h5`` and removed once the result
    is written; ``resume``: a checkpoint (or the result path next to one) to continue from, bit-for-bit equal
    to the uninterrupted run."""
    start = time.perf_counter()
    case = load_case(case_path, overrides)
    problem, run, analysis, ckpt, _ = solve_case(case, progress, checkpoint_every, resume, out_dir)
    wall = time.perf_counter() - start
    path = write_run_result(Path(out_dir) / f"{case.name}.h5", problem, run, analysis, wall,
                            family_of(case).method_attrs(problem))
    if ckpt is not None:
        ckpt.path.unlink(missing_ok=True)       # the result supersedes it
    passed = all(c.passed for c in analysis.comparisons)
    return RunOutcome(case.name, path, passed, analysis.comparisons, problem, wall, run, analysis)


def _checkpointing(family, problem, case, out_dir, every, saved) -> Checkpointing | None:
    if every is None:
        return None
    if not (isinstance(every, (int, float)) and np.isfinite(every) and every > 0):
        raise InputError("--checkpoint-every", every, "a positive simulated time (MFG: a number of outer "
                         "iterations)")
    if family.check_checkpointing is not None:
        family.check_checkpointing(problem, every)
    ckpt = Checkpointing(checkpoint_path(out_dir, case.name), case, float(every),
                         start=float(problem.output_times[0]))
    if saved is not None and family.resume_at_saves:
        ckpt.due(float(saved[1]["time"]))        # the slots up to the resumed save are done
    return ckpt

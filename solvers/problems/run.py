"""One case, end to end: validate -> build -> integrate -> measure and compare -> write the result file."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..storage.checkpoint import checkpoint_path, read_checkpoint
from ..storage.results import write_run_result
from .checkpointing import Checkpointing
from .analysis import analyse
from .burgers_analysis import analyse_burgers
from .burgers_problem import build_burgers_problem
from .case import load_case
from .heat_problem import build_heat_problem
from .integrate import integrate
from .mfg_analysis import analyse_mfg
from .mfg_problem import build_mfg_problem, solve_mfg

BUILDERS = {"heat": (build_heat_problem, analyse), "burgers": (build_burgers_problem, analyse_burgers),
            "mfg": (build_mfg_problem, analyse_mfg)}
SOLVE = {"heat": integrate, "burgers": integrate, "mfg": solve_mfg}


@dataclass
class RunOutcome:
    name: str
    path: Path
    passed: bool
    comparisons: list
    problem: object
    wall_time_s: float


def run_case(case_path, overrides=None, out_dir="results", progress=None, checkpoint_every=None,
             resume=None) -> RunOutcome:
    """Raises InputError (exit 2) before anything is written, NumericalFailure (exit 3) without writing.

    ``checkpoint_every``: simulated time between checkpoints (MFG: outer iterations), written to
    ``<out>/<name>.checkpoint.h5`` and removed once the result is written; ``resume``: a checkpoint (or the
    result path next to one) to continue from, bit-for-bit equal to the uninterrupted run."""
    start = time.perf_counter()
    case = load_case(case_path, overrides)
    equation = case[""]["equation"]
    build, analyse_run = BUILDERS[equation]
    problem = build(case)
    what = "MFG outer iteration" if equation == "mfg" else "time integration"
    saved = read_checkpoint(resume, case, what) if resume is not None else None
    if checkpoint_every is None and saved is not None:
        checkpoint_every = float(saved[1]["every"])       # keep checkpointing as the interrupted run did
    ckpt = _checkpointing(problem, case, out_dir, checkpoint_every, saved)
    if equation == "mfg":
        problem.settings.update(checkpoint=ckpt, resume=saved)
        integration = solve_mfg(problem, progress=progress)
    else:
        integration = integrate(problem, progress=progress, checkpoint=ckpt, resume=saved)
    analysis = analyse_run(problem, integration)
    wall = time.perf_counter() - start
    path = write_run_result(Path(out_dir) / f"{case.name}.h5", problem, integration, analysis, wall)
    if ckpt is not None:
        ckpt.path.unlink(missing_ok=True)       # the result supersedes it
    passed = all(c.passed for c in analysis.comparisons)
    return RunOutcome(case.name, path, passed, analysis.comparisons, problem, wall)


def _checkpointing(problem, case, out_dir, every, saved) -> Checkpointing | None:
    if every is None:
        return None
    if not (isinstance(every, (int, float)) and np.isfinite(every) and every > 0):
        raise InputError("--checkpoint-every", every, "a positive simulated time (MFG: a number of outer "
                         "iterations)")
    if case[""]["equation"] == "mfg" and case["mfg"]["solver"] == "newton" and case["method"]["space"] == "spectral":
        raise InputError("--checkpoint-every", every, "solvers other than newton with the spectral MFG scheme "
                         "(scipy's newton_krylov keeps its Krylov state internally: not restartable exactly)")
    ckpt = Checkpointing(checkpoint_path(out_dir, case.name), case, float(every),
                         start=float(problem.output_times[0]))
    if saved is not None and case[""]["equation"] != "mfg":
        ckpt.due(float(saved[1]["time"]))        # the slots up to the resumed save are done
    return ckpt

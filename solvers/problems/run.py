"""One case, end to end: validate -> build -> integrate -> measure and compare -> write the result file."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..storage.results import write_run_result
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


def run_case(case_path, overrides=None, out_dir="results", progress=None) -> RunOutcome:
    """Raises InputError (exit 2) before anything is written, NumericalFailure (exit 3) without writing."""
    start = time.perf_counter()
    case = load_case(case_path, overrides)
    build, analyse_run = BUILDERS[case[""]["equation"]]
    problem = build(case)
    integration = SOLVE[case[""]["equation"]](problem, progress=progress)
    analysis = analyse_run(problem, integration)
    wall = time.perf_counter() - start
    path = write_run_result(Path(out_dir) / f"{case.name}.h5", problem, integration, analysis, wall)
    passed = all(c.passed for c in analysis.comparisons)
    return RunOutcome(case.name, path, passed, analysis.comparisons, problem, wall)

"""An equation family as one registered unit: its case rules and limits, how it builds, solves and analyses a
problem, and how it describes its method. Everything that depends on the equation asks its entry in
:data:`solvers.families.FAMILIES`; nothing else compares equation names."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..config.case import Case
from ..config.consistency import CaseRules, check_consistency
from ..config.limits import RunSize, check_limits
from ..errors import InputError
from ..registry import Registry


def _no_attrs(problem) -> dict:
    return {}


@dataclass(frozen=True)
class EquationFamily:
    """``rules``: the family's cross-key checks (:class:`~solvers.config.consistency.CaseRules`);
    ``run_size(case)``: what a run holds, for the limits (:class:`~solvers.config.limits.RunSize`);
    ``horizon_check(case)``: a check run before the others (the VP horizon), or None;
    ``build(case) -> Problem``; ``solve(problem, hooks) -> Run``; ``analyse(problem, run) -> Analysis``;
    ``method_attrs(problem)``: attributes the result's ``/method`` group adds for this family;
    ``space_schemes`` / ``time_schemes``: the registries a case's ``method.space`` / ``method.time`` resolve in;
    ``solve_unit``: what a checkpoint of a solve holds (checked on resume); ``resume_at_saves``: checkpoints are
    taken at saves of a time loop (else at outer iterations); ``check_checkpointing(problem, every)``: refuses settings
    that cannot restart exactly; ``final_errors(problem, state, t)``: errors of a final state (initial-value
    families; the convergence and work-precision studies), None for a family that is no initial-value problem;
    ``advection_explicit``: every time scheme treats a transport term explicitly (refinement keeps ``dt``
    falling at least like ``h``)."""

    name: str
    description: str
    rules: CaseRules
    run_size: Callable[[Case], RunSize]
    build: Callable
    solve: Callable
    analyse: Callable
    space_schemes: Registry
    time_schemes: Registry
    solve_unit: str = "time integration"
    resume_at_saves: bool = True
    horizon_check: Callable[[Case], None] | None = None
    method_attrs: Callable = field(default=_no_attrs)
    check_checkpointing: Callable | None = None
    final_errors: Callable | None = None
    advection_explicit: bool = False

    @property
    def initial_value(self) -> bool:
        return self.final_errors is not None

    def validate(self, case: Case) -> None:
        """The family's checks of a schema-valid case, in order: horizon, cross-key rules, up-front limits."""
        try:
            if self.horizon_check is not None:
                self.horizon_check(case)
            check_consistency(case, self.rules)
            check_limits(case, self.run_size(case))
        except InputError as exc:
            raise (exc if exc.file else exc.in_file(case.path)) from None

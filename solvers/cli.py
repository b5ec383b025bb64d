"""The ``gridshock`` command line (CONTRACT.md): run, run-all, convergence, sweep, study, reference, report, bench.

Exit codes: 0 every comparison passed; 1 a comparison failed (result still written); 2 invalid input (one
line naming file, key, value and what is allowed; nothing written); 3 numerical failure (diagnosis printed).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import GridshockError, InputError


def _print_table(path: Path) -> None:
    from postprocess.io import load_result
    from postprocess.tables import comparison_table
    print(comparison_table(load_result(path)))


def _run_one(case: str, overrides, out: str, quiet: bool = False, **options) -> tuple[int, object]:
    from .runs.run import run_case
    try:
        outcome = run_case(case, overrides, out, **options)
    except GridshockError as exc:
        print(f"gridshock: {exc}", file=sys.stderr)
        return exc.exit_code, exc
    if not quiet:
        _print_table(outcome.path)
        print(f"wrote {outcome.path} ({'passed' if outcome.passed else 'FAILED'})")
    return (0 if outcome.passed else 1), outcome


def cmd_run(args) -> int:
    return _run_one(args.case, args.set, args.out, quiet=args.quiet, checkpoint_every=args.checkpoint_every,
                    resume=args.resume)[0]


def combine_exit_codes(codes: list[int]) -> int:
    """run-all / sweep: 2 or 3 of the first bad case, else 1 if any failed, else 0."""
    for code in codes:
        if code in (2, 3):
            return code
    return 1 if any(codes) else 0


def _summary(paths: list[Path]) -> None:
    from postprocess.io import load_result
    from postprocess.tables import summary_table
    if paths:
        print(summary_table([load_result(p) for p in paths]))


def cmd_run_all(args) -> int:
    cases = sorted(Path(args.dir).glob("*.toml"))
    if not cases:
        print(f"gridshock: no case files (*.toml) in {args.dir}", file=sys.stderr)
        return 2
    codes, paths, not_written = [], [], []
    for case in cases:
        if not args.quiet:
            print(f"== {case}")
        code, outcome = _run_one(str(case), args.set, args.out, quiet=args.quiet)
        codes.append(code)
        if isinstance(outcome, GridshockError):
            not_written.append(f"{case}: exit {code}: {outcome}")
        else:
            paths.append(outcome.path)
    if not args.quiet:
        print()
        _summary(paths)
    for line in not_written:
        print(f"no result: {line}")
    return combine_exit_codes(codes)


def cmd_convergence(args) -> int:
    from .studies.convergence import run_convergence
    try:
        study = run_convergence(args.case, args.levels, args.set, args.out, refine=args.refine,
                                direction="coarsen" if args.coarsen else "refine")
    except GridshockError as exc:
        print(f"gridshock: {exc}", file=sys.stderr)
        return exc.exit_code
    from postprocess.io import load_result
    from postprocess.tables import eoc_table
    if not args.quiet:
        print(eoc_table(load_result(study.path)))
    note = f"; not assessable (at floor): {', '.join(study.not_assessable)}" if study.not_assessable else ""
    print(f"wrote {study.path} ({'passed' if study.passed else 'FAILED'}{note})")
    return 0 if study.passed else 1


def cmd_sweep(args) -> int:
    from .studies.sweep import run_sweep
    try:
        outcomes = run_sweep(args.case, args.vary, args.set, args.out, args.scheduler)
    except GridshockError as exc:
        print(f"gridshock: {exc}", file=sys.stderr)
        return exc.exit_code
    for o in outcomes:
        if o.message:
            print(f"gridshock: {o.label}: {o.message}", file=sys.stderr)
    if not args.quiet:
        _summary([o.path for o in outcomes if o.path is not None])
    return combine_exit_codes([o.code for o in outcomes])


def cmd_work_precision(args) -> int:
    from .progress import show_progress
    from .studies.work_precision import run_work_precision
    study = run_work_precision(args.case, args.schemes, args.levels, args.set, args.out, peers=args.peers,
                               peer_space=args.peer_space, scheduler=args.scheduler, progress=show_progress())
    for message in study.messages:
        print(f"gridshock: {message}", file=sys.stderr)
    if not args.quiet:
        print(study.table)
    print(f"wrote {study.path}")
    return combine_exit_codes(study.codes)


def cmd_reference(args) -> int:
    from .storage.reference import default_reference_path, generate_reference
    path = generate_reference(args.out or default_reference_path())
    print(f"wrote {path}")
    return 0


def cmd_report(args) -> int:
    from postprocess.io import ResultFileError
    from postprocess.report import make_report
    for p in args.results:
        if not (Path(p).is_file() or Path(p).is_dir()):
            raise InputError("RESULT", p, "existing result files (.h5) or a directory of them")
    try:
        page = make_report(args.results, args.out)
    except ResultFileError as exc:       # a newer schema or not a result file: one line, exit 2
        print(f"gridshock: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {page}")
    return 0


def cmd_bench(args) -> int:
    from .bench import run_benchmarks
    return run_benchmarks(quick=args.quick)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gridshock", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"gridshock {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def with_set(sp):
        sp.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a case key (dotted KEY, TOML VALUE); repeatable")
        with_quiet(sp)

    def with_quiet(sp):
        sp.add_argument("--quiet", action="store_true", help="no progress bars and no tables (errors only)")

    r = sub.add_parser("run", help="run one case file")
    r.add_argument("case"); r.add_argument("--out", default="results"); with_set(r)
    r.add_argument("--checkpoint-every", type=float, default=None, metavar="SIMTIME",
                   help="write <out>/<name>.checkpoint.h5 at the first save after every SIMTIME of simulated "
                        "time (MFG: every SIMTIME outer iterations); removed when the result is written")
    r.add_argument("--resume", default=None, metavar="CHECKPOINT.h5",
                   help="continue from a checkpoint (or the result path next to one): bit-for-bit equal to an "
                        "uninterrupted run")
    r.set_defaults(func=cmd_run)
    ra = sub.add_parser("run-all", help="run every case file in a directory")
    ra.add_argument("dir", nargs="?", default="cases"); ra.add_argument("--out", default="results"); with_set(ra)
    ra.set_defaults(func=cmd_run_all)
    c = sub.add_parser(
        "convergence", help="observed orders of convergence over grid refinements",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Reruns the case at N levels (level l: grid.points x 2^l, dt as the scheme asks) and prints "
                    "and stores an EOC table per error measure.",
        epilog="error floor: each level's error has a floor, eps * (time steps) of round-off (times the\n"
               "measure's scale, plus pi * max|log p| / h for a score differenced from the density) plus the\n"
               "reference's precision (1e-14 closed forms, 1e-12 quadrature). Levels within 10x of it are marked\n"
               "'at floor' and left out; the order is the EOC of the two finest levels above the floor. A\n"
               "measure with fewer than two such levels is 'not assessable: at floor' (no verdict).\n"
               "exit: 0; 1 if an order above the floor misses the scheme's by more than 0.2 (2: invalid input).\n"
               "--coarsen: for a case tuned for accuracy (already at the floor), levels -(N-1)..0 go down from\n"
               "the case's grid (grid.points / 2^k, dt scaled by the same rule), refusing up front a level\n"
               "the case's validation refuses (e.g. too few points per std or across the interface layer).")
    c.add_argument("case"); c.add_argument("--levels", type=int, default=4, help="number of levels N (default 4)")
    c.add_argument("--out", default="results")
    c.add_argument("--refine", default="both", help="both (grid and dt), space (grid at the finest dt) or time "
                   "(dt on the base grid, self-convergence)")
    c.add_argument("--coarsen", action="store_true",
                   help="levels go down from the case's grid by factors of 2 (grid.points / 2^k) instead of up")
    with_set(c)
    c.set_defaults(func=cmd_convergence)
    s = sub.add_parser("sweep", help="run case variants as Dask tasks")
    s.add_argument("case"); s.add_argument("--vary", action="append", default=[], metavar="KEY=V1,V2,...")
    s.add_argument("--scheduler", default=None, help="address of an existing dask.distributed scheduler")
    s.add_argument("--out", default="results"); with_set(s)
    s.set_defaults(func=cmd_sweep)
    st = sub.add_parser("study", help="numerical-method studies")
    study = st.add_subparsers(dest="study", required=True)
    wp = study.add_parser("work-precision", help="error against run time over refinements, with solve_ivp peers")
    wp.add_argument("case")
    wp.add_argument("--schemes", required=True, metavar="A,B,...",
                    help="comma-separated space+time pairs or single space or time names (e.g. weno5+ssprk3,rk4)")
    wp.add_argument("--levels", type=int, default=4)
    wp.add_argument("--peers", default="Radau,BDF,DOP853",
                    help="scipy.integrate.solve_ivp methods on the same spatial discretisation, or none")
    wp.add_argument("--peer-space", default=None, help="space scheme of the peers (default: the case's)")
    wp.add_argument("--scheduler", default=None, help="address of an existing dask.distributed scheduler")
    wp.add_argument("--out", default="results"); with_set(wp)
    wp.set_defaults(func=cmd_work_precision)
    ref = sub.add_parser("reference", help="regenerate the closed-form reference HDF5")
    ref.add_argument("--out", default=None); with_quiet(ref)
    ref.set_defaults(func=cmd_reference)
    rep = sub.add_parser("report", help="plots and a summary page from result files")
    rep.add_argument("results", nargs="+"); rep.add_argument("--out", default="results/report"); with_quiet(rep)
    rep.set_defaults(func=cmd_report)
    b = sub.add_parser("bench", help="benchmark suite (ratios measured in the same run)")
    b.add_argument("--quick", action="store_true", help="smaller sizes (used by the tests)"); with_quiet(b)
    b.set_defaults(func=cmd_bench)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .progress import set_quiet
    set_quiet(getattr(args, "quiet", False))
    try:
        return int(args.func(args))
    except GridshockError as exc:
        print(f"gridshock: {exc}", file=sys.stderr)
        return exc.exit_code
    except MemoryError:
        # Runs that cannot fit are refused up front (solvers/problems/limits.py, exit 2); this is the backstop
        # for the work arrays that estimate leaves out. The atomic writer leaves no partial result.
        from .config.limits import available_memory
        print(f"gridshock: numerical failure: out of memory during the run; limit: the "
              f"{available_memory() / 2**30:.3g} GiB this machine has available; lower grid.points, time.saves "
              "or the number of time steps", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("gridshock: interrupted", file=sys.stderr)
        return 130

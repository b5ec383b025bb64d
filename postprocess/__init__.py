"""Post-processing: reads gridshock result files only.

Nothing here imports :mod:`solvers` or evaluates a closed form; everything shown comes from the HDF5 files.

- :mod:`postprocess.io`: :func:`~postprocess.io.load_result` reads a run or convergence file into a
  :class:`~postprocess.io.Result` (missing optional groups give ``None``/empty members).
- :mod:`postprocess.tables`: fixed-width and markdown tables (comparisons, run summary, EOC).
- :mod:`postprocess.plots`: PNG figures (matplotlib, Agg backend); each skips when its data is absent.
- :mod:`postprocess.report`: :func:`~postprocess.report.make_report` writes the figures and ``report.md``;
  ``python -m postprocess.report RESULT.h5 ... --out DIR`` (also ``gridshock report``).

Submodules are not imported here, so ``import postprocess`` does not select a matplotlib backend.
"""

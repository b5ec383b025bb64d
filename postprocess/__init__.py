"""Post-processing: reads gridshock result files only.

Nothing here imports :mod:`solvers` or evaluates a closed form; everything shown comes from the HDF5 files.

- :mod:`postprocess.io`: :func:`~postprocess.io.load_result` reads a run, convergence or work-precision file
  into a :class:`~postprocess.io.Result` (missing optional groups give ``None``/empty members; a
  ``schema_version`` outside :data:`~postprocess.io.SUPPORTED_SCHEMA_VERSIONS` is refused).
- :mod:`postprocess.tables`: fixed-width, markdown and HTML tables (comparisons, run summary, EOC,
  work-precision).
- :mod:`postprocess.plots`: PNG figures (matplotlib, Agg backend); each skips when its data is absent.
- :mod:`postprocess.report`: :func:`~postprocess.report.make_report` writes the figures, one self-contained
  ``report.html`` and ``report.md``; ``python -m postprocess.report RESULT.h5 ... --out DIR`` (also
  ``gridshock report``).

Submodules are not imported here, so ``import postprocess`` does not select a matplotlib backend.
"""

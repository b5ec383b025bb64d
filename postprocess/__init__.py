"""Post-processing: reads gridshock result files only.

Nothing here imports :mod:`solvers` or evaluates a closed form; everything shown comes from the HDF5 files.

- :mod:`postprocess.model`: the dataclasses a result file is read into (:class:`~postprocess.model.Result`,
  :class:`~postprocess.model.FieldStore` of lazily read fields, comparisons, convergence and work-precision
  data) and :func:`~postprocess.model.checks`, :func:`~postprocess.model.is_convergence`,
  :func:`~postprocess.model.is_work_precision`.
- :mod:`postprocess.read`: :func:`~postprocess.read.load_result` reads a run, convergence or work-precision file,
  from a path or an open ``h5py.File`` (an in-memory one included), into a ``Result`` (missing optional groups
  give ``None``/empty members; a ``schema_version`` outside :data:`~postprocess.read.SUPPORTED_SCHEMA_VERSIONS`
  is refused with a :class:`~postprocess.read.ResultFileError`). ``postprocess._coerce`` holds its value
  coercion helpers.
- :mod:`postprocess.io`: re-exports the two above (``from postprocess.io import load_result, Result``).
- :mod:`postprocess.formatting`: cell formatting and the text, markdown and HTML table renderers.
- :mod:`postprocess.tables`: the tables (comparisons, run summary, EOC, work-precision), one function per kind
  with a ``renderer`` of ``"text"`` (default), ``"markdown"`` or ``"html"``.
- :mod:`postprocess.plots`: PNG figures (matplotlib, Agg backend), one module per figure family; each skips when
  its data is absent; ``PER_RESULT_PLOTS`` lists the per-result figures.
- :mod:`postprocess.report`: :func:`~postprocess.report.make_report` writes the figures, one self-contained
  ``report.html`` (:mod:`postprocess.render_html`) and ``report.md`` (:mod:`postprocess.render_md`), with the
  parts both pages show in ``postprocess._sections``. The command line is ``gridshock report`` (``solvers/cli.py``).

Submodules are not imported here, so ``import postprocess`` does not select a matplotlib backend.
"""

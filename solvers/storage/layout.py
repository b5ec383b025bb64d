"""The version of the result-file layout, shared by every writer (a leaf module: the atomic writer and the
result writers import it, it imports nothing)."""
from __future__ import annotations

#: Version of the result file layout (``docs/results.md``), stored as the root attribute ``schema_version`` of
#: every file written (by :func:`write_root_attrs` and, for files without the case attributes such as sweep
#: summaries, by :func:`solvers.storage.atomic.atomic_h5`). Raise it when a change would mislead an existing
#: reader (a renamed or removed group, dataset or attribute, a changed meaning or unit); additions keep it.
SCHEMA_VERSION = 1

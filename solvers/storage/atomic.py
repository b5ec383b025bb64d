"""Atomic HDF5 writing: a reader never sees half a file, an interrupted run leaves no ``.h5`` behind."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import h5py


@contextlib.contextmanager
def atomic_h5(path: str | Path):
    """Yield an open ``h5py.File`` on a temporary sibling; rename it onto ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise

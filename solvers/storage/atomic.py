"""Atomic HDF5 writing: a reader never sees half a file, an interrupted run leaves no ``.h5`` behind.

:func:`atomic_h5` writes to a temporary sibling ``.<name>.<pid>-<writer>.<random>.tmp`` of the target
``<name>`` and, only when the ``with`` block succeeds, flushes and closes the HDF5 file, calls ``fsync`` on
it, renames it onto the target with :func:`os.replace` (atomic on POSIX: the target is either the old complete
file or the new complete file, never a mixture) and calls ``fsync`` on the directory so that the rename itself
is durable. Two writers of the same target never touch each other's temporary file; the last one to rename
wins.

A process killed while writing (``SIGKILL``, power loss) cannot remove its temporary file. The next
:func:`atomic_h5` on the same target removes such stale siblings: those whose writer is provably dead (same
machine, boot and PID namespace, encoded as ``<writer>``, and the PID gone or a zombie) and any whose last
modification is older than :data:`STALE_AGE_S` (a writer on another machine, of an older name format, or a
recycled PID). A live writer's temporary file is never removed.

Every file gets the root attribute ``schema_version`` (:data:`solvers.storage.layout.SCHEMA_VERSION`; the
layout is in ``docs/results.md``).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import socket
import time
from pathlib import Path

from .layout import SCHEMA_VERSION

import h5py

#: A temporary sibling whose writer cannot be proved dead is removed once unmodified for this long (seconds).
STALE_AGE_S = 24 * 3600.0

_NEW_NAME = re.compile(r"(?P<pid>\d+)-(?P<writer>[0-9a-f]{12})\.[0-9a-f]+")   # <pid>-<writer>.<random>
_OLD_NAME = re.compile(r"[A-Za-z0-9_]{8}")                                   # tempfile.mkstemp's 8 characters
_WRITER: str | None = None


def _writer_id() -> str:
    """Identifies the PID space of this process: host name, kernel boot and PID namespace."""
    global _WRITER
    if _WRITER is None:
        parts = [socket.gethostname()]
        with contextlib.suppress(OSError):
            parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
        with contextlib.suppress(OSError):
            parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
        _WRITER = hashlib.sha1("\0".join(parts).encode()).hexdigest()[:12]
    return _WRITER


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _pid_alive(pid: int) -> bool:
    """False only when process ``pid`` provably no longer runs (gone, or a zombie awaiting its parent)."""
    if pid <= 0 or os.name != "posix":   # (on Windows os.kill(pid, 0) would send CTRL_C_EVENT): age rule only
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                      # PermissionError: a process of another user has that PID
        return True
    try:                                 # a killed child not yet reaped by its parent is a zombie: dead
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:][:1] != "Z"
    except (OSError, ValueError):
        return True


def stale_temporaries(path: str | Path, now: float | None = None) -> list[Path]:
    """The temporary siblings of ``path`` left by dead writers (see the module docstring)."""
    path = Path(path)
    prefix = temp_prefix(path)
    now = time.time() if now is None else now
    stale = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        middle = name[len(prefix):-len(".tmp")]
        new = _NEW_NAME.fullmatch(middle)
        if new is None and _OLD_NAME.fullmatch(middle) is None:
            continue                     # the temporary file of another target (e.g. "<name>.x.h5")
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if age > STALE_AGE_S:
            stale.append(Path(entry.path))
        elif new is not None and new["writer"] == _writer_id() and int(new["pid"]) != os.getpid() \
                and not _pid_alive(int(new["pid"])):
            stale.append(Path(entry.path))
    return stale


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove :func:`stale_temporaries` of ``path``; returns the removed paths."""
    removed = []
    for tmp in stale_temporaries(path):
        with contextlib.suppress(FileNotFoundError, PermissionError, IsADirectoryError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def _create_temporary(path: Path) -> Path:
    """Create (exclusively, with the umask's permissions like any new file) a fresh temporary sibling."""
    stem = f"{temp_prefix(path)}{os.getpid()}-{_writer_id()}."
    while True:
        tmp = path.parent / f"{stem}{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def _fsync(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        if directory:                    # some platforms/filesystems cannot open a directory: best effort
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:                # a directory fsync is not supported everywhere (EINVAL)
            raise
    finally:
        os.close(fd)


@contextlib.contextmanager
def _atomic_temporary(path: str | Path):
    """The shared mechanism: yield a fresh temporary sibling of ``path`` (stale ones of dead writers removed
    first); on success fsync it, rename it onto ``path`` and fsync the directory; on any failure remove it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = _create_temporary(path)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync(path.parent, directory=True)


@contextlib.contextmanager
def atomic_h5(path: str | Path):
    """Yield an open ``h5py.File`` on a temporary sibling; rename it onto ``path`` only on success.

    Before writing, stale temporary siblings of ``path`` left by killed writers are removed. The file is
    flushed, closed and fsynced before the rename, and the directory is fsynced after it.
    """
    with _atomic_temporary(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["schema_version"] = SCHEMA_VERSION
            yield f
            f.flush()


def atomic_text(path: str | Path, text: str) -> Path:
    """Write a text file (CSV tables) the same way: a fresh temporary sibling, fsync, rename."""
    with _atomic_temporary(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)

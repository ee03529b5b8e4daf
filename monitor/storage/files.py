"""Private files: what BrandGuard creates holds personal information (mention authors and texts,
password and token hashes) or secrets (keys, anchors), so files are created 0600 and directories 0700
whatever the process umask. Existing files keep their modes (an operator may have chosen them);
``brandguard doctor`` reports looser ones (``loose_modes``).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) 0700; an existing directory is left as it is."""
    if path.is_dir():
        return
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(directory, DIR_MODE)  # mkdir's mode is masked by the umask


def _open(path: Path, flags: int) -> int:
    fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # os.open's mode is masked by the umask
    return fd


def open_private_append(path: Path) -> int:
    """An O_APPEND descriptor; a new file is created 0600."""
    try:
        return _open(path, os.O_WRONLY | os.O_APPEND)
    except FileExistsError:
        return os.open(path, os.O_WRONLY | os.O_APPEND)


def create_private_file(path: Path) -> None:
    """Make sure ``path`` exists; create it empty and 0600 when it does not."""
    with contextlib.suppress(FileExistsError):
        os.close(_open(path, os.O_WRONLY))


def open_private_write(path: Path) -> int:
    """A truncating write descriptor whose file is 0600 (an existing file is tightened too: exports are
    rewritten whole, so no one else's chosen mode is lost)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def loose_modes(paths: Iterable[Path]) -> list[str]:
    """One line per existing path readable or writable by group or others (files) or not 0700 (dirs)."""
    problems: list[str] = []
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            continue
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            if mode & 0o077:
                problems.append(f"{path}: directory mode {mode:04o}, expected 0700 (chmod 700 {path})")
        elif mode & 0o077:
            problems.append(f"{path}: file mode {mode:04o}, expected 0600 (chmod 600 {path})")
    return problems

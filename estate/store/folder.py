"""Writing a folder whole: a hidden temporary sibling filled, then swapped into place.

Every folder estate writes (a plan's results, a sweep run's recorded failure) goes
through `write_folder`, so that a crash, Ctrl-C or a kill never leaves a half-written
folder nor destroys the previous one, and the next run clears what a killed one left.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_folder(out: Path, write: Callable[[Path], None]) -> Path:
    """Fill a hidden temporary sibling of `out` with `write`, then swap it into place:
    a crash or Ctrl-C part-way leaves the previous folder as it was. Debris of a run that
    was killed (its temporary or set-aside folders) is cleared first, and a folder that
    such a run had set aside but not yet replaced is put back. The folder gets the
    user's umask, as any folder they make would."""
    out.parent.mkdir(parents=True, exist_ok=True)
    clear_debris(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}.", suffix=".tmp",
                                dir=out.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        write(tmp)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def clear_debris(out: Path) -> None:
    """Remove the hidden `.<name>.<pid>.*.tmp` and `.<name>.old-<pid>` siblings of `out`
    left by runs that are no longer alive; put back a set-aside folder when `out` itself
    is missing (the run died between moving the old folder aside and the new one in)."""
    for path in sorted(out.parent.glob(f".{glob.escape(out.name)}.*")):
        rest = path.name[len(out.name) + 2:]
        pid_text = rest.split(".", 1)[0] if rest.endswith(".tmp") else \
            rest.removeprefix("old-") if rest.startswith("old-") else ""
        if not pid_text.isdigit() or _alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        if rest.startswith("old-") and not out.exists():
            os.replace(path, out)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Replace `out` by `tmp`: the old folder is moved aside first, removed last."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

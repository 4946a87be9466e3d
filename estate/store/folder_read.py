"""A folder given to be read (a results folder, a comparison's): what is there instead,
said in estate's words before anything is read from it."""

from __future__ import annotations

import os
from pathlib import Path

from estate.errors import IN_A_LOCKED_FOLDER
from estate.load.read import kind_of


def not_a_folder_to_read(folder: Path, meant: str, marker: str) -> str | None:
    """What is at `folder`, given as input to be read as the folder `meant` (one holding
    `marker`), when it is not a folder, with how to put it right (for a file of such a
    folder: give the folder it is in); None when it is a folder. Said in estate's words,
    as click's own check of the path ("Directory 'x' is a file.") says neither what was
    meant nor what to do."""
    folder = Path(folder)
    try:
        if folder.is_dir():
            return None
    except PermissionError:  # a folder above it one may not open
        return IN_A_LOCKED_FOLDER
    if not os.path.lexists(folder):
        return f"nothing there: check the name; give {meant}"
    if (folder.parent / marker).is_file():
        return f"a file in the folder {folder.parent}: give that folder, not the file"
    return f"{kind_of(folder) or 'a file'}, not a folder: give {meant}"

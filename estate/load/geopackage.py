"""A local GeoPackage's path as pyogrio should be given it, wherever estate reads or
writes one (a register, a results folder's `plan.gpkg`).

pyogrio 0.13 reads a `!` in a path as the separator of an archive and a file inside it
(`data.zip!sites.shp`) and drops what comes before it, so `Estates!2027/register.gpkg`
would open `2027/register.gpkg` or nothing (pyogrio issue #632). GDAL itself takes such
a path as it is, but no prefix keeps pyogrio's hands off a local path, and GDAL warns
about a GeoPackage read from bytes in memory (no `.gpkg` name). So a GeoPackage under
such a path is read from a copy in a temporary folder, and written in one and then moved
into place.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _cut_by_pyogrio(path: Path | str) -> bool:
    return "!" in str(path)


@contextlib.contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="estate-gpkg-") as folder:
        if _cut_by_pyogrio(folder):
            raise OSError(f"the temporary folder {folder} has a '!' in its path, which the "
                          "GeoPackage library cuts paths at: set TMPDIR to a folder without one")
        yield Path(folder)


@contextlib.contextmanager
def readable(path: Path) -> Iterator[Path]:
    """A path pyogrio (or geopandas) reads the GeoPackage at `path` from, for the block."""
    if not _cut_by_pyogrio(path):
        yield path
        return
    with _folder() as folder:
        copy = folder / "read.gpkg"
        shutil.copyfile(path, copy)
        yield copy


@contextlib.contextmanager
def writable(path: Path) -> Iterator[Path]:
    """A path to write the GeoPackage at `path` through in the block: `path` itself, or
    one in a temporary folder, moved to `path` when the block ends without error."""
    if not _cut_by_pyogrio(path):
        yield path
        return
    with _folder() as folder:
        staged = folder / "write.gpkg"
        yield staged
        shutil.move(staged, path)

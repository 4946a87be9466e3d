"""Where estate may write, checked before anything is solved.

A plan can take minutes; finding only then that its map cannot be written wastes them,
and writing over the wrong thing loses the user's work. So every output a command will
write is checked first, named by its option (`--out`, `--map`, `--write-lp`, ...):

- a target that exists must be what estate writes: a regular file, or a folder (for a
  results folder: an empty one, or a results folder holding only what estate writes and
  no other scenario's results, as it is replaced whole); a device,
  a FIFO or a socket is refused, never written into nor replaced;
- a symbolic link is written through: the file or folder it points to is replaced and
  the link kept (`store.folder.through_link`);
- a file must not be inside the results folder of the same run, which each run replaces;
- no output may be one of the run's inputs (`Inputs`): the scenario file, a file of the
  register it reads, or those a results folder being read or replaced records it was
  planned from; nor may a folder replaced whole hold one, nor a folder written into
  have one where it writes;
- an LP file replaces only an LP file (`.lp`, starting as PuLP writes one), as the
  user's own file may be at its path;
- a board pack's PDF or page replaces only a board pack estate wrote, and a map only a
  map estate drew (`store.board_pack`, `store.drawn_from`): each may sit where the
  other, a comparison's page or the user's own file is; an empty file loses nothing,
  and any output may replace one;
- a write probe (a small hidden file, written and removed) in the folder that will hold
  the output finds read-only folders, missing permissions and full disks at once.

A failure after the results are written is an `OutputError` that says they are in place.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from estate.errors import InputError, OutputError, Problem
from estate.load.free_text import has_hidden
from estate.load.read import kind_of
from estate.load.scenario import Scenario, load_scenario
from estate.store import planned_from, read_summary, register_files
from estate.store.folder import replaceable, through_link
from estate.store.owned import Replaces, kept_file
from estate.store.path_text import escaped, unusable
from estate.store.register_used import register_of_results

_PROBE_BYTES = 4096  # one block: a full disk refuses it

#: The files a run reads, each with what it is ("the scenario file", "the register's
#: sites.csv"), by real path (through links and `..`): no output may replace one.
Inputs = dict[str, str]


@dataclass(frozen=True)
class Output:
    """One path a command will write: a file, a folder it writes files into, or a
    results folder it replaces whole; `replaces`: which existing file it may replace."""

    option: str
    path: Path
    folder: bool = False
    replaced: bool = False
    replaces: Replaces = "any file"
    #: for a folder written into: the names it writes there (files or folders)
    writes: tuple[str, ...] = ()
    #: those of `writes` that are folders (a sweep's `runs/`); the others are files
    folders: tuple[str, ...] = ()
    #: the endings a file's name may have (a map's, a web page's: .html or .htm), any case
    endings: tuple[str, ...] = ()


WEB_PAGE = (".html", ".htm")
"""The endings of a page's file name (a map, the board pack's page)."""


def inputs_of(scenario: Scenario | None) -> Inputs:
    """The scenario's file (when it has one) and its register's files, by real path."""
    if scenario is None:
        return {}
    found = _register_inputs(Path(scenario.data))
    if scenario.path is not None:
        found[os.path.realpath(scenario.path)] = "the scenario file"
    return found


def inputs_of_file(path: Path) -> Inputs:
    """`inputs_of` the scenario file at `path`; the file alone when it cannot be read as
    a scenario (the run refuses it later, naming what is wrong)."""
    try:
        return inputs_of(load_scenario(path))
    except (InputError, OSError):
        try:
            return {os.path.realpath(path): "the scenario file"} if Path(path).is_file() else {}
        except OSError:  # in a folder one may not open: nothing there to write over
            return {}


def inputs_of_results(folder: Path) -> Inputs:
    """The scenario file and the register a results folder records it was planned from
    (`planned_from`, scenario.toml's `data`): what drawing or replacing it must not
    write over. Nothing when it records neither."""
    register = register_of_results(folder)
    found = _register_inputs(Path(register.path)) if register is not None else {}
    scenario_file = planned_from(folder)
    if scenario_file is not None:
        found[os.path.realpath(scenario_file)] = "the scenario file it was planned from"
    return found


def _register_inputs(data: Path) -> Inputs:
    """The files of the register at `data` (a folder's CSV files, or the one workbook or
    GeoPackage); nothing when there is none there."""
    try:
        files = register_files(data) if os.path.lexists(data) else []
    except OSError:
        return {}
    if not files:  # nothing there (or a path too long to look at: the reader says so)
        return {}
    if data.is_dir():
        return {os.path.realpath(f): f"the register's {f.name}" for f in files}
    return {os.path.realpath(f): "the register" for f in files}


def check_outputs(outputs: Iterable[Output], results: Iterable[Path] = (),
                  problems: Iterable[Problem] = (), inputs: Inputs | None = None,
                  planned: Iterable[Path] = ()) -> None:
    """Raise an InputError naming the option and the path of every output that cannot be
    written, with what to do, after the `problems` found already; `results` are folders
    the run reads or replaces whole, which no other output may be inside; `inputs`, the
    files the run reads (`inputs_of`), which no output may replace, with those each
    results folder records (`inputs_of_results`). `planned`: results folders the run's
    plans replace whole (each compared scenario's), whose inputs are in `inputs`
    already: no output may be inside one either."""
    results = [Path(r) for r in results]
    problems = list(problems)
    protected = dict(inputs or {})
    for folder in results:
        protected = inputs_of_results(folder) | protected
    replaced = [*results, *(Path(p) for p in planned)]  # no output may be inside one
    taken: dict[str, str] = {}  # each real path -> the option that writes it
    for output in outputs:
        found = unusable(Path(output.path), output.option)
        if found is not None:
            problems.append(Problem(escaped(str(output.path)), None, output.option, found[0],
                                    found[1], label="option"))
            continue
        found = _an_input(output, protected) or _problem(output, replaced)
        real = os.path.realpath(output.path)
        if found is None and real in taken:  # one output would overwrite the other
            found = ("a path of its own", f"the path {taken[real]} writes too; give "
                     f"{output.option} another")
        found = found or _ending(output)
        taken.setdefault(real, output.option)
        if found is not None:
            problems.append(Problem(str(output.path), None, output.option, found[0], found[1],
                                    label="option"))
    if problems:
        raise InputError(problems)


def check_plan(out: Path | None, map_path: Path | None, lp_path: Path | None,
               scenario: Scenario | None = None, named: bool = True,
               alternative_maps: Iterable[Path] = ()) -> None:
    """The outputs of `estate plan`: the results folder `out` (None: not written), which
    must not hold another scenario's results than `scenario`'s (`other_scenario`; `named`:
    `out` is the folder named after it, not one given), the map and the LP file (None:
    not asked for), and the maps of the alternatives asked for that are there already
    beside it (each in --map's folder, named after it, so that --map is what moves
    them)."""
    outputs = [Output("--out", out, folder=True, replaced=True)] if out is not None else []
    outputs += [Output("--map", map_path, replaces="a map", endings=WEB_PAGE)] \
        if map_path is not None else []
    outputs += [Output("--map", path, replaces="a map", endings=WEB_PAGE)
                for path in alternative_maps]
    outputs += [Output("--write-lp", lp_path, replaces="an LP file")] \
        if lp_path is not None else []
    why = other_scenario(out, scenario, named) if out is not None and scenario is not None \
        and unusable(out, "--out") is None else None
    check_outputs(outputs, [out] if out is not None else [],
                  [Problem(str(out), None, "--out", why[0], why[1], label="option")]
                  if why is not None else [], inputs_of(scenario))


def stored_name(folder: Path) -> str | None:
    """The name of the scenario whose results the folder holds: its summary.json's
    `scenario`, or, for a run that ended without a plan, its scenario.toml's `name`;
    None when it holds neither readably (a damaged folder is estate's to write afresh).
    A summary refused elsewhere (a hand edit, or a key this version reads more strictly
    than the one that wrote it) still names its scenario when its `scenario` is a text,
    and one that names none (cut short, its key removed) leaves the name to the folder's
    scenario.toml: another scenario's results are never lost because their summary is
    refused."""
    folder = through_link(Path(folder))
    if (folder / "summary.json").is_file():
        with contextlib.suppress(InputError, OSError):
            return read_summary(folder).scenario
        with contextlib.suppress(OSError, UnicodeDecodeError, ValueError, RecursionError):
            data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            name = data.get("scenario") if isinstance(data, dict) else None
            if isinstance(name, str) and not has_hidden(name):  # never a name turned round
                return name
    with contextlib.suppress(OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        name = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8")).get("name")
        return name if isinstance(name, str) else None
    return None


def other_scenario(out: Path, scenario: Scenario, named: bool = True,
                   option: str | None = "--out") -> tuple[str, str] | None:
    """(what was expected, what was found) when the results folder `out` holds the
    results of a scenario other than `scenario`, else None. A scenario is known by its
    name (`results/<name>/`): another name is another scenario, such as two names that
    map to one folder ("Option A/B" and "Option A_B"). The same name planned from
    another scenario file that still exists (`planned_from`: a copy whose `name` was
    not changed) is another scenario too when the folder is the one named after it
    (`named`); a folder that does not say its file, or whose file is gone (renamed or
    moved: this one is it now), holds this scenario's results, which planning it again
    replaces. `estate plan` and `estate compare` refuse the folder, so neither overwrites
    another's. `named`: the folder is the one named after the scenario (so renaming it
    is the fix), not one given as `option`, which replaces a same-named scenario's
    results as asked; `option` None: no option gives another folder."""
    stored = stored_name(out)
    if stored is None:
        return None
    source = f" ({scenario.path})" if scenario.path is not None else ""
    rename = f"give {scenario.name!r}{source} a `name` of its own"
    if stored != scenario.name:
        fix = f"give {option} another folder" if not named else rename + (
            f", or write it elsewhere with {option}" if option else "")
        return (f"a new folder, or the results folder of this scenario ({scenario.name!r})",
                f"the results of another scenario, {stored!r}, which would be lost: {fix} "
                "(or move that folder away if its results are no longer wanted)")
    planned = planned_from(out)
    if not named or scenario.path is None or planned is None or not planned.exists() or \
            _same_file(planned, scenario.path):
        return None
    fix = rename + (f", or write it elsewhere with {option}, or replace them deliberately "
                    f'with {option} "{out}"' if option else
                    " (or move that folder away if its results are no longer wanted)")
    return (f"a new folder, or the results folder of this scenario file{source}",
            f"the results of {stored!r} planned from another file of that name, {planned}, "
            f"which would be lost: {fix}")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links, and a case-insensitive disk's
    other spellings); paths compared made absolute when either cannot be read."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def _an_input(output: Output, inputs: Inputs) -> tuple[str, str] | None:
    """(what was expected, what was found) when `output` would write over one of the
    run's `inputs`: the file itself, one inside a folder replaced whole, or one where a
    folder written into writes its files; else None."""
    real = Path(os.path.realpath(output.path))
    for path, what in inputs.items():
        if output.replaced and Path(path) == real / "scenario.toml":
            continue  # a plan of the copy a results folder keeps writes a fresh one there
        if not output.folder and Path(path) == real:
            found = f"{what}, which would be lost"
        elif output.folder and (output.replaced and Path(path).is_relative_to(real) or any(
                Path(path).is_relative_to(real / name) for name in output.writes)):
            found = (f"{what}, which would be lost" if Path(path) == real else
                     f"a folder holding {what} ({path}), which writing there would lose")
        elif output.folder and Path(path).parent == real and what.startswith("the register's"):
            # a register folder is every CSV in it: sweep.csv written there is read back
            # as one of its tables, and the next run refuses (or reads) that register
            found = (f"the register's own folder ({real}), where each CSV file written "
                     "would be read as one of the register's tables")
        else:
            continue
        return ("a path apart from the scenario file and the register's files",
                f"{found}: give {output.option} another path")
    return None


def _ending(output: Output) -> tuple[str, str] | None:
    """(what was expected, what was found) when the file name of `output` does not end
    as its kind of file must (a map's .html), else None."""
    name = Path(output.path).name
    if not output.endings or Path(name).suffix.lower() in output.endings:
        return None
    ending, first = " or ".join(output.endings), output.endings[0]
    return (f"a file name ending {ending}", f"the name {name}, with nothing before its "
            f"ending: give {output.option} a name such as plan{first}"
            if name.lower() in output.endings else f"a name not ending {ending}: "
            f"add {first} (or give {output.option} another)")


def _problem(output: Output, results: list[Path]) -> tuple[str, str] | None:
    """(what was expected, what was found) when `output` cannot be written, else None."""
    real = through_link(Path(output.path))
    if output.folder:
        why = replaceable(real) if output.replaced else \
            None if not os.path.lexists(real) or real.is_dir() else \
            f"{kind_of(real) or 'a file'}, not a folder; give {output.option} a folder"
        if why is not None:
            return ("a results folder (or nothing yet)" if output.replaced else
                    "a folder (or nothing yet)", why)
        taken = _taken_name(real, output)
        if taken is not None:
            return taken
    else:
        special = kind_of(real) or ("a folder" if real.is_dir() else None)
        if special is not None:
            return ("a regular file (or nothing yet)",
                    f"{special}; estate writes only files: give {output.option} a file path")
        if real.exists() and not os.access(real, os.W_OK):
            return ("a file estate may replace", "a read-only file; make it writable "
                    f"(chmod u+w) or give {output.option} another path")
        if real.exists():
            kept = kept_file(real, output.replaces, output.option)
            if kept is not None:
                return kept
    # the folders this run reads, and any results folder above the path (another
    # plan's: replaced whole when that plan is made again, so what is written is lost)
    # (nor may a folder that files are written into be one: `compare --out results/Base`)
    own = [real] if output.folder and output.writes and not output.replaced else []
    above = [parent for parent in [*own, *real.parents] if _holds_a_plan(parent)]
    for folder in [*results, *above]:
        if (not output.replaced or folder in above) and _inside(real, folder):
            return (f"a path outside the results folder {folder}",
                    f"{'that folder itself' if folder == real else 'a path inside it'}; "
                    "that folder is replaced whole by each run, so "
                    f"{'what it writes' if output.folder else 'the file'} would be lost: "
                    f"give {output.option} a path outside it")
    holder = real if output.folder and not output.replaced and real.is_dir() else real.parent
    return _probe(holder, output.option)


def _taken_name(real: Path, output: Output) -> tuple[str, str] | None:
    """(what was expected, what was found) when, in the folder `real` that `output`
    writes into, something of another kind sits at a name it writes: a folder (or a
    device, ...) where it writes a file, or a file where it writes a folder; else None.
    Found only at the end, it would fail after the other files were replaced."""
    for name in output.writes:
        there = through_link(real / name)
        if name in output.folders:
            found = None if not os.path.lexists(there) or there.is_dir() else \
                kind_of(there) or "a file"
            kind = "folder"
        else:
            found = kind_of(there) or ("a folder" if there.is_dir() else None)
            kind = "file"
        if found is not None:
            return (f"a folder where estate may write its {kind} {name}",
                    f"{found} at {real / name}: move it away, or give {output.option} "
                    "another folder")
    return None


def _holds_a_plan(folder: Path) -> bool:
    """Whether `folder` is a results folder `estate plan` wrote (its summary.json beside
    its sites.csv and the register's checksums), not a folder another tool's
    summary.json happens to be in."""
    return all((folder / name).is_file() for name in ("summary.json", "sites.csv",
                                                      "inputs.sha256"))


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def _probe(folder: Path, option: str) -> tuple[str, str] | None:
    """Write and remove a small hidden file in `folder`, or in the nearest folder above it
    that exists (estate makes the missing ones); what went wrong, or None."""
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return ("a path in a folder", f"{existing} is a file, not a folder; give {option} a "
                "path in a folder")
    try:
        fd, name = tempfile.mkstemp(prefix=".estate-probe.", suffix=".tmp", dir=existing)
        try:
            left = _PROBE_BYTES
            while left:  # a short write, then the error, is how a full disk answers
                left -= os.write(fd, b"\0" * left)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as exc:
        return ("a folder estate can write in", f"{existing} refuses a new file "
                f"({exc.strerror or exc}): make it writable, free some space, or give "
                f"{option} another path")
    return None


@contextlib.contextmanager
def results_in_place(written: str, option: str, path: Path, again: str) -> Iterator[None]:
    """Turn a failure to write `path` (the `option` output) after `written` is in place
    into an OutputError saying so, and how to write the rest (`again`)."""
    try:
        yield
    except (OSError, InputError, OutputError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
            "; ".join(str(p) for p in exc.problems) if isinstance(exc, InputError) else \
            exc.reason if isinstance(exc, OutputError) else str(exc)
        raise OutputError(f"{path} ({option}) could not be written: {reason}. {written} "
                          f"{again}") from None

"""One error type per way a run can end badly, each with its exit code.

The CLI turns these into a clean message and an exit code; anything else is a bug
(exit 4, trace in a log file). Every input problem is a `Problem` so that all of
them can be listed together, each located as a spreadsheet user would find it.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import tempfile
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from estate.shown_text import for_terminal

PATH = (str, os.PathLike)
"""What an argument that is a path may be."""


def typed(where: str, name: str, value: Any, kinds: tuple[type, ...] = PATH,
          what: str = "a path (str or Path)") -> Any:
    """`value`, or a `TypeError` naming its argument and what it takes (`what`, the
    `kinds` in words): pathlib's and Python's own errors name none ("expected str, bytes
    or os.PathLike object, not int")."""
    if isinstance(value, bool) and bool not in kinds:  # True is an int to Python
        kinds = ()
    if not isinstance(value, kinds):
        raise TypeError(f"{where}: {name} takes {what}, not {type(value).__name__} "
                        f"({value!r:.60})")
    return value


class ProblemKind(StrEnum):
    """What a `Problem` is, for code that picks some out of a run's warnings without
    reading their words; most are `OTHER`."""

    OTHER = "other"  # a problem or warning nothing picks out by its kind
    # a file saved into a results folder while it was written, kept in the new one
    # (`estate.store.keep.KeptFile.warning`)
    KEPT_FILE = "kept_file"
    # a lease the register says ended before the scenario's start, whose site's closing
    # is taken to owe no rent (`estate.prepare`); the board pack names them
    LEASE_ENDED = "lease_ended"
    # a lease that ends within the horizon on a site a dated plan keeps, taken as renewed
    # at today's running cost (`estate.results.lease_renewals`); the board pack names them
    LEASE_RENEWED = "lease_renewed"
    # what a dated plan's snapshot books that no programme of it can realise, which its
    # NPV saving leaves out (`estate.results.booked_early`); the board pack and national
    # runs carry it
    BOOKED_EARLY = "booked_early"
    # a map `estate plan` draws over another results folder's, or one it leaves showing
    # the folder's earlier plan (`estate.maps.alternative_maps.map_warnings`): said after
    # the plan's own, and not in its warnings.csv, which is the plan's
    DRAWN_OVER = "drawn_over"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in an input file.

    `row` counts as a spreadsheet user does: the header is row 1, the first data
    row is row 2; in a GeoPackage layer it is the feature's id (fid), as QGIS's
    attribute table shows it, and the problem says "fid 17" (`row_place`), or
    "objectid 17" for a layer whose FID column has that name (`fid_column`, taken from
    the layer's label, `LayerLabel`, when not given). The problem keeps the column
    itself, so a copy whose file is made text again (`dataclasses.replace`, a path put
    before it) still says "objectid"; a problem at a row of a layer given by plain text
    and no `fid_column` is refused when made (`LayerLabelLost`), never said as "fid" by
    guess. `row` and `column` are None when the problem concerns a whole file or table.
    `kind` tells the few that code picks out (`ProblemKind`).
    """

    file: str
    row: int | None
    column: str | None
    expected: str
    found: str
    severity: str = "error"  # "error" or "warning"
    label: str = "column"  # what `column` names: a table column, or a scenario "key"
    # a warning about something left out, not wrong, said as a sentence of its own;
    # `expected` and `found` still hold it for a table of problems
    sentence: str = ""
    kind: ProblemKind = ProblemKind.OTHER
    # the name of a GeoPackage layer's FID column when it is not `fid` (ArcGIS writes
    # `objectid`); blank for any other file, and for a layer of the usual kind; None
    # (not given) takes it from a `LayerLabel` file
    fid_column: str | None = None

    def __post_init__(self) -> None:
        if self.fid_column is None and isinstance(self.file, LayerLabel):
            object.__setattr__(self, "fid_column", self.file.fid_column)
        elif self.fid_column is None:
            if self.row is not None and LAYER_LABEL.search(self.file):
                raise LayerLabelLost(self.file)
            object.__setattr__(self, "fid_column", "")

    def to_json(self) -> dict[str, str | int | None]:
        """The problem as `estate plan --json` prints it when the plan fails: `label`
        says what `column` names, and is null with it for a problem of the whole file."""
        return {"file": self.file, "row": self.row, "column": self.column,
                "label": None if self.column is None else self.label,
                "expected": self.expected, "found": self.found}

    def __str__(self) -> str:
        """Where the problem is and what is wrong, as the terminal shows it: the file, the
        cell and what was found may be anyone's text (`for_terminal`)."""
        return for_terminal(self._words())

    def _words(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" {row_place(self.file, self.row, fid_column=self.fid_column)}"
        if self.column is not None:
            where += f", {self.label} {self.column}"
        if self.sentence:
            return f"{where}: {self.sentence}"
        return f"{where}: expected {self.expected}, found {self.found}"


LAYER_LABEL = re.compile(r"\.gpkg\[[a-z_]+\]$", re.IGNORECASE)
"""The label of a GeoPackage layer estate reads as a table (`layer_label`)."""


class LayerLabelLost(TypeError):
    """A layer's rows to be named from a label that is plain text (an f-string, `+` or
    `.format` of a `LayerLabel` gives a plain `str`) with no FID column given: a bug,
    said at once rather than naming an `objectid` layer's rows "fid" by guess."""

    def __init__(self, label: str) -> None:
        super().__init__(
            f"the rows of the GeoPackage layer {label} are to be named, but its label is "
            "plain text, which does not know the layer's FID column: pass the LayerLabel "
            "itself, or its fid_column")


class LayerLabel(str):
    """The label of a GeoPackage layer (`reg.gpkg[sites]`), which also knows the name of
    the layer's FID column when it is not `fid` (`fid_column`; ArcGIS writes `objectid`),
    so that every problem made with the label, wherever it is made, names the layer's
    rows as QGIS's attribute table heads its id column (`row_place`). It equals, and
    is written as, the plain text."""

    fid_column: str

    def __new__(cls, text: str, fid_column: str = "") -> LayerLabel:
        label = super().__new__(cls, text)
        label.fid_column = "" if fid_column.casefold() == "fid" else fid_column
        return label


def layer_label(file_name: str, table: str, fid_column: str = "") -> LayerLabel:
    """How problems name table `table` read from a layer of the GeoPackage `file_name`:
    `reg.gpkg[sites]`; `fid_column` the name of the layer's FID column (blank: `fid`)."""
    return LayerLabel(f"{file_name}[{table}]", fid_column)


def row_place(file: str, *rows: int, fid_column: str | None = None) -> str:
    """Rows of `file` as its user finds them: "row 5" (or "rows 5, 9") of a CSV file or
    a sheet, "fid 17" ("fids 17, 30") of a GeoPackage layer (`layer_label`), whose rows
    estate numbers by their feature id, as QGIS's attribute table and Identify tool
    show it, not by position. A layer whose FID column has another name is said by it,
    "objectid 17" ("objectids 17, 30"): `fid_column` (blank: `fid`), or when it is not
    given the one `file` knows (`LayerLabel`). A layer's label given as plain text with
    no `fid_column` raises `LayerLabelLost`: its rows are never named by guess."""
    word = "row"
    if LAYER_LABEL.search(file):
        if fid_column is None and not isinstance(file, LayerLabel):
            raise LayerLabelLost(file)
        word = (file.fid_column if fid_column is None and isinstance(file, LayerLabel)
                else fid_column) or "fid"
    return f"{word}{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}"


def as_typed(text: str) -> str:
    """A name, key or value as the user would type it, set apart from the words around
    it by backticks: `Back office` and `IT` read as one thing each, and a difference of
    case alone (`Name` for 'name') shows, where a plain word would run into the sentence
    and Python's quotes would read as part of the value."""
    return f"`{text}`"


def did_you_mean(names: Iterable[str]) -> str:
    """The hint for an unknown key, column or value: "did you mean `Name`?", or "did you
    mean `a` or `b`?" for several; each as the user would type it (`as_typed`)."""
    return f"did you mean {' or '.join(as_typed(n) for n in names)}?"


def spelling_key(word: str) -> str:
    """A word with case, spaces, underscores and hyphens set aside: `Public_Access`,
    `public access` and `public-access` share one key, so a register that spells one
    thing two such ways can be told so."""
    return re.sub(r"[\s_\-]+", "", word.casefold())


#: How alike two spellings must be (difflib's ratio, on their `spelling_key`s) to be
#: taken as one word typed two ways: `ofice` and `Offices` for `office` pass (0.91,
#: 0.92), `library` for `public_access` or `depot` for `hub` do not.
NEAR_MISS_RATIO = 0.85


def near_miss(word: str, meant: str) -> bool:
    """Whether `word` is another spelling of `meant` rather than another word: the same
    but for case, spaces, underscores and hyphens, or within `NEAR_MISS_RATIO` of it (a
    typo, a plural) and no more than two letters longer or shorter (`public_access_desk`
    is another service than `public_access`). A word is no near miss of itself."""
    if word == meant:
        return False
    key, meant_key = spelling_key(word), spelling_key(meant)
    return key == meant_key or (abs(len(key) - len(meant_key)) <= 2 and difflib.SequenceMatcher(
        None, key, meant_key).ratio() >= NEAR_MISS_RATIO)


def count(n: float, noun: str, plural: str | None = None) -> str:
    """A number with its noun, singular for one: "1 change", "1,360 sites". Here, the
    base of every layer, so that problems found while reading say their counts as the
    pages do."""
    return f"{n:,.0f} {noun if n == 1 else (plural or noun + 's')}"


def first_few(items: Sequence[str], most: int, total: int | None = None) -> str:
    """The first `most` of a list named and how many more: "a, b and 3 more" (`total`:
    how many there are when `items` holds only those to name)."""
    shown, total = list(items[:most]), len(items) if total is None else total
    return ", ".join(shown) + (f" and {total - len(shown):,} more" if total > len(shown)
                               else "")


def range_words(lo: float | None, hi: float | None, lo_open: bool = False,
                hi_open: bool = False) -> str:
    """The values a number takes, in words: "of 0 or more", "from 0 to 1", "above 0 and
    at most 1". A whole number is written out with its commas (1e10 as
    10,000,000,000, as a lead types it), any other as Python's shortest form."""
    def shown(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"

    low = None if lo is None else f"above {shown(lo)}" if lo_open else f"at least {shown(lo)}"
    high = None if hi is None else f"below {shown(hi)}" if hi_open else f"at most {shown(hi)}"
    if lo is not None and hi is not None:
        return (f"from {shown(lo)} to {shown(hi)}" if not (lo_open or hi_open)
                else f"{low} and {high}")
    if lo is not None:
        return f"of {shown(lo)} or more" if not lo_open else str(low)
    if hi is not None:
        return f"of {shown(hi)} or less" if not hi_open else str(high)
    return "of any size"


class EstateError(Exception):
    """Base of every error the CLI reports without a traceback.

    An error raised in a pool's worker (an area's plan, a sweep's run) crosses to the
    planning process pickled, so each kind is rebuilt from what it was made with
    (`made_with`), not from its message (Python's default, which an error made from
    problems or reasons cannot be rebuilt from: the pool then broke)."""

    exit_code = 4
    made_with: tuple[Any, ...] = ()
    after = ""  # said after the failure's own words (a results folder left as it was)

    def __str__(self) -> str:
        """The message, with no character in it that a terminal would act on: it quotes
        paths, names and cells back, and a Python caller may print it as it is."""
        return for_terminal(super().__str__())

    def __reduce__(self) -> str | tuple[Any, ...]:
        if not self.made_with:
            return super().__reduce__()
        return (type(self), self.made_with, self.__dict__)


class InputError(EstateError):
    """Bad register or scenario: every problem found, not just the first."""

    exit_code = 1
    #: what the command line says after the problems
    closing = "Nothing was solved or written. Fix the problems above and run again."

    def __init__(self, problems: list[Problem]) -> None:
        self.made_with = (list(problems),)
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        n = len(self.problems)
        super().__init__(
            f"{count(n, 'problem')} in the input:\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )


class RegisterChanged(InputError):
    """A register whose files changed while it was read (`store.read_unchanged`): no
    fault of its own, so a sweep keeps no outcome of it, and plans it again."""


def message_items(message: str) -> list[str]:
    """The items of an error's message as `InputError` and `InfeasibleError` list them,
    one "  - " line each (a comparison's or a sweep's row keeps the message, the rules to
    relax its last item when there are any), in order."""
    return [line.strip()[2:] for line in message.splitlines()
            if line.strip().startswith("- ")]


RELAX_WORDS = "the rules to relax: "
"""How a message that keeps an infeasible scenario's reasons names the keys to relax, as
its last item (`InfeasibleError.to_relax`)."""


@dataclass(frozen=True)
class KeptReasons:
    """An error's message as a comparison's or a sweep's row keeps it, read back: its
    reasons ("  - " items) and, apart, the item naming the rules to relax ("" if none),
    so that a reader showing a few reasons still shows which keys to change."""

    reasons: tuple[str, ...]
    relax: str

    @classmethod
    def of(cls, message: str) -> KeptReasons:
        items = message_items(message)
        relax = next((item for item in items if item.startswith(RELAX_WORDS)), "")
        return cls(tuple(item for item in items if item != relax), relax)


RELAX_ANY = ("coverage.<i>.radius_km", "policy.keep", "policy.close", "policy.max_one_off",
             "relocation.max_km")
"""The keys to relax when the reasons do not say which rules are at fault."""


class InfeasibleError(EstateError):
    """No plan satisfies every rule; `reasons` say which rules fail, and where, and
    `keys` the scenario keys (or register columns) a user would change to relax them,
    each once, in the order the reasons name them; `relax` says them as one text.
    `relax=None`: the reasons do not say which rules, and `RELAX_ANY` is offered; an
    empty tuple: no key relaxes them (a register with nothing to plan). `warnings`: those
    found readying the scenario, said before the reasons, since one may explain them (a
    column not read, so every row took its default)."""

    exit_code = 2

    def __init__(self, reasons: list[str], what: str = "no plan meets every rule",
                 relax: tuple[str, ...] | None = None,
                 warnings: Iterable[Problem] = ()) -> None:
        warned = list(warnings)
        self.made_with = (reasons, what, relax, warned)
        self.reasons = reasons
        self.keys = RELAX_ANY if relax is None else tuple(dict.fromkeys(relax))
        self.relax = ", ".join(self.keys)
        self.warnings = warned
        super().__init__(
            f"The scenario is infeasible: {what}.\n"
            + "\n".join(f"  - {r}" for r in reasons)
        )

    @property
    def to_relax(self) -> str:
        """The keys to relax as a clause of its own ("" when none would), for a message
        that keeps the reasons, as a comparison's or a sweep's row does."""
        return f"{RELAX_WORDS}{self.relax}" if self.keys else ""


class NoSolutionError(EstateError):
    """The time limit ran out before the solver found any plan."""

    exit_code = 3


class OutputError(EstateError):
    """An output could not be written (exit 1): the message says what is in place and
    how to write the rest (`estate.store.paths`); `reason` is why, in a few words (a
    full disk, say)."""

    exit_code = 1

    def __init__(self, message: str, reason: str = "") -> None:
        self.made_with = (message, reason)
        super().__init__(message)
        self.reason = reason or message


NAME_BYTES = 255
"""The longest name of a file or folder most file systems hold (ext4, XFS, NTFS, APFS)."""


def name_too_long(names: Iterable[str]) -> str | None:
    """The longest of a path's `names`, said with its size, when it is longer than a
    file system holds (`NAME_BYTES`, counted in bytes, not letters); else None."""
    longest = max(names, key=lambda name: len(name.encode()), default="")
    size = len(longest.encode())
    return f"a name of {size} bytes ({longest[:24]}...)" if size > NAME_BYTES else None


def path_too_long(error: OSError) -> Problem | None:
    """The problem of a path the system refused as too long (`ENAMETOOLONG`), at the
    path, shortened to be read; None for any other failure. Such a path is always one
    given to the tool: one it makes for itself is kept short."""
    if error.errno != errno.ENAMETOOLONG or error.filename is None:
        return None
    path = os.fsdecode(error.filename)
    shown = path if len(path) <= 60 else f"{path[:28]}...{path[-28:]}"
    found = (name_too_long(path.replace("\\", "/").split("/"))
             or f"a path of {len(path.encode()):,} bytes")
    return Problem(shown, None, None,
                   f"a path the system can use (names of at most {NAME_BYTES} bytes)",
                   f"{found}, too long for the system: give a shorter one")


IN_A_LOCKED_FOLDER = ("in a folder this user may not open (permission denied): give read "
                      "permission on the folders above it (chmod a+rx) and run again")
"""What a path is, to be read, when a folder above it may not be opened by this user."""


def cannot_read(error: OSError) -> str:
    """Why a file could not be read (a scenario, a register's file, a results folder's),
    as a person mends it: a folder where the file should be, a file (or a folder above
    it) this user may not read, or the system's own words; not the error's Python name."""
    if isinstance(error, IsADirectoryError):
        return "a folder, not a file: take it away (or put the file back) and run again"
    if isinstance(error, PermissionError):
        return ("a file this user may not read (permission denied): give read permission "
                "on it (chmod a+r) and on each folder above it (chmod a+rx), and run again")
    return f"a file that could not be read ({error.strerror or error})"


LOG_NAME = "estate-error.log"
"""Where a failure the tool did not foresee keeps its trace: in the folder the command
was run in, else the system's temporary folder."""


def keep_trace(exc: BaseException, name: str = LOG_NAME) -> Path:
    """Write the full trace of `exc` where the user can send it to us, not on their
    screen, and say where: `name` in the working folder, else in the temporary one."""
    text = "".join(traceback.format_exception(exc))
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        try:
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path(name)

"""Read a register (CSV folder, .xlsx workbook or .gpkg GeoPackage, whose layers
`estate.load.layers` reads) into raw tables.

Reading is kept apart from checking: every format is reduced here to a grid of text
cells, and then (`estate.load.raw`) to the same thing, a table of stripped strings with
lower-case column names and the spreadsheet row each record came from, so that
`validate` checks all three formats with one set of rules.
Nothing raised by pandas, openpyxl or pyogrio leaves this module: an unreadable file
becomes a `Problem` like any other, so that all of them can be reported together.

Text is read as one line (a line break or tab in a cell is a space) and a cell holding
a control character or a direction override is a problem (`estate.load.free_text`).

Rows count as in a spreadsheet: the header is row 1, the first record row 2 (in a
GeoPackage, the first feature is row 2), unless title rows sit above the header
(`estate.load.header`). Rows whose cells are all blank are dropped without renumbering the
others, so row numbers still match what the user sees.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import stat
from pathlib import Path

import pandas as pd

from estate.errors import IN_A_LOCKED_FOLDER, Problem, cannot_read, count, path_too_long, typed
from estate.load.csv_file import read_csv
from estate.load.layers import read_geopackage
from estate.load.merged_header import merged_header, merged_records, not_under_merged_header
from estate.load.raw import RawRegister, RawTable, add_table, describe, required_columns
from estate.load.schema import TABLES
from estate.load.table_names import (
    by_table_name,
    csv_stem,
    looks_like,
    missing,
    several,
    table_name,
    unread,
)
from estate.load.workbook import (
    Sheet,
    TotalsRow,
    blank_sheet,
    letters,
    open_workbook,
    read_sheet,
)
from estate.load.workbook_kind import is_ole, no_sheets, not_a_workbook

EXPECTED_REGISTER = (
    "a register: a folder holding agencies.csv, sites.csv, functions.csv and zones.csv, "
    "or an .xlsx workbook or a .gpkg GeoPackage with tables of those names"
)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
GPKG_SUFFIXES = (".gpkg",)
#: The files of (or mistaken for) a register: `estate validate` checks any other file as
#: a scenario, as `estate plan` reads any file as one (`names_a_register`).
REGISTER_SUFFIXES = (*EXCEL_SUFFIXES, *GPKG_SUFFIXES, ".csv", ".xls", ".xlsb", ".ods")


def names_a_register(path: str | Path) -> bool:
    """Whether `path` is to be checked as a register (a folder, a register's file, or
    nothing yet under a name without a suffix, as a folder's is) rather than as a
    scenario: any other file (`base.toml`, `base.toml.txt` as Notepad saves it), which
    `estate plan` would read as one, or a missing `.toml`."""
    path = Path(path)
    if path.suffix.lower() in REGISTER_SUFFIXES:
        return True
    try:
        return path.is_dir() or (not os.path.lexists(path) and not path.suffix)
    except OSError:  # in a folder one may not open: read as a register, which says so
        return not path.suffix


def shown_path(path: Path) -> str:
    """A scenario's register as the lines that name it say it: the folder the OS reads
    (`..` after a symlinked folder leads from its target), from the current folder when
    inside it (`data/suffolk`, not `models/../data/suffolk`), else in full."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def read_tables(path: str | Path) -> RawRegister:
    """Read every register table found at `path`; never raises for bad input.

    The format is chosen by what `path` is: a folder (CSV files), `.xlsx`, `.gpkg`.
    A missing required table, an unreadable file or a bad header is recorded in
    `problems`; tables that could be read are in `tables`. A `path` that is no path
    (`estate.load_register(3)`) is a `TypeError` naming it, not pathlib's own.
    """
    path = Path(typed("estate.load_register", "path", path))
    suffix = path.suffix.lower()
    raw = RawRegister(path, {name: f"{name}.csv" for name in TABLES})
    try:
        is_dir, is_file = path.is_dir(), path.is_file()
    except OSError as exc:  # a path too long for the system, a folder one may not enter
        too_long = path_too_long(exc)
        above = IN_A_LOCKED_FOLDER if isinstance(exc, PermissionError) else cannot_read(exc)
        raw.problems.append(
            Problem(shown_path(path), None, None, EXPECTED_REGISTER, above)
            if too_long is None else dataclasses.replace(too_long, expected=EXPECTED_REGISTER))
        return raw
    if is_dir:
        return _read_folder(path)
    if is_file and suffix in EXCEL_SUFFIXES:
        return _read_workbook(path)
    if is_file and suffix in GPKG_SUFFIXES:
        return read_geopackage(path)
    where = shown_path(path)
    if not path.exists():
        # the full path: a scenario's `data` is read from the scenario file's folder, so
        # the path as written there (`../data/x`) need not say where it was looked for
        found = f"nothing at {path.resolve()}"
    elif not path.is_file():  # never opened: a FIFO would wait for a writer, /dev/zero
        # never end; named as given, not as the device a link leads to
        where = str(Path(shown_path(path.parent)) / path.name)
        found = f"{instead_of_a_file(path)}: give the register's folder, workbook or GeoPackage"
    elif suffix == ".csv":
        found = f"a single CSV file {path.name}: give the folder that holds it"
    elif suffix in (".xls", ".xlsb", ".ods"):
        found = (f"a {suffix} file {path.name}: open it in Excel and save it as an Excel "
                 "Workbook (.xlsx)")
    else:
        found = f"a {suffix or 'suffix-less'} file {path.name}"
    # named as the progress lines name it (`data/reg`, not `models/../data/reg`)
    raw.problems.append(Problem(where, None, None, EXPECTED_REGISTER, found))
    return raw


def _read_folder(folder: Path) -> RawRegister:
    """CSV files, matched to table names by their names without `.csv`, in any case and
    with spaces at the ends ignored (`Sites.csv`, `Sites .csv`); any other CSV file is
    named in a warning (`estate.load.table_names`)."""
    try:
        present = [p for p in sorted(folder.iterdir()) if p.is_file()]
    except OSError as error:  # a folder one may enter but not list, or one gone
        raw = RawRegister(folder, {name: f"{name}.csv" for name in TABLES})
        raw.problems.append(Problem(str(folder), None, None, EXPECTED_REGISTER,
                                    unlistable(error)))
        return raw
    csvs = sorted((p.name for p in present if _is_csv(p.name)), key=str.lower)
    by_table = by_table_name([p.name for p in present if _is_csv(p.name)], csv_stem)
    raw = RawRegister(folder, {name: f"{name}.csv" for name in TABLES})
    if not TABLES.keys() & by_table.keys() and not any(looks_like(csv_stem(n)) for n in csvs):
        held = ", ".join(sorted(p.name for p in present)[:6]) or "nothing"
        raw.problems.append(
            Problem(str(folder), None, None, EXPECTED_REGISTER, f"a folder holding {held}")
        )
        return raw
    read: dict[str, str] = {}
    for name, spec in TABLES.items():
        label = f"{name}.csv"
        files = by_table.get(name, [])
        if len(files) > 1:
            raw.problems.append(several(label, "file", label, files))
            continue
        if not files:
            there = folder / label
            if spec.required or os.path.lexists(there):
                found = instead_of_a_file(there)
                if found == "no such file":
                    found = missing("file", name, csvs, csv_stem)
                raw.problems.append(Problem(label, None, None, f"a file {label} in {folder}",
                                            found))
            continue
        read[name] = files[0]
        add_table(raw, name, label,
                  functools.partial(read_csv, folder / files[0], required_columns(name)))
    others = [n for n in csvs if table_name(csv_stem(n)) not in TABLES]
    raw.problems += unread("file", others, {n: n for n in others}, read, csv_stem)
    return raw


def _is_csv(name: str) -> bool:
    """Whether a file in a register's folder is a CSV file that may hold a table: not a
    hidden file, nor an Excel lock file (`~$sites.csv`)."""
    return name.strip().lower().endswith(".csv") and not name.startswith((".", "~$"))


def unlistable(error: OSError) -> str:
    """What a folder whose files cannot be listed is, with the way to mend it."""
    if isinstance(error, PermissionError):
        return ("a folder whose files this user may not list (permission denied): "
                "give read permission on it (chmod a+rx, or its Properties > Security) "
                "or copy the register somewhere readable")
    return f"a folder whose files could not be listed ({error.strerror or error})"


def instead_of_a_file(path: Path) -> str:
    """What is at `path`, which is not a regular file, in a problem's words: no such
    file, a folder, or a device, FIFO or socket (`kind_of`), said with the link that
    leads to it, if one does."""
    if not os.path.lexists(path):
        return "no such file"
    link = f" (a link to {os.readlink(path)})" if path.is_symlink() else ""
    if not path.exists():
        return f"a link to {os.readlink(path)}, which leads to nothing"
    if path.is_dir():
        return "a folder"
    return f"{kind_of(path) or 'something'}{link}, not a regular file"


def kind_of(path: Path) -> str | None:
    """What `path` is, in words, when it exists and is neither a regular file nor a
    folder (after following links); None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    kinds = {stat.S_ISFIFO: "a FIFO (named pipe)", stat.S_ISCHR: "a character device",
             stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket"}
    return next((text for test, text in kinds.items() if test(mode)), None)


def _read_workbook(path: Path) -> RawRegister:
    """Sheets of the table names (any case); any other sheet holding something is named
    in a warning (`estate.load.table_names`)."""
    raw = RawRegister(path, {name: f"{path.name}[{name}]" for name in TABLES})
    try:
        book = open_workbook(path)
    except Exception as error:  # corrupt or not a workbook: report, never crash
        found = not_a_workbook(path) or describe(error)
        if not isinstance(error, OSError) and found == describe(error):
            # a workbook the reader trips on inside (an empty chart sheet, say): its
            # words kept for whoever supports the user, after what to do
            said = found.removeprefix("an unreadable file (").removesuffix(")")
            found = ("a workbook whose contents cannot be read: open it in Excel and save "
                     "it again as an Excel Workbook (.xlsx), or copy its sheets into a new "
                     f"workbook (the reader said {said})")
        if is_ole(path):
            found = ("an encrypted workbook (a password, or a sensitivity label that "
                     "encrypts) or an old Excel 97-2003 file named .xlsx: save a copy "
                     "without the encryption, as an Excel Workbook (.xlsx)")
        raw.problems.append(Problem(path.name, None, None, "an Excel .xlsx workbook", found))
        return raw
    try:
        if not book.sheetnames:  # the reader found none: Strict Open XML, say
            raw.problems.append(Problem(path.name, None, None, "an Excel .xlsx workbook",
                                        no_sheets(path)))
            return raw
        sheets = by_table_name(book.sheetnames)
        for name, titles in sheets.items():  # a problem names the tab as the user sees it
            if name in raw.files and len(titles) == 1:
                raw.files[name] = f"{path.name}[{titles[0]}]"
        taken: dict[str, str] = {}
        for name, spec in TABLES.items():
            label = raw.files[name]
            if name not in sheets:
                if spec.required:
                    raw.problems.append(Problem(label, None, None, f"a sheet named {name}",
                                                missing("sheet", name, book.sheetnames)))
                continue
            if len(sheets[name]) > 1:
                raw.problems.append(several(label, "sheet", name, sheets[name]))
                continue
            doubts = _sheet_doubts(label, book, name, sheets[name][0])
            if all(p.severity == "warning" for p in doubts):  # else the copy is named there
                taken[name] = sheets[name][0]
            raw.problems += doubts
            sheet: list[Sheet] = []
            read = functools.partial(_sheet_grid, path, book, sheets[name][0], sheet)
            table = add_table(raw, name, label, read)
            if sheet:
                totals = _totals_rows(sheet[0], table)  # one problem each, in `_marked`
                if table is not None:  # labelled `Total`, it is an aside too: one problem;
                    # data under a header merged across columns is said at the merge
                    raw.problems = [p for p in raw.problems if not _aside_of(p, table, totals)]
                    raw.problems = not_under_merged_header(raw.problems, table, sheet[0])
                raw.problems += (_flagged(label, sheet[0], table, totals)
                                 + _marked(label, sheet[0], table, totals))
        others = [n for n in book.sheetnames
                  if table_name(n) not in TABLES and not blank_sheet(book, n)]
        raw.problems += unread("sheet", others, {n: f"{path.name}[{n}]" for n in others},
                               taken)
    finally:
        book.close()
    return raw


def _aside_of(problem: Problem, table: RawTable, totals: set[int]) -> bool:
    """Whether a problem is the one `add_table` gave a labelled totals, notes or units row
    that is also an Excel Table's totals row: `_marked` names that row as the Table's,
    whose fix (untick Total Row) is the one that works."""
    return (problem.file == table.label and problem.column is None
            and problem.row in totals and problem.row in table.asides
            and problem.expected.startswith("a record ("))


def _sheet_doubts(label: str, book, table: str, title: str) -> list[Problem]:
    """The sheet read for a table, when it is hidden. Alone, it is read with a warning:
    the register is what the file holds. Beside a visible sheet whose name starts like
    it or stands for its table (`sites (2)`, `sites new`, `Copy of sites`, `New sites`),
    a copy the user went on to edit, reading either would
    be a guess, as with two sheets of one name: an error naming both."""
    if book[title].sheet_state == "visible":
        return []
    others = [str(n) for n in book.sheetnames if book[n].sheet_state == "visible"
              and table_name(n) != table
              and (table_name(n).startswith(table) or looks_like(str(n)) == table)]
    if not others:
        return [Problem(label, None, None, f"a visible sheet named {table}",
                        f"{title!r} is hidden (it is read all the same)", severity="warning")]
    copies = ", ".join(repr(n) for n in others)
    return [Problem(label, None, None,
                    f"one sheet for {table} (a hidden sheet beside a visible copy: which "
                    "is meant?)",
                    f"{title!r} hidden and {copies} visible: delete the one not meant and "
                    f"name the other {table}")]


def _sheet_grid(path: Path, book, name: str, out: list[Sheet]) -> pd.DataFrame:
    sheet = read_sheet(path, book, name)
    out.append(sheet)
    return sheet.grid


def _flagged(label: str, sheet: Sheet, table: RawTable | None, totals: set[int]
             ) -> list[Problem]:
    """Cells the workbook holds no usable value for, at their row and column, except in
    an Excel Table's totals rows (`totals`) and rows kept for people (a Total or notes
    row, `RawTable.asides`), which are one problem each, and in columns estate does not
    read (a `notes` column's `#REF!`, a helper lookup's `#N/A`, a cell under no header),
    which are kept and ignored as their other cells are."""
    problems = []
    read = set(TABLES[table.name].names) if table is not None else set()
    for (row, column), found in sorted(sheet.flagged.items()):
        if table is not None and row <= table.header_row and table.header_row > 1:
            continue  # a title or note above the header is not read
        if row in totals or (table is not None and row in table.asides):
            continue
        if table is not None and table.positions.get(column) not in read:
            continue
        name = table.positions.get(column, letters(column)) if table else letters(column)
        expected = ("a saved value (open the workbook in Excel and save it, so its "
                    "formulas are calculated)" if "formula" in found else
                    "a value (correct the formula or type the value)")
        problems.append(Problem(label, row, name, expected, found))
    return problems


def _marked(label: str, sheet: Sheet, table: RawTable | None, totals: set[int]
            ) -> list[Problem]:
    """What the sheet shows otherwise than it is read.

    A hidden or filtered row, or one struck through, is read like any other (the
    register is what the file holds), which a user who filtered rows out or struck a
    sold site through may not expect: a warning each, and one naming the hidden
    columns, which are read all the same. An Excel Table's totals row is
    not a record, whatever its label: one problem each (`totals`), and the row is not
    read. A range merged in the records (`merged_records`) or across the header
    (`merged_header`) is one problem at the range."""
    if table is None:
        return []
    problems = [Problem(label, row, None,
                        "a record (an Excel Table's totals row is not one: untick Total Row "
                        "on the Table Design tab, or move the totals to another sheet)",
                        "the Table's totals row") for row in sorted(totals)]
    table.frame = table.frame.drop(index=[row for row in totals if row in table.frame.index])
    if table.frame.empty:
        return problems
    records = set(table.frame.index)
    read = set(TABLES[table.name].names) if table.name in TABLES else set()
    problems += _shown_otherwise(label, [r for r in sheet.marks.hidden_rows if r in records],
                                 "hidden", "a hidden or filtered row", "left out")
    problems += _shown_otherwise(label, [r for r in sheet.struck_rows if r in records],
                                 "struck-through", "a struck-through row", "gone")
    problems += _hidden_columns(label, sheet, table)
    problems += merged_header(label, sheet, table)
    problems += merged_records(label, sheet, table, records, read)
    return problems


def _totals_rows(sheet: Sheet, table: RawTable | None) -> set[int]:
    """The register's rows an Excel Table keeps for its totals: below the header, read
    as a record, as a labelled totals row (`Total`) or holding only cells with no usable
    value (formulas a script wrote without results), in a Table spanning the register's
    id column."""
    if table is None:
        return set()
    flagged = {row for row, _ in sheet.flagged}
    return {t.row for t in sheet.marks.table_totals
            if t.row > table.header_row and (t.row in table.frame.index or t.row in flagged
                                             or t.row in table.asides)
            and _spans_register(t, table)}


def _spans_register(totals: TotalsRow, table: RawTable) -> bool:
    """Whether an Excel Table's totals row belongs to the register's table: the Excel
    Table spans the id column (or, for a table without one, any column read). A small
    Table beside the register, a lookup list say, keeps its totals to itself."""
    key = TABLES[table.name].key if table.name in TABLES else None
    columns = [p for p, name in table.positions.items() if key is None or name == key]
    return any(totals.first <= p <= totals.last for p in columns)


def _hidden_columns(label: str, sheet: Sheet, table: RawTable) -> list[Problem]:
    """One warning naming the sheet's hidden columns that have a header: read like any
    other (the register is what the file holds), as hidden rows are."""
    hidden = sorted(p for p in table.positions if any(
        first <= p <= last for first, last in sheet.marks.hidden_columns))
    if not hidden:
        return []
    shown = ", ".join(f"{letters(p)} ({table.typed.get(table.positions[p], table.positions[p])})"
                      for p in hidden)
    return [Problem(
        label, None, table.positions[hidden[0]] if len(hidden) == 1 else None,
        "columns the sheet shows (a hidden column is read like any other: delete the "
        "columns meant to be left out, or unhide them)",
        f"{count(len(hidden), 'hidden column')}: {shown}",
        severity="warning")]


def _shown_otherwise(label: str, rows: list[int], kind: str, what: str, meant: str
                     ) -> list[Problem]:
    """One warning for the records the sheet shows as not quite there, read all the same."""
    if not rows:
        return []
    shown = ", ".join(map(str, rows[:8])) + (", ..." if len(rows) > 8 else "")
    return [Problem(
        label, rows[0], None,
        f"rows the sheet shows as records ({what} is read like any other: delete the rows "
        f"meant to be {meant})",
        f"{count(len(rows), f'{kind} row')}: {shown}",
        severity="warning")]

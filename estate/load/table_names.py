"""Which register table a CSV file, sheet or layer stands for, and what to say when a
name is not one estate reads.

A table is read from the file, sheet or layer of its name in any case, spaces at the
ends ignored (`Sites.csv`, `Sites `). Any other name is not read, which is silent harm
when it holds a table under a name slightly off (`pair costs.csv`, `Sites 2024`): the
plan goes on without the vetting costs, or the register is refused with no hint of the
sheet meant. So a name is also matched loosely to the table it looks like (any case;
spaces, hyphens, underscores and dots ignored; a date, year, version or `copy` at either
end dropped; a singular, a common synonym, or a slip of spelling), only to say so:
a missing required table is an error listing what is there and the one to rename, and
any other name not read is a warning, unless it is obviously not a table (`README`,
`Notes`, an empty or chart sheet, a file that is not a CSV).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from estate.errors import Problem
from estate.load.schema import TABLES

FORMS = {"agencies": ("agency", "organisations", "organizations", "organisation",
                      "organization", "partners"),
         "sites": ("site", "buildings", "building", "properties", "property", "premises"),
         "functions": ("function", "teams", "team"),
         "zones": ("zone", "lsoas", "lsoa", "msoas", "msoa"),
         "pair_costs": ("paircost", "vettingcosts", "vetting")}
"""Names a table is kept under besides its own, squashed (see `_squashed`)."""

ASIDES = ("readme", "notes", "note", "instructions", "guidance", "help", "about",
          "contents", "cover", "changelog", "changes", "lookup", "lists", "metadata",
          "version", "legend", "glossary", "definitions", "dropdowns", "sources", "info",
          "layerstyles", "qgis")
"""How names that are obviously not a table start, squashed: the notes kept beside a
register, and the tables QGIS adds to a GeoPackage it saves styles or projects in."""

_MONTH = (r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?"
          r"|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?")
_DATED = re.compile(  # one word of a date, year, version or copy at an end of a name
    rf"^(\d[\d./-]*|\(\d+\)|v\d+|fy\d+|q[1-4]|{_MONTH}|copy|\(copy\)|final|draft|new|old"
    r"|latest|current|updated|backup|bak|rev\d*)$")
CUTOFF = 0.85
"""How close a squashed name must be to a table's to be a slip of it: `stes`, `fuctions`
and `paircsts` are; `notes` (0.8 from `zones`) and `sizes` are not."""


def table_name(name: object) -> str:
    """The table a sheet, layer or file name stands for: `' Sites '` -> `sites`."""
    return str(name).strip().lower()


def by_table_name(names: list[str], stem: Callable[[str], str] = str
                  ) -> dict[str, list[str]]:
    """Sheet, layer or file names grouped by the table name each stands for (any case,
    spaces at the ends ignored; a file's name without `.csv` when `stem` is `csv_stem`),
    in the order given."""
    grouped: dict[str, list[str]] = {}
    for name in names:
        grouped.setdefault(table_name(stem(str(name))), []).append(str(name))
    return grouped


def several(label: str, what: str, table: str, names: list[str]) -> Problem:
    """Two sheets (or layers) that both stand for one table: reading either would be a
    guess, and the other's edits would be lost without a word."""
    return Problem(label, None, None,
                   f"one {what} named {table} (names match in any case, spaces at the ends "
                   "ignored)",
                   f"{len(names)}: " + ", ".join(repr(n) for n in names)
                   + "; rename or delete all but one")


def csv_stem(name: str) -> str:
    """A CSV file's name without `.csv` (and any spaces after it), the part matched to
    a table's: `Sites .csv` -> `Sites `, which stands for sites."""
    bare = name.rstrip()
    return bare[:-4] if bare.lower().endswith(".csv") else name


def _squashed(text: str) -> str:
    return re.sub(r"[\s_.-]+", "", text.lower())


def looks_like(name: str) -> str | None:
    """The table a name not read looks like (`Pair costs`, `Sites 2024`, `sites_v2`,
    `Copy of sites`, `Buildings`, `fuctions`), or None. `name` is a sheet or layer name, or a file's name
    without `.csv`."""
    words = [w for w in re.split(r"[\s_]+", name.strip().lower()) if w]
    if len(words) > 2 and words[:2] == ["copy", "of"]:  # a sheet Google Sheets duplicated
        words = words[2:]
    while len(words) > 1 and _DATED.match(words[-1]):
        words.pop()
    while len(words) > 1 and _DATED.match(words[0]):
        words.pop(0)
    key = _squashed(" ".join(words))
    key = re.sub(r"(\d[\d./-]*|\(\d+\))$", "", key) or key  # `sites2024`, `sites(2)`
    forms = {_squashed(t): t for t in TABLES} | {f: t for t, fs in FORMS.items() for f in fs}
    if key in forms:
        return forms[key]
    near = difflib.get_close_matches(key, list(forms), n=1, cutoff=CUTOFF)
    return forms[near[0]] if near else None


def is_aside(name: str) -> bool:
    """Whether a name not read is obviously not a table: a readme, notes, lookups."""
    return _squashed(name).startswith(ASIDES)


def listed(names: list[str], limit: int = 12) -> str:
    """Names as a list in a message, quoted only where the quotes carry something."""
    shown = [repr(n) if n != n.strip() or "," in n or not n else n for n in names[:limit]]
    return ", ".join(shown) + (", ..." if len(names) > limit else "")


def missing(what: str, table: str, present: list[str], stem=lambda name: name) -> str:
    """What a register holds instead of a required table's sheet, layer or CSV file
    (`what`), as the found part of its problem: the names there, and the one to rename
    when one looks like the table. `stem` takes a name to the part matched (a file's
    name without `.csv`)."""
    own = table if what != "file" else f"{table}.csv"
    found = f"no such {what}"
    if not present:
        return found
    found += f"; the {'CSV file' if what == 'file' else what}s are {listed(present)}"
    like = [n for n in present if looks_like(stem(n)) == table]
    if len(like) == 1:
        found += f": rename {like[0]!r} to {own}"
    elif like:
        found += f": rename the one meant of {listed(like)} to {own}"
    return found


def unread(what: str, names: list[str], labels: dict[str, str], read: dict[str, str],
           stem=lambda name: name) -> list[Problem]:
    """A warning for each name that estate does not read and that is not obviously
    something else. `labels` holds the label each name is reported under; `read` the
    name each table was read from (a table without one is missing, which a required
    table reports itself). A name like a table read from another says which one is
    read; one like an optional table not there says to rename it; any other lists the
    tables estate reads."""
    problems = []
    own = (lambda t: f"{t}.csv") if what == "file" else (lambda t: t)
    tables = ", ".join(own(t) for t in TABLES)
    for name in names:
        table = looks_like(stem(name))
        if table in read:
            said = (f"the {table.replace('_', ' ')} are read from {read[table]!r}: delete it "
                    f"if it is an old copy, or rename it {own(table)} in place of that one "
                    "if it is the one meant")
        elif table is not None and TABLES[table].required:
            continue  # named in the error for the missing table
        elif table is not None:
            said = (f"rename it {own(table)} if it holds the {table.replace('_', ' ')} "
                    f"(estate reads only the {what}s {tables})")
        elif is_aside(stem(name)):
            continue
        else:
            said = (f"estate reads only the {what}s {tables}: rename it if it holds one of "
                    f"them, or move it out of the register")
        problems.append(Problem(
            labels[name], None, None, f"a {what} estate reads ({tables})",
            f"{name!r}, which is not read: {said}", severity="warning",
            sentence=f"not read: {said}"))
    return problems

"""What a header that lacks a column probably meant.

A column estate needs may be in the sheet under another name: a slip (`populaton`), a
synonym (`Latitude`), or a name with units or symbols (`Disposal value (£)`,
`Must-keep`). A missing required column is an error that names the header nearest it;
an unknown column that looks like an optional one the table lacks is a warning, as
DESIGN keeps unknown columns and ignores them, and the run would otherwise go on with
every row at the default of the column meant. Headers are quoted as typed.

A header means a column when, its symbols made underscores, it is the column's name or a
slip of it (difflib, cutoff 0.8), or failing that by its words:

- a header that is the table's own noun and then a column's name, or a slip of it, is
  that column (`Zone name` is the zones' name, `Team type` the functions' type), before
  its words are looked at; another table's noun is not (`Site name` in the zones);
- a header led by another table's noun names a thing of that table, and so no column of
  this one by its words but the one that refers to that table: `Site type` in the
  functions is the type of a site, not the team's `type`, nor `Site desks` the desks a
  team needs (`site` being GENERIC, its words alone would say so), while `Agency`
  alone is `agency_id`;
- a header's words are split at spaces, symbols, underscores and camelCase
  (`mustKeep`), lower-cased; numbers (`2024`) are dropped; each word is lightly stemmed
  (a plural `s` or `ies`, then `-ation`, `-able`, `-ing`, `-ure`, `-ity`, `-ed`, `-al`,
  `-e` while three letters remain, an `-ed` or `-ing` going on as if an `e` it swallowed
  were there), so `Closing` ~ `closure`, `Desks` ~ `desk`, `Secured` ~ `secure`;
- GENERIC words (`site`, `name`, `value`, `cost`, `id`, `date`, `year`, `needed`,
  `required`, `number`, `count`, `flag`, `y`, `n`, `the`, `of`, ...) say nothing of
  which column is meant and are set aside;
- the header means a column when it has a word left and every word left is one of the
  column's words: `Candidate site` is `candidate`, `Keep` is `must_keep`, `Closing cost`
  is `closure_cost`, `Desks needed` is `desks`; `Floor area` is not `area` (`floor`),
  nor `Cost` any column (nothing is left of it);
- what the header's own words say it holds must fit the column's kind: a date's, a
  year's, a yes/no's; a pounds column needs a `£` or a money word (`Close` is no
  closure_cost, `Closing cost` is);
- only a header that means exactly one column of its table counts (`Disposal` is both
  `disposal_value` and `disposal_lag_years`, so neither), and it must be the column the
  table lacks; a header that is the name of a column of any register table
  (`needs_secure` in the sites) is that column, never offered by its words for another.
"""

from __future__ import annotations

import difflib
import re

from estate.errors import Problem
from estate.load.raw import RawTable, pounds_column, scale_of
from estate.load.schema import MAX_MONEY, TABLES, Column, Table

SYNONYMS = {"lat": ("latitude", "lat_(wgs84)", "y"),
            "lon": ("longitude", "long", "lng", "lon_(wgs84)", "x"),
            "fte": ("full_time_equivalent", "full-time_equivalent", "full_time_equivalents",
                    "full-time_equivalents"),
            "name": ("site_name", "zone_name", "agency_name", "function_name", "team_name",
                     "title")}
"""Header names that mean a required column but are too far from it to be suggested by
spelling alone."""
GENERIC = ("site", "name", "value", "cost", "amount", "total", "id", "code", "ref",
           "date", "year", "annual", "pa", "per", "gbp", "pound", "needed", "required",
           "number", "no", "num", "count", "flag", "yes", "y", "n", "the", "of", "a",
           "an", "and", "or", "for", "in", "on", "at", "to", "by", "is")
"""Words that say nothing of which column a header means (stemmed as headers are)."""
MONEY = frozenset({"cost", "costs", "value", "values", "price", "prices", "amount",
                   "amounts", "spend", "fee", "fees", "charge", "charges", "rent", "rents",
                   "premium", "gbp", "pound", "pounds", "budget"})
"""Words that say a header holds pounds (as typed, any case)."""
NOUNS = {"agencies": ("agency",), "sites": ("site",), "functions": ("function", "team"),
         "zones": ("zone",)}
"""What a table's rows are called, which a header may put before a column's name."""
_ALL_NAMES = frozenset(c.name for t in TABLES.values() for c in t.columns)
_NOUN_FORMS = {table: frozenset(form for noun in nouns for form in (
    noun, noun[:-1] + "ies" if noun.endswith("y") else noun + "s")) for table, nouns in
    NOUNS.items()}
"""Each table's nouns, singular and plural, as a header's first word (`Sites`)."""
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
"""A header's words: split at spaces, symbols, underscores and camelCase (`mustKeep`)."""


def missing_column(table: RawTable, spec: Table, name: str) -> Problem:
    """Name what the header does have, and the header that is a slip or a synonym of
    the column, if one is. A header that is another of the table's own columns
    (`build_cost` for a missing `running_cost`) is never offered: renaming it would take
    that column's figures for this one's and the register would pass the checks with
    them."""
    header = [c for c in table.frame.columns]
    known = {c.name for c in spec.columns}
    others = [c for c in header if c not in known]
    near = [c for c in others if c in SYNONYMS.get(name, ())] or \
        [c for c in others if _nearest(c, [name]) == name
         or _nearest(_without_units(c), [name]) == name][:1]
    if not near:  # by its words, when one header alone means it
        worded = [c for c in others if _by_words(table.typed.get(c, c), spec) == name]
        near = worded if len(worded) == 1 else []
    found = "no such column in the header"
    if near:
        typed = table.typed.get(near[0], near[0])
        column = next(c for c in spec.columns if c.name == name)
        found += f"; the column {typed!r} may be it: rename it {name}{_scaled(typed, column)}"
    elif name in ("lat", "lon") and {"easting", "northing"} & set(header):
        found += (" but easting and northing: give lat and lon in degrees (WGS84), or the "
                  "points as a GeoPackage layer in British National Grid (EPSG:27700)")
    elif header:
        found += ": " + ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
    expected = f"a column named {name}"
    if table.label.endswith(("[sites]", "[zones]")) and ".gpkg[" in table.label:
        expected += " (or Point geometry)"
    return Problem(table.label, None, name, expected, found)


def misspelt(table: RawTable, spec: Table, extras: list[str]) -> list[Problem]:
    """A warning for an unknown column that looks like a known one the table lacks
    (`Disposal value (£)`, `Must-keep`, `sharable`). DESIGN keeps unknown columns and
    ignores them, so the run goes on with every row at the default of the column meant
    (a misspelt `must_keep` let the demo close five must-keep sites): the warning says
    so and how to fix it. Reading it as meant would be a guess at its units."""
    absent = [c for c in spec.columns  # a required one is reported missing already
              if c.name not in table.frame.columns and not c.required]
    names = [c.name for c in absent]
    problems = []
    for extra in extras:
        near = _nearest(extra, names)
        if near is None:  # without units in brackets: `(£)`, `(sq m)`, for numbers only
            near = _nearest(_without_units(extra), names)
            if near is not None and absent[names.index(near)].kind != "number":
                continue  # `area (sq m)` is a floor area, not the area a site belongs to
        if near is None:
            near = _by_words(table.typed.get(extra, extra), spec)
            if near not in names:  # none, or a column the table has or must have
                continue
        column = absent[names.index(near)]
        typed = table.typed.get(extra, extra)
        units = _scaled(typed, column) or (
            "; if its units differ, convert them" if column.kind == "number" else "")
        problems.append(Problem(
            table.label, None, typed,
            f"{near} (rename the column to it{units})",
            f"{typed!r}, which estate does not read: every row takes {near}'s "
            f"default ({_shown_default(column)})", severity="warning"))
    return problems


def _scaled(header: str, column: Column) -> str:
    """For a pounds column, what to do when the header gives its figures in thousands or
    millions of pounds (`Running cost (£k)`): renaming it alone would read 250 as £250
    where £250,000 was meant. Empty otherwise."""
    scale = scale_of(header) if pounds_column(column) else None
    if scale is None:
        return ""
    return (f", and multiply its figures by {scale[1]}: its header gives them in "
            f"{scale[0]} of pounds, and {column.name} is in pounds")


def _without_units(header: str) -> str:
    """The header without what it has in brackets: `running cost (£)` -> `running cost `."""
    return re.sub(r"[(\[].*?[)\]]", "", header)


def _nearest(header: str, names: list[str]) -> str | None:
    """The name in `names` a header means once its symbols are underscores (`must-keep`,
    `closure_cost_£`), or the one it is a slip of (`sharable`)."""
    plain = _plain(header)
    if plain in names:
        return plain
    return next(iter(difflib.get_close_matches(plain, names, n=1, cutoff=0.8)), None)


def _by_words(header: str, spec: Table) -> str | None:
    """The one column of `spec` whose words hold every word of the header but the
    generic ones (the module's rule): the header as typed, or without its units in
    brackets for a number column (`Lag (years)`); first, the column a header names after
    the table's own noun (`Zone name`). None for a header that is any register table's
    column, or that means no column or more than one."""
    if _plain(header) in _ALL_NAMES:
        return None
    meant = _own(header, spec)
    if meant is None:
        meant = _meant(_words(header), spec)
    if meant is None:
        meant = _meant(_words(_without_units(header)), spec, numbers_only=True)
    if meant is None:
        return None
    column = next(c for c in spec.columns if c.name == meant)
    other = _other_table(header, spec)
    if (other is not None and column.refers_to != other) or not _kind_fits(header, column):
        return None
    return meant


def _other_table(header: str, spec: Table) -> str | None:
    """The other register table whose noun leads the header (the sites, for `Site type`
    in the functions), or None."""
    first = next(iter(_WORD.findall(header)), "").lower()
    return next((table for table, forms in _NOUN_FORMS.items()
                 if table != spec.name and first in forms), None)


def _own(header: str, spec: Table) -> str | None:
    """The column of `spec` a header names after the table's own noun, once its symbols
    are underscores or as a slip: `Zone name` or `Zone populaton` in the zones, `Team
    type` in the functions; never another table's noun (`Site name` in the zones)."""
    plain = _plain(header)
    for noun in NOUNS.get(spec.name, ()):
        if plain.startswith(noun + "_"):
            return _nearest(plain.removeprefix(noun + "_"), spec.names)
    return None


def _kind_fits(header: str, column: Column) -> bool:
    """Whether what a header's own words say it holds fits the column's kind: a `date`
    or `when` is a date column's (`Closure date` is no closure_cost), a `year` a date's
    or a count of years' (`Year of closure` neither), a `?`, a yes/no word or a lone
    past participle a true/false column's (`Closed?`, `Moved`, `Surrendered`); and a
    pounds column is meant only by a header that says pounds, with a `£` or a money word
    (`Closing cost`, `Closure (£)`, `Annual rent`), never by a bare verb or flag (`Close`,
    `Closing`, `Surrender`, `Running`)."""
    raw = {w.lower() for w in re.findall(r"[A-Za-z]+", header)}
    if column.kind == "number" and column.high == MAX_MONEY \
            and "£" not in header and not raw & MONEY:
        return False
    if raw & {"date", "dates", "when"}:
        return column.kind in ("date", "dates")
    if raw & {"year", "years", "yr", "yrs"}:
        return column.kind in ("date", "dates") or column.name.endswith("_years")
    flag = ("?" in header or bool(raw & {"yes", "no", "y", "n", "flag", "is", "has"})
            or (len(raw) == 1 and next(iter(raw)).endswith("ed")))
    return column.kind == "bool" if flag else True


def _meant(words: set[str], spec: Table, numbers_only: bool = False) -> str | None:
    """The one column of `spec` holding all the distinctive `words`, if just one does."""
    if not words:
        return None
    holding = [c for c in spec.columns if words <= _words(c.name)]
    if len(holding) != 1 or (numbers_only and holding[0].kind != "number"):
        return None
    return holding[0].name


def _words(header: str) -> set[str]:
    """A header's distinctive words, stemmed: `Closing cost (£)` -> {'clos'}."""
    found = _WORD.findall(header)
    return {_stem(w.lower()) for w in found} - _GENERIC


def _stem(word: str) -> str:
    """A word without a plural ending and then any of a few suffixes, while three letters
    remain: `closures` -> `clos`, `needed` -> `need`, `running` -> `run`. An `-ed` or
    `-ing` may have swallowed an `e` (`secured`), so the word goes on as if it ended in
    one, which is taken off again unless it ends a suffix: `secured` and `secure` are
    both `sec`, `closed` and `closure` both `clos`."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    while True:
        for suffix in ("ation", "able", "ing", "ure", "ity", "ed", "al", "e"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[:-len(suffix)]
                if suffix in ("ing", "ed"):
                    if word[-1] == word[-2] and word[-1] not in "aeiouls":
                        word = word[:-1]  # running -> run, but not fill -> fil
                    else:  # the `e` the ending swallowed, if any, taken off as any `e` is:
                        word += "e"  # secured -> secure -> sec, needed -> neede -> need
                break
        else:
            return word


_GENERIC = frozenset(_stem(w) for w in GENERIC)


def _plain(header: str) -> str:
    """A header with its symbols as single underscores: `Must-keep` -> `must_keep`."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", header.lower())).strip("_")


#: What a blank cell of a column whose default depends on the row means (DESIGN 9).
_BLANK_MEANS = {
    "rent": "its running_cost on a leasehold site, 0 on a freehold one",
    "surrender_cost": "blank: no surrender offered",
}


def _shown_default(column: Column) -> str:
    """A column's default as a register would hold it, or what a blank cell of it means
    when that depends on the row (`_BLANK_MEANS`)."""
    if column.name in _BLANK_MEANS:
        return _BLANK_MEANS[column.name]
    default = column.default
    if column.kind == "bool":
        return "true" if default else "false"
    if isinstance(default, float):
        return f"{default:g}"  # the schema's defaults: 0 and 1
    if default == "=fte":
        return "its fte"
    return "blank" if default in ("", (), None) else str(default)

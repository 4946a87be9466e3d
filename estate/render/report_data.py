"""The board pack's material: a results folder as read, and the blocks pages are made of.

`read_results` reads everything the pack shows from the folder alone (summary, sites,
assignments, agencies, zones, zone shapes, the programme, the scenario as solved and the
register's checksums); `read_comparison` reads an `estate compare` folder's
comparison.csv, and `check_compared` refuses one that does not hold this plan (its
scenario on its register), which a board would otherwise read as this plan's
alternatives. Tables are read by the store's one typed reader (an agency called "NA"
stays a name, numbers are numbers); a folder that is not a results folder, or a damaged
or hand-edited one, is an `InputError` naming the file, row and column.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from estate.errors import InputError, Problem
from estate.load.file_names import default_results
from estate.render.terminal import shell_word
from estate.results import Programme, Summary
from estate.runs.compare import stored_agency_npv
from estate.status import Status
from estate.store import Columns, check_results, read_table, read_warnings, read_zone_areas
from estate.store.folder_read import not_a_folder_to_read
from estate.store.register_used import RegisterUsed, register_of_results


@dataclass(frozen=True)
class Text:
    """Plain text (never markup). `kind`: lead (the decision), body, item (a bullet),
    note (small print) or heading (a sub-heading)."""

    text: str
    kind: str = "body"


@dataclass(frozen=True)
class Table:
    """A table of text cells; `numeric` columns are right-aligned, `widths` relative,
    `marked` rows highlighted (an agency that loses), `total` bolds the last row."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    widths: tuple[float, ...]
    marked: frozenset[int] = frozenset()
    total: bool = False


@dataclass(frozen=True)
class Chart:
    """A figure, its id (HTML) and what it shows in words (for a screen reader)."""

    name: str
    figure: Figure
    alt: str


Block = Text | Table | Chart


@dataclass(frozen=True)
class Page:
    """A page of the pack; one not `fresh` follows the previous one on the same sheet
    of the PDF when there is room."""

    title: str
    blocks: tuple[Block, ...]
    fresh: bool = True


@dataclass(frozen=True)
class Results:
    """A results folder as the board pack reads it."""

    folder: Path
    summary: Summary
    sites: pd.DataFrame
    assignments: pd.DataFrame
    agencies: pd.DataFrame
    zones: pd.DataFrame
    areas: gpd.GeoSeries | None = None
    programme: Programme | None = None
    scenario: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[tuple[str, str], ...] = ()
    # what `estate plan` warned of (warnings.csv); None: a folder from before it kept them
    warnings: tuple[Problem, ...] | None = ()
    # the register it was planned from (scenario.toml, inputs.sha256); None: not said
    register: RegisterUsed | None = None

    def centres(self) -> list[tuple[str, str, list[str]]]:
        """(site name, site id, the types pooled there) of every site with a shared centre
        after, largest first: the id too, as two sites may share a name."""
        sites = self.sites[self.sites["decision"].isin(("keep", "open"))
                           & self.sites["shared_types"].str.strip().ne("")]
        sites = sites.sort_values("desks_used", ascending=False, kind="stable")
        return [(str(name), str(site_id), [t.strip() for t in str(types).split(";") if t.strip()])
                for name, site_id, types in zip(sites["name"], sites["site_id"],
                                                sites["shared_types"], strict=True)]

    def new_teams(self) -> list[tuple[str, str, str]]:
        """(function id, site name, site id) of each team with no site today, where the
        plan houses it (the first share of a split team)."""
        moves = self.assignments
        if moves.empty or "from_site" not in moves:
            return []
        new = moves[moves["from_site"].fillna("").astype(str).str.strip() == ""]
        names = self.sites.set_index("site_id")["name"]
        return [(str(m.function_id), str(names.get(m.to_site, m.to_site)), str(m.to_site))
                for m in new.drop_duplicates("function_id").itertuples()]

    def asked_gap(self) -> float | None:
        """The relative gap the scenario asked the solver for, when it says."""
        solver = self.scenario.get("solver")
        value = solver.get("mip_gap") if isinstance(solver, dict) else None
        return float(value) if isinstance(value, int | float) and value > 0 else None

    def agency_npv(self) -> dict[str, float]:
        """Each agency's NPV saving: agencies.csv's (leases counted) when it has them,
        otherwise A times the annual saving minus the one-off (as a comparison reads
        them: `stored_agency_npv`)."""
        return stored_agency_npv(self.summary, self.agencies)

    @property
    def folder_named(self) -> str:
        """The results folder as the pack names it: its own name, or for an alternative's
        folder (`<plan>/alternatives/<i>`) that path from the plan's folder, as "1"
        alone does not say which folder the paper came from."""
        if self.folder.parent.name == "alternatives":
            return f"{self.folder.parent.parent.name}/alternatives/{self.folder.name}"
        return self.folder.resolve().name if self.folder.name in ("", ".") else self.folder.name


def agency_name(summary: Summary, agency_id: str) -> str:
    info = summary.agencies.get(agency_id)
    return info.name if info is not None and info.name else agency_id


def _areas(folder: Path) -> gpd.GeoSeries | None:
    """The zones' own shapes (layer zone_areas of plan.gpkg), when the folder has them."""
    areas = read_zone_areas(folder)
    if areas is None:
        return None
    return gpd.GeoSeries(areas.geometry.values, crs=areas.crs or 4326)


def _scenario(path: Path, summary: Summary) -> dict[str, Any]:
    """The scenario as solved, whose keys the Assumptions page lists: a folder without
    it is refused (the page would list estate's defaults as the plan's settings), and
    so is one whose horizon or discount rate is not the one summary.json says every NPV
    used (an edit after the plan)."""
    try:
        keys = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(
            str(path), None, None, "the scenario as solved, which `estate plan` writes into "
            "every results folder (the board pack lists its keys)", "no such file: put it "
            "back, or run `estate plan` on the scenario again to write the folder afresh"
        )]) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError([Problem(str(path), None, None, "the scenario as solved (TOML)",
                                  f"{type(exc).__name__}: {exc}")]) from None
    problems = [Problem(str(path), None, key, f"{used:g}, as summary.json says the plan's "
                        "NPV used", f"{keys[key]!r}: edited after the plan; put it back, or "
                        "plan the edited scenario", label="key")
                for key, used in (("horizon_years", summary.horizon_years),
                                  ("discount_rate", summary.discount_rate))
                if key in keys and used is not None and not _same_number(keys[key], used)]
    if problems:
        raise InputError(problems)
    return keys


def _same_number(value: object, used: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isclose(float(value), float(used), rel_tol=1e-9, abs_tol=1e-12)


def _inputs(path: Path) -> tuple[tuple[str, str], ...]:
    """(file, checksum) from inputs.sha256 (`sha256sum` lines): the pack's last section,
    and what ties the plan to its register; a folder without it is refused."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError([Problem(
            str(path), None, None, "the register's checksums, which `estate plan` writes "
            "into every results folder (the board pack lists them last, and matches the "
            "plan with a comparison by them)", "no such file: put it back, or run `estate "
            "plan` on the scenario again to write the folder afresh")]) from None
    except (OSError, UnicodeDecodeError):
        return ()
    pairs = (line.split(None, 1) for line in lines if line.strip())
    return tuple((name.strip(), digest) for digest, name in (p for p in pairs if len(p) == 2))


def read_results(folder: str | Path) -> Results:
    """Everything the board pack shows, from the results folder alone, read and checked
    whole first (`estate.store.check_results`), so that a damaged folder is a located
    error before any page is drawn."""
    folder = Path(folder)
    stored = check_results(folder)
    tables = stored.tables
    sites = tables["sites"].copy()
    sites["decision"] = sites["decision"].str.strip().str.lower()
    return Results(
        folder=folder, summary=stored.summary, sites=sites,
        assignments=tables["assignments"], agencies=tables["agencies"],
        zones=tables["zones"], areas=_areas(folder),
        programme=stored.programme, scenario=_scenario(folder / "scenario.toml", stored.summary),
        inputs=_inputs(folder / "inputs.sha256"), warnings=read_warnings(folder),
        register=register_of_results(folder))


COMPARED_FIGURES = ("npv_saving", "annual_saving", "one_off_cost", "fte_relocated")
"""The figures of comparison.csv the side-by-side page shows for a scenario with a plan
(and ranks the scenarios by): each must be there, a number."""
COMPARED_MAYBE = ("payback_years", "mip_gap", "year_one_npv_saving")
"""Figures that may be blank (no payback, no gap known), else a number."""
COMPARED_COUNTS = ("sites_after", "sites_closed", "sites_opened", "shared_centres")
"""Counts the page shows as written: whole numbers."""


def read_comparison(folder: str | Path) -> pd.DataFrame:
    """comparison.csv of an `estate compare` folder: one row per scenario, the figures
    the board pack shows as numbers (blank: NaN), every other cell as text as written
    (a spreadsheet's leading quote taken off), blanks as "". Each row's status, and the
    figures and counts of a row with a plan, are checked: a hand edit would otherwise
    change which scenario the pack says saves the most."""
    path = Path(folder) / "comparison.csv"
    found = not_a_folder_to_read(Path(folder), "the folder `estate compare` wrote (its "
                                 "--out, comparison/ unless given)", "comparison.csv")
    try:
        missing = found is None and not path.exists()
    except OSError:  # a folder one may not open: read_table says so, at the file
        missing = False
    if found is not None or missing:
        raise InputError([Problem(str(folder), None, None, "a folder written by `estate "
                                  "compare` (with comparison.csv)",
                                  found or "no comparison.csv")])
    figures = (*COMPARED_FIGURES, *COMPARED_MAYBE)
    try:
        table = read_table(path, Columns(("scenario", "status"), numbers=figures,
                                          optional=figures))
        problems = _comparison_problems(path, table)
    except InputError as exc:
        problems = exc.problems
    if problems:
        raise InputError([*problems, Problem(str(path.parent), None, None, "a comparison "
                                             "folder as `estate compare` wrote it",
                                             "a comparison.csv that cannot be read as "
                                             "written (mend it as said above, or run "
                                             "estate compare again to write it afresh)")])
    return table


def _comparison_problems(path: Path, table: pd.DataFrame) -> list[Problem]:
    statuses = [s.value for s in Status]
    problems = []
    for position, (_, row) in enumerate(table.iterrows()):
        line = table.attrs["rows"][position]
        if row["status"] not in statuses:
            problems.append(Problem(str(path), line, "status", f"one of {', '.join(statuses)}",
                                    repr(str(row["status"])[:80])))
            continue
        if not Status(row["status"]).has_plan:
            continue
        problems += [Problem(str(path), line, column, "a number (the plan's figure)", "blank")
                     for column in COMPARED_FIGURES if math.isnan(row[column])]
        problems += [Problem(str(path), line, column, "a whole number of sites or centres",
                             repr(str(row.get(column, ""))[:80]))
                     for column in COMPARED_COUNTS
                     if not re.fullmatch(r"[0-9]+", str(row.get(column, "")).strip())]
    return problems


COMPARE_AGAIN = ("run estate compare with this scenario's file among the scenarios (estate "
                 "compare THIS.toml OTHER.toml ... --out DIR; a stored plan of unchanged "
                 "inputs is reused) "
                 "and give that folder to --compare")


def _compared(table: pd.DataFrame) -> str:
    """The comparison's scenarios, each with its register as its scenario gives it."""
    said = []
    for _, row in table.iterrows():
        register = RegisterUsed.from_columns(row)
        said.append(f"\u201c{str(row['scenario'])[:80]}\u201d"
                    + (f" ({register.said()[:200]})" if register else ""))
    return ", ".join(said) or "no scenario"


def check_compared(table: pd.DataFrame, r: Results, folder: str | Path) -> None:
    """Refuse (`InputError`) a comparison that does not hold this plan's scenario planned
    on this plan's register: its side-by-side page would set another estate's or
    another plan's scenarios beside this paper as if they were its alternatives. The
    scenario is matched by name (a comparison holds one of each), the register by its
    files' fingerprint wherever it lies, or by its absolute path when a fingerprint is
    missing (`RegisterUsed.same_as`)."""
    path = Path(folder) / "comparison.csv"
    name = r.summary.scenario
    mine = r.register
    if mine is None:
        raise InputError([Problem(str(r.folder / "scenario.toml"), None, "data", "the "
                                  "register this plan was made from (written by estate "
                                  "plan), to match it with the comparison's",
                                  "none: plan the scenario again to use --compare",
                                  label="key")])
    rows = [(table.attrs["rows"][i], row) for i, (_, row) in enumerate(table.iterrows())
            if row["scenario"] == name]
    if not rows:
        raise InputError([Problem(str(path), None, "scenario", f"this plan\u2019s scenario, "
                                  f"\u201c{name[:80]}\u201d (on {mine.path}), among the "
                                  "compared scenarios", f"only {_compared(table)}: "
                                  + COMPARE_AGAIN)])
    line, row = rows[0]
    theirs = RegisterUsed.from_columns(row)
    if theirs is None:
        found = ("no register: a comparison written before estate compare recorded each "
                 "scenario's register; " + COMPARE_AGAIN)
    elif theirs.same_as(mine):
        return
    elif theirs.path == mine.path:
        found = (f"{theirs.path} with other files (the register was edited between the "
                 "plan and the comparison, so the two are of different estates): run estate "
                 f"compare THIS.toml OTHER.toml ... --out {shell_word(str(folder))}, which "
                 "plans each scenario again on the register as it is now, then estate report "
                 f"{shell_word(str(default_results(name)))} --compare "
                 f"{shell_word(str(folder))}")
    else:
        found = f"another register, {theirs.path}; " + COMPARE_AGAIN
    column = "register_sha256" if theirs is not None and theirs.path == mine.path \
        else "register_path"
    raise InputError([Problem(str(path), line, column, f"\u201c{name[:80]}\u201d planned "
                              f"on this plan\u2019s register, {mine.path}", found)])


MOST_LISTED = 30
"""Items of a scenario's list the Assumptions page names; the rest are counted."""
MOST_VALUE = 1000
"""Characters of a scenario key's value the Assumptions page prints: a row of a table
cannot run onto a second sheet, and scenario.toml in the results folder holds it whole."""


def _value(value: Any) -> str:
    """A scenario key's value in words, at most `MOST_VALUE` characters: a whole number
    written as one (1,000,000, never 1e+06), a long list's first `MOST_LISTED` items."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isinf(value):
            return "no limit"
        return f"{int(value):,}" if value.is_integer() and abs(value) < 1e18 else f"{value:,.10g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 1000 else str(value)
    if isinstance(value, dict):
        return _cut("; ".join(f"{k} = {_value(v)}" for k, v in value.items()))
    if isinstance(value, list):
        shown = ", ".join(_value(v) for v in value[:MOST_LISTED]) if value else "none"
        more = len(value) - MOST_LISTED
        return _cut(shown + (f" and {more:,} more ({len(value):,} in all)" if more > 0 else ""))
    return _cut(str(value))


def _cut(text: str) -> str:
    if len(text) <= MOST_VALUE:
        return text
    return text[:MOST_VALUE - 1] + "\u2026 (scenario.toml in the results folder has it whole)"


def assumption_rows(scenario: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Every key of the scenario as (dotted key, value in words); a list of tables (the
    coverage rules) as one row per table (`coverage.0`, ...)."""
    rows: list[tuple[str, str]] = []
    for key, value in scenario.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += assumption_rows(value, name + ".") or [(name, "none")]
        elif name == "agencies" and value == []:
            rows.append((name, "all"))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows += [(f"{name}.{i}", _value(v)) for i, v in enumerate(value)]
        else:
            rows.append((name, _value(value)))
    return rows


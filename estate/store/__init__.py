"""The results folder: written whole into a temporary folder, then moved into place.

A crash or Ctrl-C while writing leaves the previous results untouched; the folder
holds everything `estate map` and `estate compare` need, so they work from it alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import tomli_w

from estate.errors import InputError, Problem, RegisterChanged, cannot_read
from estate.load.free_text import LINE_BREAKS
from estate.load.geopackage import writable
from estate.load.scenario import Scenario
from estate.results import Plan, Summary
from estate.results.programme import Programme, payback_year
from estate.shown_text import json_safe
from estate.status import Status
from estate.store.agree_programme import programme_disagreements
from estate.store.check import (
    PROGRAMME_TABLES,
    RESULT_TABLES,
    Columns,
    check_tables,
    read_table,
)
from estate.store.csv_cells import (
    FORMULA_STARTS,
    needs_quote,
    safe_cell,
    unsafe_cell,
    write_safe_csv,
)
from estate.store.folder import write_file, write_folder
from estate.store.folder_read import not_a_folder_to_read
from estate.store.keep import SCENARIO_FILE
from estate.store.path_text import escaped
from estate.store.plan_gpkg import read_zone_areas
from estate.store.plan_gpkg import write_gpkg as _write_gpkg
from estate.store.warnings_table import WARNINGS_TABLE, read_warnings, warnings_table

__all__ = ["FORMULA_STARTS", "PROGRAMME_TABLES", "RESULT_TABLES", "TABLES", "Columns",
           "SCENARIO_FILE", "StoredResults", "WARNINGS_TABLE", "check_results",
           "fill_results", "inputs_sha256", "is_fresh", "needs_quote", "planned_from",
           "read_outcome", "read_programme", "read_summary", "read_table", "read_unchanged",
           "read_warnings", "read_zone_areas",
           "register_files", "safe_cell", "scenario_as_solved", "scenario_toml", "site_areas",
           "summary_json", "unsafe_cell", "write_outcome", "write_results",
           "write_safe_csv", "write_summary"]

TABLES = ("sites", "assignments", "coverage", "agencies", "zones")

Read = TypeVar("Read")


def register_files(data: Path) -> list[Path]:
    """The files a register is read from (a folder's tables, or the one workbook/package)."""
    if data.is_dir():
        return sorted(p for p in data.iterdir() if p.suffix.lower() == ".csv")
    return [data]


def inputs_sha256(data: Path) -> str:
    """`sha256sum`-style lines for every register file, so a rerun can tell it is unchanged."""
    lines = []
    for path in register_files(data):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.name}\n")
    return "".join(lines)


def read_unchanged(data: Path, read: Callable[[], Read]) -> tuple[Read, str]:
    """What `read` reads from the register at `data`, with its files' checksum lines
    (`inputs_sha256`) taken before and after: equal, they are the files read, which the
    results folder records (a register saved from Excel or QGIS while a plan ran would
    otherwise be recorded in its place, and a sweep would reuse the run for it). Unequal,
    it is read again: reading may itself change a file (SQLite writes a GeoPackage's
    leftover log into it), and a save made meanwhile is done by then. Changed again, it
    is a `RegisterChanged` saying to run again. A register that cannot be read is
    `read`'s to say."""
    for _ in range(2):
        try:
            before = inputs_sha256(data)
        except OSError:
            before = None
        value = read()
        after = inputs_sha256(data)
        if after == before:
            return value, after
    raise RegisterChanged([Problem(
        str(data), None, None, "a register left as it is while estate reads it",
        "one that changed while it was read, twice (saved from Excel or QGIS meanwhile?): "
        "run again once it is saved")])


def summary_json(summary: Summary, compact: bool = False) -> str:
    """The summary as JSON (non-finite numbers as null); one line when `compact`."""
    data = summary.to_json()
    if compact:
        return json_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return json_safe(json.dumps(data, indent=2, ensure_ascii=False))


def _one_line(folder: Path) -> None:
    """Refuse a results folder whose path holds a line break or a tab: GDAL drops them,
    and would find no plan.gpkg there, which the check would call damaged."""
    if LINE_BREAKS.search(str(folder)):
        raise InputError([Problem(escaped(str(folder)), None, None,
                                  "a folder whose path has no line breaks or tabs",
                                  "one holding them, in which plan.gpkg cannot be opened: "
                                  "rename the folder on one line")])


def read_summary(folder: Path) -> Summary:
    """The summary of a results folder; a missing or damaged file is an `InputError`
    naming it and what was wrong."""
    path = Path(folder) / "summary.json"
    expected = "a results folder written by `estate plan` (with summary.json)"
    found = not_a_folder_to_read(Path(folder), "the folder `estate plan` wrote "
                                 "(results/<scenario name>/)", "summary.json")
    if found is not None:
        raise InputError([Problem(str(folder), None, None, expected, found)])
    _one_line(Path(folder))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(str(folder), None, None, expected,
                                  "no summary.json: " + _what_folder(Path(folder)))]) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(str(path), None, None, "the JSON `estate plan` writes",
                                  # "Unterminated string starting at": its place follows
                                  f"{exc.msg.removesuffix(' at')} at line {exc.lineno}, "
                                  f"column {exc.colno} (an "
                                  "edit broke it): put it back, or run `estate plan` on the "
                                  "scenario again")]) from None
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, "the JSON `estate plan` writes",
                                  cannot_read(exc))]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), None, None, "the JSON `estate plan` writes",
                                  f"a byte that is not UTF-8 at position {exc.start} (an "
                                  "edit saved it in another encoding): put it back, or run "
                                  "`estate plan` on the scenario again")]) from None
    return Summary.from_json(data, source=str(path))


def _what_folder(folder: Path) -> str:
    """What a folder without a summary is, and the folder to give instead: a comparison's
    and a sweep's hold plans of their own (`estate map` and `estate report` each read
    one plan's folder)."""
    if (folder / "comparison.csv").is_file():
        return ("it is a comparison's folder: its map is comparison_map.html in it; give "
                "`estate map` or `estate report` the results folder of one of its "
                "scenarios (results/<scenario name>/), and this folder to `estate report "
                "--compare` beside it")
    if folder.name == "runs" and (folder.parent / "sweep.csv").is_file():
        return ("it is the folder of a sweep's runs: give one of them, runs/<run id>/ "
                "(sweep.csv lists them)")
    if (folder / "sweep.csv").is_file():
        return ("it is a sweep's folder: give one of its runs, runs/<run id>/ in it "
                "(sweep.csv lists them)")
    return "give the folder `estate plan` wrote (results/<scenario name>/)"


def write_summary(summary: Summary, folder: Path) -> None:
    """Replace only the summary of a stored results folder (e.g. to add policy costs),
    atomically: the file is written beside it and renamed over it."""
    write_file(Path(folder) / "summary.json",
               lambda temp: temp.write_text(summary_json(summary) + "\n", encoding="utf-8"))


def scenario_as_solved(sc: Scenario) -> dict[str, Any]:
    """The keys `scenario.toml` holds: the file's keys, its name, the register's absolute
    path (so a folder says exactly what it was solved from, wherever it is read)."""
    raw = dict(sc.raw)
    raw["name"] = sc.name
    raw["data"] = str(Path(sc.data).resolve())
    return raw


def scenario_toml(sc: Scenario) -> str:
    """The scenario as solved, as TOML."""
    return tomli_w.dumps(scenario_as_solved(sc))


def is_fresh(folder: Path, scenario_keys: dict[str, Any], inputs_hash: str) -> bool:
    """True when `folder` was written from these very scenario keys and register files,
    so its plan (or its recorded failure) can be reused instead of solving again; not a
    dated plan's written before its saving was what its changes realise
    (`_saving_realised`)."""
    try:
        stored = tomllib.loads((Path(folder) / "scenario.toml").read_text(encoding="utf-8"))
        hashes = (Path(folder) / "inputs.sha256").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return stored == scenario_keys and hashes == inputs_hash and _saving_realised(folder)


def _saving_realised(folder: Path) -> bool:
    """False for the plan of a dated scenario not scheduled whose summary.json has no
    `booked_early_npv`: written before such a plan's NPV saving was what its changes
    realise (docs/programme.md), so its saving may count what no programme can, and it
    is planned again rather than shown under today's meaning."""
    path = Path(folder) / "summary.json"
    if not path.is_file():
        return True  # a failure recorded (outcome.json) holds no saving
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return True  # damaged: reading it whole (`check_results`) says where, as before
    if not isinstance(data, dict) or data.get("lease_cost_npv") is None \
            or data.get("programme") is not None:
        return True
    return "booked_early_npv" in data


def _scenario_file_record(scenario_file: Path, folder: Path) -> str:
    """The line SCENARIO_FILE holds in the results folder `folder`: the scenario file's
    path relative to the folder (as the disk finds both, through links), so that a
    project copied whole (`cp -r projA projB`) names its own scenario file, not the
    original's; the absolute path when no relative one leads there (another drive)."""
    file = Path(scenario_file).resolve()
    try:
        return os.path.relpath(file, os.path.realpath(folder))
    except ValueError:
        return str(file)


def planned_from(folder: Path) -> Path | None:
    """The scenario file the results in `folder` were planned from, absolute: the
    recorded path is read from the folder (an older estate's absolute one as it is);
    None when the folder does not say (written by an older estate, or from a scenario
    made in code)."""
    try:
        text = (Path(folder) / SCENARIO_FILE).read_text(encoding="utf-8").removesuffix("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return (Path(folder) / text).resolve() if text.strip() else None


def write_outcome(out: Path, status: Status, message: str, scenario_keys: dict[str, Any],
                  inputs_hash: str) -> Path:
    """A run that ended without a plan, as a small whole folder (`outcome.json`, the
    scenario and the register's checksums), so that a resumed sweep keeps its ending."""
    def write(tmp: Path) -> None:
        (tmp / "outcome.json").write_text(json.dumps(
            {"status": str(status), "message": message}, indent=2) + "\n", encoding="utf-8")
        (tmp / "scenario.toml").write_text(tomli_w.dumps(scenario_keys), encoding="utf-8")
        (tmp / "inputs.sha256").write_text(inputs_hash, encoding="utf-8")

    return write_folder(Path(out), write)


def read_outcome(folder: Path) -> tuple[Status, str] | None:
    """The status and message of a run stored by `write_outcome`, or None."""
    try:
        data = json.loads((Path(folder) / "outcome.json").read_text(encoding="utf-8"))
        return Status(data["status"]), str(data.get("message", ""))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


def read_programme(folder: Path, summary: Summary | None = None) -> Programme | None:
    """The dated programme stored in a results folder, or None when it holds none.

    Its tables come from programme.csv and cashflow.csv, its figures (budget use, NPVs,
    payback year, method) from summary.json's `programme`; a missing or damaged file,
    cell or key is an `InputError` naming it. `summary`: the folder's, when the caller
    has read it already."""
    folder = Path(folder)
    source = str(folder / "summary.json")
    figures = (summary or read_summary(folder)).programme
    if not (folder / "programme.csv").exists():
        if figures is None:
            return None
        raise InputError([Problem(str(folder / "programme.csv"), None, None,
                                  "the programme's changes (summary.json has the "
                                  "programme's figures)", "no such file")])
    if figures is None:
        raise InputError([Problem(source, None, "programme", "the programme's figures "
                                  "(the folder has programme.csv)", "nothing",
                                  label="key")])
    actions = read_table(folder / "programme.csv", PROGRAMME_TABLES["programme"])
    cashflow = read_table(folder / "cashflow.csv", PROGRAMME_TABLES["cashflow"])
    # a folder written before the lasting year was kept has under `payback_year` the
    # year from which the saving stays positive: its first year in profit is read from
    # its own cashflow.csv (DESIGN 9's payback year)
    first = payback_year(cashflow) if figures.payback_in_old_meaning else figures.payback_year
    return Programme(
        actions=actions, cashflow=cashflow, budget=figures.budget, start=figures.start,
        npv_cost=figures.npv_cost, npv_saving=figures.npv_saving, payback_year=first,
        lasting_payback_year=figures.lasting_payback_year, method=figures.method,
        roadmap_npv=figures.roadmap_npv, joint_npv=figures.joint_npv,
        status=figures.status, mip_gap=figures.mip_gap,
        unlimited_saving=figures.unlimited_saving, notes=figures.notes)


@dataclass(frozen=True)
class StoredResults:
    """A results folder as checked by `check_results`: its summary, its five tables
    typed (`RESULT_TABLES`) and its dated programme, if any."""

    folder: Path
    summary: Summary
    tables: dict[str, pd.DataFrame]
    programme: Programme | None


def site_areas(summary: Summary, sites: pd.DataFrame) -> list[str] | None:
    """Each site's area, in the order of `sites` (sites.csv as read), for a plan made area
    by area: the map's popups and the board pack's site tables say it, as a national
    estate's sites may share names from one area to the next. None for a plan of one
    locality (no `areas` in summary.json, or no area in sites.csv), whose pages then
    have no Area to show rather than an empty one. The names are the register's text,
    each page escaping them as it does a site's name."""
    if not summary.areas or "area" not in sites.columns:
        return None
    areas = sites["area"].fillna("").astype(str).str.strip().tolist()
    return areas if any(areas) else None


def check_results(folder: Path) -> StoredResults:
    """Read and check a whole results folder before anything is drawn from it: a damaged
    or hand-edited one is one `InputError` listing every problem (file, row, column or
    key, what was expected, what was found) and saying how to put it right. Besides each
    file read whole, the tables must give the figures summary.json states (sites kept,
    closed and opened, shared centres, FTE relocated, each agency's costs, the status
    quo's coverage: `estate.store.agree`; a dated programme's changes, budget, NPV and
    payback year: `estate.store.agree_programme`), so that no page quotes one figure and
    draws another."""
    folder = Path(folder)
    _one_line(folder)
    hint = Problem(str(folder), None, None, "a results folder as `estate plan` wrote it",
                   "the damaged, hand-edited or unreadable files above: mend a file's "
                   "permissions as said, or run `estate plan` on its scenario again to "
                   "write the folder afresh")
    try:
        present = (folder / "summary.json").exists()
    except OSError:  # a folder one may not open: said by `read_summary`
        present = False
    if not present:
        read_summary(folder)  # raises: not a results folder
    problems: list[Problem] = []
    summary, programme, tables = None, None, {}
    try:
        summary = read_summary(folder)
        programme = read_programme(folder, summary)
    except InputError as exc:
        problems += exc.problems
    try:
        tables = check_tables(folder, summary)
    except InputError as exc:
        problems += exc.problems
    if summary is not None and programme is not None and tables:
        problems += programme_disagreements(folder, summary, programme, tables["agencies"],
                                            tables.get("assignments"))
    if problems or summary is None:
        raise InputError([*problems, hint])
    if summary.programme is not None and programme is not None \
            and summary.programme.payback_in_old_meaning:
        # an older folder: its first year in profit is its cashflow.csv's, so that every
        # page and comparison row reads the two payback years in today's meaning
        summary = summary.replace(programme=summary.programme.replace(
            payback_year=programme.payback_year, payback_in_old_meaning=False))
    return StoredResults(folder, summary, tables, programme)


def write_results(plan: Plan, out: Path, scenario: Scenario | None = None,
                  inputs_hash: str = "", warn: Callable[[Problem], None] | None = None,
                  also: Callable[[Path], None] | None = None) -> Path:
    """Write every output of a plan into a temporary sibling folder, then swap it in
    (with programme.csv and cashflow.csv, and the programme's figures in the summary,
    when the plan has a dated programme). `also` writes the rest of the folder into the
    temporary one before the swap (the programme's page, the alternatives' folders), so
    the folder is swapped in whole. A file the user put into the folder while the plan
    was made is kept in the new one and told to `warn` (`write_folder`)."""

    def write(tmp: Path) -> None:
        fill_results(plan, tmp, Path(out), scenario, inputs_hash)
        if also is not None:
            also(tmp)

    return write_folder(Path(out), write, warn)


def fill_results(plan: Plan, folder: Path, out: Path, scenario: Scenario | None = None,
                 inputs_hash: str = "") -> None:
    """Write a plan's files into `folder`, which is being filled to be swapped in as the
    results folder `out` (`write_results`; an alternative's, within its plan's)."""
    if scenario is None and plan.prepared is not None:
        scenario = plan.prepared.scenario
    summary = plan.summary
    if plan.programme is not None and summary.programme is None:
        summary = summary.dated(plan.programme.figures())
    if plan.programme is not None:  # each agency's dated saving beside its snapshot's
        dated = plan.programme.agency_npv()
        agencies = plan.agencies.copy()
        agencies["dated_npv_saving"] = [round(dated.get(str(a), 0.0), 2)
                                        for a in agencies["agency_id"]]
        plan = dataclasses.replace(plan, agencies=agencies)
    (folder / "summary.json").write_text(summary_json(summary) + "\n", encoding="utf-8")
    for name in TABLES:
        write_safe_csv(getattr(plan, name), folder / f"{name}.csv")
    if plan.programme is not None:
        write_safe_csv(plan.programme.actions, folder / "programme.csv")
        write_safe_csv(plan.programme.cashflow, folder / "cashflow.csv")
    with writable(folder / "plan.gpkg") as gpkg:
        _write_gpkg(plan, gpkg)
    if scenario is not None:
        (folder / "scenario.toml").write_text(scenario_toml(scenario), encoding="utf-8")
    if scenario is not None and scenario.path is not None:
        (folder / SCENARIO_FILE).write_text(
            _scenario_file_record(scenario.path, out) + "\n", encoding="utf-8")
    (folder / "inputs.sha256").write_text(inputs_hash, encoding="utf-8")
    write_safe_csv(warnings_table(plan.warnings), folder / "warnings.csv")

"""The tool never corrupts or misreads its own output (estate.store.check).

Part one: a register whose names carry what breaks CSV files and spreadsheets (quotes,
line breaks, carriage returns, formula starts, a 40,000-character name) is planned end
to end, compared and packed; every CSV is read back with the tool's own reader and
equals the names the register gave (each read as one line), ids join, and no cell a spreadsheet would run is
left as it was; the workbook is read back with openpyxl.

Part two: a results folder damaged or hand-edited in each of many ways is a located
exit 1 from `estate map`, `estate compare` and `estate report` (the file named, no
traceback, nothing written), never exit 4.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from estate.errors import InputError
from estate.load.validate import load_register
from estate.render.report_data import read_comparison
from estate.runs.compare_tables import EXCEL_CELL_LIMIT
from estate.store import (
    FORMULA_STARTS,
    PROGRAMME_TABLES,
    RESULT_TABLES,
    Columns,
    check_results,
    read_table,
    write_safe_csv,
)
from estate.store.csv_cells import csv_cell
from tests.fixtures import (
    TOWN_SCENARIO,
    invoke,
    merge,
    no_traceback,
    run_cli,
    town,
    town_rows,
    write_scenario,
)

LONG = "Long " + "x" * 39_995  # 40,000 characters: more than an Excel cell holds
NAMES = {
    ("agencies", 0): '=HYPERLINK("http://x","y") "quoted", and more',
    ("agencies", 1): "Café Police",
    ("sites", 0): "+SUM(A1:A9)",
    ("sites", 1): "Annexe\non two lines",
    ("sites", 2): LONG,
    ("zones", 0): "-2+3 @Centre",
    ("zones", 1): "Outskirts\rwith a carriage return",
    ("functions", 0): "@HR, with a comma",
    ("functions", 1): "'already quoted",
}
PROGRAMME = {"start": "2027-04-01", "programme": {"max_closures_per_year": 1}}


def _register(folder: Path) -> Path:
    """The town register with `NAMES`, every cell quoted (as a careful tool writes one)."""
    rows = town_rows()
    for (table, i), name in NAMES.items():
        rows[table][i]["type" if table == "functions" else "name"] = name
    folder.mkdir(parents=True, exist_ok=True)
    for table, records in rows.items():
        columns = list(dict.fromkeys(k for r in records for k in r))
        with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, quoting=csv.QUOTE_ALL)
            writer.writerow(columns)
            writer.writerows([[r.get(c, "") for c in columns] for r in records])
    return folder


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The hostile town planned once (policy costs and a programme), compared and packed."""
    root = tmp_path_factory.mktemp("check")
    _register(root / "reg")
    scenario = write_scenario(root / "tiny.toml", merge(TOWN_SCENARIO, PROGRAMME))
    run = invoke(root, "plan", scenario, "--out", "results/tiny", "--map", "m.html",
                 "--policy-costs", "--programme")
    assert run.code == 0, run.output
    run = invoke(root, "compare", scenario, "--out", "cmp")
    assert run.code == 0, run.output
    assert "reusing" not in run.stdout  # progress goes nowhere off a terminal
    return {"root": root, "scenario": scenario, "folder": root / "results" / "tiny",
            "register": load_register(root / "reg")}


def _raw(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_names_come_back_as_the_register_gave_them(planned: dict[str, Any]) -> None:
    register, stored = planned["register"], check_results(planned["folder"])
    sites = register.sites.set_index("site_id")["name"]
    assert LONG in set(sites) and "Outskirts with a carriage return" in set(
        register.zones["name"]), "the register reader keeps names whole, each on one line"
    assert "Annexe on two lines" in set(sites)
    back = stored.tables["sites"].set_index("site_id")["name"]
    assert back.to_dict() == sites.to_dict()
    agencies = register.agencies.set_index("agency_id")["name"].to_dict()
    assert stored.tables["agencies"].set_index("agency_id")["name"].to_dict() == agencies
    assert {a: f.name for a, f in stored.summary.agencies.items()} == agencies
    zones = register.zones.set_index("zone_id")["name"].to_dict()
    assert stored.tables["zones"].set_index("zone_id")["name"].to_dict() == zones
    cover = stored.tables["coverage"]
    assert dict(zip(cover["zone_id"], cover["name"], strict=True)) == zones
    types = register.functions.set_index("function_id")["type"].to_dict()
    moves = stored.tables["assignments"]
    assert dict(zip(moves["function_id"], moves["type"], strict=True)) == types
    assert set(moves["to_site"]) <= set(back.index)  # ids join
    assert stored.programme is not None and len(stored.programme.actions)
    actions = stored.programme.actions
    named = actions[actions["site_id"] != ""]
    assert all(sites[s] == n for s, n in zip(named["site_id"], named["site_name"], strict=True))


def test_no_cell_a_spreadsheet_would_run(planned: dict[str, Any]) -> None:
    files = [*planned["folder"].glob("*.csv"), planned["root"] / "cmp" / "comparison.csv"]
    assert {p.name for p in files} >= {"sites.csv", "programme.csv", "cashflow.csv",
                                      "comparison.csv"}
    quoted = 0
    for path in files:
        for row in _raw(path):
            for cell in row:
                if cell[:1] in FORMULA_STARTS:
                    float(cell)  # only a negative number may start like a formula
                quoted += cell[:2] in ("'=", "'+", "'-", "'@", "''")
    assert quoted >= len(NAMES) - 3  # each hostile name, wherever it was written


def test_comparison_csv_and_workbook_read_back(planned: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    agencies = planned["register"].agencies.set_index("agency_id")["name"].to_dict()
    table = read_comparison(planned["root"] / "cmp")
    assert {a: table.at[0, f"agency.{a}.name"] for a in agencies} == agencies
    wb = load_workbook(planned["root"] / "cmp" / "comparison.xlsx")
    cells = [row[2] for row in wb["agencies"].iter_rows(min_row=2)]
    assert {c.value for c in cells} == set(agencies.values())
    assert all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("text", [
    "a\x00b", "\rcarriage", "mid\rreturn", "x\r\ny", "tab\tin", "\tlead", 'q"uo"te,comma',
    "=1+1", "+1", "-1", "@SUM(1)", "'quoted", "''twice", "", " spaced ", "NA", "nan",
    "\ufeffmark", "\u2028line", LONG, "é ☃ 東京"])
def test_any_text_survives_the_csv_round_trip(tmp_path: Path, text: str) -> None:
    frame = pd.DataFrame({"id": ["S1", "S2"], "name": [text, "plain"], "n": [-1.5, 2.0]})
    write_safe_csv(frame, tmp_path / "t.csv")
    back = read_table(tmp_path / "t.csv", Columns(("id", "name"), ("n",)))
    pd.testing.assert_frame_equal(back, frame)
    raw = _raw(tmp_path / "t.csv")
    assert len(raw) == 3 and raw[1][1][:1] not in FORMULA_STARTS


BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte-order mark Excel's "CSV UTF-8" starts a file with."""
ACCENTED = {"S1": "St Mary\u2019s Centre \u2013 Ipswich", "S2": "Caf\u00e9 Annex"}


def test_every_csv_starts_with_a_byte_order_mark(planned: dict[str, Any]) -> None:
    """Without the mark, Excel opened by a double click reads the file as Windows-1252."""
    files = [*planned["folder"].glob("*.csv"), planned["root"] / "cmp" / "comparison.csv"]
    assert {p.name for p in files} >= {"sites.csv", "warnings.csv", "programme.csv",
                                      "cashflow.csv", "comparison.csv"}
    assert [p.name for p in files if not p.read_bytes().startswith(BOM)] == []
    assert not any(p.read_bytes()[3:].startswith(BOM) for p in files)  # one mark only


def _strip_marks(folder: Path) -> None:
    """The folder as estate wrote it before it wrote a byte-order mark."""
    for path in folder.glob("*.csv"):
        data = path.read_bytes()
        assert data.startswith(BOM)
        path.write_bytes(data[len(BOM):])


def test_accented_names_are_read_as_excel_reads_them(tmp_path: Path) -> None:
    """Curly quotes, dashes and accents: sites.csv decoded as Excel decodes a file with a
    mark holds the register's names exactly; `estate report` reads the folder, and a
    copy without the marks (written before) too."""
    rows = town_rows()
    for row in rows["sites"]:
        row["name"] = ACCENTED.get(row["site_id"], row["name"])
    scenario = town(tmp_path, rows, PROGRAMME)
    run = invoke(tmp_path, "plan", scenario, "--out", "results/tiny", "--programme")
    assert run.code == 0, run.output
    data = (tmp_path / "results" / "tiny" / "sites.csv").read_bytes()
    assert data.startswith(BOM)
    names = {r["site_id"]: r["name"] for r in csv.DictReader(
        io.StringIO(data.decode("utf-8-sig"), newline=""))}
    assert {s: names[s] for s in ACCENTED} == ACCENTED
    shutil.copytree(tmp_path / "results" / "tiny", tmp_path / "results" / "old")
    _strip_marks(tmp_path / "results" / "old")
    for name in ("tiny", "old"):
        stored = check_results(tmp_path / "results" / name)
        assert ACCENTED.items() <= stored.tables["sites"].set_index("site_id")[
            "name"].to_dict().items()
        run = invoke(tmp_path, "report", f"results/{name}", "--out", f"out/{name}.pdf")
        assert run.code == 0, (name, run.output)
        assert (tmp_path / "out" / f"{name}.pdf").stat().st_size > 0


def test_long_text_is_cut_only_in_the_workbook() -> None:
    from estate.runs.compare_tables import xlsx_text

    assert len(xlsx_text(LONG)) == EXCEL_CELL_LIMIT and xlsx_text(LONG).endswith("\u2026")
    assert xlsx_text("a\x00b\x1fc\td") == "a\ufffdb\ufffdc\td"
    assert xlsx_text("=1+1") == "=1+1"  # stored as text, never a formula (test above)


# --- damaged folders ---------------------------------------------------------------

def _edit_csv(name: str, change: Callable[[list[list[str]]], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        rows = _raw(folder / name)
        change(rows)
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    return edit


def _set(column: str, value: str, row: int = 1) -> Callable[[list[list[str]]], None]:
    def change(rows: list[list[str]]) -> None:
        rows[row][rows[0].index(column)] = value
    return change


def _drop(column: str) -> Callable[[list[list[str]]], None]:
    def change(rows: list[list[str]]) -> None:
        j = rows[0].index(column)
        for row in rows:
            del row[j]
    return change


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def _damaged_page(layer: str) -> Callable[[Path], None]:
    """plan.gpkg with the first page of `layer`'s table overwritten, as a bad sector or a
    copy cut short in the middle leaves it: its page type and header no SQLite page's."""
    def edit(folder: Path) -> None:
        path = folder / "plan.gpkg"
        with contextlib.closing(sqlite3.connect(path)) as db:
            size = db.execute("PRAGMA page_size").fetchone()[0]
            page = db.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?",
                              (layer,)).fetchone()[0]
        data = bytearray(path.read_bytes())
        data[(page - 1) * size:(page - 1) * size + 8] = b"\x00" + b"\xff" * 7
        path.write_bytes(bytes(data))
    return edit


def _bad_last_byte(name: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data + b"\xff\r\n")
    return edit


def _encode(name: str, encoding: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        text = (folder / name).read_text(encoding="utf-8-sig")
        (folder / name).write_bytes(text.encode(encoding))
    return edit


def _excel_saved(name: str, column: str, row: int) -> Callable[[Path], None]:
    """The cell at spreadsheet `row` of `column` given a ’ as Excel's plain "CSV" saves
    it (Windows-1252: the byte 0x92, not UTF-8), the rest of the file as it was."""
    def edit(folder: Path) -> None:
        _edit_csv(name, _set(column, "Smith\ue000s Yard", row - 1))(folder)
        path = folder / name
        path.write_bytes(path.read_bytes().replace("\ue000".encode(), b"\x92"))
    return edit


def _summary(change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        data = change(data) or data
        (folder / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    return edit


def _write_json_text(key: str, literal: str) -> Callable[[Path], None]:
    """Every `"key": number` of summary.json (the plan's and each agency's) set to a bare
    literal Python's JSON reads (NaN, Infinity), as a hand edit might leave."""
    def edit(folder: Path) -> None:
        path = folder / "summary.json"
        text = re.sub(rf'("{key}": )-?[0-9.eE+-]+', rf"\g<1>{literal}",
                      path.read_text(encoding="utf-8"))
        assert literal in text
        path.write_text(text, encoding="utf-8")
    return edit


# (name, damage, the file the message names, the row or key it names, or None)
DAMAGE: list[tuple[str, Callable[[Path], None], str, str | None]] = [
    ("bad JSON", _write("summary.json", b'{"scenario": "tiny",'), "summary.json", None),
    ("summary a list", _summary(lambda d: [d]), "summary.json", "a JSON object"),
    ("summary key missing", _summary(lambda d: d.pop("sites_after") and None),
     "summary.json", "key sites_after"),
    ("summary number as text", _summary(lambda d: d.update(npv_saving="lots")),
     "summary.json", "key npv_saving"),
    ("summary agencies a list", _summary(lambda d: d.update(agencies=[])), "summary.json",
     "key agencies"),
    ("a plan's saving null", _summary(lambda d: d.update(npv_saving=None)), "summary.json",
     "key npv_saving: expected a number (the plan's figure), found null"),
    ("a plan's one-off NaN", _write_json_text("one_off_cost", "NaN"), "summary.json",
     "key one_off_cost"),
    ("a plan's annual cost Infinity", _write_json_text("annual_cost_after", "Infinity"),
     "summary.json", "key annual_cost_after"),
    ("an agency's one-off null",
     _summary(lambda d: next(iter(d["agencies"].values())).update(one_off_cost=None)),
     "summary.json", "key agencies"),
    ("policy costs not a table", _summary(lambda d: d.update(policy_costs=[1])),
     "summary.json", "key policy_costs"),
    ("a policy's cost as text",
     _summary(lambda d: next(iter(d["policy_costs"].values())).update(npv="abc")),
     "summary.json", "key policy_costs"),
    ("a policy's sentence gone",
     _summary(lambda d: next(iter(d["policy_costs"].values())).pop("sentence") and None),
     "summary.json", "key policy_costs"),
    ("a payback of text NaN", _summary(lambda d: d.update(payback_years="nan")),
     "summary.json", "key payback_years: expected a finite number or null"),
    ("a horizon of 0 years", _summary(lambda d: d.update(horizon_years=0)), "summary.json",
     "key horizon_years: expected a number from 1 to 10,000, found 0"),
    ("a scenario named null", _summary(lambda d: d.update(scenario=None)), "summary.json",
     "key scenario: expected a text in quotes, as `estate plan` writes it, found null"),
    ("an agency named by a number",
     _summary(lambda d: next(iter(d["agencies"].values())).update(name=5)), "summary.json",
     ".name: expected a text in quotes, as `estate plan` writes it, found 5 (a number)"),
    ("a scenario name turned round",
     _summary(lambda d: d.update(scenario="abc\u202etxt.exe")), "summary.json",
     "key scenario: expected text without control characters (such as ESC) or direction "
     "overrides, found 'abc\\u202etxt.exe'"),
    ("a site name with an escape sequence", _edit_csv("sites.csv", _set("name", "x\x1b[31mR", 2)),
     "sites.csv", "row 3, column name: expected text without control characters"),
    ("empty sites.csv", _write("sites.csv", b""), "sites.csv", "an empty file"),
    ("sites.csv without lat", _edit_csv("sites.csv", _drop("lat")), "sites.csv",
     "column lat"),
    ("sites.csv as UTF-16", _encode("sites.csv", "utf-16"), "sites.csv", "UTF-8"),
    ("a bad byte at the end of sites.csv", _bad_last_byte("sites.csv"), "sites.csv",
     "expected UTF-8 text (in Excel: Save As 'CSV UTF-8'), found the byte 0xFF"),
    ("sites.csv re-saved by Excel", _excel_saved("sites.csv", "name", 3), "sites.csv",
     "sites.csv row 3, column name: expected UTF-8 text (in Excel: Save As 'CSV UTF-8'), "
     "found the byte 0x92, which is not UTF-8"),
    ("agencies.csv as Latin-1", _encode("agencies.csv", "latin-1"), "agencies.csv",
     "UTF-8"),
    ("a latitude as text", _edit_csv("sites.csv", _set("lat", "north", 2)), "sites.csv",
     "row 3, column lat"),
    ("a decision unknown", _edit_csv("sites.csv", _set("decision", "shut")), "sites.csv",
     "column decision"),
    ("a move to an unknown site", _edit_csv("assignments.csv", _set("to_site", "S99")),
     "assignments.csv", "column to_site"),
    ("coverage of an unknown zone", _edit_csv("coverage.csv", _set("zone_id", "Z99")),
     "coverage.csv", "column zone_id"),
    ("an agency not in the summary", _edit_csv("agencies.csv", _set("agency_id", "A9")),
     "agencies.csv", "column agency_id"),
    ("a flag that is not one", _edit_csv("coverage.csv", _set("covered_after", "maybe")),
     "coverage.csv", "column covered_after"),
    ("a ragged row", _edit_csv("zones.csv", lambda rows: rows[1].append("extra")),
     "zones.csv", "row 2"),
    ("zones.csv missing", lambda folder: (folder / "zones.csv").unlink(), "zones.csv",
     "no file"),
    ("a corrupt plan.gpkg", _write("plan.gpkg", b"SQLite format 3\x00" + b"\x07" * 900),
     "plan.gpkg", None),
    ("a year as text in programme.csv", _edit_csv("programme.csv", _set("year", "soon")),
     "programme.csv", "column year"),
    ("a duplicated site", _edit_csv("sites.csv", lambda rows: rows.append(rows[1])),
     "sites.csv", "column site_id"),
]
COMMANDS = ("map", "compare", "report")


def _damaged_copy(planned: dict[str, Any], tmp_path: Path,
                  damage: Callable[[Path], None]) -> Path:
    """The planned folder copied to tmp_path/results/tiny (where `estate compare` of the
    same scenario looks for it) and damaged."""
    folder = tmp_path / "results" / "tiny"
    shutil.copytree(planned["folder"], folder)
    damage(folder)
    return folder


def _run(command: str, planned: dict[str, Any], cwd: Path) -> Any:
    if command == "map":
        return invoke(cwd, "map", "results/tiny", "--out", "out/m.html")
    if command == "compare":
        return invoke(cwd, "compare", planned["scenario"], "--out", "out")
    return invoke(cwd, "report", "results/tiny", "--out", "out/board.pdf")


@pytest.mark.parametrize("marked", [True, False], ids=["as written", "without marks"])
@pytest.mark.parametrize("command", COMMANDS)
def test_an_intact_copy_is_drawn(planned: dict[str, Any], tmp_path: Path,
                                 command: str, marked: bool) -> None:
    """The control: the same copy, not damaged, works (and compare reuses it); so does
    a copy whose CSVs have no byte-order mark, as estate wrote them before."""
    _damaged_copy(planned, tmp_path, (lambda folder: None) if marked else _strip_marks)
    run = _run(command, planned, tmp_path)
    assert run.code == 0, run.output
    assert any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("name", "damage", "file", "where"), DAMAGE,
                         ids=[d[0] for d in DAMAGE])
def test_a_damaged_folder_is_a_located_error(planned: dict[str, Any], tmp_path: Path,
                                             command: str, name: str,
                                             damage: Callable[[Path], None], file: str,
                                             where: str | None) -> None:
    folder = _damaged_copy(planned, tmp_path, damage)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    run = _run(command, planned, tmp_path)
    assert run.code == 1, (name, run.output)
    no_traceback(run)
    assert f"results/tiny/{file}" in run.stderr, run.stderr
    if where is not None:
        assert where in run.stderr, run.stderr
    assert "estate plan" in run.stderr  # how to put it right
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("npv_saving", "lots", "a number (at most 10^15 either way)"),
    ("npv_saving", "", "a number (the plan's figure)"),
    ("status", "bogus", "one of optimal, time_limit"),
    ("payback_years", "nan", "a number (at most 10^15 either way)"),
    ("sites_after", "2.5", "a whole number of sites or centres")])
def test_a_hand_edited_comparison_is_refused_by_the_pack(
        planned: dict[str, Any], tmp_path: Path, column: str, value: str,
        expected: str) -> None:
    """The side-by-side page would rank the scenarios on the edited figure (a saving of
    "lots" read as none, so another scenario "saves the most")."""
    _damaged_copy(planned, tmp_path, lambda folder: None)
    shutil.copytree(planned["root"] / "cmp", tmp_path / "cmp")
    _edit_csv("comparison.csv", _set(column, value))(tmp_path / "cmp")
    run = invoke(tmp_path, "report", "results/tiny", "--out", "out/board.pdf",
                 "--compare", "cmp")
    assert run.code == 1, run.output
    no_traceback(run)
    assert "cmp/comparison.csv" in run.stderr and f"row 2, column {column}" in run.stderr, \
        run.stderr
    assert expected in run.stderr and "estate compare" in run.stderr, run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_hand_edit_is_named_at_its_row_of_the_file(planned: dict[str, Any],
                                                    tmp_path: Path) -> None:
    """A blank line above the edited record: the row named is the file's (3), not the
    record's count (2)."""
    _damaged_copy(planned, tmp_path, lambda folder: None)
    shutil.copytree(planned["root"] / "cmp", tmp_path / "cmp")

    def edit(rows: list[list[str]]) -> None:
        _set("status", "bogus")(rows)
        rows.insert(1, [])

    _edit_csv("comparison.csv", edit)(tmp_path / "cmp")
    run = invoke(tmp_path, "report", "results/tiny", "--out", "out/board.pdf",
                 "--compare", "cmp")
    assert run.code == 1 and "row 3, column status" in run.stderr, run.output


def test_a_folder_is_checked_whole(planned: dict[str, Any], tmp_path: Path) -> None:
    """Damage in three files: all three named at once, each at its row and column."""
    folder = _damaged_copy(planned, tmp_path, lambda f: None)
    _edit_csv("sites.csv", _set("lat", "north"))(folder)
    _edit_csv("zones.csv", _set("population", "many"))(folder)
    (folder / "plan.gpkg").write_bytes(b"not a GeoPackage")
    with pytest.raises(Exception) as caught:
        check_results(folder)
    found = {(Path(p.file).name, p.row, p.column) for p in caught.value.problems}
    assert {("sites.csv", 2, "lat"), ("zones.csv", 2, "population"),
            ("plan.gpkg", None, None)} <= found


def _folder_for(name: str) -> Callable[[Path], None]:
    def replace(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).mkdir()
    return replace


@pytest.mark.parametrize(("damage", "file", "found"), [
    (_folder_for("summary.json"), "summary.json",
     "found a folder, not a file: take it away (or put the file back) and run again"),
    (_folder_for("sites.csv"), "sites.csv", "found a folder, not a file"),
    (_write("plan.gpkg", b"SQLite format 3\x00" + b"junk" * 300), "plan.gpkg",
     "found a damaged GeoPackage, which cannot be read (cut short by a copy, or edited?): "
     "run `estate plan` on the scenario again to write it afresh"),
    (_folder_for("plan.gpkg"), "plan.gpkg", "found a folder, not a file"),
    # a layer the check does not read: its damage passed, and QGIS failed on it
    (_damaged_page("sites"), "plan.gpkg", "found a damaged GeoPackage, which cannot be "
     "read (cut short by a copy, or edited?)"),
    (_write("plan.gpkg", b"PK\x03\x04" + b"\0" * 200), "plan.gpkg",
     "found a file that is not a GeoPackage (the SQLite file estate writes)"),
    (_write("sites.csv", b"PK\x03\x04" + bytes(range(128, 256))), "sites.csv",
     "found a zip file (an Excel workbook?) named .csv, not text: run `estate plan` on the "
     "scenario again to write the folder afresh"),
    (_write("plan.gpkg", b"site_id,name\r\n"), "plan.gpkg",
     "found a file that is not a GeoPackage (the SQLite file estate writes): run `estate "
     "plan` on the scenario again to write it afresh"),
], ids=["summary a folder", "table a folder", "junk GeoPackage", "GeoPackage a folder",
        "a layer's page damaged", "zip as GeoPackage", "zip as CSV", "CSV as GeoPackage"])
def test_a_file_that_cannot_be_read_is_said_as_a_person_mends_it(
        planned: dict[str, Any], tmp_path: Path, damage: Callable[[Path], None], file: str,
        found: str) -> None:
    """Not Python's names for what went wrong (`IsADirectoryError: [Errno 21]`, GDAL's
    `DataSourceError` cut mid-word), but what the file is and what to do."""
    _damaged_copy(planned, tmp_path, damage)
    run = invoke(tmp_path, "map", "results/tiny", "--out", "out/m.html")
    assert run.code == 1, run.output
    assert f"{file}: expected" in run.output and found in run.output, run.output
    assert "Errno" not in run.output and "DataSourceError" not in run.output, run.output
    no_traceback(run)


@pytest.mark.parametrize(("locked", "file", "expected"), [
    ("zones.csv", "zones.csv", "a CSV table"),
    ("plan.gpkg", "plan.gpkg", "the GeoPackage `estate plan` writes"),
    (".", "summary.json", "the JSON `estate plan` writes"),
], ids=["a table", "the GeoPackage", "the folder"])
def test_a_results_file_this_user_may_not_read_is_said_so(
        planned: dict[str, Any], tmp_path: Path, locked: str, file: str, expected: str) -> None:
    """A permission, not damage (nor, for a folder one may not open, an unexpected
    error): the message says to mend the permission, exit 1."""
    folder = _damaged_copy(planned, tmp_path, lambda f: None)
    (folder / locked).chmod(0)
    try:
        run = run_cli(tmp_path, "map", "results/tiny", "--out", "out/m.html", as_a_user=True)
    finally:
        (folder / locked).chmod(0o755 if locked == "." else 0o644)
    assert run.code == 1, run.output
    assert (f"{file}: expected {expected}, found a file this user may not read "
            "(permission denied): give read permission on it (chmod a+r)") in run.output
    assert "Unexpected" not in run.output and "a damaged" not in run.output, run.output
    no_traceback(run)


def test_every_table_has_its_reader() -> None:
    assert set(RESULT_TABLES) == {"sites", "assignments", "coverage", "agencies", "zones"}
    assert set(PROGRAMME_TABLES) == {"programme", "cashflow"}


FUZZ_VALUES = ("", "x", "-1", "1e308", "nan", "inf", "=1", "S99", "True", "close", "2.5",
               "L" * 5000)


def test_random_hand_edits_are_read_or_located(planned: dict[str, Any],
                                               tmp_path: Path) -> None:
    """Seeded hand edits, one cell of one table at a time: each folder is either read and
    drawn (board pages, map payload) or refused with a located error; never a crash or
    a Python warning (warnings are errors under pytest)."""
    import random

    from estate.maps.payload import read_plan, site_payload, zone_payload
    from estate.render.report import board_pages

    rng = random.Random(13)
    outcomes = {"read": 0, "located": 0}
    # the tables with a row to edit (warnings.csv of a plan made without any is its
    # header alone)
    tables = sorted(p.name for p in planned["folder"].glob("*.csv") if len(_raw(p)) > 1)
    for k in range(40):
        folder = tmp_path / str(k)
        shutil.copytree(planned["folder"], folder)
        name = rng.choice(tables)
        rows = _raw(folder / name)
        row, column = rng.randrange(1, len(rows)), rng.randrange(len(rows[0]))
        rows[row][column] = rng.choice(FUZZ_VALUES)
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
        try:
            check_results(folder)
            board_pages(folder)
            plan = read_plan(folder)
            site_payload(plan, {})
            zone_payload(plan)
            outcomes["read"] += 1
        except InputError as exc:
            assert any(Path(p.file).parent == folder and p.column is not None
                       for p in exc.problems), exc  # a table's column, if not this one's
            outcomes["located"] += 1
    assert outcomes["read"] and outcomes["located"], outcomes


def test_a_bad_byte_is_named_at_its_place_in_the_file(tmp_path: Path) -> None:
    """At its row and column of the whole file, not at its place in a read buffer
    (which once said byte 0 for a byte near the end of a long file)."""
    body = "id,name,n\r\n" + "".join(f"S{i},Site {i},{i}\r\n" for i in range(2000))
    (tmp_path / "t.csv").write_bytes(body.encode() + b"S9,\xff,1\r\n")
    with pytest.raises(InputError, match=" row 2002, column name: expected UTF-8 text"):
        read_table(tmp_path / "t.csv", Columns(("id", "name"), ("n",)))


def test_a_table_not_in_utf8_is_named_at_its_row_and_column(tmp_path: Path) -> None:
    """A results table re-saved by Excel as its plain "CSV" (Windows-1252: ’ is the byte
    0x92, £ 0xA3) is said as a register's CSV is: the file, the row and column of the
    first such byte, and how to save it, not the byte's offset in the file."""
    path = tmp_path / "sites.csv"
    path.write_bytes("site_id,name\r\nS1,County Hall\r\nS2,Smith’s Yard £5\r\n"
                     .encode("cp1252"))
    with pytest.raises(InputError) as caught:
        read_table(path, Columns(("site_id", "name")))
    assert [(p.file, p.row, p.column, p.expected, p.found) for p in caught.value.problems] \
        == [(str(path), 3, "name", "UTF-8 text (in Excel: Save As 'CSV UTF-8')",
             "the byte 0x92, which is not UTF-8")]


@pytest.mark.parametrize(("value", "cell"), [
    (445.0, 445), (np.float64(12.0), 12), (-0.0, 0), (2.5, 2.5), (1e20, 1e20),
    (True, "true"), (np.bool_(False), "false"), (float("nan"), ""), (float("inf"), float("inf")),
    (None, ""), (pd.NA, ""), ("=1+1", "'=1+1"), (7, 7), ("S1", "S1")])
def test_a_cell_is_written_as_every_csv_writes_it(value: Any, cell: Any) -> None:
    """Whole numbers lose their ".0" (up to 2^53, past which a float is no longer a
    count), flags are true and false, a missing figure is blank, a formula is quoted."""
    assert csv_cell(value) == cell
    assert type(csv_cell(value)) is type(cell)


def test_a_results_table_reads_back_what_it_wrote(tmp_path: Path) -> None:
    """A table written with whole numbers and true/false reads back as the same floats
    and flags (`read_table`), as a folder written with 445.0 and True did."""
    frame = pd.DataFrame({"zone_id": ["Z1", "Z2"], "name": ["A", "=B"], "lat": [52.0, 52.5],
                          "lon": [1.0, 1.25], "population": [445.0, 0.0]})
    write_safe_csv(frame, tmp_path / "zones.csv")
    text = (tmp_path / "zones.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1:] == ["Z1,A,52,1,445", "Z2,'=B,52.5,1.25,0"]
    back = read_table(tmp_path / "zones.csv", RESULT_TABLES["zones"])
    pd.testing.assert_frame_equal(back[frame.columns].reset_index(drop=True), frame,
                                  check_dtype=False)


def test_a_results_folder_inside_one_this_user_may_not_open_is_said_so(
        planned: dict[str, Any], tmp_path: Path) -> None:
    """`estate map box/tiny` with box locked: the folder above, and the permission to
    give, exit 1 (`not_a_folder_to_read`), not an unexpected error."""
    shutil.copytree(planned["folder"], tmp_path / "box" / "tiny")
    (tmp_path / "box").chmod(0)
    try:
        run = run_cli(tmp_path, "map", "box/tiny", "--out", "m.html", as_a_user=True)
    finally:
        (tmp_path / "box").chmod(0o755)
    assert run.code == 1, run.output
    assert ("box/tiny: expected a results folder written by `estate plan` (with "
            "summary.json), found in a folder this user may not open (permission denied): "
            "give read permission on the folders above it (chmod a+rx)") in run.output
    no_traceback(run)

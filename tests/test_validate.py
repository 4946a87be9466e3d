"""Checking a register (estate.load.validate, against estate.load.schema): every column
typed with its default, every bad cell one problem at its row and column, all of them
reported together."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from estate.errors import InputError, Problem
from estate.load.raw import RawTable
from estate.load.references import check_references
from estate.load.schema import TABLES
from estate.load.validate import Register, check_table, load_register
from tests.fixtures import write_tables, write_xlsx
from tests.fixtures.reference import SITES, bad_cell, csv_register, frames, located, problems_of


def test_reference_register_loads_typed_with_defaults(tmp_path: Path) -> None:
    register = load_register(write_tables(tmp_path / "reg", frames()))
    assert isinstance(register, Register)
    sites, functions = register.sites, register.functions
    n_sites = len(TABLES["sites"].names)  # the schema's columns first, in its order
    assert list(sites.columns[:n_sites]) == TABLES["sites"].names
    assert list(sites.columns[n_sites:]) == ["notes", "row"]
    assert sites["row"].tolist() == [2, 3, 4]
    assert sites["racks"].tolist() == [10.0, 0.0, 0.0]
    assert sites["kind"].tolist() == ["office", "station", "office"]
    assert sites["tenure"].tolist() == ["leasehold", "freehold", "freehold"]
    assert sites["lease_end"].tolist() == ["2031-03-31", "", ""]
    assert sites["services"].tolist() == [("public_access", "library"), (), ("public_access",)]
    assert sites["hosts"].tolist() == [(), ("IT", "HR"), ()]
    assert sites["must_keep"].dtype == bool and not sites["must_keep"].any()
    assert sites["area"].tolist() == ["", "", ""]
    assert functions["desks"].tolist() == [25.0, 12.5, 8.0]  # defaults to fte
    assert functions["site_id"].tolist() == ["S1", "S2", ""]
    assert functions["shareable"].tolist() == [True, False, True]
    assert functions["needs_secure"].tolist() == [False, False, False]
    assert register.agencies["kind"].tolist() == ["council", "police"]
    assert register.zones["zone_id"].tolist() == ["12", "13"]
    assert register.pair_costs["annual_cost"].tolist() == [-5000.0]
    assert register.files["sites"] == "sites.csv"
    assert register.zone_shapes is None
    assert register.warnings == []
    assert isinstance(sites.index, pd.RangeIndex)


BAD_CELLS = [
    # (table, column, row index 0-based, value, expected fragment)
    ("sites", "name", 1, "", "a value"),
    ("sites", "desks", 0, "many", "a number like"),
    ("sites", "desks", 0, "1,200", "no thousands commas"),
    ("sites", "desks", 2, "-1", "a number from 0 to"),
    ("sites", "desks", 1, "nan", "a finite number"),
    ("sites", "running_cost", 0, "inf", "a finite number"),
    ("sites", "running_cost", 2, "-10", "from 0 to"),
    ("sites", "racks", 0, "-2", "from 0 to"),
    ("sites", "lat", 1, "91", "from -90 to 90"),
    ("sites", "lon", 2, "-180.5", "from -180 to 180"),
    ("sites", "lat", 0, "", "a value"),
    ("sites", "secure", 2, "maybe", "true/false"),
    ("sites", "tenure", 0, "rented", "freehold, leasehold"),
    ("sites", "lease_end", 0, "31/03/2031", "ISO date"),
    ("sites", "lease_end", 0, "2031-02-30", "ISO date"),
    ("agencies", "kind", 1, "hospital", "council, nhs"),
    ("agencies", "name", 0, "", "a value"),
    ("functions", "fte", 2, "-3", "from 0 to"),
    ("functions", "annual_cost", 0, "-1", "from 0 to"),
    ("functions", "desks", 1, "-1", "from 0 to"),
    ("functions", "shareable", 0, "sometimes", "true/false"),
    ("zones", "population", 0, "-5", "from 0 to"),
    ("zones", "zone_id", 1, "", "a value"),
    ("pair_costs", "annual_cost", 0, "inf", "a finite number"),
    ("pair_costs", "annual_cost", 0, "", "a value"),
]


@pytest.mark.parametrize(("table", "column", "index", "value", "expected"), BAD_CELLS)
def test_each_bad_cell_is_one_problem_at_its_row_and_column(
    tmp_path: Path, table: str, column: str, index: int, value: str, expected: str
) -> None:
    problems = bad_cell(tmp_path, table, column, index, value)
    assert located(problems) == {(f"{table}.csv", index + 2, column)}
    assert expected in problems[0].expected
    if value:
        assert repr(value) in problems[0].found


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    problems = problems_of(csv_register(tmp_path, sites={"desks": None}))
    assert located(problems) == {("sites.csv", None, "desks")}
    assert problems[0].expected == "a column named desks"


def test_near_miss_column_name_is_suggested(tmp_path: Path) -> None:
    tables = frames()
    tables["zones"] = tables["zones"].rename(columns={"population": "populaton"})
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert located(problems) == {("zones.csv", None, "population")}
    assert "populaton" in problems[0].found


def test_duplicate_ids_name_both_rows(tmp_path: Path) -> None:
    problems = problems_of(csv_register(tmp_path, sites={"site_id": ["S1", "S2", "S1"]}))
    duplicate = [p for p in problems if p.column == "site_id" and p.file == "sites.csv"]
    assert [(p.row, p.found) for p in duplicate] == [(4, "'S1' again (first at row 2)")]


def test_duplicate_pair_costs_are_an_error(tmp_path: Path) -> None:
    pairs = {"function_id": ["F1", "F2", "F1"], "site_id": ["S3", "S3", "S3"]}
    tables = frames()
    tables["pair_costs"] = pd.DataFrame({**pairs, "annual_cost": [1, 2, 3]})
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert located(problems) == {("pair_costs.csv", 4, "site_id")}
    assert "first at row 2" in problems[0].found


def test_all_problems_of_all_files_are_reported_together(tmp_path: Path) -> None:
    folder = csv_register(
        tmp_path,
        agencies={"kind": ["council", "bank"]},
        sites={"desks": ["100", "lots", "-4"]},
        functions={"fte": [1, 2, -3]},
        zones={"lat": [52.1, 99]},
    )
    (folder / "pair_costs.csv").write_text("function_id,site_id\nF1,S1\n")
    problems = problems_of(folder)
    assert located(problems) == {
        ("agencies.csv", 3, "kind"),
        ("sites.csv", 3, "desks"),
        ("sites.csv", 4, "desks"),
        ("functions.csv", 4, "fte"),
        ("zones.csv", 3, "lat"),
        ("pair_costs.csv", None, "annual_cost"),
    }


def test_table_with_header_and_no_rows_is_valid(tmp_path: Path) -> None:
    tables = frames()
    tables["functions"] = tables["functions"].iloc[:0]
    tables["pair_costs"] = tables["pair_costs"].iloc[:0]
    register = load_register(write_tables(tmp_path / "reg", tables))
    assert register.functions.empty
    assert register.functions["desks"].dtype == float
    n_functions = len(TABLES["functions"].names)
    assert list(register.functions.columns[:n_functions]) == TABLES["functions"].names


def test_a_sites_table_with_a_header_and_no_rows_is_nothing_to_plan(tmp_path: Path) -> None:
    """Other tables may be empty (above); with no site there is nothing to plan (the
    plan was "no plan found within the time limit", at once). That is the one problem
    even when the teams and pair costs still name their sites: each "no such site" it
    causes would bury it (a review saw 58)."""
    tables = frames()
    tables["sites"] = tables["sites"].iloc[:0]
    for others in ("kept", "emptied"):
        if others == "emptied":
            tables["functions"] = tables["functions"].iloc[:0]
            tables["pair_costs"] = tables["pair_costs"].iloc[:0]
        problems = problems_of(write_tables(tmp_path / others, tables))
        assert located(problems) == {("sites.csv", None, None)}, (others, problems)
        assert problems[0].expected.startswith("at least one site")


def test_registers_without_hosts_services_or_optional_columns_load(tmp_path: Path) -> None:
    optional = [c.name for c in TABLES["sites"].columns if not c.required and c.name in SITES]
    folder = csv_register(tmp_path, sites=dict.fromkeys(optional + ["notes"]))
    sites = load_register(folder).sites
    assert list(sites.columns) == TABLES["sites"].names + ["row"]
    assert sites["hosts"].tolist() == [(), (), ()]
    assert sites["kind"].tolist() == ["office"] * 3
    assert not sites["candidate"].any() and sites["racks"].sum() == 0


@pytest.mark.parametrize(
    ("word", "value"),
    [("true", True), ("TRUE", True), ("Yes", True), ("1", True), ("yEs", True)]
    + [("false", False), ("False", False), ("NO", False), ("0", False), ("", False)],
)
def test_booleans_in_every_spelling(tmp_path: Path, word: str, value: bool) -> None:
    folder = csv_register(tmp_path, sites={"must_keep": [word, word, word]})
    assert load_register(folder).sites["must_keep"].tolist() == [value] * 3


@pytest.mark.parametrize(("cell", "hint"), [
    ("Y", "; write yes or no (or true/false, 1/0)"),
    ("n", "; write yes or no (or true/false, 1/0)"),
    ("T", "; write true or false (or yes/no, 1/0)"),
    ("F", "; write true or false (or yes/no, 1/0)"),
    ("maybe", "")])
def test_a_flag_typed_as_an_initial_is_refused_with_the_words_to_write(
        tmp_path: Path, cell: str, hint: str) -> None:
    """DESIGN accepts true/false, yes/no and 1/0 only, so the Y or N an Excel user types is
    refused, located, with the words to write instead; any other word is refused as
    written."""
    problems = bad_cell(tmp_path, "sites", "secure", 1, cell)
    assert [(p.file, p.row, p.column, p.expected, p.found) for p in problems] == [
        ("sites.csv", 3, "secure", "true/false, yes/no or 1/0", f"{cell!r}{hint}")]


def test_validation_of_a_large_register_is_fast() -> None:
    rng = np.random.default_rng(7)
    n_sites, n_zones = 30_000, 35_000
    raw = {
        "agencies": pd.DataFrame({"agency_id": ["A1"], "name": ["County"]}),
        "sites": pd.DataFrame(
            {
                "site_id": [f"S{i}" for i in range(n_sites)],
                "agency_id": "A1",
                "name": [f"Site {i}" for i in range(n_sites)],
                "lat": rng.uniform(50, 55, n_sites).astype(str),
                "lon": rng.uniform(-3, 1, n_sites).astype(str),
                "desks": rng.integers(0, 500, n_sites).astype(str),
                "running_cost": "1000.0",
                "hosts": "IT;HR",
                "secure": "yes",
            }
        ),
        "functions": pd.DataFrame(
            {
                "function_id": [f"F{i}" for i in range(n_sites)],
                "agency_id": "A1",
                "type": "IT",
                "site_id": [f"S{i}" for i in range(n_sites)],
                "fte": "3",
                "annual_cost": "100",
            }
        ),
        "zones": pd.DataFrame(
            {
                "zone_id": [f"Z{i}" for i in range(n_zones)],
                "lat": "52",
                "lon": "1",
                "population": "100",
            }
        ),
    }
    tables = {}
    for name, frame in raw.items():
        tables[name] = RawTable(name, f"{name}.csv", frame.set_axis(range(2, 2 + len(frame))))
    start = time.process_time()  # CPU time: other jobs on the machine do not count
    typed = {}
    problems: list[Problem] = []
    for name, table in tables.items():
        typed[name], found = check_table(table, TABLES[name])
        problems += found
    files = {name: f"{name}.csv" for name in TABLES}
    typed["pair_costs"] = check_table(
        RawTable("pair_costs", "pair_costs.csv", pd.DataFrame(columns=["function_id"])),
        TABLES["pair_costs"],
    )[0]
    problems += check_references(typed, files, set(tables))
    elapsed = time.process_time() - start
    assert problems == []
    assert elapsed < 2.0, f"validation took {elapsed:.2f} s"


def test_site_kind_is_normalised_to_match_scenario_keys(tmp_path: Path) -> None:
    folder = csv_register(tmp_path, sites={"kind": ["Data Centre", "data-centre", " OFFICE "]})
    kinds = load_register(folder).sites["kind"].tolist()
    assert kinds == ["data_centre", "data_centre", "office"]


ABSURD = [
    # (table, column, row index 0-based, value): each far beyond any public estate
    ("sites", "desks", 0, "4000000"),
    ("sites", "running_cost", 1, "45000050000"),  # pence typed as pounds
    ("sites", "running_cost", 2, "1e12"),
    ("sites", "racks", 0, "2000000"),
    ("functions", "desks", 2, "10000000"),
    ("functions", "fte", 1, "1250000"),
    ("functions", "annual_cost", 0, "90000000000"),
    ("zones", "population", 0, "144000000000"),
    ("pair_costs", "annual_cost", 0, "-50000000000"),
]


@pytest.mark.parametrize(("table", "column", "index", "value"), ABSURD)
def test_absurd_magnitudes_are_errors_naming_the_bound(
    tmp_path: Path, table: str, column: str, index: int, value: str
) -> None:
    problems = bad_cell(tmp_path, table, column, index, value)
    assert located(problems) == {(f"{table}.csv", index + 2, column)}
    assert "beyond any public estate" in problems[0].expected
    assert repr(value) == problems[0].found


def test_largest_plausible_values_are_accepted(tmp_path: Path) -> None:
    folder = csv_register(tmp_path, sites={"desks": [1_000_000, 30_000, 5],
                                           "running_cost": [1e10, 2.5e8, 1]},
                          zones={"population": [100_000_000, 9_000_000]})
    assert load_register(folder).sites["desks"].max() == 1_000_000


@pytest.mark.parametrize(("column", "cell"), [("hosts", "IT,HR"), ("services",
                                              "public_access, library"),
                                             ("hosts", "IT;HR,Finance")])
def test_list_typed_with_commas_is_an_error(tmp_path: Path, column: str, cell: str) -> None:
    problems = bad_cell(tmp_path, "sites", column, 1, cell)
    assert located(problems) == {("sites.csv", 3, column)}
    assert "separated by ;" in problems[0].expected and repr(cell) == problems[0].found


def test_a_spreadsheet_error_saved_as_text_is_refused_in_any_column(tmp_path: Path) -> None:
    """A CSV saved from a workbook holds `#N/A` as text: in a name, a list or a reference
    it is no value, said as the error it is, once (not also an unknown site `#N/A`)."""
    folder = csv_register(tmp_path, sites={"name": ["County Hall", "#N/A", "New hub"],
                                           "services": [" #VALUE! ", None, "public_access"]},
                          functions={"site_id": ["S1", "#n/a", None]})
    problems = problems_of(folder)
    assert [(p.file, p.row, p.column, p.found) for p in problems] == [
        ("sites.csv", 2, "services", "the spreadsheet error #VALUE!, saved as text"),
        ("sites.csv", 3, "name", "the spreadsheet error #N/A, saved as text"),
        ("functions.csv", 3, "site_id", "the spreadsheet error #n/a, saved as text")]
    # one entry of a list, LibreOffice's own form, and one id in two rows: each refused
    # at its cell, once (not a service `#N/A`, a home hosting only `#REF!`, or a repeat)
    folder = csv_register(tmp_path / "more", sites={
        "site_id": ["S1", "#N/A", "#N/A"], "services": ["public_access;#N/A", None, None],
        "hosts": [None, "IT;#REF!", "Err:502"], "name": ["Hall", "Depot", "Hub;#REF!"]},
        functions={"site_id": ["S1", None, None]}, pair_costs={"site_id": ["S1"]})
    assert [(p.row, p.column, p.found) for p in problems_of(folder)] == [
        (2, "services", "the spreadsheet error #N/A among its entries ('public_access;#N/A'), "
         "saved as text"),
        (3, "site_id", "the spreadsheet error #N/A, saved as text"),
        (3, "hosts", "the spreadsheet error #REF! among its entries ('IT;#REF!'), saved as "
         "text"),
        (4, "site_id", "the spreadsheet error #N/A, saved as text"),
        # a text, not a list: no entries to be among
        (4, "name", "the spreadsheet error #REF! within its text ('Hub;#REF!'), saved as "
         "text"),
        (4, "hosts", "the spreadsheet error Err:502, saved as text")]


def test_a_hosts_cell_refused_is_not_judged_as_the_site_s_types(tmp_path: Path) -> None:
    """S2's `hosts` typed `HR,Finance` is refused; F2 (IT) sits at S2, but the cell was
    not read, so no warning says S2 hosts only "HR,Finance": one mistake, one problem."""
    folder = csv_register(tmp_path, sites={"hosts": [None, "HR,Finance", None]})
    with pytest.raises(InputError) as caught:
        load_register(folder)
    assert located(caught.value.problems) == {("sites.csv", 3, "hosts")}
    assert caught.value.warnings == []


def test_repeated_list_entries_are_warnings(tmp_path: Path) -> None:
    folder = csv_register(tmp_path, sites={
        "services": ["public_access;library;public_access", None, "public_access"],
        "hosts": [None, "IT;HR;IT", None],
        "tenure": ["leasehold", None, None],
        "lease_breaks": ["2029-03-31;2029-03-31", None, None]})
    register = load_register(folder)
    assert located(register.warnings) == {
        ("sites.csv", 2, "services"), ("sites.csv", 3, "hosts"), ("sites.csv", 2, "lease_breaks")}
    assert all("each entry once" == w.expected for w in register.warnings)


@pytest.mark.parametrize(("table", "column", "index"), [
    ("agencies", "agency_id", 0), ("sites", "agency_id", 1), ("functions", "site_id", 0)])
def test_an_id_with_an_invisible_character_is_named_where_it_is(
        tmp_path: Path, table: str, column: str, index: int) -> None:
    """A zero-width space pasted into an id would otherwise surface as unknown ids in
    other tables, never at the cell that holds it; and it is that one problem, not also
    an unknown id wherever the id is referred to (or, in a reference, unmatched)."""
    cells = frames()[table][column].astype(object).tolist()
    problems = bad_cell(tmp_path, table, column, index, cells[index] + "\u200b")
    assert [(p.file, p.row, p.column) for p in problems] == [(f"{table}.csv", index + 2, column)]
    assert "visible characters" in problems[0].expected and "\\u200b" in problems[0].found


@pytest.mark.parametrize(("header", "meant", "default"), [
    ("Disposal value (£)", "disposal_value", "(0)"),
    ("Must-keep", "must_keep", "(false)"),
    ("closure cost £", "closure_cost", "(0)"),
])
def test_an_optional_column_spelt_otherwise_is_a_warning_naming_it(
        tmp_path: Path, header: str, meant: str, default: str) -> None:
    """DESIGN keeps unknown columns and ignores them: a warning, not an error."""
    tables = frames()
    tables["sites"][header] = ["1000", "", ""]  # typed by the user, under the wrong name
    said = load_register(write_tables(tmp_path / "reg", tables)).warnings
    assert [(p.file, p.row, p.column, p.severity) for p in said] == [
        ("sites.csv", None, header, "warning")]  # the header as typed
    assert said[0].expected.startswith(meant + " (rename")
    assert f"every row takes {meant}'s default {default}" in said[0].found
    # a column that resembles nothing the table lacks is kept and ignored without a word
    tables = frames()
    tables["sites"]["closure_cost"] = [1, 2, 3]
    tables["sites"]["closure cost note"] = ["x", "", ""]
    tables["sites"]["Area (sq m)"] = [1200, 800, 0]  # a floor area, not the text `area`
    assert load_register(write_tables(tmp_path / "other", tables)).warnings == []


def test_ids_that_differ_only_in_case_are_a_warning_at_the_later_row(tmp_path: Path) -> None:
    tables = frames()
    tables["agencies"] = pd.concat([tables["agencies"], pd.DataFrame(
        {"agency_id": ["a1"], "name": ["County (copy)"], "kind": ["council"]})],
        ignore_index=True)
    register = load_register(write_tables(tmp_path / "reg", tables))
    assert [(p.file, p.row, p.column) for p in register.warnings] == [
        ("agencies.csv", 4, "agency_id")]
    assert "'a1', which differs from 'A1' (row 2) only in case" in register.warnings[0].found


def test_a_date_before_1990_is_a_warning_as_excel_reads_two_digit_years(
        tmp_path: Path) -> None:
    tables = frames()
    tables["sites"]["lease_end"] = ["1930-03-31", None, None]  # 31/3/30 in Excel
    register = load_register(write_tables(tmp_path / "reg", tables))
    assert [(p.row, p.column, p.severity) for p in register.warnings] == [
        (2, "lease_end", "warning")]
    assert "two-digit year" in register.warnings[0].found


def test_a_bad_cell_is_not_also_reported_by_the_checks_that_use_it(tmp_path: Path) -> None:
    """One mistake, one problem: breaks typed as UK dates are not then compared with the
    lease end as text, and a missing running_cost is not read as 0 under every rent."""
    tables = frames()
    tables["sites"]["lease_breaks"] = ["30/09/2028; 31/03/2029", None, None]
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert located(problems) == {("sites.csv", 2, "lease_breaks")}
    tables = frames()
    tables["sites"]["rent"] = [100_000, None, None]
    tables["sites"] = tables["sites"].rename(columns={"running_cost": "running cost (£)"})
    problems = problems_of(write_tables(tmp_path / "other", tables))
    assert located(problems) == {("sites.csv", None, "running_cost")}


@pytest.mark.parametrize(("row", "says"), [
    ({"site_id": "Total", "desks": "720", "running_cost": "1950000.5"}, "a totals row"),
    ({"site_id": "", "name": "Notes: costs at 2024/25 prices"}, "a notes row"),
    ({"name": "Grand total", "desks": "720"}, "a totals row"),
])
def test_a_totals_or_notes_row_is_one_problem(tmp_path: Path, row: dict, says: str) -> None:
    tables = frames()
    tables["sites"] = pd.concat([tables["sites"], pd.DataFrame([row])], ignore_index=True)
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert [(p.file, p.row, p.column) for p in problems] == [("sites.csv", 5, None)]
    assert says in problems[0].expected


def test_a_units_line_under_the_header_is_one_problem_and_a_record_is_not_one(
        tmp_path: Path) -> None:
    tables = frames()
    units = pd.DataFrame([{"lat": "degrees", "lon": "degrees", "running_cost": "£/yr"}])
    tables["sites"] = pd.concat([units, tables["sites"]], ignore_index=True)
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert [(p.file, p.row) for p in problems] == [("sites.csv", 2)]
    assert "a units row" in problems[0].expected
    # a record whose words happen to start so is a record
    tables = frames()
    tables["sites"]["name"] = ["Sum House", "Notes Library", "Total Fitness"]
    register = load_register(write_tables(tmp_path / "other", tables))
    assert register.sites["name"].tolist() == ["Sum House", "Notes Library", "Total Fitness"]


def _under_the_header(table: str, row: dict) -> dict[str, pd.DataFrame]:
    """The reference register with `row` typed as the first row under `table`'s header."""
    tables = frames()
    tables[table] = pd.concat([pd.DataFrame([row]), tables[table]], ignore_index=True)
    return tables


@pytest.mark.parametrize(("table", "row"), [
    ("sites", {"lat": "deg", "lon": "deg", "running_cost": "£ a year", "desks": "people"}),
    ("sites", {"lat": "deg", "lon": "deg", "running_cost": "£ a year",
               "population": "people"}),  # an unknown column says what it likes
    ("sites", {"site_id": "(text)", "name": "text", "lat": "deg", "lon": "deg",
               "lease_end": "day/month/year", "tenure": "freehold or leasehold"}),
    ("zones", {"lat": "deg N", "lon": "deg E", "population": "people"}),
    ("functions", {"fte": "people", "annual_cost": "£", "desks": "each"}),
    ("pair_costs", {"annual_cost": "£ a year"}),
])
def test_a_units_row_in_words_of_its_own_is_one_problem(tmp_path: Path, table: str,
                                                        row: dict) -> None:
    """Units as people type them, not only the usual spellings: the row names no record
    and gives no figure, so it is one problem at its row, not one for each cell."""
    problems = problems_of(write_tables(tmp_path / "reg", _under_the_header(table, row)))
    assert [(p.file, p.row, p.column) for p in problems] == [(f"{table}.csv", 2, None)]
    assert "a units row" in problems[0].expected
    assert "deg" in problems[0].found or "£" in problems[0].found


def test_a_units_row_in_a_workbook_is_one_problem(tmp_path: Path) -> None:
    """Where units rows come from: a sheet whose figures are numbers under words."""
    tables = _under_the_header("zones", {"lat": "deg", "lon": "deg", "population": "people"})
    problems = problems_of(write_xlsx(tmp_path / "reg.xlsx", tables))
    assert [(p.file, p.row, p.column) for p in problems] == [("reg.xlsx[zones]", 2, None)]
    assert problems[0].found == "'deg deg people'"


@pytest.mark.parametrize(("row", "where"), [
    # a record with its id: `deg` is its mistyped latitude
    ({"site_id": "S9", "agency_id": "A1", "name": "Depot", "lat": "deg", "lon": "1.1",
      "desks": "5", "running_cost": "100"}, {"lat"}),
    # a record whose id was left out: its figures say so
    ({"lat": "52.1", "lon": "1.1", "desks": "5", "running_cost": "100"},
     {"site_id", "agency_id", "name"}),
    # named, with placeholders for figures not known yet
    ({"agency_id": "A1", "name": "New depot", "lat": "TBC", "lon": "TBC", "desks": "5",
      "running_cost": "100"}, {"site_id", "lat", "lon"}),
    # a figure among the words: a record's cost, typed with £ and m
    ({"lat": "deg", "lon": "deg", "desks": "5", "running_cost": "£1.2m"},
     {"site_id", "agency_id", "name", "lat", "lon", "running_cost"}),
])
def test_a_record_under_the_header_is_not_a_units_row(tmp_path: Path, row: dict,
                                                      where: set[str]) -> None:
    problems = problems_of(write_tables(tmp_path / "reg", _under_the_header("sites", row)))
    assert located(problems) == {("sites.csv", 2, column) for column in where}


def test_an_id_excel_stripped_of_leading_zeros_is_suggested_with_them(tmp_path: Path) -> None:
    tables = frames()
    tables["sites"]["site_id"] = ["001", "002", "003"]
    tables["functions"]["site_id"] = ["001", "2", None]  # Excel read '002' as the number 2
    tables["pair_costs"]["site_id"] = ["003"]
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert located(problems) == {("functions.csv", 3, "site_id")}
    assert "'2' (did you mean `002`? Excel drops the leading zeros" in problems[0].found


def test_a_whole_id_written_with_a_decimal_point_is_suggested_without(tmp_path: Path) -> None:
    """pandas writes a number column holding a blank (a team not housed yet) as floats:
    site 1001 becomes '1001.0', refused with no hint of the fix (a review)."""
    tables = frames()
    tables["sites"]["site_id"] = ["1001", "1002", "1003"]
    tables["functions"]["site_id"] = ["1001", "1002.0", None]
    tables["pair_costs"]["site_id"] = ["1003"]
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert located(problems) == {("functions.csv", 3, "site_id")}
    assert problems[0].found.startswith("'1002.0' (did you mean `1002`? a whole number "
                                        "written with its decimal point"), problems[0].found
    assert problems[0].found.endswith("write 1002)")


@pytest.mark.parametrize(("lat", "lon", "says"), [
    ("Latitude", "Longitude", "no such column in the header; the column 'Latitude' may be "
                              "it: rename it lat"),
    ("easting", "northing", "British National Grid"),
])
def test_lat_and_lon_under_other_names_are_named(tmp_path: Path, lat: str, lon: str,
                                                 says: str) -> None:
    tables = frames()
    tables["zones"] = tables["zones"].rename(columns={"lat": lat, "lon": lon})
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert located(problems) == {("zones.csv", None, "lat"), ("zones.csv", None, "lon")}
    assert says in problems[0].found


@pytest.mark.parametrize("header", ["Site Name", "site name", "Title"])
def test_a_name_column_under_a_longer_name_is_named(tmp_path: Path, header: str) -> None:
    """A register's "Site Name" header (as a spreadsheet titles it) is the `name` column
    the table lacks; spelling alone is too far to find it."""
    tables = frames()
    tables["sites"] = tables["sites"].rename(columns={"name": header})
    problems = [p for p in problems_of(write_tables(tmp_path / "reg", tables))
                if p.severity == "error"]
    assert located(problems) == {("sites.csv", None, "name")}
    assert f"the column {header!r} may be it: rename it name" in problems[0].found


@pytest.mark.parametrize(("header", "offered"), [
    ("runing_cost", "runing_cost"), ("Running cost (£)", "Running cost (£)"),
    (None, None), ("cost_per_year", None)])
def test_a_missing_column_is_offered_only_a_header_that_means_it(
        tmp_path: Path, header: str | None, offered: str | None) -> None:
    """A slip or the name with units is offered as the missing column; another of the
    table's own columns never is (build_cost is a near spelling of running_cost, and
    renaming it would plan every site at its build cost), nor a header merely alike."""
    tables = frames()
    sites = tables["sites"]
    sites["build_cost"] = 0.0
    tables["sites"] = (sites.drop(columns="running_cost") if header is None
                       else sites.rename(columns={"running_cost": header}))
    problems = [p for p in problems_of(write_tables(tmp_path / "reg", tables))
                if p.column == "running_cost" and p.severity == "error"]
    assert len(problems) == 1
    said = problems[0].found
    if offered is None:
        assert "may be it" not in said
        assert said.startswith("no such column in the header: site_id, agency_id")
    else:
        assert f"the column {offered!r} may be it: rename it running_cost" in said


@pytest.mark.parametrize(("cell", "serial", "fix"), [
    ("46477", True, "2027-03-31"), ("47938", True, "2031-03-31"),
    ("47938.0", True, "2031-03-31"),  # as a CSV export may write it
    ("31/03/2027", False, "2027-03-31"), ("2027", False, None)])
def test_a_date_as_an_excel_serial_says_so(tmp_path: Path, cell: str, serial: bool,
                                           fix: str | None) -> None:
    """A serial says so, and the date it stands for (Excel's own: 47938 is 31 March
    2031), as a date written day first gives its ISO text."""
    problems = bad_cell(tmp_path, "sites", "lease_end", 0, cell)
    assert located(problems) == {("sites.csv", 2, "lease_end")}
    assert ("Excel date serial" in problems[0].expected) is serial
    assert problems[0].found == (f"{cell!r}: write it as {fix}" if fix else repr(cell))


def test_a_serial_in_a_list_of_dates_is_given_its_date(tmp_path: Path) -> None:
    tables = frames()
    tables["sites"]["lease_breaks"] = ["47000;2030-01-01", "", ""]
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert located(problems) == {("sites.csv", 2, "lease_breaks")}
    assert problems[0].found == "'47000;2030-01-01': write it as 2028-09-04;2030-01-01"


def test_a_record_with_its_id_is_a_record_whatever_its_notes_say(tmp_path: Path) -> None:
    tables = frames()
    tables["sites"]["notes"] = [None, None, "Source: survey pending"]
    tables["sites"]["desks"] = [400, 120, None]  # S3's desks not known yet
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert located(problems) == {("sites.csv", 4, "desks")}
    assert problems[0].found == "an empty cell"


def test_the_header_repeated_after_a_page_break_is_one_problem(tmp_path: Path) -> None:
    tables = frames()
    header = pd.DataFrame([{c: c.replace("_", " ").title() for c in tables["sites"].columns}])
    tables["sites"] = pd.concat([tables["sites"].iloc[:2], header, tables["sites"].iloc[2:]],
                                ignore_index=True)
    problems = problems_of(write_tables(tmp_path / "reg", tables))
    assert [(p.file, p.row, p.column) for p in problems] == [("sites.csv", 4, None)]
    assert "a repeated header row" in problems[0].expected

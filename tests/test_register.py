"""Reading and checking a register: formats agree, every bad input is located exactly."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from estate.errors import InputError, Problem
from estate.load.read import RawTable, read_tables
from estate.load.schema import TABLES
from estate.load.validate import Register, check_references, check_table, load_register

AGENCIES = {"agency_id": ["A1", "A2"], "name": ["County", "Police"], "kind": ["council", "POLICE"]}
SITES = {
    "site_id": ["S1", "S2", "S3"],
    "agency_id": ["A1", "A2", "A1"],
    "name": ["County Hall", "Police HQ, Martlesham", "New hub"],
    "lat": [52.0567, 52.0631, 52.2361],
    "lon": [1.1482, 1.2751, 1.0512],
    "desks": [400, 120, 200],
    "running_cost": [1_200_000.0, 450_000.5, 300_000.0],
    "racks": [10, None, 0],
    "kind": ["office", "Station", None],
    "tenure": ["leasehold", None, None],
    "lease_end": ["2031-03-31", None, None],
    "candidate": [False, False, True],
    "services": ["public_access;library", None, "public_access"],
    "hosts": [None, "IT;HR", None],
    "secure": [False, True, True],
    "notes": ["listed building", None, None],
}
FUNCTIONS = {
    "function_id": ["F1", "F2", "F3"],
    "agency_id": ["A1", "A2", "A1"],
    "type": ["HR", "IT", "Finance"],
    "site_id": ["S1", "S2", None],
    "fte": [30, 12.5, 8],
    "annual_cost": [900_000, 400_000, 250_000],
    "desks": [25, None, None],
    "shareable": [True, False, None],
}
ZONES = {
    "zone_id": [12, 13],
    "name": ["Ipswich", "Woodbridge"],
    "lat": [52.0593, 52.0935],
    "lon": [1.1557, 1.3193],
    "population": [144_000, 0],
}
PAIR_COSTS = {"function_id": ["F1"], "site_id": ["S3"], "annual_cost": [-5_000.0]}
REGISTER = {
    "agencies": AGENCIES,
    "sites": SITES,
    "functions": FUNCTIONS,
    "zones": ZONES,
    "pair_costs": PAIR_COSTS,
}


def frames(register: dict = REGISTER) -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame(columns) for name, columns in register.items()}


def write_csv(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def write_xlsx(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for name, frame in tables.items():
            frame.to_excel(book, sheet_name=name, index=False)
    return path


def write_gpkg(path: Path, tables: dict[str, pd.DataFrame], crs: int = 27700) -> Path:
    """Sites and zones as Points in `crs` (no lat/lon columns); the rest plain tables."""
    to_crs = Transformer.from_crs(4326, crs, always_xy=True)
    for name, frame in tables.items():
        if name in ("sites", "zones"):
            x, y = to_crs.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
            layer = gpd.GeoDataFrame(
                frame.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(x, y), crs=crs
            )
            layer.to_file(path, layer=name, engine="pyogrio")
        else:
            pyogrio.write_dataframe(frame, path, layer=name)
    return path


def csv_register(tmp_path: Path, **changes: dict[str, list]) -> Path:
    """The reference register as CSV, with whole columns replaced per table."""
    tables = frames()
    for name, columns in changes.items():
        for column, values in columns.items():
            if values is None:
                tables[name] = tables[name].drop(columns=column)
            else:
                tables[name][column] = values
    return write_csv(tmp_path / "reg", tables)


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_register(path)
    return caught.value.problems


def located(problems: list[Problem]) -> set[tuple]:
    return {(p.file, p.row, p.column) for p in problems}


def test_reference_register_loads_typed_with_defaults(tmp_path: Path) -> None:
    register = load_register(write_csv(tmp_path / "reg", frames()))
    assert isinstance(register, Register)
    sites, functions = register.sites, register.functions
    assert list(sites.columns[:20]) == TABLES["sites"].names
    assert list(sites.columns[20:]) == ["notes", "row"]
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


def _comparable(register: Register) -> dict[str, pd.DataFrame]:
    return {
        name: getattr(register, name).reset_index(drop=True)
        for name in ("agencies", "sites", "functions", "zones", "pair_costs")
    }


def test_csv_xlsx_and_gpkg_load_to_equal_tables(tmp_path: Path) -> None:
    tables = frames()
    from_csv = _comparable(load_register(write_csv(tmp_path / "reg", tables)))
    xlsx = load_register(write_xlsx(tmp_path / "reg.xlsx", tables))
    gpkg = load_register(write_gpkg(tmp_path / "reg.gpkg", tables, crs=27700))
    assert xlsx.files["sites"] == "reg.xlsx[sites]"
    assert gpkg.files["sites"] == "reg.gpkg[sites]"
    for other in (_comparable(xlsx), _comparable(gpkg)):
        for name, expected in from_csv.items():
            got = other[name][expected.columns]  # gpkg puts lat/lon last
            for column in ("lat", "lon"):
                if column in expected:
                    np.testing.assert_allclose(got[column], expected[column], atol=1e-7)
                    got = got.drop(columns=column)
                    expected = expected.drop(columns=column)
            pd.testing.assert_frame_equal(got, expected, check_dtype=True)


def test_excel_integer_ids_and_native_cells_become_plain_strings(tmp_path: Path) -> None:
    tables = frames()
    tables["zones"]["zone_id"] = [12.0, 13.0]  # a float column as Excel stores numbers
    register = load_register(write_xlsx(tmp_path / "reg.xlsx", tables))
    assert register.zones["zone_id"].tolist() == ["12", "13"]
    assert register.sites["candidate"].tolist() == [False, False, True]


def test_gpkg_polygon_zones_use_representative_point_and_keep_shapes(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "zones"})
    squares = [
        shapely.box(600000, 240000, 610000, 250000),
        shapely.box(620000, 260000, 621000, 262000),
    ]
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1", "Z2"], "name": ["A", "B"], "population": [10, 20]},
        geometry=squares,
        crs=27700,
    )
    zones.to_file(path, layer="zones", engine="pyogrio")
    register = load_register(path)
    inside = gpd.GeoSeries(
        gpd.points_from_xy(register.zones["lon"], register.zones["lat"]), crs=4326
    ).to_crs(27700)
    assert inside.within(gpd.GeoSeries(squares, crs=27700)).all()
    assert register.zone_shapes is not None
    assert register.zone_shapes.index.tolist() == ["Z1", "Z2"]
    assert register.zone_shapes.crs.to_epsg() == 4326


def test_gpkg_geometry_problems_are_located(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "sites"})
    sites = tables["sites"].drop(columns=["lat", "lon"])
    geometry = [shapely.Point(600000, 250000), None, shapely.box(0, 0, 1, 1)]
    gpd.GeoDataFrame(sites, geometry=geometry, crs=27700).to_file(path, layer="sites")
    problems = problems_of(path)
    assert located(problems) == {
        ("reg.gpkg[sites]", 3, "geometry"),
        ("reg.gpkg[sites]", 4, "geometry"),
    }
    assert {p.found for p in problems} == {"an empty geometry", "a Polygon"}


BAD_CELLS = [
    # (table, column, row index 0-based, value, expected fragment)
    ("sites", "name", 1, "", "a value"),
    ("sites", "desks", 0, "many", "a number like"),
    ("sites", "desks", 0, "1,200", "no thousands commas"),
    ("sites", "desks", 2, "-1", "a number >= 0"),
    ("sites", "desks", 1, "nan", "a finite number"),
    ("sites", "running_cost", 0, "inf", "a finite number"),
    ("sites", "running_cost", 2, "-10", ">= 0"),
    ("sites", "racks", 0, "-2", ">= 0"),
    ("sites", "lat", 1, "91", "from -90 to 90"),
    ("sites", "lon", 2, "-180.5", "from -180 to 180"),
    ("sites", "lat", 0, "", "a value"),
    ("sites", "secure", 2, "maybe", "true/false"),
    ("sites", "tenure", 0, "rented", "freehold, leasehold"),
    ("sites", "lease_end", 0, "31/03/2031", "ISO date"),
    ("sites", "lease_end", 0, "2031-02-30", "ISO date"),
    ("sites", "agency_id", 1, "A9", "agency_id listed in agencies.csv"),
    ("agencies", "kind", 1, "hospital", "council, nhs"),
    ("agencies", "name", 0, "", "a value"),
    ("functions", "fte", 2, "-3", ">= 0"),
    ("functions", "annual_cost", 0, "-1", ">= 0"),
    ("functions", "desks", 1, "-1", ">= 0"),
    ("functions", "agency_id", 0, "A7", "agency_id listed in agencies.csv"),
    ("functions", "site_id", 2, "S99", "site_id listed in sites.csv"),
    ("functions", "site_id", 2, "S3", "an existing site"),
    ("functions", "shareable", 0, "sometimes", "true/false"),
    ("zones", "population", 0, "-5", ">= 0"),
    ("zones", "zone_id", 1, "", "a value"),
    ("pair_costs", "annual_cost", 0, "inf", "a finite number"),
    ("pair_costs", "function_id", 0, "F9", "function_id listed in functions.csv"),
    ("pair_costs", "site_id", 0, "S9", "site_id listed in sites.csv"),
    ("pair_costs", "annual_cost", 0, "", "a value"),
]


@pytest.mark.parametrize(("table", "column", "index", "value", "expected"), BAD_CELLS)
def test_each_bad_cell_is_one_problem_at_its_row_and_column(
    tmp_path: Path, table: str, column: str, index: int, value: str, expected: str
) -> None:
    tables = frames()
    cells = tables[table][column].astype(object).tolist()
    cells[index] = value
    tables[table][column] = cells
    problems = problems_of(write_csv(tmp_path / "reg", tables))
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
    problems = problems_of(write_csv(tmp_path / "reg", tables))
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
    problems = problems_of(write_csv(tmp_path / "reg", tables))
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


def test_missing_table_names_the_file_and_optional_pair_costs_may_be_absent(
    tmp_path: Path,
) -> None:
    folder = write_csv(tmp_path / "reg", frames())
    (folder / "pair_costs.csv").unlink()
    assert load_register(folder).pair_costs.empty
    (folder / "zones.csv").unlink()
    problems = problems_of(folder)
    assert located(problems) == {("zones.csv", None, None)}
    assert "zones.csv" in problems[0].expected


def test_table_with_header_and_no_rows_is_valid(tmp_path: Path) -> None:
    tables = frames()
    tables["functions"] = tables["functions"].iloc[:0]
    tables["pair_costs"] = tables["pair_costs"].iloc[:0]
    register = load_register(write_csv(tmp_path / "reg", tables))
    assert register.functions.empty
    assert register.functions["desks"].dtype == float
    assert list(register.functions.columns[:11]) == TABLES["functions"].names


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "reg", frames())
    (folder / "agencies.csv").write_text("")
    (folder / "zones.csv").write_text("\ufeff\n\n")
    (folder / "functions.csv").write_text("\nfunction_id,agency_id,type,fte,annual_cost\n")
    problems = problems_of(folder)
    assert [(p.file, p.row, p.found) for p in problems] == [
        ("agencies.csv", None, "an empty file"),
        ("functions.csv", 1, "an empty row 1"),
        ("zones.csv", None, "an empty file"),
    ]


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


def test_headers_are_normalised_and_extra_columns_kept(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "reg", frames())
    text = (folder / "agencies.csv").read_text()
    (folder / "agencies.csv").unlink()
    lines = text.splitlines()
    lines[0] = " Agency ID ,NAME,Kind , Budget Code"
    lines[1:] = [line + ",X1" for line in lines[1:]]
    (folder / "Agencies.csv").write_text("\ufeff" + "\n".join(lines) + "\n\n,,,\n")
    agencies = load_register(folder).agencies
    assert list(agencies.columns) == ["agency_id", "name", "kind", "budget_code", "row"]
    assert agencies["budget_code"].tolist() == ["X1", "X1"]


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "reg", frames())
    (folder / "zones.csv").write_text(
        "zone_id,name,lat,lon,population\nZ1,A,52,1,10\n\nZ2,B,52,1,-1\n"
    )
    assert located(problems_of(folder)) == {("zones.csv", 4, "population")}


def test_warnings_for_unhosted_type_and_insecure_home(tmp_path: Path) -> None:
    folder = csv_register(
        tmp_path,
        functions={"type": ["HR", "Finance", "IT"], "needs_secure": ["yes", "no", "no"]},
        sites={"tenure": ["freehold", "", ""]},
    )
    register = load_register(folder)
    assert located(register.warnings) == {
        ("functions.csv", 3, "site_id"),  # F2 Finance at S2, which hosts IT;HR only
        ("functions.csv", 2, "needs_secure"),  # F1 needs security, S1 is not secure
        ("sites.csv", 2, "lease_end"),  # a lease end on a freehold
    }
    assert all(w.severity == "warning" for w in register.warnings)


def test_unreadable_files_are_problems_not_crashes(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "reg", frames())
    (folder / "sites.csv").write_bytes("site_id,name\nS1,Caf\xe9\n".encode("latin-1"))
    (folder / "zones.csv").write_text("zone_id,lat\nZ1,52,1\n")
    problems = problems_of(folder)
    assert located(problems) == {("sites.csv", None, None), ("zones.csv", 2, None)}
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "broken.gpkg").write_text("hello")
    assert located(problems_of(tmp_path / "broken.xlsx")) == {("broken.xlsx", None, None)}
    assert located(problems_of(tmp_path / "broken.gpkg")) == {("broken.gpkg", None, None)}


def test_nonexistent_path_says_what_a_register_is(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nowhere")
    assert len(problems) == 1
    assert "a folder holding agencies.csv" in problems[0].expected
    assert ".xlsx" in problems[0].expected and ".gpkg" in problems[0].expected


def test_xlsx_missing_sheet_is_labelled_with_workbook(tmp_path: Path) -> None:
    tables = {k: v for k, v in frames().items() if k != "functions"}
    problems = problems_of(write_xlsx(tmp_path / "reg.xlsx", tables))
    assert located(problems) == {("reg.xlsx[functions]", None, None)}


def test_national_register_areas(tmp_path: Path) -> None:
    folder = csv_register(
        tmp_path,
        sites={"area": ["Suffolk", "Suffolk", ""]},
        functions={"area": ["", "Norfolk", ""]},
    )
    assert located(problems_of(folder)) == {
        ("sites.csv", 4, "area"),
        ("functions.csv", 3, "area"),  # differs from its home's area
        ("functions.csv", 4, "area"),  # unhoused, no area
    }


def test_read_tables_gives_strings_with_spreadsheet_rows(tmp_path: Path) -> None:
    raw = read_tables(write_xlsx(tmp_path / "reg.xlsx", frames()))
    sites = raw.tables["sites"].frame
    assert sites.index.tolist() == [2, 3, 4]
    assert sites.loc[2, "desks"] == "400" and sites.loc[3, "running_cost"] == "450000.5"
    assert sites.loc[4, "candidate"] == "true"
    assert raw.problems == []


def test_validation_of_a_large_register_is_fast() -> None:
    rng = np.random.default_rng(7)
    n_sites, n_zones = 30_000, 35_000
    raw = {
        "agencies": pd.DataFrame({"agency_id": ["A1"], "name": ["County"]}),
        "sites": pd.DataFrame(
            {
                "site_id": [f"S{i}" for i in range(n_sites)],
                "agency_id": "A1",
                "name": "Site",
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


def test_missing_id_column_does_not_flag_every_reference(tmp_path: Path) -> None:
    problems = problems_of(csv_register(tmp_path, agencies={"agency_id": None}))
    assert located(problems) == {("agencies.csv", None, "agency_id")}


def test_folder_without_register_files_says_what_it_holds(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    write_xlsx(folder / "reg.xlsx", frames())
    problems = problems_of(folder)
    assert located(problems) == {(str(folder), None, None)}
    assert problems[0].found == "a folder holding reg.xlsx"


def test_duplicate_and_unnamed_headers(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "reg", frames())
    (folder / "zones.csv").write_text(
        "zone_id,name,lat,lon,population,Name,\nZ1,A,52,1,10,B,\nZ2,B,52,1,5,C,oops\n"
    )
    problems = problems_of(folder)
    assert located(problems) == {("zones.csv", 1, "name")}
    assert problems[0].found == "name in columns B and F"
    (folder / "zones.csv").write_text(
        "zone_id,name,lat,lon,population,\nZ1,A,52,1,10,\nZ2,B,52,1,5,oops\n"
    )
    assert located(load_register(folder).warnings) == {("zones.csv", 3, "F")}


def test_site_kind_is_normalised_to_match_scenario_keys(tmp_path: Path) -> None:
    folder = csv_register(tmp_path, sites={"kind": ["Data Centre", "data-centre", " OFFICE "]})
    kinds = load_register(folder).sites["kind"].tolist()
    assert kinds == ["data_centre", "data_centre", "office"]


def test_types_spelled_differently_only_in_case_are_warned(tmp_path: Path) -> None:
    folder = csv_register(
        tmp_path,
        functions={"type": ["HR", "IT", "it"]},
        sites={"hosts": ["hr;IT", "IT;HR", ""]},
    )
    warnings = load_register(folder).warnings
    assert located(warnings) == {
        ("functions.csv", 4, "type"),
        ("sites.csv", 2, "hosts"),
        ("functions.csv", 2, "site_id"),  # the consequence: HR is not 'hr', so not hosted
    }
    assert "row 3 spells it 'IT'" in next(w.found for w in warnings if w.column == "type")


def test_excel_dates_become_iso_dates(tmp_path: Path) -> None:
    tables = frames()
    tables["sites"]["lease_end"] = [pd.Timestamp("2031-03-31"), None, None]
    register = load_register(write_xlsx(tmp_path / "reg.xlsx", tables))
    assert register.sites["lease_end"].tolist() == ["2031-03-31", "", ""]


def test_gpkg_sites_without_geometry_may_use_lat_lon_columns(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "sites"})
    pyogrio.write_dataframe(tables["sites"], path, layer="sites")
    register = load_register(path)
    assert register.sites["lat"].tolist() == SITES["lat"]


def test_gpkg_points_without_crs_are_taken_as_wgs84_with_a_warning(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "zones"})
    zones = tables["zones"]
    layer = gpd.GeoDataFrame(
        zones.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(zones["lon"], zones["lat"])
    )
    with pytest.warns(UserWarning, match="crs"):
        layer.to_file(path, layer="zones", engine="pyogrio")
    register = load_register(path)
    assert register.zones["lat"].tolist() == ZONES["lat"]
    assert located(register.warnings) == {("reg.gpkg[zones]", None, "geometry")}

"""The register's tables checked against each other (estate.load.references): ids that
refer to rows elsewhere, homes that do not host or secure their teams, leases, areas,
and types spelled two ways."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from estate.errors import InputError
from estate.load.geography import check_positions
from estate.load.validate import load_register
from tests.fixtures import town_rows, write_tables
from tests.fixtures.reference import (
    SITES,
    ZONES,
    bad_cell,
    csv_register,
    frames,
    located,
    problems_of,
)
from tests.fixtures.register import write_gpkg

BAD_REFERENCES = [
    # (table, column, row index 0-based, value, expected fragment)
    ("sites", "agency_id", 1, "A9", "agency_id listed in agencies.csv"),
    ("functions", "agency_id", 0, "A7", "agency_id listed in agencies.csv"),
    ("functions", "site_id", 2, "S99", "site_id listed in sites.csv"),
    ("functions", "site_id", 2, "S3", "an existing site"),
    ("pair_costs", "function_id", 0, "F9", "function_id listed in functions.csv"),
    ("pair_costs", "site_id", 0, "S9", "site_id listed in sites.csv"),
]


@pytest.mark.parametrize(("table", "column", "index", "value", "expected"), BAD_REFERENCES)
def test_each_bad_reference_is_one_problem_at_its_row_and_column(
    tmp_path: Path, table: str, column: str, index: int, value: str, expected: str
) -> None:
    problems = bad_cell(tmp_path, table, column, index, value)
    assert located(problems) == {(f"{table}.csv", index + 2, column)}
    assert expected in problems[0].expected
    assert repr(value) in problems[0].found


def test_warnings_for_unhosted_type_and_insecure_home(tmp_path: Path) -> None:
    folder = csv_register(
        tmp_path,
        functions={"type": ["HR", "Finance", "IT"], "needs_secure": ["yes", "no", "no"]},
        sites={"tenure": ["freehold", "", ""], "rent": [None, 1000.5, None]},
    )
    register = load_register(folder)
    assert located(register.warnings) == {
        ("functions.csv", 3, "site_id"),  # F2 Finance at S2, which hosts IT;HR only
        ("functions.csv", 2, "needs_secure"),  # F1 needs security, S1 is not secure
        ("sites.csv", 2, "lease_end"),  # a lease end on a freehold
        ("sites.csv", 3, "rent"),  # a rent on a site whose tenure is left blank: freehold
    }
    assert all(w.severity == "warning" for w in register.warnings)
    lease = next(w for w in register.warnings if w.column == "lease_end")
    # it says what estate does with it: the date is used as a lease's would be
    assert lease.found.endswith("on a freehold site, used as given"), lease.found
    assert "set tenure = leasehold, or clear it" in lease.expected
    # each value as the register shows it, not as Python spells it (np.float64(1000.0))
    rent = next(w for w in register.warnings if w.column == "rent")
    assert rent.found == "1,000.50 on a freehold site, used as given", rent.found


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


def test_a_team_not_housed_yet_with_no_area_column_is_told_to_add_one(
        tmp_path: Path) -> None:
    """Sites with areas and a functions table with no `area` column at all: the team not
    housed yet (F3) is told to give its area in such a column (it was told its empty
    cell, of a column the file does not have); one left empty beside others filled is
    told its cell."""
    folder = csv_register(tmp_path, sites={"area": ["Suffolk"] * 3})
    [problem] = problems_of(folder)
    assert (problem.file, problem.row, problem.column) == ("functions.csv", 4, "area")
    assert problem.found.startswith("no area (give each team not housed yet its area, in "
                                    "an area column of the functions table)")
    filled = csv_register(tmp_path / "filled", sites={"area": ["Suffolk"] * 3},
                          functions={"area": ["Suffolk", "", ""]})
    [problem] = problems_of(filled)
    assert problem.found == "an empty cell"


def test_a_zone_of_an_area_without_sites_is_an_error(tmp_path: Path) -> None:
    """Zones placed by their own `area` (every zone has one): one naming an area no site
    is in would be planned in no area at all."""
    folder = csv_register(tmp_path, sites={"area": ["Suffolk"] * 3},
                          functions={"area": ["", "", "Suffolk"]},
                          zones={"area": ["Suffolk", "Norfolk"]})
    problems = problems_of(folder)
    assert located(problems) == {("zones.csv", 3, "area")}
    assert problems[0].found == "'Norfolk'"
    good = csv_register(tmp_path / "good", sites={"area": ["Suffolk"] * 3},
                        functions={"area": ["", "", "Suffolk"]},
                        zones={"area": ["Suffolk", "Suffolk"]})
    assert load_register(good).zones["area"].tolist() == ["Suffolk", "Suffolk"]


def test_zones_naming_areas_when_no_site_has_one_are_an_error(tmp_path: Path) -> None:
    """A lead who leaves the sites' `area` column out while the zones name theirs would
    plan the country as one locality without a word: each such zone is said."""
    folder = csv_register(tmp_path, zones={"area": ["North", ""]})
    problems = problems_of(folder)
    assert located(problems) == {("zones.csv", 2, "area")}
    assert "whose sites have no area" in problems[0].expected


def test_an_area_spelt_in_another_case_is_said(tmp_path: Path) -> None:
    """`North` and `north` are two areas, planned apart: a warning at the row spelling it
    otherwise than the first; a zone's or unhoused team's area in another case is told
    the sites'."""
    folder = csv_register(tmp_path, sites={"area": ["north", "North", "north"]},
                          functions={"area": ["", "", "north"]},
                          zones={"area": ["north", "north"]})
    register = load_register(folder)
    assert [(w.file, w.row, w.column) for w in register.warnings] == [
        ("sites.csv", 3, "area")]
    assert register.warnings[0].found == "'North', but row 2 spells it 'north'"
    folder = csv_register(tmp_path / "z", sites={"area": ["north"] * 3},
                          functions={"area": ["", "", "north"]},
                          zones={"area": ["north", "NORTH"]})
    problems = problems_of(folder)
    assert located(problems) == {("zones.csv", 3, "area")}
    assert problems[0].found == "'NORTH' (did you mean 'north'?)"
    # so is a team not housed yet (its area was said found 'NORTH' alone)
    folder = csv_register(tmp_path / "f", sites={"area": ["north"] * 3},
                          functions={"area": ["", "", "NORTH"]})
    problems = problems_of(folder)
    assert located(problems) == {("functions.csv", 4, "area")}
    assert problems[0].found == "'NORTH' (did you mean 'north'?)"


def test_missing_id_column_does_not_flag_every_reference(tmp_path: Path) -> None:
    problems = problems_of(csv_register(tmp_path, agencies={"agency_id": None}))
    assert located(problems) == {("agencies.csv", None, "agency_id")}


def test_missing_type_column_is_one_problem_not_also_a_home_of_the_wrong_type(
        tmp_path: Path) -> None:
    """Without functions.type every team's type is blank: that is the one problem, not
    also a home that "hosts only IT" for each team whose home hosts some types."""
    register = tmp_path / "suffolk"  # the demo's homes that host some types only
    shutil.copytree(Path(__file__).parents[1] / "data" / "suffolk", register)
    functions = pd.read_csv(register / "functions.csv", dtype=str, keep_default_na=False)
    functions.drop(columns="type").to_csv(register / "functions.csv", index=False)
    with pytest.raises(InputError) as caught:
        load_register(register)
    assert located(caught.value.problems) == {("functions.csv", None, "type")}
    assert caught.value.warnings == []


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


def test_swapped_latitude_and_longitude_is_an_error(tmp_path: Path) -> None:
    folder = csv_register(tmp_path, sites={"lat": [52.0567, 1.2751, 52.2361],
                                           "lon": [1.1482, 52.0631, 1.0512]})
    problems = problems_of(folder)
    assert located(problems) == {("sites.csv", 3, "lat")}
    assert "swapped" in problems[0].expected
    assert "lat 1.2751, lon 52.0631" in problems[0].found


@pytest.mark.parametrize("table", ["sites", "zones"])
def test_a_table_swapped_in_every_row_is_an_error_naming_it(tmp_path: Path, table: str) -> None:
    """Swapped whole, a table's points are near each other (3,300 km off Somalia, for
    Suffolk), so no point is far from all others: the tables are far from each other."""
    columns = {"sites": SITES, "zones": ZONES}[table]
    folder = csv_register(tmp_path, **{table: {"lat": columns["lon"], "lon": columns["lat"]}})
    problems = problems_of(folder)
    assert located(problems) == {(f"{table}.csv", None, "lat")}
    assert "swapped in every row" in problems[0].expected
    assert "every site at least" in problems[0].found


def test_every_table_swapped_is_a_warning_naming_each(tmp_path: Path) -> None:
    """Sites and zones both swapped in every row lie near each other, off Somalia, so
    neither check above sees them, and the plan was made on a mirrored map without a
    word (review: a site built for nothing). Swapped back, every point is in the UK: a
    warning a table (a register of the Seychelles lies there as written); a
    GeoPackage's points with x and y swapped likewise, said of its geometry."""
    swapped = {name: {"lat": columns["lon"], "lon": columns["lat"]}
               for name, columns in (("sites", SITES), ("zones", ZONES))}
    problems = load_register(csv_register(tmp_path, **swapped)).warnings
    assert located(problems) == {("sites.csv", None, "lat"), ("zones.csv", None, "lat")}
    assert all("swap the two columns" in p.found for p in problems), problems
    tables = frames()
    for name, columns in swapped.items():
        tables[name] = tables[name].assign(**columns)
    layers = load_register(write_gpkg(tmp_path / "swapped.gpkg", tables, crs=4326)).warnings
    assert {w for w in located(layers) if w[2] == "geometry"} >= {
        ("swapped.gpkg[sites]", None, "geometry"), ("swapped.gpkg[zones]", None, "geometry")}
    assert any("swap its points' x and y" in p.found for p in layers), layers
    # a register that lies there as written (the Seychelles) is planned: a warning only
    seychelles = {"sites": {"lat": [-4.6191, -4.7333, -4.3167], "lon": [55.4513, 55.5, 55.7333]},
                  "zones": {"lat": [-4.62, -4.70], "lon": [55.45, 55.52]}}
    assert load_register(csv_register(tmp_path / "sc", **seychelles)).sites.shape[0] == 3


def test_sites_and_zones_of_two_places_are_a_warning(tmp_path: Path) -> None:
    """Zones in Cornwall and sites in Suffolk: no swap puts them together."""
    folder = csv_register(tmp_path, zones={"lat": [50.26, 50.27], "lon": [-5.05, -5.06]})
    warnings = load_register(folder).warnings
    assert located(warnings) == {("sites.csv", None, "lat")}
    assert warnings[0].severity == "warning" and "every zone" in warnings[0].found
    # the warning does not hide a row's own swap
    problems = problems_of(csv_register(
        tmp_path / "b", zones={"lat": [50.26, 50.27], "lon": [-5.05, -5.06]},
        sites={"lat": [52.0567, 1.2751, 52.2361], "lon": [1.1482, 52.0631, 1.0512]}))
    assert [(p.file, p.row, p.severity) for p in problems] == [("sites.csv", 3, "error")]


@pytest.mark.parametrize(("lat", "lon", "says"), [
    (40.0, -30.0, "km from the nearest"),  # mid-Atlantic: a typo, or a real outpost
    (50.85, 4.35, "outside the UK"),  # Brussels: 240 km away, but abroad
    (0.0, 0.0, "km from the nearest"),  # a geocoder's "not found"
])
def test_a_zone_far_from_the_rest_or_abroad_is_a_warning(
    tmp_path: Path, lat: float, lon: float, says: str
) -> None:
    folder = csv_register(tmp_path, zones={"lat": [52.0593, lat], "lon": [1.1557, lon]})
    warnings = load_register(folder).warnings
    assert located(warnings) == {("zones.csv", 3, "lat")}
    assert says in warnings[0].found and warnings[0].severity == "warning"


def test_a_layer_point_far_from_the_rest_is_said_of_its_geometry(tmp_path: Path) -> None:
    """A GeoPackage layer has no lat column: a point far from the rest is said of the
    layer's geometry, at its fid, and the check is of the point's position; so is a
    layer all of whose sites are far from every zone."""
    tables = frames()
    tables["zones"] = tables["zones"].assign(lat=[52.0593, 45.0], lon=[1.1557, 10.0])
    warnings = load_register(write_gpkg(tmp_path / "far.gpkg", tables, crs=4326)).warnings
    assert located(warnings) == {("far.gpkg[zones]", 2, "geometry")}, warnings
    assert "check the point's position" in warnings[0].expected
    assert "lat 45, lon 10" in warnings[0].found
    tables = frames()
    tables["zones"] = tables["zones"].assign(lat=[50.26, 50.27], lon=[-5.05, -5.06])
    apart = load_register(write_gpkg(tmp_path / "apart.gpkg", tables)).warnings
    assert located(apart) == {("apart.gpkg[sites]", None, "geometry")}, apart
    assert "check the positions of both tables" in apart[0].found


def test_a_position_off_the_globe_is_one_error_not_also_far_away(tmp_path: Path) -> None:
    """lat 5224.157 (a slip of 52.24157) is out of range: that is the one problem, with
    no warning that the point is thousands of km from the rest."""
    folder = csv_register(tmp_path, zones={"lat": [52.0593, 5224.157], "lon": [1.1557, 1.1]})
    with pytest.raises(InputError) as caught:
        load_register(folder)
    assert located(caught.value.problems) == {("zones.csv", 3, "lat")}
    assert caught.value.warnings == []


def test_a_spread_out_or_foreign_register_is_not_flagged(tmp_path: Path) -> None:
    chain = {"lat": [50.1, 52.5, 57.5], "lon": [-5.5, -1.9, -4.2]}  # Penzance, Brum, Inverness
    assert load_register(csv_register(tmp_path, sites=chain, zones={
        "lat": [55.95, 60.2], "lon": [-3.2, -1.2]})).warnings == []  # Edinburgh, Shetland
    sydney = {"lat": [-33.87, -33.80, -33.95], "lon": [151.2, 151.1, 151.0]}
    assert load_register(csv_register(tmp_path / "au", sites=sydney, zones={
        "lat": [-33.9, -33.7], "lon": [151.2, 150.9]})).warnings == []


BIRMINGHAM_ZONES = {"lat": [52.47, 52.5], "lon": [-1.92, -1.85]}


@pytest.mark.parametrize(("changes", "where", "said"), [
    # Martlesham's 1.2751 typed -1.2751: 165 km west, in the Midlands, under 400 km
    ({"sites": {"lon": [1.1482, -1.2751, 1.0512]}}, ("sites.csv", 3, "lon"),
     "lon -1.2751 may have gained its minus sign: as 1.2751 it would lie among the other "
     "sites and zones"),
    # a Birmingham register whose second site's -1.95 lost its sign: 265 km east
    ({"sites": {"lat": [52.48, 52.45, 52.51], "lon": [-1.89, 1.95, -1.8]},
      "zones": BIRMINGHAM_ZONES}, ("sites.csv", 3, "lon"),
     "lon 1.95 may have lost its minus sign: as -1.95 it would lie among the other sites "
     "and zones"),
    # a latitude flipped is also far from all others: said once, as the flip
    ({"sites": {"lat": [52.0567, 52.0631, -52.2361]}}, ("sites.csv", 4, "lat"),
     "lat -52.2361 may have gained its minus sign: as 52.2361 it would lie among the other "
     "sites and zones"),
    ({"zones": {"lon": [1.1557, -1.3193]}}, ("zones.csv", 3, "lon"),
     "lon -1.3193 may have gained its minus sign"),
])
def test_a_sign_flipped_is_one_warning_at_its_cell(
        tmp_path: Path, changes: dict[str, dict[str, list[float]]],
        where: tuple[str, int, str], said: str) -> None:
    warnings = load_register(csv_register(tmp_path, **changes)).warnings
    assert located(warnings) == {where}, [str(w) for w in warnings]
    assert warnings[0].severity == "warning"
    assert said in str(warnings[0]), str(warnings[0])


def test_any_demo_point_whose_longitude_gained_a_minus_sign_is_said() -> None:
    """Lowestoft's 1.75 typed -1.75 put a site near Birmingham, 146 km from every other
    point, with no warning: the flip check took only points among the others once
    flipped, within the circle holding 90% of them, and the locality's edge (Lowestoft,
    Haverhill, Newmarket) lies outside it. Each of the demo's 291 sites and zones with its
    longitude's sign flipped is said now, at its own cell and alone, and so are sites
    flipped together; as given none is, nor a real Birmingham or Oxford site beside it."""
    files = {"sites": "sites.csv", "zones": "zones.csv"}
    demo = {name: pd.read_csv(Path(__file__).parents[1] / "data" / "suffolk" / file)
            for name, file in files.items()}
    for frame in demo.values():
        frame["row"] = range(2, len(frame) + 2)
    assert check_positions(demo, files) == []
    for name, frame in demo.items():
        for i in range(len(frame)):
            flipped = {**demo, name: frame.assign(lon=frame["lon"].where(frame.index != i,
                                                                         -frame["lon"]))}
            said = check_positions(flipped, files)
            assert [(p.file, p.row, p.column) for p in said] == [(files[name], i + 2, "lon")]
            assert "may have gained its minus sign" in str(said[0]), str(said[0])
    # every site east of 1.65 (Lowestoft's) flipped together, each the others' nearest
    east = demo["sites"]["lon"] > 1.65
    assert east.sum() >= 5
    together = {**demo, "sites": demo["sites"].assign(
        lon=demo["sites"]["lon"].where(~east, -demo["sites"]["lon"]))}
    assert {p.row for p in check_positions(together, files)} == set(
        demo["sites"].loc[east, "row"])
    # a real site beyond the edge whose flip is in the sea off it is no flip: Oxford,
    # 122 km from the nearest, is said of nothing; Birmingham, 160 km from any other
    # point, is far outside the area the others lie in, and said so, not as a flip
    for lat, lon, far in ((52.48, -1.89, True), (51.75, -1.26, False)):
        sites = pd.concat([demo["sites"], pd.DataFrame(
            {"lat": [lat], "lon": [lon], "row": [len(demo["sites"]) + 2]})])
        said = check_positions({**demo, "sites": sites}, files)
        assert [(p.row, p.column) for p in said] == ([(len(sites) + 1, "lat")] if far else [])
        assert all("far outside the area the others lie in" in p.found for p in said)


def test_a_register_across_the_meridian_is_not_flagged(tmp_path: Path) -> None:
    """London has real points on both sides of Greenwich: Heathrow's -0.45 flipped would
    be 62 km east, but as written it lies among the others, so nothing is said."""
    sites = {"lat": [51.5, 51.52, 51.47], "lon": [-0.3, 0.2, -0.45]}
    zones = {"lat": [51.45, 51.55], "lon": [-0.1, 0.05]}
    assert load_register(csv_register(tmp_path, sites=sites, zones=zones)).warnings == []


@pytest.mark.parametrize(("lat", "lon", "warned"), [
    # Manchester: 250 km off, and 1.15 east of it is the sea: far outside, not a flip
    (53.48, -2.24, {("zones.csv", 3, "lat")}),
    (50.26, -5.05, {("zones.csv", 3, "lat")}),  # Cornwall: far, flipped is the Netherlands
])
def test_a_real_outlier_is_not_said_to_be_a_sign_flipped(
        tmp_path: Path, lat: float, lon: float, warned: set[tuple[str, int, str]]) -> None:
    warnings = load_register(csv_register(tmp_path, zones={"lat": [52.0593, lat],
                                                           "lon": [1.1557, lon]})).warnings
    assert located(warnings) == warned
    assert not any("minus sign" in str(w) for w in warnings)


def test_a_reference_to_a_site_whose_id_was_blanked_points_at_the_blank_row(
        tmp_path: Path) -> None:
    """A site whose site_id cell was emptied leaves its teams pointing at an id nobody
    has: each such error names the row without an id as the likely one."""
    problems = problems_of(csv_register(tmp_path, sites={"site_id": ["S1", "", "S3"]}))
    assert located(problems) == {("sites.csv", 3, "site_id"), ("functions.csv", 3, "site_id")}
    team = next(p for p in problems if p.file == "functions.csv")
    assert team.found == "'S2' (not listed: sites.csv row 3 has no site_id; is it that one?)"


def test_an_id_in_another_case_is_suggested(tmp_path: Path) -> None:
    problems = bad_cell(tmp_path, "sites", "agency_id", 0, "a1")
    assert located(problems) == {("sites.csv", 2, "agency_id")}
    assert problems[0].found == "'a1' (did you mean `A1`? ids match only with the same case)"


# British National Grid figures (metres) for the town's points near Ipswich
_GRID = {"S1": (244_020, 615_910), "S2": (245_150, 616_560), "S3": (250_770, 619_790),
         "Z1": (244_020, 615_910), "Z2": (246_250, 617_260)}


def _on_grid(rows: dict, swapped: bool = False, only: tuple[str, ...] | None = None) -> dict:
    """The rows with each point's lat and lon replaced by its northing and easting (or
    its easting and northing, `swapped`), for the ids in `only` (all by default)."""
    for table, key in (("sites", "site_id"), ("zones", "zone_id")):
        for row in rows[table]:
            if only is None or row[key] in only:
                north, east = _GRID[row[key]]
                row["lat"], row["lon"] = (east, north) if swapped else (north, east)
    return rows


@pytest.mark.parametrize("swapped", [False, True])
def test_grid_figures_in_lat_and_lon_are_named_once_per_table(tmp_path: Path,
                                                              swapped: bool) -> None:
    """Eastings and northings typed under lat and lon: each table says once what they
    are and how to turn them into degrees, and each cell is still its own error."""
    write_tables(tmp_path / "reg", _on_grid(town_rows(), swapped))
    problems = problems_of(tmp_path / "reg")
    named = [p for p in problems if "British National Grid" in p.found]
    assert [(p.file, p.row, p.column) for p in named] == [("sites.csv", None, "lat"),
                                                         ("zones.csv", None, "lat")]
    assert "3 of 3 rows" in named[0].found and "2 of 2 rows" in named[1].found
    assert all("EPSG:27700" in p.found and "degrees" in p.expected for p in named)
    # the hint heads its table's errors, before the cells it explains
    assert problems.index(named[0]) < min(i for i, p in enumerate(problems)
                                          if p.file == "sites.csv" and p.row is not None)
    cells = {(p.file, p.row, p.column) for p in problems if "a number from" in p.expected}
    assert cells == {(f, r, c) for f, rows in (("sites.csv", (2, 3, 4)), ("zones.csv", (2, 3)))
                     for r in rows for c in ("lat", "lon")}


def test_one_grid_figure_among_degrees_is_a_slip_said_at_its_row(tmp_path: Path) -> None:
    write_tables(tmp_path / "reg", _on_grid(town_rows(), only=("S2",)))
    problems = problems_of(tmp_path / "reg")
    assert not [p for p in problems if "British National Grid" in p.found]
    assert located(problems) == {("sites.csv", 3, "lat"), ("sites.csv", 3, "lon")}


@pytest.mark.parametrize(("column", "values"), [
    ("secure", ["no", "yes", "no"]),  # read as text: it once crashed `~` (exit 4)
    ("candidate", ["yes", "no", "no"]),  # once a KeyError indexing rows by its text
    ("hosts", ["I;T", "HR", "x"]),  # once "hosts only I;;;T", the function's text
])
def test_a_site_column_name_on_functions_is_kept_and_ignored(
    tmp_path: Path, column: str, values: list[str]
) -> None:
    """DESIGN 1: an unknown extra column is kept and ignored, even one a site has. The
    homes are judged on the sites' own values, so the warnings are those of the register
    without it, worked out by hand: F1 (HR, needs security) at S1, which is not secure;
    F2 (Finance) at S2, which hosts IT;HR only; F3 has no home."""
    functions = {"type": ["HR", "Finance", "IT"], "needs_secure": ["yes", "no", "no"]}
    register = load_register(csv_register(tmp_path, functions={**functions, column: values}))
    found = {(w.file, w.row, w.column, w.found) for w in register.warnings}
    assert found == {
        ("functions.csv", 2, "needs_secure", "'S1' is not secure"),
        ("functions.csv", 3, "site_id", "'S2' hosts only IT;HR"),
    }
    assert list(register.functions[column]) == values  # kept as typed


def test_a_build_cost_on_an_existing_site_is_a_warning(tmp_path: Path) -> None:
    """A build cost opens a candidate; on an existing site nothing uses it: a warning at
    its cell saying it is ignored, as lease terms on a freehold are warned. S3 is the
    reference register's candidate, so its build cost is no warning; a blank or 0 none."""
    plain = load_register(csv_register(tmp_path / "a")).warnings
    register = load_register(csv_register(
        tmp_path / "b", sites={"build_cost": [250_000.5, 0, 900_000]}))
    added = [w for w in register.warnings if w not in plain]
    assert [(w.file, w.row, w.column, w.severity) for w in added] == [
        ("sites.csv", 2, "build_cost", "warning")]
    assert added[0].found == "250,000.50 on an existing site, ignored", added[0].found
    assert "only on a candidate site" in added[0].expected


@pytest.mark.parametrize("odd", ["Public_Access", "public access", "PUBLIC-ACCESS"])
def test_a_service_spelled_another_way_at_one_site_is_warned_at_its_row(
        tmp_path: Path, odd: str) -> None:
    """Rows 2 and 4 say `public_access`, row 3 says it another way: the warning falls
    on row 3 (the spelling the other two use is kept), and on nothing else."""
    folder = csv_register(tmp_path, sites={"services": ["public_access;library", odd,
                                                        "public_access"]})
    warnings = [w for w in load_register(folder).warnings if w.column == "services"]
    assert located(warnings) == {("sites.csv", 3, "services")}
    assert warnings[0].severity == "warning"
    assert warnings[0].found == f"{odd!r}, but row 2 spells it 'public_access'"


@pytest.mark.parametrize("other", ["library", "public_access_desk", "public_acess"])
def test_services_that_are_other_words_are_not_warned(tmp_path: Path, other: str) -> None:
    """Only case, spaces, underscores and hyphens make two spellings of one service
    here; a typo is the scenario's to catch, as only a rule says which word is meant."""
    folder = csv_register(tmp_path, sites={"services": ["public_access", other,
                                                        "public_access"]})
    assert [w for w in load_register(folder).warnings if w.column == "services"] == []


def test_a_break_after_the_lease_ends_names_only_the_late_breaks(tmp_path: Path) -> None:
    """S1's lease ends 2031-03-31; of the breaks typed `2035-01-01;2029-03-31;2035-01-01`,
    2029-03-31 is before the end and 2035-01-01 (typed twice) after it: the problem names
    2035-01-01 once, with the lease end it is after, not every break re-sorted."""
    breaks = "2035-01-01;2029-03-31;2035-01-01"
    folder = csv_register(tmp_path, sites={"lease_breaks": [breaks, None, None]})
    problems = [p for p in problems_of(folder) if p.column == "lease_breaks"]
    assert located(problems) == {("sites.csv", 2, "lease_breaks")}
    end = SITES["lease_end"][0]
    late = sorted({b for b in breaks.split(";") if b > end})  # by hand: 2035-01-01
    assert late == ["2035-01-01"]
    assert problems[0].found == f"{';'.join(late)} (after the lease ends on {end})"


@pytest.mark.parametrize(("names", "lats", "warned"), [
    # S2 (A2) typed the name otherwise, 23 m from S1 (A1): one building listed twice?
    (["County Hall", "county  hall.", "New hub"], [52.0567, 52.0569, 52.2361], True),
    # the same name 2 km away: another building (a town has two of a name's offices)
    (["County Hall", "County Hall", "New hub"], [52.0567, 52.0747, 52.2361], False),
    # another name at the same place: two buildings on one street, or a shared one
    (["County Hall", "Police HQ", "New hub"], [52.0567, 52.0569, 52.2361], False),
    # names apart only where punctuation parts their words: two units at one postcode
    (["Unit 1-2, Hadleigh Road", "Unit 12, Hadleigh Road", "New hub"],
     [52.0567, 52.0567, 52.2361], False),
    # a candidate of the name on the site: a new building on its land
    (["County Hall", "Police HQ", "County Hall"], [52.0567, 52.0631, 52.0567], False),
])
def test_one_building_listed_twice_is_a_warning(tmp_path: Path, names: list[str],
                                                lats: list[float], warned: bool) -> None:
    """Two existing sites of one name (without case, spaces or stops) within 50 m are
    probably one building entered by two agencies, whose running cost the plan would
    count twice: a warning at the second's name, naming the first, its row and how far."""
    lons = [1.1482, 1.1483, 1.1482 if names[2] == "County Hall" else 1.0512]
    register = load_register(csv_register(tmp_path, sites={"name": names, "lat": lats,
                                                           "lon": lons}))
    said = [w for w in register.warnings if w.expected == "each building listed once"]
    if not warned:
        assert said == []
        return
    assert [(w.file, w.row, w.column) for w in said] == [("sites.csv", 3, "name")]
    assert said[0].found == (
        "'county  hall.', 23 m from S1 (row 2), 'County Hall', A1's and A2's: if it is "
        "one building entered twice, delete one row (the plan would count its running "
        "cost twice); if each is an agency's own part of it, leave both"), said[0].found


def test_a_refused_flag_is_left_out_of_the_checks_of_a_home(tmp_path: Path) -> None:
    """F1 needs a secure home at S1, whose `secure` is `Y`, refused as too easily a slip:
    one error at that cell, not also a warning judged on the default the cell took
    ("'S1' is not secure", which the user meant it to be)."""
    tables = frames()
    tables["functions"]["needs_secure"] = [True, False, False]
    tables["sites"]["secure"] = ["Y", True, True]
    with pytest.raises(InputError) as caught:
        load_register(write_tables(tmp_path / "reg", tables))
    said = caught.value.problems + caught.value.warnings
    assert located(said) == {("sites.csv", 2, "secure")}, [str(p) for p in said]


@pytest.mark.parametrize(("lat", "lon", "warned"), [
    (53.48, -2.24, True),  # Manchester: 213 km from the nearest Suffolk site
    (51.51, -0.13, False),  # London: a council's office there is real, 85 km off
])
def test_a_site_far_outside_the_locality_is_a_warning(tmp_path: Path, lat: float,
                                                      lon: float, warned: bool) -> None:
    """A Suffolk site put in Manchester by a postcode looked up wrong is under the
    far-away check's 400 km and in the UK, and passed without a word: it lies over 150 km
    from any other point and far beyond the area nine in ten of the others lie in. A
    London office is nearer its neighbours, and is left alone."""
    register = tmp_path / "suffolk"
    shutil.copytree(Path(__file__).parents[1] / "data" / "suffolk", register)
    sites = pd.read_csv(register / "sites.csv", dtype=str, keep_default_na=False)
    sites.loc[3, ["lat", "lon"]] = [str(lat), str(lon)]
    sites.to_csv(register / "sites.csv", index=False)
    warnings = load_register(register).warnings
    far = [w for w in warnings if w.column == "lat"]
    assert located(far) == ({("sites.csv", 5, "lat")} if warned else set()), far
    if warned:
        assert "far outside the area the others lie in (9 in 10 within" in far[0].found


def test_a_layer_point_mirrored_across_greenwich_is_not_said_to_have_a_minus_sign(
        tmp_path: Path) -> None:
    """A GeoPackage layer's point is no typed figure (in British National Grid it has no
    sign at all): one that would lie among the others mirrored across the meridian is
    said as a point to check, not as a minus sign gained (a review)."""
    register = tmp_path / "suffolk"
    shutil.copytree(Path(__file__).parents[1] / "data" / "suffolk", register)
    tables = {name: pd.read_csv(register / f"{name}.csv", dtype=str, keep_default_na=False)
              for name in ("agencies", "sites", "functions", "zones", "pair_costs")}
    for name in ("sites", "zones"):
        tables[name] = tables[name].astype({"lat": float, "lon": float})
    tables["sites"].loc[1, "lon"] = -tables["sites"].loc[1, "lon"]
    warnings = load_register(write_gpkg(tmp_path / "reg.gpkg", tables)).warnings
    mirrored = [w for w in warnings if "would lie among" in str(w)]
    assert [(w.file, w.row, w.column) for w in mirrored] == [
        ("reg.gpkg[sites]", 2, "geometry")], [str(w) for w in warnings]
    assert "check the point's position" in mirrored[0].sentence
    assert "minus sign" not in str(mirrored[0])

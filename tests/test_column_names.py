"""What a header that lacks a column probably meant (estate.load.column_names): a
header naming an optional column in plain words is a warning naming that column, a
required one is offered in the missing-column error, and nothing else is flagged."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from estate.errors import InputError
from estate.load.column_names import _by_words, _stem, _words
from estate.load.raw import RawTable
from estate.load.schema import TABLES
from estate.load.validate import check_table, load_register
from tests.fixtures import write_tables, write_xlsx
from tests.fixtures.reference import frames, problems_of

ROOT = Path(__file__).resolve().parents[1]
RENAME = "(rename the column to it"
"""How a warning for a column spelt otherwise begins its expected part, after the name."""


def column_warnings(problems: list) -> list:
    return [p for p in problems if p.severity == "warning" and RENAME in p.expected]


@pytest.mark.parametrize(("table", "header", "meant", "default"), [
    ("sites", "Candidate site", "candidate", "(false)"),
    ("sites", "Keep", "must_keep", "(false)"),
    ("sites", "Secure site", "secure", "(false)"),
    ("sites", "Closing cost", "closure_cost", "(0)"),
    ("functions", "Desks needed", "desks", "(its fte)"),
    ("functions", "Secure site", "needs_secure", "(false)"),
    ("sites", "mustKeep", "must_keep", "(false)"),
    # DESIGN 9: a blank rent is the running cost on a leasehold, nothing on a freehold
    ("sites", "Annual rent", "rent",
     "(its running_cost on a leasehold site, 0 on a freehold one)"),
    ("sites", "Rent (£)", "rent", "(its running_cost on a leasehold site, 0 on a freehold one)"),
    ("sites", "Break dates", "lease_breaks", "(blank)"),
    ("sites", "Surrender cost (£)", "surrender_cost", "(blank: no surrender offered)"),
    ("sites", "Secured site", "secure", "(false)"),
    ("sites", "Secured", "secure", "(false)"),
    ("functions", "Secured site", "needs_secure", "(false)"),
    ("sites", "Closure (£)", "closure_cost", "(0)"),
    ("zones", "Zone name", "name", "(blank)"),
])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_header_naming_an_optional_column_in_words_is_one_warning(
        tmp_path: Path, table: str, header: str, meant: str, default: str,
        kind: str) -> None:
    """The review's headers: each was ignored without a word, so every row took the
    default (`Candidate site` made a proposed hub an existing building)."""
    tables = frames()
    frame = tables[table]
    if meant in frame.columns:  # the register holds it only under the header
        frame = frame.drop(columns=meant)
    values = {"Closing cost": 5000, "Desks needed": 3, "Annual rent": 100,
              "Break dates": "2029-03-31"}.get(header, "yes")
    tables[table] = frame.assign(**{header: [values] + [""] * (len(frame) - 1)})
    path = (write_tables(tmp_path / "reg", tables) if kind == "csv"
            else write_xlsx(tmp_path / "reg.xlsx", tables))
    said = column_warnings(load_register(path).warnings)
    assert [(p.file.split("[")[-1].rstrip("]").removesuffix(".csv"), p.row, p.column)
            for p in said] == [(table, None, header)]  # the header as typed
    assert said[0].expected.startswith(f"{meant} {RENAME}")
    assert f"every row takes {meant}'s default {default}" in said[0].found


@pytest.mark.parametrize("header", ["Note", "Comments", "Address", "Postcode", "Manager",
                                    "Floor area", "UPRN", "Ward", "Cost", "Disposal",
                                    "Value", "Site name", "Number needed", "Y/N",
                                    "Area (sq m)", "Desks 2024"])
def test_a_plain_unrelated_header_is_no_warning_in_any_table(tmp_path: Path,
                                                             header: str) -> None:
    """Kept and ignored without a word, whatever optional columns a table lacks: the
    reference register lacks many (closure_cost, disposal_value, build_cost, must_keep,
    rent, ...). `Cost` and `Disposal` each name more than one column, so neither is
    meant; `Desks 2024` is the sites' own desks (its year is no word). (The sites
    already have a `notes` column, so `Note` stands in for `Notes`.)"""
    tables = {name: frame.assign(**{header: "x"}) for name, frame in frames().items()}
    assert column_warnings(load_register(write_tables(tmp_path / "reg", tables)).warnings) \
        == []


def _cases() -> list[tuple[str, str, str]]:
    """(table, the optional column it lacks, an extra header that is another known
    column of any table and not one of this table's present columns)."""
    everything = sorted({c.name for t in TABLES.values() for c in t.columns})
    return [(t.name, lacking.name, extra) for t in TABLES.values()
            for lacking in t.columns if not lacking.required
            for extra in everything if extra == lacking.name or extra not in t.names]


def test_every_known_column_as_an_extra_is_no_warning() -> None:
    """A column of one table put in another (`needs_secure` in the sites, `must_keep` in
    the functions), beside any optional column the table lacks, is that other column,
    not a misspelling of the lacking one: no warning, checked for every combination."""
    flagged = []
    for table, lacking, extra in _cases():
        spec = TABLES[table]
        columns = [c for c in spec.names if c != lacking and c != extra] + [extra]
        frame = pd.DataFrame({c: [""] for c in columns}, index=[2])
        _, problems = check_table(RawTable(table, f"{table}.csv", frame), spec)
        flagged += [(table, lacking, extra, p.expected) for p in column_warnings(problems)]
    assert flagged == []
    assert len(_cases()) > 300  # the combinations were all tried


@pytest.mark.parametrize("model", sorted((ROOT / "models").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_the_demo_registers_give_no_column_warning(model: Path) -> None:
    """Every demo scenario's register: its extra columns (`town`, `note`, the functions'
    `name`, the zones' `generated` and `geonameid`) mean no column estate reads."""
    data = (model.parent / tomllib.loads(model.read_text())["data"]).resolve()
    assert column_warnings(load_register(data).warnings) == []


@pytest.mark.parametrize(("table", "column", "header"), [
    ("sites", "running_cost", "Running cost (£ per year)"),
    ("sites", "running_cost", "Annual running cost"),
    ("sites", "desks", "Desks needed"),
    ("functions", "fte", "Full time equivalent"),
    ("functions", "fte", "Full-time equivalent"),
    ("zones", "population", "Zone population"),
    ("functions", "type", "Team type"),
    ("functions", "type", "Function type"),
])
def test_a_required_column_under_a_worded_header_is_offered(
        tmp_path: Path, table: str, column: str, header: str) -> None:
    tables = frames()
    tables[table] = tables[table].rename(columns={column: header})
    errors = [p for p in problems_of(write_tables(tmp_path / "reg", tables))
              if p.severity == "error"]
    assert [(p.file, p.row, p.column) for p in errors] == [(f"{table}.csv", None, column)]
    assert f"the column {header!r} may be it: rename it {column}" in errors[0].found


def test_a_required_column_two_headers_mean_is_offered_neither(tmp_path: Path) -> None:
    """Only one header meaning the column is offered: of two, either could be it."""
    tables = frames()
    sites = tables["sites"].drop(columns="running_cost")
    tables["sites"] = sites.assign(**{"Annual running cost": 1.0, "Running (£)": 2.0})
    errors = [p for p in problems_of(write_tables(tmp_path / "reg", tables))
              if p.severity == "error"]
    assert [p.column for p in errors] == ["running_cost"]
    assert "may be it" not in errors[0].found


@pytest.mark.parametrize(("header", "words"), [
    ("Closing cost (£)", {"clos"}), ("closure_cost", {"clos"}), ("Desks needed", {"desk"}),
    ("mustKeep", {"must", "keep"}), ("Must-keep (Y/N)", {"must", "keep"}),
    ("Candidate sites", {"candidat"}), ("Running cost 2024/25", {"run"}),
    ("UPRN", {"uprn"}), ("Site ID", set())])
def test_a_header_in_words(header: str, words: set[str]) -> None:
    """The module's rule: words split at symbols and camelCase, stemmed, the generic
    ones set aside; a closure and closing are one word, as are desks and desk."""
    assert _words(header) == words


@pytest.mark.parametrize(("table", "header"), [
    ("sites", "Closure date"), ("sites", "Closed?"), ("sites", "Year of closure"),
    ("sites", "Surrender date"), ("sites", "Surrendered"), ("functions", "Moved"),
    ("sites", "Close"), ("sites", "Closure"), ("sites", "Closing"), ("sites", "Running"),
    ("sites", "Surrender"), ("functions", "Annual"),
])
def test_a_header_whose_words_say_another_kind_is_not_offered(table: str, header: str) -> None:
    """A date, a year or a yes/no is not a £ figure nor a date column of another kind:
    `Closure date` names no closure_cost, `Closed?` and `Moved` are flags, not
    closure_cost and earliest_move."""
    assert _by_words(header, TABLES[table]) is None


@pytest.mark.parametrize("forms", [
    ("secure", "secured", "securing", "secures"),
    ("close", "closed", "closing", "closes", "closure", "closures"),
    ("share", "shared", "sharing", "shares", "shareable"),
    ("pool", "pooled", "pooling", "pools"),
    ("need", "needs", "needed", "needing"),
    ("move", "moved", "moving", "moves"),
    ("run", "running", "runs"),
    ("build", "building", "builds"),
    ("keep", "keeping", "keeps"),
], ids=lambda forms: forms[0])
def test_the_regular_forms_of_a_word_stem_alike(forms: tuple[str, ...]) -> None:
    """A word's -s, -ed and -ing forms are one word, whether or not the word ends in an
    `e` the endings swallow (`secure`, `secured`), so `Secured site` is the secure
    column as `Secure site` is."""
    assert {_stem(form) for form in forms} == {_stem(forms[0])}


def test_the_columns_words_stay_apart() -> None:
    """No two words of the register's column names stem alike, so the endings taken
    off join no columns that differ (`secure` and `services`, `lease` and `lag`)."""
    words = {w for t in TABLES.values() for c in t.columns for w in c.name.split("_")}
    stems: dict[str, set[str]] = {}
    for word in words:
        stems.setdefault(_stem(word), set()).add(word)
    assert [w for w in stems.values() if len(w) > 1] == []


@pytest.mark.parametrize(("table", "header"), [
    ("zones", "Site name"), ("sites", "Zone name"), ("agencies", "Site name"),
    ("agencies", "Team name"), ("functions", "Site type"), ("functions", "Sites type"),
    ("functions", "siteType"), ("functions", "Site desks"), ("sites", "Agency kind"),
    ("zones", "Site population"), ("sites", "Team desks")])
def test_another_tables_noun_names_no_column(table: str, header: str) -> None:
    """Only a table's own noun goes with its column's name: `Site name` in the zones is
    the name of some site, not the zone's; `Site type` in the functions the type of a
    site, not the team's `type`, nor `Agency kind` a site's `kind`."""
    assert _by_words(header, TABLES[table]) is None


@pytest.mark.parametrize(("table", "header", "meant"), [
    ("sites", "Agency", "agency_id"), ("functions", "Agency", "agency_id"),
    ("functions", "Team type", "type"), ("functions", "Secure site", "needs_secure")])
def test_another_tables_noun_names_the_column_that_refers_to_it(
        table: str, header: str, meant: str) -> None:
    """A header led by another table's noun may still name the column that refers to
    that table (`Agency`: the owner's id); a noun after a column's words is no lead."""
    assert _by_words(header, TABLES[table]) == meant


def test_a_site_type_in_the_functions_is_not_offered_as_their_type(tmp_path: Path) -> None:
    """A functions table whose `type` is headed `Site type` (the register's `type` column
    renamed) is missing `type`, and `Site type` is not offered for it (each team's type
    is checked against the scenario's sharing types: renaming a site's type to it would
    share by the kind of building); a `Site desks` beside functions without `desks` is
    no warning for desks (a team's desks needed, not a site's)."""
    tables = frames()
    tables["functions"] = tables["functions"].rename(columns={"type": "Site type"}).drop(
        columns="desks")
    tables["functions"]["Site desks"] = 40
    with pytest.raises(InputError) as caught:
        load_register(write_tables(tmp_path / "reg", tables))
    errors = caught.value.problems
    assert [(p.file, p.column) for p in errors] == [("functions.csv", "type")]
    assert "may be it" not in errors[0].found and "site_type" in errors[0].found
    assert column_warnings(caught.value.warnings) == []


def test_a_zone_name_is_not_offered_as_the_zone_id(tmp_path: Path) -> None:
    """`Zone name` is the zones' name, so a missing zone_id is not offered it (renaming it
    would make every name an id), and the name under it is a warning for name."""
    tables = frames()
    tables["zones"] = tables["zones"].drop(columns="zone_id").rename(
        columns={"name": "Zone name"})
    with pytest.raises(InputError) as caught:
        load_register(write_tables(tmp_path / "reg", tables))
    errors = caught.value.problems
    assert [(p.file, p.column) for p in errors] == [("zones.csv", "zone_id")]
    assert "may be it" not in errors[0].found
    assert [(p.column, p.expected.split()[0]) for p in column_warnings(
        caught.value.warnings)] == [("Zone name", "name")]


def test_a_lone_close_is_no_warning(tmp_path: Path) -> None:
    """A yes/no column headed `Close` beside a sites table without closure_cost is not
    taken for closure_cost: no word of it says pounds."""
    tables = frames()
    sites = tables["sites"].drop(columns="closure_cost", errors="ignore")
    tables["sites"] = sites.assign(Close="yes")
    assert column_warnings(load_register(write_tables(tmp_path / "reg", tables)).warnings) \
        == []


@pytest.mark.parametrize(("header", "factor"), [
    ("Running cost (£k)", 1_000), ("running_cost (£000s)", 1_000),
    ("Running cost £'000", 1_000), ("running_cost_k", 1_000),
    ("Running cost (thousands)", 1_000), ("Running cost (£m)", 1_000_000),
    ("Running cost £mn", 1_000_000), ("Running cost (£)", 1), ("runing_cost", 1)])
def test_a_pounds_column_offered_under_a_header_in_thousands_says_to_scale_it(
        tmp_path: Path, header: str, factor: int) -> None:
    """A header that gives pounds in thousands or millions (`Running cost (£k)`, 250 for
    £250,000) is offered with the factor to multiply its figures by, not renamed alone,
    which would plan every site at a thousandth of its cost; a header in pounds is offered
    plainly. Following the advice reads the costs the register meant."""
    tables = frames()
    pounds = tables["sites"]["running_cost"].tolist()
    tables["sites"] = tables["sites"].rename(columns={"running_cost": header})
    tables["sites"][header] = [cost / factor for cost in pounds]
    errors = [p for p in problems_of(write_tables(tmp_path / "reg", tables))
              if p.severity == "error"]
    assert [(p.file, p.column) for p in errors] == [("sites.csv", "running_cost")]
    said = errors[0].found
    assert f"the column {header!r} may be it: rename it running_cost" in said, said
    if factor == 1:
        assert "multiply" not in said, said
        return
    unit = "thousands" if factor == 1_000 else "millions"
    assert said.endswith(f"rename it running_cost, and multiply its figures by {factor:,}: "
                         f"its header gives them in {unit} of pounds, and running_cost is "
                         "in pounds"), said
    sites = tables["sites"].rename(columns={header: "running_cost"})
    tables["sites"] = sites.assign(running_cost=sites["running_cost"] * factor)
    read = load_register(write_tables(tmp_path / "fixed", tables)).sites
    assert read["running_cost"].tolist() == pounds


def test_an_optional_pounds_column_in_millions_is_warned_with_its_factor(
        tmp_path: Path) -> None:
    """An optional pounds column under a header in millions is the usual warning, with
    the factor in place of 'if its units differ'; a header in square metres is not taken
    for millions, nor a count for thousands of pounds."""
    tables = frames()
    tables["sites"] = tables["sites"].assign(**{"Disposal value (£m)": 1.5,
                                                "Closure cost (£ per sq m)": 20.0})
    tables["functions"] = tables["functions"].assign(**{"Racks (k)": 1})
    warned = {p.column: p.expected for p in column_warnings(
        load_register(write_tables(tmp_path / "reg", tables)).warnings)}
    assert warned["Disposal value (£m)"] == (
        "disposal_value (rename the column to it, and multiply its figures by 1,000,000: "
        "its header gives them in millions of pounds, and disposal_value is in pounds)")
    assert warned["Closure cost (£ per sq m)"] == (
        "closure_cost (rename the column to it; if its units differ, convert them)")
    assert warned["Racks (k)"] == (
        "racks (rename the column to it; if its units differ, convert them)")

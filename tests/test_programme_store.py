"""The programme in a results folder: programme.csv, cashflow.csv, summary.json's
`programme` and plan.gpkg's `programme` layer, written and read back (estate.store)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from estate.errors import InputError
from estate.results.programme import (
    ACTION_COLUMNS,
    CASHFLOW_COLUMNS,
    Programme,
    lasting_payback_year,
    payback_year,
)
from estate.store import read_programme, safe_cell, unsafe_cell, write_results
from tests.fixtures.programme import HOSTILE, plan_with, programme_for
from tests.fixtures.results import write_results as write_made_up_folder


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Programme, Path]:
    made_up = write_made_up_folder(tmp_path_factory.mktemp("made_up"), n_sites=24, n_zones=30)
    programme = programme_for(made_up, names=HOSTILE)
    out = write_results(plan_with(made_up, programme), tmp_path_factory.mktemp("out") / "r")
    return programme, out


def test_write_then_read_gives_equal_tables(stored: tuple[Programme, Path]) -> None:
    programme, out = stored
    back = read_programme(out)
    assert back is not None
    pd.testing.assert_frame_equal(back.actions, programme.actions)
    pd.testing.assert_frame_equal(back.cashflow, programme.cashflow)
    pd.testing.assert_frame_equal(back.budget, programme.budget)
    assert back.figures().to_json() == programme.figures().to_json()
    assert (back.method, back.payback_year, back.start) == (
        programme.method, programme.payback_year, programme.start)
    assert list(back.actions.columns) == list(ACTION_COLUMNS)
    assert list(back.cashflow.columns) == list(CASHFLOW_COLUMNS)


def test_formula_cells_are_quoted_in_the_csv(stored: tuple[Programme, Path]) -> None:
    programme, out = stored
    raw = pd.read_csv(out / "programme.csv", dtype=str, keep_default_na=False)
    names = set(raw["site_name"])
    for name in HOSTILE:
        if name in set(programme.actions["site_name"]):
            assert (("'" + name) if name[:1] in "=+-@\t" or name[:2] == "''" else name) \
                in names
    assert not any(n[:1] in "=+-@\t\r" for n in names)
    assert (raw["one_off"].str.startswith("-")).any()  # numbers stay numbers


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'x", "''x", "x",
                                  "", "a=b", "\uff1d1+1", "\uff0bx", "\uff0dx", "\uff20x",
                                  "'", "'=x", "''=x", "'''", "'-1", "'S031' hosts"])
def test_safe_cell_is_undone_exactly(text: str) -> None:
    assert unsafe_cell(safe_cell(text)) == text
    assert safe_cell(text)[:1] not in ("=", "+", "-", "@", "\t", "\r",
                                       "\uff1d", "\uff0b", "\uff0d", "\uff20")
    assert safe_cell(1.5) == 1.5 and safe_cell(-3) == -3


def test_a_quote_before_plain_text_is_left_alone() -> None:
    """A warning's found text often opens with a quoted id ('S031' hosts ...): Excel
    shows a quote added before it, so only a quote a reader would take off is doubled."""
    assert safe_cell("'S031' hosts only IT") == "'S031' hosts only IT"
    assert safe_cell("'=1") == "''=1" and safe_cell("''") == "'''"


def test_the_summary_holds_the_programme_figures(stored: tuple[Programme, Path]) -> None:
    programme, out = stored
    figures = json.loads((out / "summary.json").read_text(encoding="utf-8"))["programme"]
    assert figures["npv_saving"] == programme.npv_saving
    assert figures["payback_year"] == programme.payback_year
    assert figures["budget"][0]["fte_limit"] is None  # inf: no limit


def test_the_geopackage_has_a_programme_layer(stored: tuple[Programme, Path]) -> None:
    programme, out = stored
    layers = {str(name) for name, _ in pyogrio.list_layers(out / "plan.gpkg")}
    assert "programme" in layers
    layer = pyogrio.read_dataframe(out / "plan.gpkg", layer="programme")
    assert len(layer) == len(programme.actions)
    assert layer.geometry.notna().all()  # every action's site is in sites.csv
    assert list(layer["site_name"]) == list(programme.actions["site_name"])


def test_a_folder_without_programme_reads_none(tmp_path: Path) -> None:
    made_up = write_made_up_folder(tmp_path / "made_up", n_sites=8, n_zones=10)
    out = write_results(plan_with(made_up, None), tmp_path / "r")
    assert read_programme(out) is None
    assert not (out / "programme.csv").exists() and not (out / "cashflow.csv").exists()
    assert "programme" not in json.loads((out / "summary.json").read_text(encoding="utf-8"))
    layers = {str(name) for name, _ in pyogrio.list_layers(out / "plan.gpkg")}
    assert "programme" not in layers


def _copy(stored: tuple[Programme, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(stored[1], tmp_path / "copy"))


def _problems(folder: Path) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(InputError) as caught:
        read_programme(folder)
    return [(Path(p.file).name, p.row, p.column) for p in caught.value.problems]


def test_a_damaged_cell_is_named_by_file_row_and_column(stored: tuple[Programme, Path],
                                                        tmp_path: Path) -> None:
    folder = _copy(stored, tmp_path)
    table = pd.read_csv(folder / "programme.csv", dtype=str, keep_default_na=False)
    table.loc[1, "one_off"] = "lots"
    table.loc[2, "year"] = "2.5"
    table.to_csv(folder / "programme.csv", index=False)
    assert _problems(folder) == [("programme.csv", 4, "year"), ("programme.csv", 3, "one_off")]


def test_a_missing_column_or_file_is_named(stored: tuple[Programme, Path],
                                           tmp_path: Path) -> None:
    folder = _copy(stored, tmp_path)
    table = pd.read_csv(folder / "cashflow.csv", dtype=str, keep_default_na=False)
    table.drop(columns=["receipts"]).to_csv(folder / "cashflow.csv", index=False)
    assert _problems(folder) == [("cashflow.csv", 1, "receipts")]
    (folder / "cashflow.csv").unlink()
    assert _problems(folder) == [("cashflow.csv", None, None)]
    (folder / "programme.csv").unlink()  # the summary still has the programme's figures
    assert _problems(folder) == [("programme.csv", None, None)]


def test_a_missing_or_bad_figure_is_named(stored: tuple[Programme, Path],
                                          tmp_path: Path) -> None:
    folder = _copy(stored, tmp_path)
    path = folder / "summary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["programme"]["npv_saving"] = "a lot"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _problems(folder) == [("summary.json", None, "programme.npv_saving")]
    del data["programme"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _problems(folder) == [("summary.json", None, "programme")]


def test_an_action_without_a_known_site_has_no_point(tmp_path: Path) -> None:
    made_up = write_made_up_folder(tmp_path / "made_up", n_sites=8, n_zones=10)
    programme = programme_for(made_up)
    extra = programme.actions.iloc[:1].assign(site_id="", site_name="", action="pool")
    actions = pd.concat([programme.actions, extra], ignore_index=True)
    programme = dataclasses.replace(programme, actions=actions)
    out = write_results(plan_with(made_up, programme), tmp_path / "r")
    layer = pyogrio.read_dataframe(out / "plan.gpkg", layer="programme")
    assert len(layer) == len(actions)
    assert layer.geometry.isna().tolist() == [False] * (len(actions) - 1) + [True]
    back = read_programme(out)
    assert back is not None
    pd.testing.assert_frame_equal(back.actions, actions)


@pytest.mark.parametrize(("running_total", "first", "lasting"), [
    ([18_309.18, 64_984.71, -405_243.12, -309_384.47, -216_767.42], 1, None),
    ([-5.0, 3.0, -1.0, 2.0, 4.0], 2, 4),
    ([1.0, 2.0, 3.0], 1, 1),
    ([-3.0, -1.0, 2.0], 3, 3),
    ([-1.0, 1.0, 0.0], 2, None),
    ([-1.0, -2.0, 0.0], None, None),
])
def test_payback_is_the_first_year_in_profit_and_lasting_the_year_it_stays_so(
        running_total: list[float], first: int | None, lasting: int | None) -> None:
    """The cumulative discounted saving of the whole estate (agency_id ""), by hand: the
    payback year is DESIGN 9's, the first year it is above zero; the lasting one the
    first of the years after its last fall to zero or below, None when the last year is
    not above zero (the review's r19: £18.3k and £65.0k in years 1 and 2, then a loss it
    never makes up, pays back in year 1 and not for good). An agency's own rows, always
    positive here, do not count."""
    years = list(range(1, len(running_total) + 1))
    flows = pd.DataFrame({
        "year": years * 2, "agency_id": [""] * len(years) + ["A"] * len(years),
        "cumulative_discounted": running_total + [1e6] * len(years)})
    assert (payback_year(flows), lasting_payback_year(flows)) == (first, lasting)

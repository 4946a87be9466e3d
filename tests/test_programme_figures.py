"""A dated programme's figures in a summary: written and read back as one record, each
key a hand edit broke named, and a folder written before `lasting_payback_year` read in
today's meaning."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from estate.errors import InputError
from estate.results.programme_figures import BUDGET_COLUMNS, ProgrammeFigures
from tests.fixtures.results import PROGRAMME

YEAR = {"year": 1, "date": "2027-04-01", "one_off": 250_000.0, "one_off_limit": 300_000.0,
        "fte_moved": 12.5, "fte_limit": None, "closures": 1, "closures_limit": None}


def _written(**changes: Any) -> dict[str, Any]:
    """A programme's figures as `estate plan` writes them, keys in their order."""
    keys = list(PROGRAMME)
    keys.insert(keys.index("payback_year") + 1, "lasting_payback_year")
    return {key: {**PROGRAMME, "lasting_payback_year": None, "budget": [YEAR],
                  **changes}[key] for key in keys}


def test_the_figures_read_back_as_they_were_written() -> None:
    figures = ProgrammeFigures.from_json(_written(payback_year=2, lasting_payback_year=4,
                                                  notes=["a note"], gap=0.0125))
    assert (figures.payback_year, figures.lasting_payback_year) == (2, 4)
    assert figures.notes == ("a note",) and figures.gap == 0.0125
    assert not figures.payback_in_old_meaning
    # no limit is inf in the budget, null in the file
    assert list(figures.budget.columns) == list(BUDGET_COLUMNS)
    assert figures.budget.loc[0, "one_off_limit"] == 300_000.0
    assert np.isinf(figures.budget.loc[0, "fte_limit"])
    again = figures.to_json()
    assert again == _written(payback_year=2, lasting_payback_year=4, notes=["a note"],
                             gap=0.0125)
    assert list(again) == list(_written())  # the documented order
    assert ProgrammeFigures.from_json(again) == figures


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("npv_saving", None, "a number"),
    ("npv_saving", "a lot", "a number"),
    ("npv_cost", math.inf, "a number"),
    ("start", 20270401, "an ISO date"),
    ("method", "by hand", "roadmap or joint"),
    ("payback_year", 2.5, "a year or null"),
    ("lasting_payback_year", True, "a year or null"),
    ("changes", -1, "a whole number of changes"),
    ("start", "1 April 2027", "an ISO date"),
    ("budget", "none", "a list of years, each {year, date"),
    ("notes", "a note", "a list of texts"),
    ("roadmap_npv", "£1m", "a number or null"),
])
def test_a_broken_figure_is_named_with_what_was_expected(key: str, value: Any,
                                                         expected: str) -> None:
    with pytest.raises(InputError) as caught:
        ProgrammeFigures.from_json(_written(**{key: value}), "r/summary.json")
    problem = caught.value.problems[0]
    assert (problem.file, problem.column) == ("r/summary.json", f"programme.{key}")
    assert problem.expected.startswith(expected), problem.expected


@pytest.mark.parametrize(("year", "named", "expected"), [
    ({**YEAR, "one_off": "abc"}, "programme.budget[0].one_off", "a number"),
    ({k: v for k, v in YEAR.items() if k != "one_off"}, "programme.budget[0].one_off",
     "a number"),
    ({**YEAR, "date": "2027-13-01"}, "programme.budget[0].date", "an ISO date"),
    ({**YEAR, "closures": 1.5}, "programme.budget[0].closures", "a whole number"),
    ({**YEAR, "fte_limit": "none"}, "programme.budget[0].fte_limit", "a number or null"),
    ("year 1", "programme.budget[0]", "{year, date"),
])
def test_a_broken_budget_year_is_named_to_its_value(year: Any, named: str,
                                                    expected: str) -> None:
    with pytest.raises(InputError) as caught:
        ProgrammeFigures.from_json(_written(budget=[year]))
    problem = caught.value.problems[0]
    assert problem.column == named and problem.expected.startswith(expected), problem


def test_an_older_folder_s_figures_are_written_back_as_they_were_read() -> None:
    """`estate compare` adding policy costs writes a summary back: an older folder's
    programme keeps its form (no `lasting_payback_year`, its year in the old meaning),
    or its cashflow.csv would no longer agree with it."""
    data = _written(payback_year=3)
    del data["lasting_payback_year"]
    assert ProgrammeFigures.from_json(data).to_json() == data


def test_a_missing_figure_is_named_and_not_an_object_is_refused() -> None:
    data = _written()
    del data["start"]
    with pytest.raises(InputError) as caught:
        ProgrammeFigures.from_json(data)
    assert caught.value.problems[0].column == "programme.start"
    assert caught.value.problems[0].found == "nothing"
    with pytest.raises(InputError) as caught:
        ProgrammeFigures.from_json(["roadmap"])
    assert caught.value.problems[0].column == "programme"


def test_figures_a_folder_may_lack_are_read_as_none() -> None:
    """Keys added as the programme grew (notes, unlimited_saving, changes, the NPVs of
    the two methods) may be absent from an older folder."""
    data = {k: v for k, v in _written().items()
            if k not in ("notes", "unlimited_saving", "changes", "roadmap_npv", "joint_npv",
                         "gap", "mip_gap")}
    figures = ProgrammeFigures.from_json(data)
    assert figures.notes == () and figures.changes is None and figures.gap is None


def test_a_folder_without_the_lasting_year_reads_its_payback_year_as_lasting() -> None:
    """Before `lasting_payback_year` was kept, `payback_year` was the year from which the
    saving stays positive; the store takes the first year in profit from cashflow.csv."""
    data = _written(payback_year=4)
    del data["lasting_payback_year"]
    figures = ProgrammeFigures.from_json(data)
    assert (figures.payback_year, figures.lasting_payback_year) == (4, 4)
    assert figures.payback_in_old_meaning

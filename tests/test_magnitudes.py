"""Figures in pounds that are probably typed in thousands, or with three zeros too many
(estate.load.magnitudes): a warning at the cell with the figure to write, nothing for a
small figure that is plausibly right."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from estate.errors import Problem
from estate.load.validate import load_register
from tests.fixtures import agency, function, invoke, site, write_register

RUNNING = [120_000, 250_000, 90_000, 400_000, 60_000, 3_000]
"""Six sites' running costs: the last a community room's, 40 times below the median
and plausible."""


def _register(folder: Path, running: Sequence[float], costs: Sequence[float],
              owners: str = "", fte: Sequence[float] = (), **site_extra: Sequence[Any]
              ) -> Path:
    """Sites S1.. with these running costs (and any other column, a value a site),
    teams T1.. of 10 FTE each (or `fte`) at S1 with these annual costs; site i and team
    i belong to agency `owners[i - 1]` (A where it is short)."""
    def owner(i: int) -> str:
        return owners[i - 1] if i <= len(owners) else "A"

    sites = [site(f"S{i}", owner(i), i, 0, running_cost=cost,
                  **{k: v[i - 1] for k, v in site_extra.items()})
             for i, cost in enumerate(running, 1)]
    teams = [function(f"T{i}", owner(i), "Ops", "S1",
                      fte=fte[i - 1] if i <= len(fte) else 10, annual_cost=cost)
             for i, cost in enumerate(costs, 1)]
    return write_register(folder, [agency(a) for a in sorted({"A", *owners})], sites, teams)


def _said(folder: Path) -> list[Problem]:
    return [w for w in load_register(folder).warnings
            if "thousands" in w.found or "three zeros" in w.found]


PLAUSIBLE = [400_000, 450_000, 380_000, 520_000, 410_000]
"""Five teams' annual costs for 10 FTE each: £38k-£52k an FTE."""


def test_a_plausible_register_says_nothing(tmp_path: Path) -> None:
    """Running costs 133 times apart, costs per FTE 1.4 times apart: no warning."""
    assert _said(_register(tmp_path, RUNNING, PLAUSIBLE)) == []


def test_a_running_cost_in_thousands_is_said_at_its_cell(tmp_path: Path) -> None:
    """250 beside £3k-£400k (the column's median £90k, 360 times more) is £250k typed in
    thousands: said at its row (the 8th: a header and six sites above), with 250000."""
    said = _said(_register(tmp_path, [*RUNNING, 250], PLAUSIBLE))
    assert [(w.file, w.row, w.column, w.severity) for w in said] == [
        ("sites.csv", 8, "running_cost", "warning")]
    assert said[0].found == ("250, 360 times less: if it is in thousands of pounds, write "
                             "250000; if it is a nominal sum, as some rents are, leave it")
    assert "half of them £90,000 or more" in said[0].expected


def test_other_pounds_columns_are_read_too(tmp_path: Path) -> None:
    """A disposal value of 75 beside £500k-£2m."""
    disposal = [500_000, 2_000_000, 750_000, 900_000, 1_200_000, 75]
    said = _said(_register(tmp_path, RUNNING, PLAUSIBLE, disposal_value=disposal))
    assert [(w.row, w.column) for w in said] == [(7, "disposal_value")]
    assert "write 75000;" in said[0].found


def test_a_team_cost_in_thousands_or_with_zeros_too_many_is_said(tmp_path: Path) -> None:
    """£450 for 10 FTE (£45 an FTE) and £450,000,000 (£45m an FTE) beside £38k-£52k."""
    said = _said(_register(tmp_path, RUNNING, [*PLAUSIBLE, 450, 450_000_000]))
    assert [(w.file, w.row, w.column) for w in said] == [
        ("functions.csv", 7, "annual_cost"), ("functions.csv", 8, "annual_cost")]
    assert said[0].found == ("450 for 10 FTE, £45.00 an FTE: if it is in thousands of "
                             "pounds, write 450000")
    assert said[1].found == ("450,000,000 for 10 FTE, £45,000,000 an FTE: if it has three "
                             "zeros too many, write 450000")


def test_too_few_figures_to_compare_say_nothing(tmp_path: Path) -> None:
    """Four running costs and four team costs: no median to trust, so 250 and £450 for
    10 FTE pass (a register of a handful of sites is read as written)."""
    assert _said(_register(tmp_path, [120_000, 250_000, 90_000, 250],
                           [400_000, 450_000, 380_000, 450])) == []


def test_a_small_figure_that_is_only_small_says_nothing(tmp_path: Path) -> None:
    """£900 a year beside a median of £3m (3,333 times less) is under £1,000 and so
    said; £2,000 for a site of 10 desks is not, however far below (£200 a desk): a
    figure must be tiny in itself or for its size."""
    big = [3_000_000, 2_500_000, 4_000_000, 3_500_000, 2_800_000]
    said = _said(_register(tmp_path, [*big, 2_000, 900], PLAUSIBLE,
                           desks=[100] * 5 + [10, 100]))
    assert [w.row for w in said] == [8]


def test_a_large_site_in_thousands_is_said_per_desk(tmp_path: Path) -> None:
    """A county hall of 400 desks at 2,500 a year (£6.25 a desk) beside 100-desk sites at
    £30-£4,000 a desk (the column's median, the hall's among them, £900): not tiny in
    itself, but 144 times below per desk,
    so said at its row with 2500000; the community room (£30 a desk, 40 times below) and
    a 2,500 depot with no desks are not."""
    folder = write_register(
        tmp_path, [agency("A")],
        [*(site(f"S{i}", "A", i, 0, running_cost=cost) for i, cost in enumerate(RUNNING, 1)),
         site("HALL", "A", 7, 0, desks=400, running_cost=2_500),
         site("DEPOT", "A", 8, 0, desks=0, running_cost=2_500)],
        [function(f"T{i}", "A", "Ops", "S1", annual_cost=c)
         for i, c in enumerate(PLAUSIBLE, 1)])
    said = _said(folder)
    assert [(w.row, w.column) for w in said] == [(8, "running_cost")]
    assert said[0].found == ("2,500 for 400 desks, £6.25 a desk: if it is in thousands "
                             "of pounds, write 2500000; if it is a nominal sum, as some "
                             "rents are, leave it")
    assert "half of them £900 a desk or more" in said[0].expected


def test_a_refused_desk_count_gives_no_advice_per_desk(tmp_path: Path) -> None:
    """Desks of 2,000,000 (beyond the column's 1,000,000) are an error; read per desk,
    they made the site's plausible running cost, closure cost and disposal value £0.75 a
    desk, each a warning to multiply it by 1000 (a review): one mistake, one problem."""
    import pytest

    from estate.errors import InputError

    folder = write_register(
        tmp_path, [agency("A")],
        [*(site(f"S{i}", "A", i, 0, running_cost=cost, closure_cost=cost,
                disposal_value=10 * cost) for i, cost in enumerate(RUNNING[:5], 1)),
         site("HALL", "A", 7, 0, desks=2_000_000, running_cost=1_505_000,
              closure_cost=1_505_000, disposal_value=15_050_000)],
        [function(f"T{i}", "A", "Ops", "S1", annual_cost=c)
         for i, c in enumerate(PLAUSIBLE, 1)])
    with pytest.raises(InputError) as refused:
        load_register(folder)
    assert [(p.row, p.column) for p in refused.value.problems] == [(7, "desks")]
    assert not [w for w in refused.value.warnings if "thousands" in w.found]


def test_validate_goes_on_with_the_warning(tmp_path: Path) -> None:
    """A warning, not an error: `estate validate` exits 0 and prints it."""
    folder = _register(tmp_path / "reg", [*RUNNING, 250], PLAUSIBLE)
    run = invoke(tmp_path, "validate", str(folder))
    assert run.code == 0, run.output
    assert ("Warning: sites.csv row 8, column running_cost: expected pounds, as the "
            "column's other figures are") in run.stderr, run.stderr


def test_an_agency_s_whole_return_in_thousands_is_one_warning(tmp_path: Path) -> None:
    """B's four sites in thousands, its County Hall among them (1505 for £1.505m, above
    the other agencies' median 1,505 times less but not tiny beside it): one warning at
    B's first row naming its rows, none figure by figure; A's community room stays."""
    running = [*RUNNING, 1_505, 463, 90, 60]
    said = _said(_register(tmp_path, running, PLAUSIBLE, owners="AAAAAABBBB"))
    assert [(w.row, w.column) for w in said] == [(8, "running_cost")]
    assert said[0].found == ("B's 4 figures (rows 8, 9, 10, 11) have a median of £276, "
                             "380 times less: if B gave them in thousands of pounds, "
                             "multiply each by 1000"), said[0].found
    assert "half of theirs £105,000 or more" in said[0].expected


def test_a_figure_meant_small_says_nothing(tmp_path: Path) -> None:
    """A peppercorn rent of £1 and a team of 0.5 FTE costing £9m a year (a contract it
    manages): meant as written, no warning."""
    rent = [100_000, 80_000, 80_000, 90_000, 50_000, 1]
    said = _said(_register(tmp_path, RUNNING, [*PLAUSIBLE, 9_000_000],
                           fte=[10] * 5 + [0.5], rent=rent, tenure=["leasehold"] * 6))
    assert said == []


def test_an_agency_of_small_sites_in_pounds_says_nothing(tmp_path: Path) -> None:
    """B's three retained fire stations at £10k-£16k beside A's offices at £1.2m-£3m,
    143 times apart: each is a real figure in pounds, not tiny in itself, so no warning
    (it said to multiply each by 1000)."""
    offices = [1_200_000, 2_000_000, 3_000_000, 1_500_000, 2_500_000]
    said = _said(_register(tmp_path, [*offices, 10_000, 13_000, 16_000], PLAUSIBLE,
                           owners="AAAAABBB"))
    assert said == []

"""Leases that end within the horizon on sites a dated plan keeps: a warning at each
site's register row, kept in warnings.csv and named by the board pack."""

from __future__ import annotations

from pathlib import Path

import estate
from estate.api import report
from estate.errors import ProblemKind
from estate.render.report_data import Text, read_results
from estate.render.report_pages import decision_page
from estate.results import Plan
from estate.store.warnings_table import read_warnings
from tests.fixtures import TOWN_SCENARIO, merge, write_scenario
from tests.fixtures.register import agency, function, site, write_register, zone

START = {"start": "2027-04-01", "horizon_years": 10}


def _plan(root: Path, changes: dict[str, object]) -> Plan:
    """Five leased sites of one agency, each 1 km apart, the horizon 2027-04-01 to
    2037-03-31:
    S1 kept by must_keep, its lease ending 2030-03-31: within the horizon, named;
    S2 closed by the policy, its lease ending 2029-03-31: closed, not named;
    S3 kept by must_keep, its lease ending 2037-03-31, the horizon's last day: it runs the
    whole horizon, not named;
    S4 kept by must_keep, its lease ending 2027-04-01, the start itself: named;
    S5 kept by must_keep, its lease ending 2026-12-31, before the start: not named (a
    lease ended before the start has a warning of its own, `estate.prepare`, given only
    for a site the plan may close).
    Each team can sit anywhere (40 km reach), so nothing else decides what is kept."""
    ends = {"S1": "2030-03-31", "S2": "2029-03-31", "S3": "2037-03-31", "S4": "2027-04-01",
            "S5": "2026-12-31"}
    sites = [site(s, "A", i, 0, running_cost=100_000, tenure="leasehold", lease_end=end,
                  must_keep="false" if s == "S2" else "true")
             for i, (s, end) in enumerate(ends.items())]
    write_register(root / "reg", [agency("A", "council")], sites,
                   [function(f"F{i}", "A", "IT", s, annual_cost=1000)
                    for i, s in enumerate(ends, start=1)], [zone("Z1", 0, 1)])
    scenario = merge(TOWN_SCENARIO, {"coverage": [], "policy": {"close": ["S2"]}, **changes})
    path = write_scenario(root / "leases.toml", scenario)
    return estate.plan(path, out=root / "results", map_path=False)


def test_a_kept_site_whose_lease_ends_within_the_horizon_is_named_at_its_row(
        tmp_path: Path) -> None:
    plan = _plan(tmp_path, START)
    renewed = [w for w in plan.warnings if w.kind is ProblemKind.LEASE_RENEWED]
    # S1 at row 2 of sites.csv (the header is row 1), S4 at row 5: the lease ending on the
    # start day is within; the one ending on the horizon's last day is not; S2 is closed
    assert [(w.file, w.row, w.column) for w in renewed] == [
        ("sites.csv", 2, "lease_end"), ("sites.csv", 5, "lease_end")]
    assert renewed[0].found.startswith("2030-03-31: the lease of S1 ends within the horizon")
    assert "(2037-03-31)" in renewed[0].expected  # the horizon's last day
    assert "policy.close" in renewed[0].found
    # kept in the results folder, and named on the pack's first page
    assert [w.kind for w in read_warnings(tmp_path / "results") or ()].count(
        ProblemKind.LEASE_RENEWED) == 2
    r = read_results(tmp_path / "results")
    said = [b.text for b in decision_page(r).blocks if isinstance(b, Text) and b.kind == "item"]
    caveat = next(t for t in said if "leased sites whose leases end within the horizon" in t)
    assert "The plan keeps 2 leased sites" in caveat
    assert "Site S1 (S1, 2030-03-31); and Site S4 (S4, 2027-04-01)" in caveat.replace(
        "\u2068", "").replace("\u2069", "")
    pdf, _ = report(tmp_path / "results", tmp_path / "board.pdf")
    assert pdf.exists()


def test_without_a_start_date_leases_are_not_read_so_none_is_named(tmp_path: Path) -> None:
    plan = _plan(tmp_path, {})
    assert not [w for w in plan.warnings if w.kind is ProblemKind.LEASE_RENEWED]

"""`estate report RESULTS --compare CMP`: the board pack sets a comparison beside its
plan only when the comparison holds this plan's scenario planned on this plan's
register; any other is refused (exit 1, the plan's scenario and the compared ones
named, how to fix), with nothing written. Otherwise a board would read another
estate's scenarios as this plan's alternatives.

Two registers built here: the town (`a/reg`, scenario "tiny") and the two-site loser
register (`b/reg`, scenarios "Other" and a second "tiny").
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

import estate
from estate.api import compare
from tests.fixtures import invoke, loser_register, no_traceback, town, write_scenario


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The plan of "tiny" on the town register, and three comparisons: "Other" alone
    (another register), a "tiny" of the other register alone, and "tiny" beside
    "Other" (the plan among them, with a scenario of another register)."""
    root = tmp_path_factory.mktemp("report_compare")
    mine = town(root / "a")
    loser_register(root / "b" / "reg")
    other = write_scenario(root / "b" / "other.toml", {"name": "Other", "data": "reg"})
    twin = write_scenario(root / "b" / "tiny.toml", {"name": "tiny", "data": "reg"})
    estate.plan(mine, out=root / "results" / "tiny", map_path=False)
    for out, paths in (("cmp_other", [other]), ("cmp_twin", [twin]),
                       ("cmp_both", [mine, other])):
        compare(paths, out=root / out, results_root=root / f"r_{out}", policy_costs=False)
    return {"root": root, "mine": (root / "a" / "reg").resolve(),
            "theirs": (root / "b" / "reg").resolve(), "other": other}


def _report(root: Path, results: str | Path, comparison: str | Path, out: Path) -> Any:
    return invoke(root, "report", results, "--compare", comparison, "--out", out / "b.pdf")


def _refused(run: Any, out: Path) -> str:
    """The refusal's message, after checking it is one: exit 1, no traceback, nothing
    written, and the way out said."""
    assert run.code == 1, run.output
    no_traceback(run)
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())
    assert "estate compare" in run.stderr and "--compare" in run.stderr, run.stderr
    return " ".join(run.stderr.split())


def test_a_comparison_without_this_plan_is_refused(plans: dict[str, Any],
                                                   tmp_path: Path) -> None:
    """The reviewer's case: a comparison of another register's scenario alone."""
    said = _refused(_report(plans["root"], "results/tiny", "cmp_other", tmp_path / "out"),
                    tmp_path / "out")
    assert "cmp_other/comparison.csv, column scenario" in said, said
    assert "\u201ctiny\u201d" in said and f"(on {plans['mine']})" in said, said
    assert f"found only \u201cOther\u201d (data = reg in {plans['other']})" in said, said


def test_a_scenario_of_the_same_name_on_another_register_is_refused(
        plans: dict[str, Any], tmp_path: Path) -> None:
    said = _refused(_report(plans["root"], "results/tiny", "cmp_twin", tmp_path / "out"),
                    tmp_path / "out")
    assert "cmp_twin/comparison.csv row 2, column register_path" in said, said
    assert f"this plan\u2019s register, {plans['mine']}" in said, said
    assert f"another register, {plans['theirs']}" in said, said


def test_a_comparison_made_before_the_register_was_edited_is_refused(tmp_path: Path) -> None:
    """Same scenario, same data folder, but a running cost edited and the scenario
    planned again after the comparison: the comparison's plan is of another estate."""
    scenario = town(tmp_path)
    estate.plan(scenario, out=tmp_path / "results" / "tiny", map_path=False)
    compare([scenario], out=tmp_path / "cmp", results_root=tmp_path / "results",
            policy_costs=False)
    sites = tmp_path / "reg" / "sites.csv"
    text = sites.read_text(encoding="utf-8")
    assert ",500000," in text
    sites.write_text(text.replace(",500000,", ",500001,", 1), encoding="utf-8")
    estate.plan(scenario, out=tmp_path / "results" / "tiny", map_path=False)
    said = _refused(_report(tmp_path, "results/tiny", "cmp", tmp_path / "out"),
                    tmp_path / "out")
    assert "cmp/comparison.csv row 2, column register_sha256" in said, said
    assert "with other files (the register was edited" in said, said
    # the way out makes both of one estate (it said "stored plans are reused", which
    # neither the edited register nor an archived plan allows)
    assert "again on the register as it is now, then estate report results/tiny --compare " \
        in " ".join(said.split()) and "reused" not in said, said


def test_a_comparison_that_does_not_record_registers_is_refused(
        plans: dict[str, Any], tmp_path: Path) -> None:
    """A comparison written before estate compare recorded each scenario's register:
    whether its "tiny" is this plan's cannot be told, so it is not assumed."""
    shutil.copytree(plans["root"] / "cmp_both", tmp_path / "cmp")
    path = tmp_path / "cmp" / "comparison.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    keep = [i for i, c in enumerate(rows[0]) if c not in (
        "scenario_file", "register", "register_path", "register_sha256")]
    assert len(keep) == len(rows[0]) - 4
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([[row[i] for i in keep] for row in rows])
    said = _refused(_report(plans["root"], "results/tiny", tmp_path / "cmp",
                            tmp_path / "out"), tmp_path / "out")
    assert "comparison.csv row 2, column register_path" in said, said
    assert "before estate compare recorded each scenario's register" in said, said


def test_a_comparison_holding_this_plan_is_set_beside_it_and_its_registers_said(
        plans: dict[str, Any], tmp_path: Path) -> None:
    """The plan is among the compared (its row named this paper's); "Other" is of
    another register, and the side-by-side page says so, naming each register."""
    run = _report(plans["root"], "results/tiny", "cmp_both", tmp_path / "out")
    assert run.code == 0, run.output
    pages = [page.extract_text() or "" for page in PdfReader(tmp_path / "out" / "b.pdf").pages]
    side = " ".join(" ".join(p for p in pages if "The scenarios side by side" in p).split())
    assert "tiny (this paper)" in side, side
    assert "These scenarios are planned on different registers" in side, side
    # the register's note was said just after naming one of them as saving the most
    assert "none is named as saving the most" in side and "saves the most" not in side, side
    assert "\u201cOther\u201d: data = reg in" in side and "\u201ctiny\u201d: data = reg in" in side
    html = (tmp_path / "out" / "b.html").read_text(encoding="utf-8")
    assert "planned on different registers" in html


@pytest.mark.parametrize(("changes", "said"), [
    ({"horizon_years": 15, "discount_rate": 0.06},
     "\u201ctiny\u201d: 10 years at 3.5%; \u201cother terms\u201d: 15 years at 6%"),
    ({"agencies": ["A1"]}, "\u201ctiny\u201d: A1, A2; \u201cother terms\u201d: A1"),
])
def test_scenarios_of_other_terms_or_agencies_are_not_ranked(
        tmp_path: Path, changes: dict[str, Any], said: str) -> None:
    """Beside a plan over other years at another rate, or of only some of the agencies,
    the pack named a winner ("Of 2 scenarios compared, ... saves the most") of savings
    that are not like-for-like, and nothing said why they differ. Now none is named,
    and the page says what differs, scenario by scenario."""
    mine = town(tmp_path)
    other = write_scenario(tmp_path / "other.toml",
                           {**_scenario_of(mine), "name": "other terms", **changes})
    compare([mine, other], out=tmp_path / "cmp", results_root=tmp_path / "results",
            policy_costs=False)
    run = _report(tmp_path, "results/tiny", "cmp", tmp_path / "out")
    assert run.code == 0, run.output
    pages = [page.extract_text() or "" for page in PdfReader(tmp_path / "out" / "b.pdf").pages]
    side = " ".join(" ".join(p for p in pages if "The scenarios side by side" in p).split())
    assert "none is named as saving the most" in side and "saves the most" not in side, side
    assert said in side, side
    # and the comparison itself says it, on the terminal and its page
    page = (tmp_path / "cmp" / "comparison.html").read_text(encoding="utf-8")
    assert said.replace("\u201c", "&#8220;").replace("\u201d", "&#8221;") in page \
        or said in page, page


def _scenario_of(path: Path) -> dict[str, Any]:
    """A scenario file as its TOML holds it."""
    import tomllib
    return tomllib.loads(path.read_text(encoding="utf-8"))

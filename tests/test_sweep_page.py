"""sweep.html (`estate.render.sweep_page`): the values of a varied key as the runs'
names have them, the NPV chart in words and colours, and a run without a plan."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd

from estate.api import sweep
from estate.render import sweep_page
from estate.runs.sweep import parse_vary

SVG = "{http://www.w3.org/2000/svg}"
def test_varied_values_read_as_the_run_names_have_them(corridor: Path, tmp_path: Path
                                                        ) -> None:
    """0, 300000 and inf read as two whole numbers and a float: sweep.csv's column and
    the page's axis show each as the run's name does (pandas made the column float and
    wrote 0.0 and 300000.0), and inf, which has no place on a scale, is placed beside the
    others, not at x="nan"."""
    key = "policy.max_one_off"
    sweep(corridor, [parse_vary(f"{key}=0,300000,inf")], tmp_path / "out", workers=1)
    with open(tmp_path / "out" / "sweep.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r[key] for r in rows] == ["0", "300000", "inf"]
    for r in rows:
        assert f"{key}={r[key]}" in r["scenario"]
    page = (tmp_path / "out" / "sweep.html").read_text(encoding="utf-8")
    chart = page[page.index("<svg", page.index(f"against {key}</h3>")):]
    svg = ElementTree.fromstring(chart[:chart.index("</svg>") + 6])
    axis = [(t.text, float(t.get("x", "nan"))) for t in svg.iter(f"{SVG}text")
            if t.get("text-anchor") == "middle" and t.text in ("0", "300000", "inf")]
    assert [text for text, _ in axis] == ["0", "300000", "inf"]
    xs = [x for _, x in axis]
    assert all(math.isfinite(x) for x in xs) and xs == sorted(xs) and len(set(xs)) == 3


def test_a_run_without_a_plan_has_empty_counts_on_the_page(corridor: Path, tmp_path: Path
                                                            ) -> None:
    """sites_after, sites_closed and shared_centres of a run with no plan (whole-number
    columns with blanks) showed `<NA>` on the page: they are empty, as its other cells."""
    sweep(corridor, [parse_vary("coverage.0.mode=all,maintain"),
                     parse_vary("coverage.0.radius_km=0.5")], tmp_path / "out", workers=1)
    page = (tmp_path / "out" / "sweep.html").read_text(encoding="utf-8")
    assert "NA&gt;" not in page and "<NA>" not in page
    table = page[page.index("<table>"):page.index("</table>")]
    infeasible = next(row for row in table.split("<tr>") if "<td>infeasible</td>" in row)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", infeasible)
    # its run id first (its folder under runs/, which the chart names only on hover)
    rows = pd.read_csv(tmp_path / "out" / "sweep.csv", dtype=str)
    assert cells[0] == rows.loc[rows["status"] == "infeasible", "run_id"].iloc[0]
    assert cells[1:3] == ["all", "0.5"] and cells[3] == "infeasible"
    assert cells[4:-1] == [""] * (len(cells) - 5), cells  # no figure: no plan


def test_numbers_with_inf_are_charted_in_order_inf_last() -> None:
    """With `inf` among the values (spaced evenly, as it has no place on a scale) the
    axis kept the typed order, `inf, 0, 300000`: numbers go in ascending order, inf last,
    the words a screen reader hears too; text keeps its typed order."""
    def axis(values: list[object]) -> tuple[list[str | None], str]:
        rows = pd.DataFrame({"k": pd.Series(values, dtype=object), "run_id": [f"r{i}" for i in range(len(values))],
                             "status": ["optimal"] * len(values),
                             "npv_saving": [1e6 * (i + 1) for i in range(len(values))]})
        svg = ElementTree.fromstring(sweep_page.npv_chart(rows, "k"))
        labels = sorted((float(t.get("x", "nan")), t.text) for t in svg.iter(f"{SVG}text")
                        if t.get("text-anchor") == "middle" and t.text != "k"
                        and t.get("transform") is None)
        return [text for _, text in labels], svg.get("aria-label", "")

    inf = float("inf")
    shown, said = axis([inf, 300000, 0, 0.5])
    assert shown == ["0", "0.5", "300000", "inf"]
    assert said.index("at 0,") < said.index("at 0.5,") < said.index("at 300000,") \
        < said.index("at inf")
    assert axis(["b", "a", "c"])[0] == ["b", "a", "c"]


def test_the_npv_chart_says_its_figures_in_words() -> None:
    """The chart is one image to a screen reader (its dots' tooltips are inside it): its
    name states each value's saving, or its runs' lowest, mean and highest, as the dots
    show them, and a value whose runs have no plan says none is charted."""
    rows = pd.DataFrame({
        "k": [0.1, 0.1, 0.1, 0.5, 0.9],
        "run_id": ["a", "b", "c", "d", "e"],
        "status": ["optimal", "optimal", "time_limit", "optimal", "infeasible"],
        "npv_saving": [1_000_000.0, 2_500_000.0, 3_000_000.0, 250_000.0, None],
    })
    svg = ElementTree.fromstring(sweep_page.npv_chart(rows, "k"))
    assert svg.get("role") == "img"
    # by hand: at 0.1 three runs, £1.00m to £3.00m, mean 6.5m / 3 = £2.17m
    assert svg.get("aria-label") == (
        "NPV saving against k: at 0.1, 3 runs from £1.00m to £3.00m, mean £2.17m; "
        "at 0.5, £250.0k; at 0.9, no run charted.")
    assert len(svg.findall(f"{SVG}circle")) == 4  # the dots it speaks of


def test_a_run_inside_a_loose_mip_gap_is_not_drawn_as_proven() -> None:
    """Two runs ended `optimal`: one proven (gap 0), one inside a 0.5% `solver.mip_gap`
    (gap 0.4% of an NPV of cost of £100m, so at most £0.4m more to save, £1.4m in all).
    Only the first is blue; the second is orange with its line up to £1.4m, and the
    note on the sites names the mip_gap as what stopped it, not the time limit."""
    rows = pd.DataFrame({"k": [1, 2], "run_id": ["a", "b"], "status": ["optimal"] * 2,
                         "npv_saving": [1e6, 1e6], "mip_gap": [0.0, 0.004],
                         "objective_npv": [1e8, 1e8]})
    svg = ElementTree.fromstring(sweep_page.npv_chart(rows, "k"))
    colours = {c.findtext(f"{SVG}title").split(":")[0]: c.get("fill")
               for c in svg.iter(f"{SVG}circle")}
    assert colours == {"a": "#2b6cb0", "b": "#dd6b20"}
    tips = [c.findtext(f"{SVG}title") for c in svg.iter(f"{SVG}circle")]
    assert "at most £1.40m by the solver's bound" in tips[1]
    assert "(optimal within its mip_gap, " in tips[1] and "(optimal)" in tips[0], tips
    assert len(svg.findall(f"{SVG}line[@stroke-opacity='0.35']")) == 1
    said = sweep_page._unsettled(rows)
    assert "1 of the 2 runs with a plan was stopped by the solver.mip_gap asked for" in said
    assert "a smaller solver.mip_gap settles it" in said and "time limit" not in said
    both = pd.concat([rows, rows.iloc[[1]].assign(run_id="c", status="time_limit")])
    assert ("(a longer solver.time_limit_s and a smaller solver.mip_gap settle it)"
            in sweep_page._unsettled(both)), sweep_page._unsettled(both)


def test_a_sweep_over_registers_of_different_estates_says_their_savings_are_unlike(
        ) -> None:
    """`--vary data=a,b` over two estates set savings against different status quos on
    one chart without a word (estate compare warns of the same); two copies of one
    register, or a sweep that does not vary data, need none."""
    varies = [parse_vary("data=../a,../b"), parse_vary("relocation.cost_per_fte=1000,5000")]
    rows = pd.DataFrame({"data": ["/x/a", "/x/a", "/x/b", "/x/b"],
                         "relocation.cost_per_fte": [1000, 5000, 1000, 5000],
                         "status_quo_npv": [839.74e6, 839.74e6, 920.51e6, 920.51e6],
                         "status": ["optimal"] * 4})
    note = sweep_page.registers_note(rows, varies)
    assert note.startswith("This sweep varies data, the register, and its registers are "
                           "different estates (their status quos differ: NPV of cost from "
                           "£839.74m to £920.51m)"), note
    copies = rows.assign(status_quo_npv=839.74e6)
    assert sweep_page.registers_note(copies, varies) == ""
    assert sweep_page.registers_note(rows, varies[1:]) == ""

"""The board pack's page on who gains and who loses: each agency's costs and savings,
the words on who pays more and how the gainers could pay them back, and what each
policy costs. Read from a results folder alone, as plain blocks (`report_data`), like the
pack's other pages (`report_pages`); `estate.render.report` lays them out.
"""

from __future__ import annotations

from estate.render import figures
from estate.render.report_data import Block, Page, Results, Table, Text, agency_name
from estate.results import Summary, money
from estate.results.amounts import count, listed
from estate.results.policy_cost import PolicyStatus
from estate.results.words import horizon_words, one_off_cell
from estate.runs.compare import LOSS_TOL, agency_gains, compensate


def _agency_table(r: Results) -> Table:
    """Each agency's figures; with a dated programme, each agency's dated NPV saving
    beside the snapshot's (every change made in year 1), as the decision page sets the two."""
    s = r.summary
    annual, npv = agency_gains(s, "annual"), r.agency_npv()
    dated = r.programme.agency_npv() if r.programme is not None else None
    order = sorted(s.agencies, key=lambda a: -annual[a])
    rows, marked = [], set()
    for i, agency_id in enumerate(order):
        a = s.agencies[agency_id]
        if a.worse_off:
            marked.add(i)
        # a yearly gain its one-off outweighs over the horizon is not a gain (shown apart)
        behind = min(npv[agency_id], (dated or {}).get(agency_id) or 0.0) < -LOSS_TOL
        saves = annual[agency_id] > LOSS_TOL
        outcome = (f"pays {money(-annual[agency_id])} a year more" if a.worse_off
                   else f"{'saves yearly, ' if saves else ''}behind over "
                        f"{count(s.horizon_years, 'year')}" if behind
                   else "gains" if saves else "no change")
        rows.append((figures.named(a.name, 80), money(a.annual_cost_before),
                     money(a.annual_cost_after), money(annual[agency_id]),
                     one_off_cell(a.one_off_cost), money(npv[agency_id]),
                     *((money(dated.get(agency_id)),) if dated is not None else ()),
                     outcome))
    rows.append(("All agencies", money(s.annual_cost_before), money(s.annual_cost_after),
                 money(s.annual_saving), one_off_cell(s.one_off_cost), money(s.saving_in_year_one),
                 *((money(r.programme.npv_saving),) if r.programme is not None else ()), ""))
    npv_heads, widths = (
        (("NPV saving",), (0.25, 0.11, 0.11, 0.105, 0.13, 0.115, 0.18)) if dated is None else
        (("NPV saving, every change in year 1", "NPV saving, as dated"),
         (0.23, 0.1, 0.1, 0.095, 0.105, 0.125, 0.125, 0.12)))
    return Table(f"Each agency's costs and savings (NPV over {horizon_words(s)})",
                 ("Agency", "Cost a year now", "Cost a year after", "Saving a year", "One-off",
                  *npv_heads, "Outcome"), tuple(rows),
                 (False, *[True] * (4 + len(npv_heads)), False), widths, frozenset(marked),
                 total=True)


def _gainers_words(r: Results) -> str:
    s = r.summary
    annual = agency_gains(s, "annual")
    if not annual:
        return "The results hold no per-agency figures."
    losers = [a for a in s.agencies if s.agencies[a].worse_off]
    if not losers:
        top = max(annual, key=lambda a: annual[a])
        name = figures.named(agency_name(s, top), 80)
        if annual[top] <= LOSS_TOL:
            return "No agency's cost a year changes."
        if len(annual) == 1:
            return f"{name} pays less each year ({money(annual[top])} a year)."
        # the most a year, which its one-off may still outweigh (the table's outcome)
        every = ("Both agencies" if len(annual) == 2
                 else f"All {count(len(annual), 'agency', 'agencies')}")
        alike = [a for a in annual if annual[a] >= annual[top] - 0.5]  # to the pound
        if len(alike) > 1:
            names = listed([figures.named(agency_name(s, a), 80) for a in alike])
            return (f"{every} pay less or the same each year; {names} save the most, "
                    f"alike ({money(annual[top])} a year each).")
        return (f"{every} pay less or the same each year; {name} saves the most "
                f"({money(annual[top])} a year).")
    each = "; ".join(f"{figures.named(agency_name(s, a), 80)} ({money(-annual[a])} a year)"
                     for a in losers)
    comp = compensate(annual, "annual")
    verb = "pays" if len(losers) == 1 else "pay"
    return (f"{len(losers)} of the {count(len(annual), 'agency', 'agencies')} {verb} more "
            f"each year: {each}. Paying them back from the gainers: {comp.note}.")


def _policy_blocks(s: Summary) -> list[Block]:
    blocks: list[Block] = [Text("What each policy costs", "heading")]
    if s.policy_costs is None:
        return blocks + [Text("Not worked out for this plan (a planner adds it by making "
                              "the plan again with estate plan --policy-costs).", "note")]
    said = [cost for cost in s.policy_costs.values()
            if cost.status is not PolicyStatus.NOT_SET]
    blocks.append(Text("Each is the NPV of cost with the policy minus the optimum without "
                       "it, all other policies kept." if said else "The scenario sets no "
                       "policy that could be priced.", "note"))
    return blocks + [Text(cost.sentence, "item") for cost in said]


def agencies_page(r: Results) -> Page:
    dated = () if r.programme is None else (Text(
        "\"As dated\" is each agency's share of the dated programme's NPV saving: its "
        "discounted cash, year by year, in cashflow.csv (n/a: the agency has none there). "
        "The other figures are the plan's once every change is made.", "note"),)
    rounded = Text("Each figure is rounded on its own, so a column's rows may add up to a "
                   "little more or less than its total, in the last digit shown.", "note")
    return Page("Who gains and who loses", (Text(_gainers_words(r)), _agency_table(r),
                                            *dated, rounded, *_policy_blocks(r.summary)),
                fresh=False)



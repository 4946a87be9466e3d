"""Plain-text figures for the terminal: the summary a business case quotes."""

from __future__ import annotations

from typing import Any

from estate.results import money


def _payback(summary: dict[str, Any]) -> str:
    payback = summary.get("payback_years")
    if payback is None:
        return "never (no annual saving)"
    if summary["one_off_cost"] <= 0:
        return "immediate (sale receipts cover the one-off costs)"
    if payback < 1:
        return f"{payback * 12:.0f} months"
    return f"{payback:.1f} years"


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The summary as a few aligned lines, with every agency that is worse off flagged."""
    gap = summary.get("mip_gap")
    status = summary["status"]
    if status == "time_limit":
        status = f"TIME LIMIT, NOT PROVEN OPTIMAL (gap {gap:.3%})" if gap is not None else \
            "TIME LIMIT, NOT PROVEN OPTIMAL"
    elif gap is not None:
        status = f"{status} (gap {gap:.4%})"
    lines = [
        f"Scenario:        {summary['scenario']}",
        f"Status:          {status}, {summary['solve_seconds']:.1f} s with {summary['solver']}",
        f"Sites:           {summary['sites_before']} before, {summary['sites_after']} after "
        f"({summary['sites_closed']} closed, {summary['sites_opened']} opened, "
        f"{summary['shared_centres']} shared centres)",
        f"Annual cost:     {money(summary['annual_cost_before'])} before, "
        f"{money(summary['annual_cost_after'])} after "
        f"(saving {money(summary['annual_saving'])} a year)",
        f"One-off cost:    {money(summary['one_off_cost'])}; payback " + _payback(summary),
        f"NPV saving:      {money(summary['npv_saving'])} over {summary.get('horizon_years', '?')}"
        f" years (status quo {money(summary['status_quo_npv'])})",
        f"Staff moving:    {summary['fte_relocated']:,.1f} FTE",
    ]
    if summary["status"] == "time_limit" and gap is not None and gap > 1.0:
        # A gap over 100% means the bound is still the solver's opening guess: it had no
        # time to solve the model's LP relaxation (a region of thousands of sites).
        lines.append("Bound:           still the solver's first guess (it had no time to "
                     "solve the LP relaxation), so the gap says little; raise "
                     "solver.time_limit_s, or plan a large locality as areas (`area` "
                     "column, docs/formats.md)")
    if not summary.get("status_quo_feasible", True):
        lines.append(f"Status quo:      breaks {len(summary['status_quo_breaches'])} rule(s), "
                     "e.g. " + summary["status_quo_breaches"][0]["place"])
    worse = [a["name"] for a in summary.get("agencies", {}).values() if a.get("worse_off")]
    if worse:
        lines.append("Worse off:       " + ", ".join(worse))
    return lines


def alternative_lines(summary: dict[str, Any]) -> list[str]:
    """The alternatives of a plan's summary, one line each, for the terminal."""
    info = summary.get("alternatives")
    if not info:
        return []
    lines = [f"Alternatives:    {info['found']} within {info['within_pct']:g}% of the saving "
             f"(+{money(info['allowance_npv'])})"]
    for plan in info["plans"]:
        changes = ", ".join(f"{d['site_id']} {d['optimum']}->{d['alternative']}"
                            for d in plan["sites_differ"][:6])
        more = len(plan["sites_differ"]) - 6
        lines.append(f"  {plan['folder']}: +{money(plan['npv_difference'])}; {changes}"
                     + (f" and {more} more" if more > 0 else ""))
    if info.get("note"):
        lines.append(f"  ({info['note']})")
    return lines

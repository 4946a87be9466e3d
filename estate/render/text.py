"""Plain-text figures for the terminal: the summary a business case quotes."""

from __future__ import annotations

import math

from estate.results import Summary, money
from estate.results.amounts import count, fte_words, listed, percent_up, signed_money
from estate.results.booked_early import booked_early_words
from estate.results.payback import dated_payback_words, payback_words, programme_payback_words
from estate.results.solver_names import solver_words
from estate.results.words import (
    IN_YEAR_ONE,
    UNSCHEDULED_WAITS,
    after_horizon_words,
    dated_same_words,
    horizon_words,
    is_proven,
    known_gap,
    limits_words,
    one_off_parts,
    one_off_words,
    plan_quality,
    saving_figure,
    yearly_saving_words,
)
from estate.status import Status


def _one_off(s: Summary) -> str:
    """Net receipts in words, a cost as money; what sales bring and what is spent beside."""
    total = one_off_words(s.one_off_cost) if s.one_off_cost < -0.5 else money(s.one_off_cost)
    parts = one_off_parts(s.one_off_cost, s.one_off_receipts)
    return f"{total} ({parts})" if parts else total


def summary_lines(summary: Summary) -> list[str]:
    """The summary as a few aligned lines, with every agency that is worse off flagged."""
    s = summary
    lines = [
        f"Scenario:        {s.scenario}",
        f"Status:          {plan_quality(s)[0]}, {s.solve_seconds:.1f} s with {solver_words(s.solver)}",
        f"Sites:           {s.sites_before} before, {s.sites_after} after "
        f"({s.sites_closed} closed, {s.sites_opened} opened, "
        f"{count(s.shared_centres, 'shared centre')})",
        f"Annual cost:     {money(s.annual_cost_before)} before, {money(s.annual_cost_after)} "
        f"after ({yearly_saving_words(s.annual_saving)})",
        f"One-off cost:    {_one_off(s)}",
        *_payback_lines(s),
        *_npv_lines(s),
        f"Staff moving:    {fte_words(s.fte_relocated)}",
    ]
    if s.plan_from == "programme":
        lines.insert(2, f"Plan:            {plan_quality(s)[1]}")
    lines += _timing_lines(s)
    lines += _area_lines(s)
    if s.status == Status.TIME_LIMIT and s.mip_gap is not None and s.mip_gap > 1.0:
        # A gap over 100% means the bound is still the solver's opening guess: it had no
        # time to solve the model's LP relaxation (a region of thousands of sites).
        lines.append("Bound:           still the solver's first guess (it had no time to "
                     "solve the LP relaxation), so the gap says little; raise "
                     "solver.time_limit_s" + (
                         " (it applies to each area)" if s.areas else
                         ", or plan a large locality as areas (`area` column, "
                         "docs/formats.md)"))
    if found := nothing_found(s):
        lines.append(f"Found:           {found}")
    if not s.status_quo_feasible and s.status_quo_breaches:
        lines.append(f"Status quo:      breaks {count(len(s.status_quo_breaches), 'rule')}, e.g. "
                     + s.status_quo_breaches[0].place)
    worse = [a.name for a in s.agencies.values() if a.worse_off]
    if worse:
        lines.append("Worse off:       " + ", ".join(worse))
    return lines


def nothing_found(s: Summary) -> str:
    """What a plan the time limit stopped at today's estate (nothing closed, opened,
    shared or moved) says of itself, on the terminal and the map: the search starts
    from today's estate, so a plan is always in hand, and that it is today's says only
    that nothing cheaper was found in time; "" for any other plan, and for a dated
    programme's end state, which is today's when its limits leave every change out."""
    if s.status != Status.TIME_LIMIT or s.plan_from == "programme" or s.sites_closed \
            or s.sites_opened or s.shared_centres or s.fte_relocated >= 0.5:
        return ""
    return ("nothing cheaper than today's estate before the time limit, which does not "
            "show there is none; raise solver.time_limit_s")


def _area_lines(s: Summary, most: int = 5) -> list[str]:
    """A national plan's areas the time limit stopped before proving their plan, the
    largest gap first, each with how far it may be from its best (the merged status and
    gap are the worst area's, which alone would not say where)."""
    stopped = [(area, f.mip_gap) for area, f in (s.areas or {}).items()
               if f.status is Status.TIME_LIMIT]
    if not stopped:
        return []
    stopped.sort(key=lambda a: -(a[1] if a[1] is not None and math.isfinite(a[1])
                                 else math.inf))
    said = [f"{area} ({f'within {percent_up(gap)}' if known_gap(gap) else 'gap unknown'})"
            for area, gap in stopped[:most]]
    more = (f" and {len(stopped) - most} more (summary.json's areas)"
            if len(stopped) > most else "")
    return [f"Areas:           {len(stopped)} of {len(s.areas or {})} stopped by the time "
            f"limit before proof: {', '.join(said)}{more}"]


def _payback_lines(s: Summary) -> list[str]:
    """The payback: with a dated programme, the programme's first (the first year its
    saving so far, at today's value, is positive), then the plan's own, labelled as
    every change made in year 1, as the NPV saving is said below it."""
    own = payback_words(s.payback_years, s.one_off_cost)[1]
    if not s.programme:
        return [f"Payback:         {own}"]
    return [f"Payback:         {dated_payback_words(s.programme)}, dated from "
            f"{s.programme.start}",
            f"                 {own} {IN_YEAR_ONE}"]


def _npv_lines(s: Summary) -> list[str]:
    """The NPV saving: with a dated programme, the programme's first (the one that counts
    when each change can happen), then the plan's own, labelled as every change made in
    year 1."""
    own = (f"{saving_figure(s.npv_saving)} over {horizon_words(s)} "
           f"(status quo {money(s.status_quo_npv)})")
    if not s.programme:
        return [f"NPV saving:      {own}"]
    p = s.programme
    return [f"NPV saving:      {saving_figure(p.npv_saving)} over {horizon_words(s)}, "
            "dated from "
            f"{p.start} (status quo {money(s.status_quo_npv)})",
            f"                 {saving_figure(s.saving_in_year_one)} {IN_YEAR_ONE}"]


def _timing_lines(s: Summary) -> list[str]:
    """What dating the plan changed: leases priced in, and the programme's own figures."""
    lines = []
    if s.lease_cost_npv is not None:
        added = s.lease_cost_npv
        verb = f"adds {money(added)} to" if added >= 0 else f"takes {money(-added)} off"
        # beside a programme, the figure is the year-1 plan's, not the programme's own
        whose = f" {IN_YEAR_ONE}" if s.programme is not None else ""
        lines.append(f"Timing:          {verb} the NPV of cost{whose}: rent owed after closing, "
                     "sales that take time, sites running until their teams may move"
                     + ("" if s.programme is not None else UNSCHEDULED_WAITS))
    if s.booked_early_npv is not None and abs(s.booked_early_npv) >= 0.5:
        lines.append(f"                 {booked_early_words(s.booked_early_npv)}")
    if s.receipts_after_horizon:
        dated = s.programme is not None
        lines.append(f"                 {after_horizon_words(s.receipts_after_horizon, dated)}")
    p = s.programme
    if p:
        payback_words = programme_payback_words(p.payback_year, p.lasting_payback_year)
        changes = "" if p.changes is None else f", {count(p.changes, 'change')}"
        lines.append(f"Programme:       {p.method} from {p.start}{changes}; {payback_words}")
        lines += [f"                 {note}" for note in p.notes]
        if limits := limits_words(p.method, p.unlimited_saving, p.npv_saving):
            lines.append(f"Yearly limits:   they {limits}")
    return lines


def alternative_lines(summary: Summary) -> list[str]:
    """The alternatives of a plan's summary, one line each, for the terminal."""
    info = summary.alternatives
    if info is None:
        return []
    snapshot = info.near_snapshot
    # a dated scenario's alternatives each have a programme of their own, said first, as
    # the plan's own dated saving is
    dated = info.dated
    # the allowance is a share of the plan's own saving, not of a programme's
    own_saving = dated or summary.programme is not None
    allowance = signed_money(info.allowance_npv) if math.isfinite(info.allowance_npv) \
        else "no limit"  # a share past any float
    lines = [f"Alternatives:    {info.found} within {info.within_pct:g}% of the saving "
             f"({allowance})"]
    if snapshot:  # the plan written is a dated programme's end state, not their optimum
        lines[0] = (f"Alternatives:    {info.found} near the snapshot optimum, not the plan "
                    f"written: within {info.within_pct:g}% of its saving ({allowance}), "
                    f"each costed {IN_YEAR_ONE}")
    elif own_saving:
        lines[0] = (f"Alternatives:    {info.found} within {info.within_pct:g}% of the "
                    f"saving {IN_YEAR_ONE} ({allowance})")
    if dated:
        lines[0] += "; each also scheduled as a dated programme of its own"
    for plan in info.plans:
        changes = ", ".join(d.words for d in plan.sites_differ[:6])
        more = len(plan.sites_differ) - 6
        difference = signed_money(plan.npv_difference)
        if dated and plan.dated is not None:
            difference = (f"{signed_money(plan.dated.npv_difference)} dated, "
                          f"{difference} {IN_YEAR_ONE}")
        same = "; the same sites as the plan written" if snapshot \
            and plan.same_sites_as_plan else ""
        if not same and dated_same_words(plan.dated):
            # its programme leaves out what sets it apart: dated, it is no other choice
            same = f"; dated, {dated_same_words(plan.dated)}"
        lines.append(f"  {plan.folder}: {difference}; {changes}"
                     + (f" and {more} more" if more > 0 else "") + same)
    if info.note:
        lines.append(f"  ({info.note})")
    # measured against the snapshot optimum, a difference is not against the plan
    # written; beside a proven plan, none is cheaper but by rounding
    cheaper = [plan.folder for plan in info.plans if plan.npv_difference <= -0.5]
    if cheaper and summary.booked_early_npv is not None:
        # dated, not scheduled: each difference is of the savings the plans' changes
        # realise, while the search ranks plans by the snapshot's objective
        lines.append(f"  ({listed(cheaper)} {'saves' if len(cheaper) == 1 else 'save'} "
                     "more than the plan written once the changes are dated: the search "
                     "ranks plans by the snapshot, which counts some savings before they "
                     "can be made; a programme (--programme) chooses by the dated saving)")
    elif cheaper and not snapshot and not is_proven(summary.status, summary.mip_gap):
        # only a search stopped short of proof leaves a cheaper plan to be found after it
        fix = ("a longer solver.time_limit_s" if summary.status == Status.TIME_LIMIT
               else "a smaller solver.mip_gap")
        gap = summary.mip_gap
        within = (f"within {percent_up(gap)} of" if gap is not None and known_gap(gap)
                  else "an unknown distance from")
        lines.append(f"  ({listed(cheaper)} {'costs' if len(cheaper) == 1 else 'cost'} "
                     f"less than the plan written, which was searched only to {within} the "
                     f"cheapest: {fix} settles which is cheapest)")
    return lines


def time_limit_warning(s: Summary) -> str:
    """The last line `estate plan` says of a plan the time limit stopped short of proof
    (its gap when one is known); "" for any other."""
    if s.status != Status.TIME_LIMIT:
        return ""
    known = (f" (its cost within {percent_up(s.mip_gap)} of the lowest possible)"
             if known_gap(s.mip_gap) else "")
    return ("WARNING: the time limit stopped the solver; this plan is NOT proven optimal"
            f"{known}.")

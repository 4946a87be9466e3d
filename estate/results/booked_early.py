"""What an unscheduled dated plan's NPV saving counts that no programme of it can
realise: the snapshot prices each change from the soonest any programme could make it,
a bound where the plan's own choices (its centres' partners, its teams' destinations)
make it wait longer. Each is a warning with its amount, beside the plan."""

from __future__ import annotations

from estate.errors import Problem, ProblemKind, first_few
from estate.model.build import EstateModel
from estate.model.costs import closing_booked_early, pooling_booked_early
from estate.prepare import Prepared
from estate.results.amounts import money
from estate.results.state import State

BOOKED_EARLY = "a dated saving no programme falls short of"
"""What these warnings expect: the board pack finds them by it, to set them on its first
page beside the saving they qualify."""
SCHEDULE_IT = "; schedule it (--programme, or a [programme] table) for the dated saving"
"""How each warning ends on the terminal; the pages say it in a reader's (`reader_words`)."""


def reader_words(found: str) -> str:
    """A BOOKED_EARLY warning said on a page (the board pack, the map): a sentence that
    ends with what a dated programme gives, not with the command that makes one."""
    said = found.removesuffix(SCHEDULE_IT)
    return (said[:1].upper() + said[1:]
            + "; a dated programme of the plan gives the saving it can realise.")


def booked_early(prep: Prepared, model: EstateModel, after: State) -> list[Problem]:
    """Warnings when an unscheduled dated plan's NPV saving counts what no programme of
    it can realise, each with its amount: pooling before its own centres could have
    min_agencies agencies (`pooling_booked_early`: the snapshot prices each centre from
    the soonest any agency could join it, and this plan pools there with agencies that
    come later), and closings before the teams could sit where the plan puts them
    (`closing_booked_early`: the snapshot prices each closing from when its teams may
    leave, and this plan moves them to a site that opens later, or covers the site's
    zones in its place from one)."""
    sc = prep.scenario
    early = []
    if len(model.pool):
        amount, at = pooling_booked_early(prep, model.pool,
                                          after.pooled[model.pool["pair"].to_numpy()])
        early.append((amount, f"of pooling at {_sites_said(prep, at)} before "
                      f"{sc.min_agencies} of the agencies this plan pools there could be "
                      "there (sharing.min_agencies; the plan is priced from the soonest any "
                      "agency could join)"))
    amount, for_teams, for_zones = closing_booked_early(prep, after.share, after.open)
    waits = ([f"{_sites_said(prep, for_teams)} before the teams housed there could sit "
              "where the plan moves them"] if for_teams else []) + (
        [f"{_sites_said(prep, for_zones)} before the sites that cover "
         f"{'its' if len(for_zones) == 1 else 'their'} zones in "
         f"{'its' if len(for_zones) == 1 else 'their'} place are open"]
        if for_zones else [])
    early.append((amount, f"of closing {', and '.join(waits)} (a site that opens later, "
                  "such as a candidate's build_years; the plan is priced from when the "
                  "teams may leave)"))
    label = str(sc.path) if sc.path else sc.name
    out = []
    for amount, what in early:
        if amount < 0.5:
            continue
        said = f"the NPV saving counts {money(amount)} {what}{SCHEDULE_IT}"
        out.append(Problem(label, None, "programme", BOOKED_EARLY, said, severity="warning",
                           label="key", sentence=said, kind=ProblemKind.BOOKED_EARLY))
    return out


def _sites_said(prep: Prepared, at: list[int]) -> str:
    """Sites by id, the first five and how many more."""
    return first_few([str(prep.sites.at[s, "site_id"]) for s in at[:5]], 5, len(at))

"""What an unscheduled dated plan's snapshot books that no programme of it can realise:
the snapshot prices each change from the soonest any programme could make it, a bound
where the plan's own choices (its centres' partners, its teams' destinations) make it
wait longer. The plan's NPV saving is net of it (DESIGN 9: the reported NPV must not
count savings no programme can realise), each agency's of its part; a warning says
each amount, beside the plan."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from estate.errors import Problem, ProblemKind, first_few
from estate.model.build import EstateModel
from estate.model.costs import closing_booked_early, pooling_booked_early
from estate.prepare import Prepared
from estate.results.amounts import money
from estate.results.state import State

BOOKED_EARLY = "a dated saving no programme falls short of"
"""What these warnings expect: the board pack finds them by it, to set them on its first
page beside the saving they qualify."""
SCHEDULE_IT = ("; a programme (--programme, or a [programme] table) says the year of each "
               "change, within yearly limits, and may choose another plan that realises more "
               "(this one is the cheapest as the snapshot prices it)")
"""How each warning ends on the terminal; the pages say it in a reader's (`reader_words`).
The plan was chosen by the snapshot's prices, waits and all, so one that waits less may
realise more: dating plan and programme together settles it (docs/programme.md)."""


def reader_words(found: str) -> str:
    """A BOOKED_EARLY warning said on a page (the board pack, the map): a sentence that
    ends with what a dated programme gives, not with the command that makes one."""
    said = found.removesuffix(SCHEDULE_IT)
    return (said[:1].upper() + said[1:]
            + "; a dated programme of the plan says in which year each change can happen, "
            "and may choose another plan that realises more.")


@dataclass(frozen=True)
class BookedEarly:
    """What an unscheduled dated plan's snapshot books that no programme of it can
    realise: the amount each agency bears (`by_agency`, which the plan's NPV saving is
    net of) and a warning for each kind of wait, with its amount."""

    by_agency: pd.Series
    warnings: list[Problem]

    @property
    def total(self) -> float:
        return float(self.by_agency.sum())


def booked_early_words(booked: float) -> str:
    """What a dated plan's NPV saving leaves out of the snapshot's (`booked_early_npv`),
    or, below nought, adds to it: the plan's own changes dated at least cost."""
    if booked >= 0:
        return (f"the NPV saving leaves out {money(booked)} that the snapshot counts before "
                "the plan's changes can be made (the warnings above say where)")
    return (f"the NPV saving is {money(-booked)} above the snapshot's: dated at least cost, "
            "the plan's changes cost that much less than it prices them (a new site opened, "
            "or a move or a set-up paid, later than it could be)")


def booked_early(prep: Prepared, model: EstateModel, after: State, users: pd.Series
                 ) -> BookedEarly:
    """What an unscheduled dated plan's snapshot books before its own centres or teams
    could make it: pooling before its own centres could have min_agencies agencies
    (`pooling_booked_early`: the snapshot prices each centre from the soonest any
    agency could join it, and this plan pools there with agencies that come later),
    and closings before the teams could sit where the plan puts them
    (`closing_booked_early`: the snapshot prices each closing from when its teams may
    leave, and this plan moves them to a site that opens later, or covers the site's
    zones in its place from one). Pooling waited for is the team's agency's; a closed
    site's running cost in the years waited is its users' today (`users`, each
    agency's share of its desks, indexed (s, g)), as its running cost is; the rest
    (rent, surrender, sale, closure moved) is its owner's, as in `lease_cost_npv`."""
    sc = prep.scenario
    early, parts = [], []
    if len(model.pool):
        by_column, at = pooling_booked_early(prep, model.pool,
                                             after.pooled[model.pool["pair"].to_numpy()])
        teams = prep.pairs["f"].to_numpy()[model.pool["pair"].to_numpy()]
        parts.append(pd.Series(by_column, index=prep.functions["agency_id"].to_numpy(
            object)[teams]))
        early.append((float(by_column.sum()),
                      f"of pooling at {_sites_said(prep, at)} before {sc.min_agencies} of "
                      "the agencies this plan pools there could be there "
                      "(sharing.min_agencies; the snapshot prices each centre from the "
                      "soonest any agency could join)"))
    closings = closing_booked_early(prep, after.share, after.open)
    owner = prep.sites["agency_id"].to_numpy(object)
    s_idx = users.index.get_level_values("s").to_numpy()
    used = np.isin(np.arange(len(owner)), s_idx)
    parts += [pd.Series(closings.running[s_idx] * users.to_numpy(),
                        index=users.index.get_level_values("g")),
              pd.Series(closings.leaving + np.where(used, 0.0, closings.running),
                        index=owner)]
    waits = ([f"{_sites_said(prep, closings.for_teams)} before the teams housed there "
              "could sit where the plan moves them"] if closings.for_teams else []) + (
        [f"{_sites_said(prep, closings.for_zones)} before the sites that cover "
         f"{'its' if len(closings.for_zones) == 1 else 'their'} zones in "
         f"{'its' if len(closings.for_zones) == 1 else 'their'} place are open"]
        if closings.for_zones else [])
    early.append((closings.amount, f"of closing {', and '.join(waits)} (a site that "
                  "opens later, such as a candidate's build_years; the snapshot prices "
                  "each closing from when the teams may leave)"))
    label = str(sc.path) if sc.path else sc.name
    out = []
    for amount, what in early:
        if amount < 0.5:
            continue
        said = f"the NPV saving leaves out {money(amount)} {what}{SCHEDULE_IT}"
        out.append(Problem(label, None, "programme", BOOKED_EARLY, said, severity="warning",
                           label="key", sentence=said, kind=ProblemKind.BOOKED_EARLY))
    by_agency = (pd.concat(parts).groupby(level=0).sum() if parts
                 else pd.Series(dtype=float))
    return BookedEarly(by_agency, out)


def _sites_said(prep: Prepared, at: list[int]) -> str:
    """Sites by id, the first five and how many more."""
    return first_few([str(prep.sites.at[s, "site_id"]) for s in at[:5]], 5, len(at))

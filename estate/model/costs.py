"""The cost of every column: a year of running, once-off spend, and what timing adds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from estate.model.parts import Parts
from estate.prepare import Prepared
from estate.timing import Calendar


@dataclass(frozen=True)
class Costs:
    """Per-column cost coefficients, pounds: `annual` a year, `one_off` once, `timing` the
    NPV that timing adds to closing a site (zero without a start date), plus the
    constants of the exit terms (the net exit cost of every existing site) and of
    timing."""

    annual: np.ndarray
    one_off: np.ndarray
    one_off_constant: float
    timing: np.ndarray
    timing_constant: float

    def objective(self, annuity: float) -> np.ndarray:
        """c = A annual + one_off + timing: each column's NPV of cost over the horizon."""
        return annuity * self.annual + self.one_off + self.timing


def cost_coefficients(p: Parts, n_columns: int) -> Costs:
    """one_off = sum_s [build_s open[s] + exit_s (1 - open[s])]
    + sum_{(f,s) a move} cost_per_fte fte_f assign[f,s] + sum_{k,s} setup_k shared[k,s];
    annual = sum_s running_s open[s] + sum_{f,s} (annual_f + pair_cost_fs) assign[f,s]
    - sum_{f,s} eff_f annual_f pooled[f,s].

    exit_s = closure_cost - disposal_value + surrender_s for an existing site, build_s its
    build cost for a new one; a move is a team with a home today placed elsewhere.
    surrender_s is what closing s in tau_s pays to surrender its lease when the plan
    buys it, as cheaper than the rent still owed (`surrender_bought`; 0 without a start
    date): one-off spending, so in the one-off cap and the one-off cost as the
    programme's closing year pays it. The exit terms split into the constant
    sum_s exit_s and -exit_s on open[s].

    With a start date, closing s costs what closing it in tau_s, the first year any
    programme can close it, costs beyond exit_s (`estate.timing`):
    lease_s = running_s sum_{t<tau_s} d_t + closure(tau_s) - receipt(tau_s + lag)
    + L[s,tau_s] - exit_s: the running cost until its teams may leave (tau_s is the
    latest earliest year of the teams housed there today; 1 for most sites), the rent
    still owed after (or the surrender), and the value lost by waiting for the sale. A
    site no programme can close within the horizon saves nothing by closing: lease_s =
    A running_s - exit_s. It enters the objective as sum_s lease_s (1 - open[s]), never
    the one-off cap (the surrender within L[s,tau_s] is there through exit_s instead).
    Unless the plan is to be scheduled, each team's own wait is priced on its `assign`,
    `pooled` and `shared` columns too (`savings_waited`), and a candidate's running cost
    counts from the year it opens: -running_s sum_{t<b_s} d_t on open[s], b_s its
    build_years (`opening_wait`).
    """
    prep, sc = p.prep, p.prep.scenario
    sites, functions, pairs, pool = prep.sites, prep.functions, prep.pairs, p.pooling.pool
    pf = pairs["f"].to_numpy()
    net_exit = np.where(prep.existing, sites["closure_cost"].to_numpy(float)
                        - sites["disposal_value"].to_numpy(float), 0.0) + surrender_bought(prep)
    build_cost = np.where(prep.existing, 0.0, sites["build_cost"].to_numpy(float))
    annual_f = functions["annual_cost"].to_numpy(float)
    fte = functions["fte"].to_numpy(float)
    moved = (prep.home[pf] >= 0) & ~pairs["home"].to_numpy(bool)
    centres = p.pooling.centres
    one_off = np.zeros(n_columns)
    one_off[p.open] = build_cost - net_exit
    one_off[p.assign] = np.where(moved, sc.cost_per_fte * fte[pf], 0.0)
    one_off[p.shared] = centres["k"].map(sc.setup_cost).to_numpy(float) if len(centres) else 0.0
    annual = np.zeros(n_columns)
    annual[p.open] = sites["running_cost"].to_numpy(float)
    annual[p.assign] = annual_f[pf] + pairs["pair_cost"].to_numpy(float)
    qf = pool["f"].to_numpy()
    annual[p.pooled] = -prep.efficiency[qf] * annual_f[qf]
    lease_extra = _lease_extra(prep, net_exit)
    timing = np.zeros(n_columns)
    timing[p.open] = -lease_extra - opening_wait(prep)
    waits = savings_waited(prep, pool, centres)
    timing[p.assign] = waits.move
    timing[p.pooled] = waits.pooled[pool["pair"].to_numpy()] if len(pool) else 0.0
    timing[p.shared] = one_off[p.shared] * waits.setup_factor
    return Costs(annual, one_off, float(net_exit.sum()), timing, float(lease_extra.sum()))


@dataclass(frozen=True)
class Waits:
    """What the years before a change may happen take from the snapshot's year-1
    figures (`savings_waited`): NPV per eligible pair placed (`move`) and pooled
    (`pooled`), and per centre the factor d_start[c] - 1 its set-up cost is deferred by
    (`setup_factor`)."""

    move: np.ndarray
    pooled: np.ndarray
    setup_factor: np.ndarray


def savings_waited(prep: Prepared, pool: pd.DataFrame, centres: pd.DataFrame) -> Waits:
    """The snapshot priced as the programme that makes each change in the first year
    any programme may (DESIGN 9); zeros without a start date.

    A team sits at s from e_fs = max(its earliest year, the year s opens: build_years
    for a candidate), 1 at its home. Before e_fs it sits at home, so its pair cost there
    is still paid, and its move is paid in year e_fs: move_fs = (pair_cost_f,home -
    pair_cost_fs) sum_{t<e_fs} d_t + relocation_fs (d_start[e_fs] - 1) for a team
    housed today. It pools at s from max(e_fs, c_ks), c_ks the first year the centre
    could have min_agencies agencies: the min_agencies-th smallest, over the agencies
    that may pool type k at s, of the earliest of their teams' e_fs; so pooled_fs =
    eff_f annual_f sum_{t<max(e_fs, c_ks)} d_t; and the centre is set up in year c_ks.
    Without these the snapshot books from year 1 pooling and pair savings that no
    programme can make.

    Zeros too when the plan is to be scheduled (`[programme]` or `--programme`): the
    dated programme's NPV then leads and the snapshot is the plan "if every change were
    made in year 1", because pricing these waits makes the demo's programme scenario
    five times slower to prove and gives it no better programme (benchmarks/README.md,
    "The dated programme")."""
    pairs, n = prep.pairs, len(prep.pairs)
    if prep.calendar is None or prep.scenario.programme is not None or not n:
        return Waits(np.zeros(n), np.zeros(n), np.zeros(len(centres)))
    h = prep.calendar.horizon
    waited, d_start = _waited(prep.calendar), prep.calendar.d_start
    pf = pairs["f"].to_numpy()
    at_home = pairs["home"].to_numpy(bool)
    first = sitting_years(prep)
    pair_cost = pairs["pair_cost"].to_numpy(float)
    home_cost = np.zeros(len(prep.functions))
    home_cost[pf[at_home]] = pair_cost[at_home]
    moved = (prep.home[pf] >= 0) & ~at_home
    relocation = prep.scenario.cost_per_fte * prep.functions["fte"].to_numpy(float)[pf]
    move = np.where(moved, (home_cost[pf] - pair_cost) * waited[first - 1]
                    + relocation * (d_start[first] - 1), 0.0)
    pooled, setup_factor = np.zeros(n), np.zeros(len(centres))
    if len(pool):
        q = pool["pair"].to_numpy()
        start = centre_years(prep, pool, first, h)
        c = pool[["k", "s"]].merge(start, left_on=["k", "s"], right_index=True, how="left")["c"]
        begins = np.maximum(first[q], c.to_numpy(int))
        qf = pf[q]
        eff = prep.efficiency[qf] * prep.functions["annual_cost"].to_numpy(float)[qf]
        pooled[q] = eff * waited[begins - 1]
        opened = centres.merge(start, left_on=["k", "s"], right_index=True, how="left")["c"]
        setup_factor = d_start[opened.fillna(1).to_numpy(int)] - 1
    return Waits(move, pooled, setup_factor)


def opening_years(prep: Prepared) -> np.ndarray:
    """Per site: the first year it could be open, 1 for a site open today, build_years
    for a candidate decided in year 1."""
    by = prep.sites["build_years"].to_numpy(float).astype(int)
    return np.where(prep.existing, 1, np.maximum(by, 1))


def kept_too_late(prep: Prepared) -> np.ndarray:
    """The candidates the policy keeps (policy.keep, must_keep) that open after the
    horizon (positions, `opening_years`): every plan builds them and no dated programme
    opens them (`estate.prepare` warns of each at its row)."""
    if prep.calendar is None:
        return np.zeros(0, dtype=int)
    return np.flatnonzero(~prep.existing & prep.forced_open & ~prep.forced_closed
                          & (opening_years(prep) > prep.calendar.horizon))


def sitting_years(prep: Prepared) -> np.ndarray:
    """Per eligible pair (f, s): the first year its team could sit there, 1 at its home,
    else the later of its earliest year and the year s opens (build_years for a
    candidate decided in year 1); H + 1 where that is past the horizon: a team with no
    site today whose earliest_move is after it (it keeps its pairs, `allowed_by_dates`),
    a candidate the policy keeps that opens after it. The snapshot's waits
    (`savings_waited`) and the years from which the rules broken today hold
    (`estate.programme.today.grace_of`, which also never pools a team at a site the
    policy closes) both read it."""
    assert prep.calendar is not None
    pairs = prep.pairs
    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()
    opens = opening_years(prep)
    first = np.where(pairs["home"].to_numpy(bool), 1,
                     np.maximum(prep.earliest_years[pf], opens[ps]))
    return np.minimum(first, prep.calendar.horizon + 1)


def pooling_booked_early(prep: Prepared, pool: pd.DataFrame, pooled: np.ndarray
                         ) -> tuple[np.ndarray, list[int]]:
    """For a plan not scheduled, whose snapshot prices each centre's first year as the
    soonest over every agency that could pool there (`savings_waited`): per pooled
    column, the NPV of the pooling it books before its own pooling agencies could reach
    min_agencies there (the team's agency's), and the sites of those centres. `pooled`
    is each pooled column's share in the plan. Zeros and [] without a start date or
    when the plan is scheduled."""
    if prep.calendar is None or prep.scenario.programme is not None or not len(pool):
        return np.zeros(len(pool)), []
    h, waited = prep.calendar.horizon, _waited(prep.calendar)
    first = sitting_years(prep)
    on = pooled > 1e-6
    keys = pool[["k", "s"]]
    priced = keys.merge(centre_years(prep, pool, first, h), left_on=["k", "s"],
                        right_index=True, how="left")["c"].to_numpy(int)
    own = keys.merge(centre_years(prep, pool[on], first, h), left_on=["k", "s"],
                     right_index=True, how="left")["c"].fillna(h + 1).to_numpy(int)
    q = pool["pair"].to_numpy()
    qf = prep.pairs["f"].to_numpy()[q]
    yearly = prep.efficiency[qf] * prep.functions["annual_cost"].to_numpy(float)[qf]
    early = pooled * yearly * (waited[np.maximum(first[q], own) - 1]
                               - waited[np.maximum(first[q], priced) - 1])
    late = on & (own > priced)
    return (np.where(late, early, 0.0),
            sorted({int(x) for x in pool["s"].to_numpy()[late]}))


@dataclass(frozen=True)
class ClosingsBookedEarly:
    """Per site, what an unscheduled plan's snapshot books of closing it before any
    programme of the plan can (`closing_booked_early`), in two parts because two
    different agencies bear them: `running`, its running cost in the years waited (its
    users' today, as the running cost is), and `leaving`, the rent owed or surrender,
    sale and closure moved by the wait (its owner's). `for_teams` are the sites held
    for the teams' new desks, `for_zones` those held further for the zones they cover."""

    running: np.ndarray
    leaving: np.ndarray
    for_teams: list[int]
    for_zones: list[int]

    @property
    def amount(self) -> float:
        return float(self.running.sum() + self.leaving.sum())


def closing_booked_early(prep: Prepared, share: np.ndarray, open_after: np.ndarray
                         ) -> ClosingsBookedEarly:
    """For a plan not scheduled, whose snapshot prices each site's closing in the first
    year its own teams may leave (`Prepared.closing_years`), wherever they go: the NPV
    it books of closing the sites this plan closes before the teams could sit where the
    plan puts them (a hub still being built, `sitting_years`) or before the sites that
    cover its zones in its place are open (`coverage_waits`), and those sites, each
    wait apart. The closing year of site s becomes tau'_s = the later of tau_s and the
    first year of a pair the plan gives a team housed at s today, held later still
    where a zone needs it (`coverage_waits`), and its price, running cost until then
    (`closing_wait`), rent owed or surrender, closure and sale from then, is compared.
    `share` is each pair's share in the plan, `open_after` each site's. Zeros without
    a start date or when the plan is scheduled."""
    n = len(prep.sites)
    if prep.calendar is None or prep.exits is None or prep.scenario.programme is not None:
        return ClosingsBookedEarly(np.zeros(n), np.zeros(n), [], [])
    h, waited, e = prep.calendar.horizon, _waited(prep.calendar), prep.exits
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    home = prep.home[pf]
    away = (share > 1e-6) & (ps != home) & (home >= 0)
    tau = np.minimum(prep.closing_years, h + 1)
    teams = tau.copy()
    np.maximum.at(teams, home[away], sitting_years(prep)[away])
    closing = prep.existing & ~open_after.astype(bool)
    running = prep.sites["running_cost"].to_numpy(float)

    def leaving(rows: np.ndarray, years: np.ndarray) -> np.ndarray:
        """The NPV of leaving each site of `rows` in its year of `years` (H + 1: never):
        rent owed or surrender, closure, less the sale."""
        within = np.minimum(years, h)
        return np.where(years <= h, e.closure[rows, within] - e.receipt[rows, within]
                        + e.leave[rows, within], 0.0)

    def price(rows: np.ndarray, years: np.ndarray) -> np.ndarray:
        """The NPV of closing each site of `rows` in its year of `years` (H + 1: never)."""
        return running[rows] * waited[years - 1] + leaving(rows, years)

    own = coverage_waits(prep, open_after, teams, lambda site, year: float(
        price(np.array([site]), np.array([year]))[0]))
    every = np.arange(n)
    late = closing & (own > tau)
    return ClosingsBookedEarly(
        np.where(late, running * (waited[own - 1] - waited[tau - 1]), 0.0),
        np.where(late, leaving(every, own) - leaving(every, tau), 0.0),
        [int(x) for x in np.flatnonzero(closing & (teams > tau))],
        [int(x) for x in np.flatnonzero(closing & (own > teams))])


def coverage_waits(prep: Prepared, open_after: np.ndarray, closes: np.ndarray,
                   price_of: Callable[[int, int], float]) -> np.ndarray:
    """Per site, its closing year (`closes`, H + 1 for never) held later where an `all`
    or `maintain` rule needs it: a zone the plan's sites cover only from a later year
    (a hub still being built; `opening_years`) keeps one of the sites closing around it
    open until then, as a programme must (docs/programme.md, section 2). One is enough,
    and the sites held are those whose waits cost least together (`least_waits`):
    where zones share their closing sites, one site held for the longest wait may spare
    holding two for shorter ones."""
    assert prep.calendar is not None
    h = prep.calendar.horizon
    kept, opens, existing = open_after.astype(bool), opening_years(prep), prep.existing
    waits: list[tuple[int, np.ndarray]] = []  # (year a zone is covered from, its closing sites)
    for cov in prep.coverage:
        if cov.rule.mode not in ("all", "maintain"):
            continue
        held = cov.scope[cov.zone]
        soonest = np.full(len(prep.zones), h + 1)
        by_kept = held & kept[cov.site]
        np.minimum.at(soonest, cov.zone[by_kept], opens[cov.site[by_kept]])
        leaving = held & ~kept[cov.site] & existing[cov.site]
        for z in np.unique(cov.zone[leaving]):
            if soonest[z] > 1:
                waits.append((int(soonest[z]), cov.site[leaving & (cov.zone == z)]))
    return least_waits(np.minimum(closes, h + 1).astype(int), waits, price_of)


def least_waits(closes: np.ndarray, waits: list[tuple[int, np.ndarray]],
                price_of: Callable[[int, int], float]) -> np.ndarray:
    """Per site, its closing year (`closes`) held to a wait's year where that is what
    costs least over all the waits together. Each wait (y_z, S_z) asks one of its sites
    S_z to close no sooner than y_z. With x[s, y] = 1 when site s closes in year y, y one
    of Y_s = {closes[s]} and the later years of the waits s is in,

        minimise   sum_s sum_{y in Y_s} max(0, price_of(s, y) - price_of(s, closes[s])) x[s, y]
        such that  sum_{y in Y_s} x[s, y] = 1                             for each site s
                   sum_{s in S_z} sum_{y in Y_s, y >= y_z} x[s, y] >= 1   for each wait z

    a set cover with a year per site, small (the sites around zones still waiting for
    their cover), solved exactly by HiGHS through SciPy. A wait that costs nothing (a
    lease's break that year) is free, not a gain to seek: a site so held that no wait
    then needs is let go, so only sites a wait needs are held. A site is held to a
    wait's year, no later: that a break could make a later year cheaper still is left to
    the dated programme, as the snapshot's own closing year is (docs/programme.md)."""
    out = closes.copy()
    open_waits = [(y, sites) for y, sites in waits if not (out[sites] >= y).any()]
    if not open_waits:
        return out
    # each wait's sites, one entry each: the wait (z), the site (s), the wait's year (y)
    entry_z = np.repeat(np.arange(len(open_waits)), [len(sites) for _, sites in open_waits])
    entry = pd.DataFrame({"z": entry_z, "s": np.concatenate([s for _, s in open_waits]),
                          "y": np.array([y for y, _ in open_waits])[entry_z]})
    held = np.unique(entry["s"].to_numpy())
    later = entry[entry["y"].to_numpy() > out[entry["s"].to_numpy()]]
    columns = pd.concat([pd.DataFrame({"s": held, "year": out[held]}),
                         later[["s", "y"]].rename(columns={"y": "year"})]) \
        .drop_duplicates().sort_values(["s", "year"]).reset_index(drop=True)
    site_of, year_of = columns["s"].to_numpy(), columns["year"].to_numpy()
    cost = np.array([max(price_of(int(s), int(y)) - price_of(int(s), int(out[s])), 0.0)
                     for s, y in zip(site_of, year_of, strict=True)])
    one_year = sp.csr_array((np.ones(len(columns)), (np.searchsorted(held, site_of),
                                                     np.arange(len(columns)))),
                            shape=(len(held), len(columns)))
    meets = entry.merge(columns.reset_index(), on="s")
    meets = meets[meets["year"].to_numpy() >= meets["y"].to_numpy()]
    cover = sp.csr_array((np.ones(len(meets)), (meets["z"].to_numpy(),
                                                meets["index"].to_numpy())),
                         shape=(len(open_waits), len(columns)))
    found = milp(cost, integrality=np.ones(len(columns)), bounds=Bounds(0, 1),
                 constraints=[LinearConstraint(one_year, 1, 1),
                              LinearConstraint(cover, 1, np.inf)],
                 options={"mip_rel_gap": 0.0})
    if found.x is None:  # each wait can hold any of its sites: never infeasible
        raise RuntimeError(f"the closing waits were not solved: {found.message}")
    chosen = found.x > 0.5
    out[site_of[chosen]] = year_of[chosen]

    def all_met() -> bool:
        met = out[entry["s"].to_numpy()] >= entry["y"].to_numpy()
        return bool((np.bincount(entry_z, met, len(open_waits)) > 0).all())

    for s in np.flatnonzero(out != closes):  # held at no cost where another meets its
        year, out[s] = out[s], closes[s]     # waits: not held
        if not all_met():
            out[s] = year
    return out


def centre_years(prep: Prepared, pool: pd.DataFrame, first: np.ndarray, horizon: int
                 ) -> pd.Series:
    """Per centre (k, s) with pooled columns: the first year it could have min_agencies
    agencies pooling, the min_agencies-th soonest over the agencies that may pool type k
    at s of their teams' soonest year there (`first`, per eligible pair); H + 1 when
    fewer agencies may pool there. A bound: a plan that pools there fewer of those
    agencies may have to wait longer."""
    frame = pd.DataFrame({"k": pool["k"].to_numpy(), "s": pool["s"].to_numpy(),
                          "g": pool["g"].to_numpy(), "e": first[pool["pair"].to_numpy()]})
    soonest = frame.groupby(["k", "s", "g"], sort=False)["e"].min().reset_index()
    m = prep.scenario.min_agencies
    return soonest.groupby(["k", "s"], sort=False)["e"].agg(
        lambda e: np.sort(e.to_numpy())[m - 1] if len(e) >= m else horizon + 1).rename("c")


def _waited(calendar: Calendar) -> np.ndarray:
    """Index k (0..H): sum_{t<=k} d_t, the NPV of £1 a year over years 1..k."""
    h = calendar.horizon
    return np.concatenate([[0.0], np.cumsum(calendar.d_end[1:h + 1])])


def _lease_extra(prep: Prepared, net_exit: np.ndarray) -> np.ndarray:
    """Per site: NPV of closing it in its earliest closing year beyond its one-off exit
    cost (0 without a start date, and for candidates)."""
    if prep.exits is None or prep.calendar is None:
        return np.zeros(len(prep.sites))
    e, h = prep.exits, prep.calendar.horizon
    tau = prep.closing_years
    rows, within = np.arange(len(prep.sites)), np.minimum(tau, h)
    leaving = np.where(tau <= h, e.closure[rows, within] - e.receipt[rows, within]
                       + e.leave[rows, within], 0.0)
    return np.where(prep.existing, closing_wait(prep) + leaving - net_exit, 0.0)


def surrender_bought(prep: Prepared) -> np.ndarray:
    """Per site: the surrender (undiscounted, pounds) closing it in tau_s, its earliest
    closing year, pays, where surrendering the lease is cheaper than the rent still owed
    (`estate.timing.ExitTerms.surrender_paid`); 0 for candidates, sites no programme can
    close within the horizon, and without a start date."""
    if prep.exits is None or prep.calendar is None:
        return np.zeros(len(prep.sites))
    tau = np.minimum(prep.closing_years, prep.calendar.horizon + 1)
    paid = prep.exits.surrender_paid[np.arange(len(prep.sites)), tau]
    return np.where(prep.existing, paid, 0.0)


def opening_wait(prep: Prepared) -> np.ndarray:
    """Per candidate: the NPV of the running cost it does not pay in the years before it
    opens, running_s sum_{t<b_s} d_t, b_s its build_years (a candidate decided in year 1
    opens in year b_s; all H years when that is past the horizon). Zeros for existing
    sites, without a start date, and when the plan is to be scheduled (the snapshot is
    then the plan "if every change were made in year 1", as `savings_waited` says)."""
    if prep.calendar is None or prep.scenario.programme is not None:
        return np.zeros(len(prep.sites))
    h = prep.calendar.horizon
    opens = np.minimum(prep.sites["build_years"].to_numpy(float), h + 1).astype(int)
    running = prep.sites["running_cost"].to_numpy(float)
    return np.where(prep.existing, 0.0, running * _waited(prep.calendar)[opens - 1])


def closing_wait(prep: Prepared) -> np.ndarray:
    """Per existing site: the NPV of its running cost in the years before it can close,
    running_s sum_{t<tau_s} d_t (all H years for a site no programme can close); 0 for
    most sites, and without a start date."""
    if prep.calendar is None:
        return np.zeros(len(prep.sites))
    h = prep.calendar.horizon
    waited = _waited(prep.calendar)
    tau = prep.closing_years
    running = prep.sites["running_cost"].to_numpy(float)
    return np.where(prep.existing, running * waited[np.minimum(tau, h + 1) - 1], 0.0)

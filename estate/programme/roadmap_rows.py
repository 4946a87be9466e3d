"""The roadmap's rows and costs, one step per rule of `estate.programme.roadmap`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from estate.load.scenario import ProgrammeLimits
from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.programme.changes import Changes, home_pairs, pooling_rate, running_change
from estate.programme.today import Grace


@dataclass
class Rows:
    """Rows collected as triplets: lb <= sum coef x[col] <= ub."""

    rows: list[int]
    cols: list[int]
    coefs: list[float]
    lb: list[float]
    ub: list[float]

    @classmethod
    def empty(cls) -> Rows:
        return cls([], [], [], [], [])

    def add(self, terms: list[tuple[int, float]], lb: float, ub: float) -> None:
        r = len(self.lb)
        for col, coef in terms:
            self.rows.append(r)
            self.cols.append(col)
            self.coefs.append(coef)
        self.lb.append(lb)
        self.ub.append(ub)


@dataclass(frozen=True)
class Layout:
    """Column numbers: z[i,t] is i*H + t - 1; w[j,t] follows, j over pool pairs; then
    u[k,t], k over the (centre, agency) groups of `counts` (binary: the agency counts
    towards the centre in year t); then v[f,t], f over the split teams of `teams`
    (binary: the team moves in year t)."""

    changes: int
    horizon: int
    pool_pairs: np.ndarray  # rows of model.pool with a pooled share in the end state
    counts: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (centre change, its js)
    teams: tuple[tuple[int, ...], ...] = ()  # per split team: its move changes

    def z(self, i: int, t: int) -> int:
        return i * self.horizon + t - 1

    def w(self, j: int, t: int) -> int:
        return self.changes * self.horizon + j * self.horizon + t - 1

    def u(self, k: int, t: int) -> int:
        return (self.changes + len(self.pool_pairs) + k) * self.horizon + t - 1

    def v(self, f: int, t: int) -> int:
        return (self.changes + len(self.pool_pairs) + len(self.counts) + f) * self.horizon \
            + t - 1

    @property
    def size(self) -> int:
        return (self.changes + len(self.pool_pairs) + len(self.counts)
                + len(self.teams)) * self.horizon

    def cumulative(self, i: int, t: int, coef: float = 1.0) -> list[tuple[int, float]]:
        """Z[i,t] = sum_{u<=t} z[i,u] as terms (none when t < 1)."""
        return [(self.z(i, u), coef) for u in range(1, min(t, self.horizon) + 1)]


def build_rows(prep: Prepared, model: EstateModel, changes: Changes,
               limits: ProgrammeLimits, layout: Layout, grace: Grace
               ) -> tuple[Rows, np.ndarray]:
    """Every row of the roadmap, and the columns' upper bounds (earliest years); `grace`
    is the programme's `estate.programme.today.grace_of`."""
    rows = Rows.empty()
    col_ub = np.ones(layout.size)
    add_once(rows, changes, layout)
    add_earliest(col_ub, prep, changes, layout)
    opening = _opening(prep, changes, layout)
    add_one_year(rows, layout)
    add_open_first(rows, changes, layout, opening)
    add_empty_first(rows, prep, changes, layout)
    add_pooling(rows, model, changes, layout, col_ub)
    add_agency_counts(rows, prep, layout)
    add_capacity(rows, prep, model, changes, layout, opening, grace)
    add_coverage(rows, prep, changes, layout, opening, grace)
    add_limits(rows, prep, changes, limits, layout)
    add_total_one_off(rows, prep, changes, layout)
    return rows, col_ub


def add_once(rows: Rows, changes: Changes, layout: Layout) -> None:
    """(1) sum_t z[i,t] <= 1, = 1 for a required change (policy, an unhoused team)."""
    required = changes.table["required"].to_numpy(bool)
    for i in range(layout.changes):
        rows.add(layout.cumulative(i, layout.horizon), 1.0 if required[i] else -np.inf, 1.0)


def split_teams(prep: Prepared, changes: Changes) -> tuple[tuple[int, ...], ...]:
    """Per team with a site today whose end state moves it in two or more shares (split):
    its move changes, which (1b) ties to one year."""
    moves: dict[int, list[int]] = {}
    for i in changes.of("move"):
        f = int(changes.table.at[i, "team"])
        if prep.home[f] >= 0:
            moves.setdefault(f, []).append(int(i))
    return tuple(tuple(ms) for ms in moves.values() if len(ms) > 1)


def add_one_year(rows: Rows, layout: Layout) -> None:
    """(1b) a team moves in one year: z[m,t] <= v[f,t] for each move m of split team f,
    sum_t v[f,t] <= 1; the shares that move all move in that year (a share may be left
    out, and stays at home, as any change may)."""
    for f, moves in enumerate(layout.teams):
        for t in range(1, layout.horizon + 1):
            for m in moves:
                rows.add([(layout.z(m, t), 1.0), (layout.v(f, t), -1.0)], -np.inf, 0.0)
        rows.add([(layout.v(f, t), 1.0) for t in range(1, layout.horizon + 1)], -np.inf, 1.0)


def add_earliest(col_ub: np.ndarray, prep: Prepared, changes: Changes, layout: Layout
                 ) -> None:
    """(2) z[m,t] = 0 before a team's earliest year, and after it for a team with no
    site today (placed in its first year, `estate.programme.rules`); z[b,t] = 0 for a
    build too late to open within the horizon (t > H - build_years + 1): column bounds,
    not rows."""
    for i in changes.of("move"):
        first = int(changes.table.at[i, "earliest"])
        placed = prep.home[int(changes.table.at[i, "team"])] < 0
        for t in range(1, layout.horizon + 1):
            if t < first or (placed and t > first):
                col_ub[layout.z(i, t)] = 0.0
    build_years = prep.sites["build_years"].to_numpy(float).astype(int)
    for i in changes.of("build"):
        last = layout.horizon - build_years[int(changes.table.at[i, "site"])] + 1
        for t in range(max(last + 1, 1), layout.horizon + 1):
            col_ub[layout.z(int(i), t)] = 0.0


def _opening(prep: Prepared, changes: Changes, layout: Layout
             ) -> dict[int, tuple[int, int]]:
    """Per site being built: (its build change, build_years)."""
    build_years = prep.sites["build_years"].to_numpy(float).astype(int)
    return {int(changes.table.at[i, "site"]): (int(i), int(build_years[changes.table.at[i, "site"]]))
            for i in changes.of("build")}


def open_terms(prep: Prepared, changes: Changes, layout: Layout,
               opening: dict[int, tuple[int, int]], closing: dict[int, int], s: int, t: int
               ) -> tuple[float, list[tuple[int, float]]]:
    """open[s,t] as constant + terms: 1 - Z[close] for a closing site, Z[build, t-by+1]
    for a site being built, today's state otherwise."""
    if s in closing:
        return 1.0, layout.cumulative(closing[s], t, -1.0)
    if s in opening:
        b, years = opening[s]
        return 0.0, layout.cumulative(b, t - years + 1)
    return float(prep.existing[s]), []


def add_open_first(rows: Rows, changes: Changes, layout: Layout,
                   opening: dict[int, tuple[int, int]]) -> None:
    """(3) Z[m,t] <= Z[build s, t - build_years + 1] for a move or centre at a new site."""
    for i in np.concatenate([changes.of("move"), changes.of("centre")]):
        s = int(changes.table.at[i, "site"])
        if s not in opening:
            continue
        b, years = opening[s]
        for t in range(1, layout.horizon + 1):
            rows.add(layout.cumulative(int(i), t) + layout.cumulative(b, t - years + 1, -1.0),
                     -np.inf, 0.0)


def add_empty_first(rows: Rows, prep: Prepared, changes: Changes, layout: Layout) -> None:
    """(4) Z[close s,t] <= Z[m,t] for every move m taking a team away from s."""
    closing = {int(changes.table.at[i, "site"]): int(i) for i in changes.of("close")}
    for m in changes.of("move"):
        home = int(prep.home[int(changes.table.at[m, "team"])])
        if home in closing:
            for t in range(1, layout.horizon + 1):
                rows.add(layout.cumulative(closing[home], t)
                         + layout.cumulative(int(m), t, -1.0), -np.inf, 0.0)


def add_pooling(rows: Rows, model: EstateModel, changes: Changes, layout: Layout,
                col_ub: np.ndarray) -> None:
    """(5) w[j,t] <= q_j Z[centre,t] and w[j,t] <= q_j Z[move,t] (moved pairs)."""
    centre_change = {int(changes.table.at[i, "centre"]): int(i) for i in changes.of("centre")}
    move_of_pair = {int(changes.table.at[i, "pair"]): int(i) for i in changes.of("move")}
    for j, row in enumerate(layout.pool_pairs):
        pair, centre = int(model.pool.at[row, "pair"]), int(model.pool.at[row, "centre"])
        q = float(changes.pooled[pair])
        for t in range(1, layout.horizon + 1):
            col_ub[layout.w(j, t)] = q
            for i in (centre_change.get(centre), move_of_pair.get(pair)):
                if i is not None:
                    rows.add([(layout.w(j, t), 1.0), *layout.cumulative(i, t, -q)],
                             -np.inf, 0.0)


def count_groups(model: EstateModel, changes: Changes, pool_pairs: np.ndarray
                 ) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Per centre change and agency pooling there: (the centre's change, the js of its
    pool pairs), the groups whose u[k,t] count towards min_agencies."""
    centre_change = {int(changes.table.at[i, "centre"]): int(i) for i in changes.of("centre")}
    groups: dict[tuple[int, str], list[int]] = {}
    for j, row in enumerate(pool_pairs):
        centre = int(model.pool.at[row, "centre"])
        if centre in centre_change:
            groups.setdefault((centre_change[centre], str(model.pool.at[row, "g"])),
                              []).append(j)
    return tuple((i, tuple(js)) for (i, _), js in groups.items())


def add_agency_counts(rows: Rows, prep: Prepared, layout: Layout) -> None:
    """(5b) u[k,t] <= sum_{j in k} w[j,t];  sum_{k of centre i} u[k,t] >= min_agencies
    Z[i,t]: a centre runs only in years when enough agencies pool a whole team's worth
    there, as the snapshot asks of it (and the joint model of every year)."""
    by_centre: dict[int, list[int]] = {}
    for k, (i, js) in enumerate(layout.counts):
        by_centre.setdefault(i, []).append(k)
        for t in range(1, layout.horizon + 1):
            rows.add([(layout.u(k, t), 1.0), *[(layout.w(j, t), -1.0) for j in js]],
                     -np.inf, 0.0)
    m = float(prep.scenario.min_agencies)
    for i, ks in by_centre.items():
        for t in range(1, layout.horizon + 1):
            rows.add([*[(layout.u(k, t), 1.0) for k in ks], *layout.cumulative(i, t, -m)],
                     0.0, np.inf)


def _closing(changes: Changes) -> dict[int, int]:
    return {int(changes.table.at[i, "site"]): int(i) for i in changes.of("close")}


def _moves_at(prep: Prepared, changes: Changes) -> dict[int, list[tuple[int, int, float, bool]]]:
    """Per site: the moves that change a pair's share there, as (pair, move, share
    moved, is the team's home pair): a move adds a_p at its destination and takes a_p
    from its home."""
    home_pair = home_pairs(prep)
    ps = prep.pairs["s"].to_numpy()
    out: dict[int, list[tuple[int, int, float, bool]]] = {}
    for m in changes.of("move"):
        p, f = int(changes.table.at[m, "pair"]), int(changes.table.at[m, "team"])
        a = float(changes.table.at[m, "amount"])
        out.setdefault(int(ps[p]), []).append((p, int(m), a, False))
        h = int(home_pair[f])
        if h >= 0:
            out.setdefault(int(ps[h]), []).append((h, int(m), -a, True))
    return out


def _share_terms(moves: list[tuple[int, int, float, bool]], layout: Layout, t: int
                 ) -> tuple[dict[int, float], list[tuple[int, int, float]]]:
    """share[p,t] of the pairs at one site that a move touches: a constant per pair (1
    for a home pair) and terms (pair, column, coefficient)."""
    const = {p: 1.0 for p, _, _, is_home in moves if is_home}
    terms = [(p, col, coef) for p, m, a, _ in moves for col, coef in layout.cumulative(m, t, a)]
    return const, terms


def add_capacity(rows: Rows, prep: Prepared, model: EstateModel, changes: Changes,
                 layout: Layout, opening: dict[int, tuple[int, int]], grace: Grace) -> None:
    """(6) sum_p need_p share[p,t] - sum_j need_j eff_j w[j,t] <= cap_s,t open[s,t] for
    each year and each site a change touches (its unchanged teams as a constant);
    cap_s,t is the site's room, or today's use before the first year any programme
    could bring a site over it today within it (`estate.programme.today`)."""
    closing, ps, pf = _closing(changes), prep.pairs["s"].to_numpy(), prep.pairs["f"].to_numpy()
    touched = set(changes.table["site"]) | {int(prep.home[f]) for f in
                                            changes.table.loc[changes.of("move"), "team"]}
    pool_pair = model.pool["pair"].to_numpy()[layout.pool_pairs] if len(layout.pool_pairs) \
        else np.empty(0, int)
    moves, eff, home = _moves_at(prep, changes), prep.efficiency, prep.pairs["home"].to_numpy(bool)
    pooled_at: dict[int, list[tuple[int, int]]] = {}
    for j, p in enumerate(pool_pair.tolist()):
        pooled_at.setdefault(int(ps[p]), []).append((j, p))
    for column in ("desks", "racks"):
        need = prep.functions[column].to_numpy(float)[pf]
        for s in sorted(x for x in touched if x >= 0):
            at_home = np.flatnonzero(home & (ps == s))
            for t in range(1, layout.horizon + 1):
                cap = grace.room[column][:, t]
                const, terms = _share_terms(moves.get(s, []), layout, t)
                used = float(sum(need[p] for p in at_home if p not in const))
                used += sum(need[p] * c for p, c in const.items())
                row = [(col, need[p] * coef) for p, col, coef in terms]
                row += [(layout.w(j, t), -need[p] * eff[pf[p]]) for j, p in pooled_at.get(s, [])]
                o_const, o_terms = open_terms(prep, changes, layout, opening, closing, s, t)
                row += [(col, -cap[s] * coef) for col, coef in o_terms]
                if any(coef for _, coef in row) or used > cap[s] * o_const:
                    rows.add(row, -np.inf, cap[s] * o_const - used)


def add_coverage(rows: Rows, prep: Prepared, changes: Changes, layout: Layout,
                 opening: dict[int, tuple[int, int]], grace: Grace) -> None:
    """(7) sum_{s in N(z)} open[s,t] >= 1, each year from the first a site in reach
    could be open (`estate.programme.today`), for `all` / `maintain` zones whose reach
    holds a site that closes or is built (and no site open throughout)."""
    closing = _closing(changes)
    moving = set(closing) | set(opening)
    for cov, first in zip(prep.coverage, grace.zone_first, strict=True):
        if cov.rule.mode == "population_share":
            continue
        for z in np.flatnonzero(cov.scope):
            near = cov.site[cov.zone == z]
            if not any(s in moving for s in near) or any(
                    prep.existing[s] and s not in moving for s in near):
                continue
            for t in range(int(first[z]), layout.horizon + 1):
                const, terms = 0.0, list[tuple[int, float]]()
                for s in near:
                    c, more = open_terms(prep, changes, layout, opening, closing, int(s), t)
                    const, terms = const + c, terms + more
                rows.add(terms, 1.0 - const, np.inf)


def add_limits(rows: Rows, prep: Prepared, changes: Changes, limits: ProgrammeLimits,
               layout: Layout) -> None:
    """(8) per year t: sum_i cost_i z[i,t] + surrender z[close,t] - disposal z[close,
    t - lag] <= limit_t; sum fte z[move,t] <= limit; sum z[close,t] <= limit."""
    assert prep.exits is not None
    table, sites = changes.table, prep.sites
    for t in range(1, layout.horizon + 1):
        if np.isfinite(limits.max_one_off_per_year[t - 1]):
            row = [(layout.z(i, t), float(table.at[i, "cost"])) for i in range(len(table))]
            for i in changes.of("close"):
                s = int(table.at[i, "site"])
                row.append((layout.z(int(i), t), float(prep.exits.surrender_paid[s, t])))
                sold = t - int(sites.at[s, "disposal_lag_years"])
                if sold >= 1:
                    row.append((layout.z(int(i), sold), -float(sites.at[s, "disposal_value"])))
            rows.add(row, -np.inf, limits.max_one_off_per_year[t - 1])
        if np.isfinite(limits.max_fte_moved_per_year):
            rows.add([(layout.z(int(i), t), float(table.at[i, "fte"]))
                      for i in changes.of("move")], -np.inf, limits.max_fte_moved_per_year)
        if np.isfinite(limits.max_closures_per_year):
            rows.add([(layout.z(int(i), t), 1.0) for i in changes.of("close")], -np.inf,
                     limits.max_closures_per_year)


def add_total_one_off(rows: Rows, prep: Prepared, changes: Changes, layout: Layout) -> None:
    """(9) The scenario's max_one_off over the whole programme, as the snapshot counts
    it: sum_i cost_i Z[i,H] - sum_close disposal Z[close,H] + sum_{close,t} surrender
    z[close,t] <= max_one_off. A change left out spends nothing, a sale counts whenever
    its receipt arrives, and a surrender counts in the year the closing buys it, which
    may be one the snapshot did not count (`estate.programme.rules.programme_one_off`)."""
    if not np.isfinite(prep.scenario.max_one_off):
        return
    assert prep.exits is not None
    table, h = changes.table, layout.horizon
    disposal = prep.sites["disposal_value"].to_numpy(float)
    row = []
    for i in range(len(table)):
        cost = float(table.at[i, "cost"])
        s = int(table.at[i, "site"])
        for t in range(1, h + 1):
            if table.at[i, "kind"] == "close":
                row.append((layout.z(i, t), cost - float(disposal[s])
                            + float(prep.exits.surrender_paid[s, t])))
            else:
                row.append((layout.z(i, t), cost))
    rows.add(row, -np.inf, prep.scenario.max_one_off)


def objective(prep: Prepared, model: EstateModel, changes: Changes, layout: Layout
              ) -> np.ndarray:
    """The NPV each z[i,u] and w[j,t] adds to the status quo's cost (module docstring)."""
    assert prep.exits is not None and prep.calendar is not None
    h, cal, e, table = layout.horizon, prep.calendar, prep.exits, changes.table
    d_end, d_start = cal.d_end, cal.d_start
    tail = np.array([d_end[u:h + 1].sum() for u in range(h + 2)])  # sum_{t>=u} d_end[t]
    build_years = prep.sites["build_years"].to_numpy(float).astype(int)
    yearly = running_change(prep, changes)
    cost = np.zeros(layout.size)
    for i in range(len(table)):
        kind, s, fixed = table.at[i, "kind"], int(table.at[i, "site"]), float(table.at[i, "cost"])
        for u in range(1, h + 1):
            c = fixed * d_start[u]
            if kind == "close":
                c += e.leave[s, u] - e.receipt[s, u] + yearly[i] * tail[u]
            elif kind == "build":
                c += yearly[i] * tail[min(u + build_years[s] - 1, h + 1)]
            elif kind == "move":
                c += yearly[i] * tail[u]
            cost[layout.z(i, u)] = c
    if len(layout.pool_pairs):
        rate = pooling_rate(prep)[model.pool["f"].to_numpy()[layout.pool_pairs]]
        for j in range(len(rate)):
            for t in range(1, h + 1):
                cost[layout.w(j, t)] = -rate[j] * d_end[t]
    return cost

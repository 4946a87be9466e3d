"""Reductions of the built model before any solver sees it: covering rows that another
row implies or a fixing already meets, sites a covering row forces open, and, in models
of coverage alone, sites another site dominates.

Every step reads only the arrays (no scenario), so it applies to every model the recipe
builds, and each is proved in docs/model.md ("Reductions"). A *covering row* is a row
sum_{j in S} x_j >= 1 over binary columns with unit coefficients: the `coverage.i(z)`
rows of `all` and `maintain` rules, S the sites offering the service within the radius
of z. The steps, in order:

1. *forced*: a covering row with one column that can be 1 fixes that column at 1;
2. *met*: a covering row holding a column fixed at 1 always holds: dropped;
3. *implied*: a covering row whose columns include all of another covering row's is
   implied by it: dropped (of rows with the same columns, the first is kept);
4. *dominated* (models of coverage alone, with no teams; only sites that sit in
   covering rows alone): a column of cost c_s >= 0 whose rows all hold a column t with
   c_t <= c_s is fixed at 0 (ties broken by a fixed order); a column in no row is fixed
   at 0 when it costs >= 0 and at 1 when it costs < 0.

Steps 1-3 keep exactly the same set of plans (any plan meets the rows dropped). Step 4
keeps the optimum but not every plan: a dominated site is never needed, though a plan
could use it. The model records the columns step 4 fixes (`fixed_for_optimum`), so a
plan made outside the search (a dated programme's end state, which may keep a dominated
site open) is checked against the bounds every plan keeps (`every_plan_bounds`), while
the solver still searches within the reduced ones. Rows are only dropped, columns only
fixed (never removed), so column indices, blocks and solution vectors mean what they
meant.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from estate.errors import count
from estate.model.arrays import EstateModel

# pairs of rows checked at once in the subset test (bounds the memory of one chunk)
_CHUNK = 2_000_000
# rows x columns up to which the subset test looks entries up in a bitmap
_BITMAP = 50_000_000


@dataclass(frozen=True)
class Reductions:
    """What the reductions did, by count: the steps of this module, and the fixings of
    whole teams the build makes (`estate.prepare`'s pairs a team cannot fit, and
    `estate.model.pooling`'s bounds), proved in docs/model.md."""

    rows_before: int = 0
    covering_rows: int = 0
    rows_met: int = 0
    rows_implied: int = 0
    columns_forced: int = 0
    columns_dominated: int = 0
    columns_unused: int = 0
    #: (team, site) pairs where the team cannot fit even fully pooled: left out, or its
    #: home's column fixed at 0
    pairs_unfit: int = 0
    #: pooled columns and shared centres no whole-team plan can use, fixed at 0
    pooled_unusable: int = 0
    centres_unusable: int = 0

    @property
    def rows_dropped(self) -> int:
        return self.rows_met + self.rows_implied

    def as_dict(self) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def line(self) -> str:
        """A progress line: what was dropped and fixed, and why ("" when nothing ran)."""
        said = []
        if self.covering_rows:
            why = _parts(((self.rows_implied, "implied by another zone's"),
                          (self.rows_met, "met by a site kept open")))
            fixed = _parts(((self.columns_forced, "forced open"),
                            (self.columns_dominated, "dominated"),
                            (self.columns_unused, "reaching no zone")))
            sites = self.columns_forced + self.columns_dominated + self.columns_unused
            rows = count(self.covering_rows, 'coverage row')
            said.append((f"{self.rows_dropped:,} of {rows} dropped ({why})" if why else
                         f"{rows} checked, none dropped")
                        + (f"; {count(sites, 'site')} fixed ({fixed})" if sites else ""))
        unusable = [count(n, what) for n, what in ((self.pooled_unusable, "pooled place"),
                                                   (self.centres_unusable, "shared centre"))
                    if n]
        teams = ([f"{count(self.pairs_unfit, 'place')} too small for the team even pooled, "
                  "left out"] if self.pairs_unfit else []) + (
            [f"{' and '.join(unusable)} no plan can use, fixed at 0"] if unusable else [])
        if teams:
            said.append(f"whole teams: {'; '.join(teams)}")
        return "Reductions: " + "; ".join(said) if said else ""


def _parts(counts: tuple[tuple[int, str], ...]) -> str:
    """The counts that are not nought, each with what it counts: "2 dominated"."""
    return ", ".join(f"{n:,} {what}" for n, what in counts if n)


def reductions_line(counts: dict[str, int]) -> str:
    """The progress line of a model's `reductions` ("" when none ran)."""
    return Reductions(**counts).line()


def coverage_reduced(model: EstateModel) -> bool:
    """Whether this module's steps ran on `model` (it has covering rows): a model built
    without them keeps every site a zone's row would force open."""
    return Reductions(**model.reductions).covering_rows > 0


def covering_rows(model: EstateModel) -> np.ndarray:
    """Mask of the rows sum_{j in S} x_j >= 1 with x binary and unit coefficients."""
    a = model.matrix.tocsr()
    n_rows = a.shape[0]
    binary = model.col_integer & (model.col_lb >= 0) & (model.col_ub <= 1)
    entry_row = np.repeat(np.arange(n_rows), np.diff(a.indptr))
    bad = (a.data != 1.0) | ~binary[a.indices]
    ok = np.bincount(entry_row[bad], minlength=n_rows) == 0
    return ok & (model.row_lb == 1.0) & np.isinf(model.row_ub) & (np.diff(a.indptr) > 0)


def implied_rows(a: sp.csr_matrix) -> np.ndarray:
    """Mask of the rows of a 0/1 matrix whose support contains another row's support
    (of equal supports, all but the first).

    Only rows holding the rarest column of r' can contain r', so the candidate pairs
    (r, r') come from that one column's rows. Each pair is then tested column by column
    of r', rarest first, and dropped at its first column missing from r: most pairs fail
    within a column or two, so the work grows with the pairs, not with their sizes.
    """
    a = a.tocsr()
    a.sort_indices()
    n_rows, n_cols = a.shape
    size = np.diff(a.indptr)
    count = np.bincount(a.indices, minlength=n_cols)
    entry_row = np.repeat(np.arange(n_rows), size)
    holds = _membership(a, entry_row)
    # each row's columns, rarest first
    by_rarity = a.indices[np.lexsort((a.indices, count[a.indices], entry_row))]
    first = a.indptr[:-1]
    by_col = a.tocsc()
    implied = np.zeros(n_rows, bool)
    subs = np.flatnonzero(size > 0)
    rare = by_rarity[first[subs]]
    n_sup = np.diff(by_col.indptr)[rare]
    cum = np.cumsum(n_sup)
    cuts = np.searchsorted(cum, np.arange(_CHUNK, cum[-1], _CHUNK)) if len(subs) \
        else np.empty(0, np.int64)
    bounds = np.unique(np.r_[0, cuts, len(subs)]).astype(np.int64)
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        sub = np.repeat(subs[lo:hi], n_sup[lo:hi])
        sup = by_col.indices[_ranges(by_col.indptr[rare[lo:hi]], n_sup[lo:hi])]
        keep = (sup != sub) & ((size[sub] < size[sup]) | ((size[sub] == size[sup]) & (sub < sup)))
        sub, sup = sub[keep], sup[keep]
        k = 1
        while len(sub):
            done = size[sub] <= k  # every column of r' found in r
            implied[sup[done]] = True
            sub, sup = sub[~done], sup[~done]
            found = holds(sup, by_rarity[first[sub] + k])
            sub, sup = sub[found], sup[found]
            k += 1
    return implied


def _membership(a: sp.csr_matrix, entry_row: np.ndarray
                ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A test "row r holds column c" for arrays of (r, c): a bitmap when the matrix is
    small enough (up to _BITMAP cells), else a binary search of the sorted entries."""
    n_rows, n_cols = a.shape
    if n_rows * n_cols <= _BITMAP:
        bitmap = np.zeros((n_rows, n_cols), bool)
        bitmap[entry_row, a.indices] = True
        return lambda r, c: bitmap[r, c]
    keys = entry_row.astype(np.int64) * n_cols + a.indices  # sorted: rows, then columns

    def holds(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        wanted = r.astype(np.int64) * n_cols + c
        return keys[np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)] == wanted
    return holds


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """starts[0], starts[0] + 1, .., starts[0] + lengths[0] - 1, starts[1], ..: the index
    ranges laid end to end."""
    lengths = np.asarray(lengths, np.int64)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(np.asarray(starts, np.int64), lengths) + offsets


def reduce_model(model: EstateModel, every_plan: bool = False) -> EstateModel:
    """The model with the reductions applied (see the module) and their counts in
    `reductions`; `every_plan` leaves out step 4, so the model keeps every plan, not
    only the optimum."""
    cover = covering_rows(model)
    if not cover.any():
        return model
    lb, ub = model.col_lb.copy(), model.col_ub.copy()
    a = model.matrix.tocsr()
    rows = np.flatnonzero(cover)
    sub = a[rows]
    live = ub[sub.indices] >= 1  # columns that can be 1
    sub = sp.csr_matrix((live.astype(float), sub.indices, sub.indptr), shape=sub.shape)
    sub.eliminate_zeros()
    n_live = np.diff(sub.indptr)
    single = n_live == 1
    forced = np.unique(sub.indices[sub.indptr[:-1][single]])
    forced = forced[lb[forced] < 1]
    lb[forced] = 1.0
    met = np.asarray(sub[:, np.flatnonzero(lb >= 1)].sum(axis=1)).ravel() > 0
    open_rows = ~met & (n_live > 0)
    implied = np.zeros(len(rows), bool)
    implied[np.flatnonzero(open_rows)] = implied_rows(sub[np.flatnonzero(open_rows)])
    drop = np.zeros(len(model.row_names), bool)
    drop[rows[met]] = True
    drop[rows[implied]] = True
    reduced = drop_rows(model, drop)
    none = np.empty(0, np.int64)
    dominated, unused = (none, none) if every_plan else _dominated_columns(reduced, lb, ub)
    counts = dataclasses.replace(
        Reductions(**model.reductions), rows_before=len(model.row_names),
        covering_rows=len(rows), rows_met=int(met.sum()), rows_implied=int(implied.sum()),
        columns_forced=len(forced), columns_dominated=len(dominated),
        columns_unused=len(unused))
    return dataclasses.replace(reduced, col_lb=lb, col_ub=ub, reductions=counts.as_dict(),
                               fixed_for_optimum=np.sort(np.concatenate([dominated, unused])))


def drop_rows(model: EstateModel, drop: np.ndarray) -> EstateModel:
    """The model without the rows flagged in `drop`; each family keeps its other rows in
    their order."""
    keep = ~drop
    family_rows, family_labels = {}, {}
    for name, sl in model.family_rows.items():
        kept = keep[sl]
        start = int(np.count_nonzero(keep[:sl.start]))
        family_rows[name] = slice(start, start + int(kept.sum()))
        family_labels[name] = model.family_labels[name][kept]
    return dataclasses.replace(
        model, row_names=model.row_names[keep], row_lb=model.row_lb[keep],
        row_ub=model.row_ub[keep], matrix=model.matrix.tocsr()[np.flatnonzero(keep)],
        family_rows=family_rows, family_labels=family_labels)


def _dominated_columns(model: EstateModel, lb: np.ndarray, ub: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Fix dominated and unused columns in place (step 4 of the module); return them
    (each a free binary before). Only in models with no teams (no `assign` columns:
    coverage alone), and only free binary `open` columns that sit in covering rows alone
    take part, as dominated or as dominating. With teams, the status quo stays a plan of
    the model."""
    none = np.empty(0, np.int64)
    assign = model.blocks.get("assign", slice(0, 0))
    if "open" not in model.blocks or assign.stop > assign.start:
        return none, none
    a = model.matrix.tocsc()
    cover = covering_rows(model)
    sites = np.arange(model.blocks["open"].start, model.blocks["open"].stop)
    entry_col = np.repeat(np.arange(a.shape[1]), np.diff(a.indptr))
    elsewhere = np.bincount(entry_col[~cover[a.indices]], minlength=a.shape[1]) > 0
    free = sites[(lb[sites] == 0) & (ub[sites] == 1) & ~elsewhere[sites]
                 & model.col_integer[sites]]
    if not len(free):
        return none, none
    cost = model.col_cost
    in_rows = np.diff(a.indptr)[free] > 0
    unused = free[~in_rows]
    lb[unused[cost[unused] < 0]] = 1.0
    ub[unused[cost[unused] >= 0]] = 0.0
    used = free[in_rows]
    rows_of = a[:, used][np.flatnonzero(cover)].T.tocsr()
    order = np.lexsort((used, cost[used]))
    rank = np.empty(len(used), np.int64)
    rank[order] = np.arange(len(used))
    dominated = _contained_in_cheaper(rows_of, cost[used], rank)
    fixed = used[dominated & (cost[used] >= 0)]
    ub[fixed] = 0.0
    return fixed.astype(np.int64), unused.astype(np.int64)


def _contained_in_cheaper(rows_of: sp.csr_matrix, cost: np.ndarray, rank: np.ndarray
                          ) -> np.ndarray:
    """Mask of the columns s (rows of `rows_of`: the covering rows each sits in) whose
    rows all hold another column t with c_t <= c_s that comes first: t has more rows,
    or costs less, or comes earlier in `rank` (by cost, then index). That order is
    strict and transitive, so every dominated column has an undominated dominator."""
    n = rows_of.shape[0]
    out = np.zeros(n, bool)
    if n == 0:
        return out
    size = np.diff(rows_of.indptr)
    entries = sp.csr_matrix((np.ones(rows_of.nnz), rows_of.indices, rows_of.indptr),
                            shape=rows_of.shape)
    overlap = (entries @ entries.T).tocoo()  # rows shared by each pair of columns
    s, t, both = overlap.row, overlap.col, overlap.data
    hit = (s != t) & (both == size[s]) & (cost[t] <= cost[s])
    hit &= (size[t] > size[s]) | (cost[t] < cost[s]) | (rank[t] < rank[s])
    out[np.unique(s[hit])] = True
    return out

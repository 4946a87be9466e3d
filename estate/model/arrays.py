"""The model's containers: a constraint `Family`, the finished `EstateModel`, and the
`ModelBuilder` that collects column blocks and families and stacks them once.

Names are built here too: `labels` turns ids into LP-safe labels and `Names` holds those
of one build, so a column reads `assign(F001,S012)` and a row `desks(S012)` in an LP
file or an infeasibility report.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from estate.prepare import Prepared

_UNSAFE = re.compile(r"[^A-Za-z0-9_.]")
# A plan's rows may miss their bounds by this much times the sum of the row's |terms| (at
# least 1): the solvers' own feasibility tolerance, met by every plan HiGHS returns.
CHECK_TOLERANCE = 1e-6


def row_slack(matrix: sp.spmatrix, x: np.ndarray) -> np.ndarray:
    """How far each row of a plan x may miss its bounds: `CHECK_TOLERANCE` times the sum
    of the row's |terms| (at least 1)."""
    return np.maximum(abs(matrix) @ np.abs(x), 1.0) * CHECK_TOLERANCE


def meets(matrix: sp.spmatrix, row_lb: np.ndarray, row_ub: np.ndarray, col_lb: np.ndarray,
          col_ub: np.ndarray, integer: np.ndarray, x: np.ndarray) -> bool:
    """Every row and column bound met (rows to `CHECK_TOLERANCE` relative to their
    terms), and every integer column whole: x is a plan of these rows. The one check of
    a plan put together outside a solver (a site's configuration, a plan rebuilt from
    configurations, a plan made window by window)."""
    if (x < col_lb - 1e-9).any() or (x > col_ub + 1e-9).any():
        return False
    if (np.abs(x[integer] - np.round(x[integer])) > 1e-9).any():
        return False
    activity = matrix @ x
    scale = row_slack(matrix, x)
    return bool((activity >= row_lb - scale).all() and (activity <= row_ub + scale).all())


def labels(ids: pd.Series | np.ndarray) -> np.ndarray:
    """Ids made safe for LP files (letters, digits, `_` and `.`), one label per distinct id.

    Two ids that differ only in unsafe characters (`S-1`, `S 1`, `S_1`) would otherwise
    share a label, so two columns or rows a name, which PuLP refuses and an LP file
    merges; the id already safe keeps its label, the others get `.1`, `.2`, ... appended.
    """
    values = [str(i) for i in ids]
    label = {v: _UNSAFE.sub("_", v) for v in dict.fromkeys(values)}
    if len(set(label.values())) < len(label):
        taken = {v for v, lab in label.items() if v == lab}
        for v, lab in label.items():
            if v != lab:
                k, new = 0, lab
                while new in taken:
                    k += 1
                    new = f"{lab}.{k}"
                taken.add(new)
                label[v] = new
    return np.array([label[v] for v in values], dtype=object)


def cat(parts: list[np.ndarray], dtype: type | str) -> np.ndarray:
    """Concatenate, with an empty array of the right type when there is nothing."""
    return np.concatenate(parts) if parts else np.empty(0, dtype)


@dataclass(frozen=True)
class Names:
    """LP-safe labels of sites, teams (functions), zones and eligible (team, site) pairs."""

    site: np.ndarray
    function: np.ndarray
    zone: np.ndarray
    pair: np.ndarray

    @classmethod
    def of(cls, prep: Prepared) -> Names:
        site, function = labels(prep.sites["site_id"]), labels(prep.functions["function_id"])
        pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
        pair = function[pf] + "," + site[ps] if len(prep.pairs) else np.empty(0, object)
        return cls(site, function, labels(prep.zones["zone_id"]), pair)


@dataclass
class Family:
    """One constraint family: rows `name(label)`, lb <= A x <= ub."""

    name: str
    labels: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    coefs: np.ndarray
    lb: np.ndarray
    ub: np.ndarray


@dataclass
class EstateModel:
    """The MILP as arrays: columns, a sparse row matrix, bounds, objective; plus index maps."""

    col_names: np.ndarray
    col_lb: np.ndarray
    col_ub: np.ndarray
    col_cost: np.ndarray
    col_integer: np.ndarray
    obj_constant: float
    row_names: np.ndarray
    row_lb: np.ndarray
    row_ub: np.ndarray
    matrix: sp.csr_matrix
    family_rows: dict[str, slice]
    family_labels: dict[str, np.ndarray]
    blocks: dict[str, slice]
    pool: pd.DataFrame  # per pooled column: f, s, k (type), g (agency), pair (row in pairs)
    centres: pd.DataFrame  # per shared column: k, s
    one_off_coef: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    one_off_constant: float = 0.0
    # per column: the NPV timing adds to closing a site (estate.model.costs: running
    # cost until its teams may leave, rent owed after closing, receipts waited for)
    timing_coef: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    timing_constant: float = 0.0
    # per assign column: is this the team's home today (the status quo's pairs)
    pair_home: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, bool))
    # per column: the site (row of Prepared.sites) and team (row of Prepared.functions)
    # it is about, -1 for none (e.g. coverage columns); and each site's x, y in metres.
    # They let a heuristic work on one part of the map at a time (estate.solve.first_plan).
    col_site: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, np.int64))
    col_team: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, np.int64))
    site_xy: np.ndarray = field(repr=False, default_factory=lambda: np.empty((0, 2)))
    # what the reductions before the solver did, by count (estate.model.reduce)
    reductions: dict[str, int] = field(default_factory=dict)
    # the columns the reductions fixed for the optimum's sake alone (step 4 of
    # estate.model.reduce: dominated sites, sites reaching no zone), each a free binary
    # before: the solver sees them fixed, but a plan may use them (`every_plan_bounds`)
    fixed_for_optimum: np.ndarray = field(repr=False,
                                          default_factory=lambda: np.empty(0, np.int64))

    @property
    def size(self) -> dict[str, int]:
        """Columns, rows, nonzeros and integer columns as the solver gets them, and the
        reductions' counts (`reduced_*`) when any fired."""
        fired = {f"reduced_{k}": v for k, v in self.reductions.items()
                 if v and k not in ("rows_before", "covering_rows")}
        return {"columns": len(self.col_names), "rows": len(self.row_names),
                "nonzeros": int(self.matrix.nnz),
                "integer": int(self.col_integer.sum()), **fired}

    def block(self, name: str, values: np.ndarray) -> np.ndarray:
        """The values of one variable block from a full solution vector."""
        return values[self.blocks[name]]

    def every_plan_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The column bounds every plan of the model keeps (copies): `col_lb`, `col_ub`
        with the fixings that keep only the optimum (`fixed_for_optimum`) undone, each
        such column free in [0, 1] again. A plan made elsewhere (a dated programme's end
        state) is checked against these; the solver searches within `col_lb`, `col_ub`."""
        lb, ub = self.col_lb.copy(), self.col_ub.copy()
        lb[self.fixed_for_optimum] = 0.0
        ub[self.fixed_for_optimum] = 1.0
        return lb, ub

    def keeps_every_rule(self, x: np.ndarray) -> bool:
        """x, a full column vector, is a plan of the model (`meets`)."""
        return meets(self.matrix, self.row_lb, self.row_ub, self.col_lb, self.col_ub,
                     self.col_integer.astype(bool), x)


@dataclass(frozen=True, eq=False)
class NamedPlan:
    """A plan's column values by column name, to be offered as a first plan to another
    model of the same register: the scenario with one policy lifted, say, whose columns
    may be more (pairs beyond the old distance limit), fewer (a coverage rule's) or in
    another order. Column names are stable across such models (`assign(F001,S012)` is
    the same decision in each), and reductions only fix columns, never remove them."""

    names: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, model: EstateModel, values: np.ndarray) -> NamedPlan:
        return cls(model.col_names, np.asarray(values, float))

    def on(self, model: EstateModel) -> np.ndarray:
        """The plan as a column vector of `model`: a column it does not name is 0 (not
        open, not assigned, not pooled). Whether that is a plan of `model` is for
        `EstateModel.keeps_every_rule` to say."""
        where = pd.Index(self.names).get_indexer(model.col_names)
        return np.where(where >= 0, self.values[where], 0.0)


def trimmed(model: EstateModel, x: np.ndarray) -> np.ndarray:
    """`x` with every whole column that costs money taken down to its lower bound wherever
    every row still holds, dearest first: a site kept open for nothing closed, a centre
    with no one pooled shut. Never dearer, and a plan whenever `x` is one.

    Why: a plan carried from another model (`NamedPlan`) may keep open what only a rule
    of that model needed. HiGHS's presolve would close it and then, when that is the best
    plan it finds, hand back the plan as offered beside the objective of the one it
    closed (`estate.solve.highs.priced_plan`); trimmed first, the plan offered is the
    one it would have kept."""
    x = np.array(x, float)
    columns = sp.csc_matrix(model.matrix)
    activity = columns @ x
    slack = row_slack(columns, x)  # as `meets` allows
    dear = np.flatnonzero(model.col_integer.astype(bool) & (model.col_cost > 0)
                          & (x > model.col_lb + 0.5))
    for j in dear[np.argsort(-model.col_cost[dear], kind="stable")]:
        lo, hi = columns.indptr[j], columns.indptr[j + 1]
        rows = columns.indices[lo:hi]
        moved = activity[rows] + columns.data[lo:hi] * (model.col_lb[j] - x[j])
        if ((moved >= model.row_lb[rows] - slack[rows]).all()
                and (moved <= model.row_ub[rows] + slack[rows]).all()):
            activity[rows] = moved
            x[j] = model.col_lb[j]
    return x


class ModelBuilder:
    """Accumulates column blocks and constraint families, then stacks them once.

    Columns are numbered in the order blocks are added, rows in the order families are;
    `finish` turns the families' COO triplets into one CSR matrix.
    """

    def __init__(self) -> None:
        self.blocks: dict[str, slice] = {}
        self.cols: list[tuple[np.ndarray, ...]] = []
        self.n = 0
        self.families: list[Family] = []

    def add_block(self, name: str, labels: np.ndarray, lb: np.ndarray, ub: np.ndarray,
                  integer: bool) -> np.ndarray:
        """Add columns `name(label)` with bounds [lb, ub]; return their column indices."""
        k = len(labels)
        names = np.array([f"{name}({lab})" for lab in labels], dtype=object)
        self.cols.append((names, np.asarray(lb, float), np.asarray(ub, float),
                          np.full(k, integer)))
        self.blocks[name] = slice(self.n, self.n + k)
        idx = np.arange(self.n, self.n + k)
        self.n += k
        return idx

    def add_family(self, name: str, labels: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                   coefs: np.ndarray, lb: float | np.ndarray, ub: float | np.ndarray) -> None:
        """Add rows `name(label)`: entry i puts coefs[i] at (rows[i], cols[i]) of the family.

        A family with no labels adds nothing; a label "" names the row `name` alone.
        """
        m = len(labels)
        if m == 0:
            return
        self.families.append(Family(
            name, np.asarray(labels, dtype=object), np.asarray(rows, np.int64),
            np.asarray(cols, np.int64), np.asarray(coefs, float),
            np.broadcast_to(np.asarray(lb, float), (m,)).copy(),
            np.broadcast_to(np.asarray(ub, float), (m,)).copy()))

    def add_at_most(self, name: str, labels: np.ndarray, cols: np.ndarray,
                    bound_cols: np.ndarray) -> None:
        """Add rows `name(label)`: x[cols[i]] <= x[bound_cols[i]], one row per label."""
        n = len(labels)
        self.add_family(name, labels, np.concatenate([np.arange(n)] * 2),
                        np.concatenate([cols, bound_cols]),
                        np.concatenate([np.ones(n), -np.ones(n)]), -math.inf, 0.0)

    def finish(self, cost: np.ndarray, constant: float, **extra) -> EstateModel:
        """Stack the blocks and families into an `EstateModel`; `extra` fills its index maps."""
        names = np.concatenate([c[0] for c in self.cols]) if self.cols else np.empty(0, object)
        offsets, start = {}, 0
        rows, cols, coefs, lbs, ubs, rnames, family_labels = [], [], [], [], [], [], {}
        for fam in self.families:
            m = len(fam.labels)
            offsets[fam.name] = slice(start, start + m)
            family_labels[fam.name] = fam.labels
            rows.append(fam.rows + start)
            cols.append(fam.cols)
            coefs.append(fam.coefs)
            lbs.append(fam.lb)
            ubs.append(fam.ub)
            rnames.append(np.array([f"{fam.name}({lab})" if lab != "" else fam.name
                                    for lab in fam.labels], dtype=object))
            start += m
        matrix = sp.csr_matrix((cat(coefs, float), (cat(rows, np.int64), cat(cols, np.int64))),
                               shape=(start, self.n))
        matrix.sum_duplicates()
        return EstateModel(
            col_names=names, col_lb=cat([c[1] for c in self.cols], float),
            col_ub=cat([c[2] for c in self.cols], float), col_cost=cost,
            col_integer=cat([c[3] for c in self.cols], bool), obj_constant=constant,
            row_names=cat(rnames, object), row_lb=cat(lbs, float), row_ub=cat(ubs, float),
            matrix=matrix, family_rows=offsets, family_labels=family_labels, blocks=self.blocks,
            **extra)

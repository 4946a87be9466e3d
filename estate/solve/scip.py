"""The SCIP adapter: the model's arrays handed to SCIP through PySCIPOpt, and the run's
ending read from SCIP itself.

SCIP is a second open solver beside HiGHS, so a plan and its stated gap can be checked
by another branch-and-bound (PySCIPOpt's wheels bundle SCIP itself, Apache-2.0). The
model goes in as it is built: one variable per column in the model's order, one linear
row per row, the objective's constant as SCIP's objective offset, so the objective,
bound and gap SCIP reports are in NPV pounds and its gap limit is measured on them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

try:
    import pyscipopt
except ImportError:  # the registry then reports SCIP as not installed (pip install pyscipopt)
    pyscipopt = None  # type: ignore[assignment]

from estate.model.arrays import EstateModel
from estate.solve.highs import solver_output
from estate.solve.progress import Reporter
from estate.solve.types import SearchPhase, Solution, SolverOptions
from estate.status import Status

# SCIP branches on a higher priority's fractional columns before any lower one's
# (`_branch_on_sites_first`); blocks not named keep 0.
BRANCH_PRIORITY: Mapping[str, int] = MappingProxyType({"open": 2, "shared": 1})

# SCIP's statuses for a run that ended with its question answered.
_PROVEN = {"optimal", "gaplimit"}
_NO_PLAN_POSSIBLE = {"infeasible", "inforunbd"}


def scip_model(model: EstateModel, options: SolverOptions, time_limit_s: float | None = None,
               priorities: Mapping[str, int] = BRANCH_PRIORITY
               ) -> tuple[pyscipopt.Model, list]:
    """A `pyscipopt.Model` of the arrays with estate's settings, and its variables in
    column order.

    One thread for the LP as for everything else (SCIP's search is sequential), the time
    limit and the relative gap of the options.
    """
    m = pyscipopt.Model("estate")
    if not options.verbose:
        m.hideOutput()
    limit = options.time_limit_s if time_limit_s is None else time_limit_s
    m.setParam("limits/time", max(float(limit), 0.01))
    m.setParam("limits/gap", float(options.mip_gap))
    m.setParam("lp/threads", 1)
    m.setParam("parallel/maxnthreads", 1)
    variables = _add_columns(m, model)
    _branch_on_sites_first(m, model, variables, priorities)
    _add_rows(m, model, variables)
    if model.obj_constant:
        m.addObjoffset(float(model.obj_constant))
    return m, variables


def _add_columns(m: pyscipopt.Model, model: EstateModel) -> list:
    """One SCIP variable per column, with its bounds, objective coefficient and type
    (binary for an integer column within [0, 1])."""
    variables = []
    for name, lo, hi, cost, is_int in zip(
            model.col_names.tolist(), model.col_lb.tolist(), model.col_ub.tolist(),
            model.col_cost.tolist(), model.col_integer.tolist(), strict=True):
        vtype = ("B" if lo >= 0.0 and hi <= 1.0 else "I") if is_int else "C"
        variables.append(m.addVar(name=name, vtype=vtype,
                                  lb=None if lo == -math.inf else lo,
                                  ub=None if hi == math.inf else hi, obj=cost))
    return variables


def _branch_on_sites_first(m: pyscipopt.Model, model: EstateModel, variables: list,
                           priorities: Mapping[str, int]) -> None:
    """Branch on which sites open, then on which shared centres run, before the teams.

    Once the sites and centres are whole, what is left is each team's place, and the
    bound from that is close to the optimum (docs/model.md); branching on a team first
    leaves the same site decisions to be settled again below it. On the demo's pooling
    models SCIP proves them sooner for it: the programme scenario in 10 s against 121 s
    in its own order (benchmarks/README.md, "SCIP, sites first"). HiGHS has no such
    setting, so it is SCIP's alone.
    """
    for block, priority in priorities.items():
        if block in model.blocks:
            for var in variables[model.blocks[block]]:
                m.chgVarBranchPriority(var, priority)


def _add_rows(m: pyscipopt.Model, model: EstateModel, variables: list) -> None:
    """One linear row per model row, lb <= a x <= ub, named as in an LP file."""
    csr = model.matrix.tocsr()
    indptr, cols, data = csr.indptr.tolist(), csr.indices.tolist(), csr.data.tolist()
    term = pyscipopt.scip.Term
    terms = [term(v) for v in variables]
    conss, names = [], []
    for r, (name, lo, hi) in enumerate(zip(model.row_names.tolist(), model.row_lb.tolist(),
                                           model.row_ub.tolist(), strict=True)):
        a, b = indptr[r], indptr[r + 1]
        expr = pyscipopt.Expr(dict(zip([terms[j] for j in cols[a:b]], data[a:b], strict=True)))
        conss.append(pyscipopt.scip.ExprCons(expr, lhs=None if lo == -math.inf else lo,
                                             rhs=None if hi == math.inf else hi))
        names.append(name)
    if conss:
        m.addConss(conss, name=names)


def offer_start(m: pyscipopt.Model, variables: list, start: np.ndarray) -> bool:
    """Give SCIP a full column vector as a first plan; False when SCIP refuses it (it
    breaks a rule), which leaves the search as it was."""
    sol = m.createSol()
    for var, value in zip(variables, start.tolist(), strict=True):
        m.setSolVal(sol, var, value)
    # Checked here: before solving, SCIP stores a plan unchecked and drops it silently.
    if not m.checkSol(sol, printreason=False, original=True):
        m.freeSol(sol)
        return False
    return bool(m.addSol(sol, free=True))


def follow(m: pyscipopt.Model, reporter: Reporter) -> None:
    """Tell `reporter` SCIP's best plan and bound as its search goes: at each better plan
    and after each node (the reporter keeps to a readable pace). Both are SCIP's figures
    in the original model, its objective offset included: NPV pounds, as HiGHS's are."""

    class Following(pyscipopt.Eventhdlr):
        def eventinit(self) -> None:
            for kind in (pyscipopt.SCIP_EVENTTYPE.BESTSOLFOUND,
                         pyscipopt.SCIP_EVENTTYPE.NODESOLVED):
                self.model.catchEvent(kind, self)

        def eventexec(self, event: object) -> None:
            reporter.saw(SearchPhase.SEARCH, *_standing(self.model))

    m.includeEventhdlr(Following(), "estate_progress", "where the search stands, as it goes")


def _standing(m: pyscipopt.Model) -> tuple[float, float]:
    """SCIP's best plan (nan: none yet) and bound (-inf: none yet); SCIP's infinity (1e20)
    is no figure."""
    plan, bound = m.getPrimalbound(), m.getDualbound()
    return (math.nan if m.isInfinity(abs(plan)) else plan,
            -math.inf if m.isInfinity(abs(bound)) else bound)


def read_status(m: pyscipopt.Model) -> tuple[Status, float, float, float]:
    """Typed status, objective, bound and gap (NPV pounds, SCIP's own gap) after `optimize`.

    `optimal` and `gaplimit` are proven within the options' gap; any other limit with a
    plan is `time_limit`, without one `no_solution`.
    """
    status = m.getStatus()
    if status in _NO_PLAN_POSSIBLE:
        return Status.INFEASIBLE, math.nan, math.nan, math.nan
    has_plan = m.getNSols() > 0
    bound = float(m.getDualbound())
    if not has_plan:
        return Status.NO_SOLUTION, math.nan, bound, math.inf
    obj, gap = float(m.getObjVal()), float(m.getGap())
    if status in _PROVEN:
        return Status.OPTIMAL, obj, bound, max(0.0, gap)
    return Status.TIME_LIMIT, obj, bound, gap if math.isfinite(gap) else math.inf


def solve_scip(model: EstateModel, options: SolverOptions, start: np.ndarray | None = None,
               priorities: Mapping[str, int] = BRANCH_PRIORITY) -> Solution:
    """Solve with SCIP: the arrays in, `start` (a full column vector) offered as a first
    plan, status, objective, bound and gap read from SCIP; `priorities` is the order of
    branching (benchmarks try others)."""
    if model.matrix.shape[1] == 0:
        c = float(model.obj_constant)
        return Solution(Status.OPTIMAL, c, c, 0.0, 0.0, "scip", np.empty(0))
    t0 = time.perf_counter()
    with solver_output(options.verbose):
        m, variables = scip_model(model, options, priorities=priorities)
        offered = start is not None and len(start) == len(variables)
        accepted = offered and start is not None and offer_start(m, variables, start)
        reporter = None if options.on_progress is None else Reporter(options.on_progress)
        if reporter is not None:
            follow(m, reporter)
        m.optimize()
        if reporter is not None:  # where the search ended, said as a step's end is
            reporter.saw(SearchPhase.SEARCH, *_standing(m), news=True)
    if m.getStatus() == "userinterrupt":
        # Ctrl-C: SCIP catches it to end its search cleanly; estate stops, as it does
        # on Ctrl-C anywhere else, rather than report the search's plan (or none)
        raise KeyboardInterrupt
    seconds = time.perf_counter() - t0
    status, obj, bound, gap = read_status(m)
    values = None
    if status.has_plan:
        best = m.getBestSol()
        values = np.array([m.getSolVal(best, v) for v in variables], dtype=float)
    message = f"SCIP status {m.getStatus()}" + (
        "" if not offered else ", first plan accepted" if accepted else
        ", first plan refused")
    return Solution(status, obj, bound, gap, seconds, "scip", values, message)

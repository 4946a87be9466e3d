"""Hand the model's arrays to a solver and read back a typed result.

Two ways in, from the same `EstateModel` arrays:

- through PuLP (`to_pulp`), for HiGHS (highspy) and CBC and for LP export;
- directly to highspy (`solve_direct`), which skips PuLP's per-row objects and is the
  way for region and nation sizes.

Status and gap are always read from the solver itself: PuLP 3.3's HiGHS interface
calls a run stopped by its time limit "Optimal", and CBC's gap is only in its log.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pulp

from estate.model.build import EstateModel
from estate.solve.first_plan import (
    StartReport,
    lp_from_arrays,
    new_highs,
    offer_solution,
    pooled_start,
)
from estate.status import Status


@dataclass(frozen=True)
class SolverOptions:
    name: str = "highs"
    time_limit_s: float = 300.0
    mip_gap: float = 1e-4
    verbose: bool = False
    # HiGHS straight from the arrays (the default: no per-row PuLP objects, and the
    # columns in the model's own order, which HiGHS searches better than PuLP's
    # name-sorted order). False sends HiGHS through PuLP; CBC always goes through PuLP.
    direct: bool = True
    # Before the main search, look for a first plan in the LP-guided restricted model
    # (estate.solve.first_plan; models with shared centres only, direct HiGHS only).
    first_plan: bool = True


@dataclass(frozen=True)
class Solution:
    """What the solver found: a typed status, the objective, its bound and the gap."""

    status: Status
    objective: float
    bound: float
    mip_gap: float
    seconds: float
    solver: str
    values: np.ndarray | None
    message: str = ""
    first_plan: StartReport | None = None  # what the first-plan step did (direct HiGHS)


def available_solvers() -> list[str]:
    """Installed solvers by their scenario names."""
    out = []
    if pulp.HiGHS().available():
        out.append("highs")
    if pulp.PULP_CBC_CMD(msg=False).available():
        out.append("cbc")
    return out


@contextlib.contextmanager
def solver_output(verbose: bool) -> Iterator[None]:
    """Keep the solver's C-level stdout off our stdout (`--json` owns it).

    Verbose: its log goes to stderr. Otherwise nowhere, banner included: a tool that is
    not on a terminal stays quiet.
    """
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    saved = os.dup(fd)
    target = os.dup(sys.stderr.fileno()) if verbose else os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(target, fd)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)
        os.close(target)


def to_pulp(model: EstateModel, name: str = "estate") -> tuple[pulp.LpProblem, list]:
    """A PuLP problem with one variable per column and one named constraint per row.

    PuLP's public API only, written for speed (benchmarks/pulp_style.py): the arrays
    become Python lists once (no numpy scalar per nonzero), each row is made from the
    (variable, coefficient) pairs of its slice, the rows go in with one `extend` of a
    dict keyed by their names, and the cyclic garbage collector is paused while the
    ~10 objects per row are made (none of them form cycles; it would otherwise rescan
    all of them again and again as they accumulate).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _to_pulp(model, name)
    finally:
        if was_enabled:
            gc.enable()


def _to_pulp(model: EstateModel, name: str) -> tuple[pulp.LpProblem, list]:
    prob = pulp.LpProblem(name, pulp.LpMinimize)
    add = prob.add_variable
    integer, continuous = pulp.LpInteger, pulp.LpContinuous
    variables = [
        add(n, lo if lo != -math.inf else None, hi if hi != math.inf else None,
            # Not LpBinary: PuLP resets its bounds to [0, 1], losing fixings.
            integer if is_int else continuous)
        for n, lo, hi, is_int in zip(model.col_names.tolist(), model.col_lb.tolist(),
                                     model.col_ub.tolist(), model.col_integer.tolist(),
                                     strict=True)
    ]
    cost = model.col_cost
    nz = np.flatnonzero(cost)
    prob.setObjective(pulp.LpAffineExpression(
        dict(zip([variables[j] for j in nz.tolist()], cost[nz].tolist(), strict=True)),
        constant=float(model.obj_constant)))
    m = model.matrix
    indptr = m.indptr.tolist()
    row_vars = [variables[j] for j in m.indices.tolist()]
    data = m.data.tolist()
    EQ, LE, GE = pulp.LpConstraintEQ, pulp.LpConstraintLE, pulp.LpConstraintGE
    Expr, Constraint = pulp.LpAffineExpression, pulp.LpConstraint
    rows: dict[str, pulp.LpConstraint] = {}
    made = 0
    for r, (row_name, lo, hi) in enumerate(zip(model.row_names.tolist(), model.row_lb.tolist(),
                                               model.row_ub.tolist(), strict=True)):
        a, b = indptr[r], indptr[r + 1]
        # LpConstraint makes the row's expression straight from the (variable, coef) pairs
        terms = zip(row_vars[a:b], data[a:b], strict=True)
        if lo == hi:
            c = Constraint(terms, EQ, row_name, lo)
        elif lo == -math.inf:
            c = Constraint(terms, LE, row_name, hi)
        elif hi == math.inf:
            c = Constraint(terms, GE, row_name, lo)
        else:  # a ranged row: two PuLP rows over one expression
            expr = Expr(terms)
            c = Constraint(expr, GE, f"{row_name}_lo", lo)
            rows[c.name] = c
            made += 1
            c = Constraint(expr, LE, f"{row_name}_hi", hi)
        rows[c.name] = c  # keyed as addConstraint would: PuLP's cleaned name
        made += 1
    if len(rows) != made:  # extend() would silently keep one row of each duplicated name
        raise ValueError(f"{made - len(rows)} constraint names repeat once cleaned for PuLP")
    prob.extend(rows)
    prob.variables()  # register every variable now, as addConstraint would have
    return prob, variables


def write_lp(model: EstateModel, path: str | Path) -> Path:
    """The model as a CPLEX LP file with readable names (`--write-lp`)."""
    prob, _ = to_pulp(model)
    prob.writeLP(str(path))
    return Path(path)


def solve(model: EstateModel, options: SolverOptions, start: np.ndarray | None = None
          ) -> Solution:
    """Solve with the named solver; the status says whether the plan is proven.

    `start`, a full column vector (e.g. the status quo), is offered to HiGHS as a first
    plan when the hand-off is direct; HiGHS drops it if it breaks a rule.
    """
    if options.name == "highs" and options.direct:
        return solve_direct(model, options, start)
    if model.matrix.shape[1] == 0:
        return Solution(Status.OPTIMAL, model.obj_constant, model.obj_constant, 0.0, 0.0,
                        options.name, np.empty(0))
    prob, variables = to_pulp(model)
    if options.name == "highs":
        return _solve_pulp_highs(prob, variables, model, options)
    if options.name == "cbc":
        return _solve_pulp_cbc(prob, variables, model, options)
    raise ValueError(f"unknown solver {options.name!r}; installed: {available_solvers()}")


def _status_from_highs(h, has_integer: bool) -> tuple[Status, float, float, float]:  # noqa: ANN001
    """Typed status, objective, bound and gap from a highspy `Highs` after `run()`."""
    import highspy

    ms = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    obj = info.objective_function_value if has_sol else math.nan
    if has_integer:
        bound, gap = info.mip_dual_bound, info.mip_gap
    else:
        bound, gap = obj, 0.0
    S = highspy.HighsModelStatus
    if ms == S.kOptimal:
        return Status.OPTIMAL, obj, bound, max(0.0, gap) if math.isfinite(gap) else 0.0
    if ms in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return Status.INFEASIBLE, math.nan, math.nan, math.nan
    if has_sol:
        return Status.TIME_LIMIT, obj, bound, gap if math.isfinite(gap) else math.inf
    return Status.NO_SOLUTION, math.nan, bound, math.inf


def _solve_pulp_highs(prob, variables, model: EstateModel, options: SolverOptions) -> Solution:  # noqa: ANN001
    solver = pulp.HiGHS(msg=options.verbose, timeLimit=options.time_limit_s,
                        gapRel=options.mip_gap, threads=1)
    t0 = time.perf_counter()
    with solver_output(options.verbose):
        prob.solve(solver)
    seconds = time.perf_counter() - t0
    status, obj, bound, gap = _status_from_highs(prob.solverModel, bool(model.col_integer.any()))
    values = None
    if status in (Status.OPTIMAL, Status.TIME_LIMIT):
        values = np.array([v.varValue for v in variables], dtype=float)
        obj, bound, gap = _with_constant(obj, bound, gap, model.obj_constant)
    return Solution(status, obj, bound, gap, seconds, "highs", values)


def _with_constant(obj: float, bound: float, gap: float, constant: float
                   ) -> tuple[float, float, float]:
    """Objective and bound in NPV pounds, and the gap measured on them.

    HiGHS never sees the objective's constant (net exit costs of existing sites), so its
    relative gap is on a shifted objective; the gap we report is on the NPV itself.
    """
    obj, bound = float(obj + constant), float(bound + constant)
    if math.isfinite(bound) and math.isfinite(obj) and gap > 0:
        gap = max(0.0, (obj - bound) / max(abs(obj), 1e-9))
    return obj, bound, gap


_CBC_RESULT = re.compile(r"^Result - (.*)$", re.M)
_CBC_NUMBER = {
    key: re.compile(rf"^{label}:\s+(-?[0-9.eE+-]+|inf|-inf)", re.M)
    for key, label in (("objective", "Objective value"), ("bound", "Lower bound"),
                       ("gap", "Gap"))
}


def parse_cbc_log(text: str) -> dict[str, object]:
    """Result line, objective, lower bound and gap from CBC's own log."""
    out: dict[str, object] = {}
    m = _CBC_RESULT.search(text)
    out["result"] = m.group(1).strip() if m else ""
    for key, pattern in _CBC_NUMBER.items():
        m = pattern.search(text)
        out[key] = float(m.group(1)) if m else math.nan
    return out


def _solve_pulp_cbc(prob, variables, model: EstateModel, options: SolverOptions) -> Solution:  # noqa: ANN001
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=options.time_limit_s,
                                   gapRel=options.mip_gap, logPath=str(log), threads=1)
        t0 = time.perf_counter()
        prob.solve(solver)
        seconds = time.perf_counter() - t0
        text = log.read_text(errors="replace") if log.exists() else ""
    if options.verbose:
        sys.stderr.write(text)
    parsed = parse_cbc_log(text)
    result = str(parsed["result"]).lower()
    have_values = all(v.varValue is not None for v in variables)
    # CBC may prove infeasibility in presolve, with no "Result -" line at all.
    if "infeasible" in result or prob.status == pulp.LpStatusInfeasible or (
            not result and re.search(r"problem is infeasible", text, re.I)):
        return Solution(Status.INFEASIBLE, math.nan, math.nan, math.nan, seconds, "cbc", None, result)
    if "optimal" in result and have_values:
        status = Status.OPTIMAL
    elif have_values and prob.sol_status in (pulp.LpSolutionOptimal,
                                             pulp.LpSolutionIntegerFeasible):
        status = Status.TIME_LIMIT
    else:
        return Solution(Status.NO_SOLUTION, math.nan, math.nan, math.inf, seconds, "cbc", None, result)
    values = np.array([v.varValue for v in variables], dtype=float)
    obj = float(model.col_cost @ values + model.obj_constant)
    bound = parsed["bound"]
    bound = float(bound) + model.obj_constant if isinstance(bound, float) and \
        math.isfinite(bound) else (obj if status == Status.OPTIMAL else math.nan)
    if status == Status.OPTIMAL:
        gap = 0.0 if not math.isfinite(bound) else max(0.0, (obj - bound) / max(abs(obj), 1e-9))
    else:
        gap = (obj - bound) / max(abs(obj), 1e-9) if math.isfinite(bound) else math.inf
    return Solution(status, obj, bound, gap, seconds, "cbc", values, result)


def highs_lp(model: EstateModel):  # noqa: ANN201 (highspy.HighsLp; highspy is imported late)
    """The model's arrays as one `highspy.HighsLp` (column-wise matrix), ready to pass."""
    return lp_from_arrays(model.matrix.tocsc(), model.col_cost, model.col_lb, model.col_ub,
                          model.row_lb, model.row_ub, model.col_integer)


def solve_direct(model: EstateModel, options: SolverOptions,
                 start: np.ndarray | None = None) -> Solution:
    """Pass the arrays to highspy in one call (CSC matrix), no PuLP objects."""
    lp = highs_lp(model)
    t0 = time.perf_counter()
    with solver_output(options.verbose):  # the banner is printed when Highs() is made
        report = None
        if options.first_plan and model.col_integer.any():
            start, report = pooled_start(model, lp, start, options.time_limit_s,
                                         options.mip_gap)
        spent = time.perf_counter() - t0
        h = new_highs(float(options.time_limit_s) - spent, options.mip_gap, options.verbose)
        h.passModel(lp)
        if start is not None and len(start) == lp.num_col_:
            offer_solution(h, start)
        h.run()
    seconds = time.perf_counter() - t0
    status, obj, bound, gap = _status_from_highs(h, bool(model.col_integer.any()))
    values = None
    if status in (Status.OPTIMAL, Status.TIME_LIMIT):
        values = np.asarray(h.getSolution().col_value, dtype=float)
        # The plan is the vector: price it ourselves. (On a 430,000-column model stopped
        # by the time limit, HiGHS once reported an incumbent's objective beside a vector
        # that was the first plan offered; the gap must describe the plan we return.)
        priced = float(model.col_cost @ values)
        if status == Status.TIME_LIMIT and abs(priced - obj) > 1e-6 * max(abs(obj), 1.0):
            obj, gap = priced, 1.0
        obj, bound, gap = _with_constant(obj, bound, gap, model.obj_constant)
    return Solution(status, obj, bound, gap, seconds, "highs", values, first_plan=report)

"""The PuLP hand-off: the model's arrays as a PuLP problem, for CBC, for HiGHS through
PuLP (`SolverOptions(direct=False)`) and for LP files (`--write-lp`).

Status and gap are read from the solver itself, never from `prob.status` alone: PuLP
3.3's HiGHS interface calls a run stopped by its time limit "Optimal" (so HiGHS runs are
read with `estate.solve.highs.read_status`), and CBC's gap is only in its log.
"""

from __future__ import annotations

import gc
import math
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pulp

from estate.model.arrays import EstateModel
from estate.solve.highs import read_status, solver_output
from estate.solve.types import Solution, SolverOptions
from estate.status import Status


def to_pulp(model: EstateModel, name: str = "estate", constant_column: bool = False
            ) -> tuple[pulp.LpProblem, list]:
    """A PuLP problem with one variable per column and one named constraint per row.

    With `constant_column`, the objective's constant is the cost of one more variable,
    `objective_constant`, fixed at 1 (not in the list returned): a solver reached through
    PuLP then sees it, so its gap, and where `solver.mip_gap` stops it, are on the NPV
    itself. (PuLP's own objective constant never reaches CBC's or HiGHS's search.)

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
        return _to_pulp(model, name, constant_column)
    finally:
        if was_enabled:
            gc.enable()


def _to_pulp(model: EstateModel, name: str, constant_column: bool
             ) -> tuple[pulp.LpProblem, list]:
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
    terms = dict(zip([variables[j] for j in nz.tolist()], cost[nz].tolist(), strict=True))
    constant = float(model.obj_constant)
    if constant_column and constant:
        terms[add("objective_constant", 1.0, 1.0, continuous)] = constant
        constant = 0.0
    prob.setObjective(pulp.LpAffineExpression(terms, constant=constant))
    rows = _pulp_rows(model, variables)
    prob.extend(rows)
    prob.variables()  # register every variable now, as addConstraint would have
    return prob, variables


def _pulp_rows(model: EstateModel, variables: list) -> dict[str, pulp.LpConstraint]:
    """Every row as a PuLP constraint, keyed by its name as PuLP cleans it; a ranged row
    becomes two (`_lo`, `_hi`) over one expression."""
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
        else:
            expr = Expr(terms)
            c = Constraint(expr, GE, f"{row_name}_lo", lo)
            rows[c.name] = c
            made += 1
            c = Constraint(expr, LE, f"{row_name}_hi", hi)
        rows[c.name] = c  # keyed as addConstraint would: PuLP's cleaned name
        made += 1
    if len(rows) != made:  # extend() would silently keep one row of each duplicated name
        raise ValueError(f"{made - len(rows)} constraint names repeat once cleaned for PuLP")
    return rows


def write_lp(model: EstateModel, path: str | Path) -> Path:
    """The model as a CPLEX LP file with readable names (`--write-lp`); its folder is
    made when missing."""
    prob, _ = to_pulp(model)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    prob.writeLP(str(path))
    return Path(path)


def solved_values(model: EstateModel, variables: list) -> np.ndarray | None:
    """Each column's value as the solver gave it, None when it gave none. A column in no
    row and of no cost (a site no team may use and that costs nothing either way) is in
    no file PuLP writes, so the solver never sees it and gives it no value: any value
    within its bounds is optimal, and it takes the one nearest 0."""
    m = model.matrix
    unseen = (model.col_cost == 0) & (np.bincount(m.indices[m.data != 0],
                                                  minlength=m.shape[1]) == 0)
    values = [v.varValue for v in variables]
    for j in np.flatnonzero(unseen).tolist():
        if values[j] is None:
            values[j] = min(max(0.0, float(model.col_lb[j])), float(model.col_ub[j]))
    return None if any(v is None for v in values) else np.array(values, dtype=float)


def _nothing_to_solve(model: EstateModel, solver: str) -> Solution:
    """A model with no columns: its objective is its constant (PuLP cannot pass it on)."""
    return Solution(Status.OPTIMAL, model.obj_constant, model.obj_constant, 0.0, 0.0,
                    solver, np.empty(0))


def solve_highs(model: EstateModel, options: SolverOptions) -> Solution:
    """HiGHS through PuLP, read back from HiGHS itself (`prob.solverModel`)."""
    if model.matrix.shape[1] == 0:
        return _nothing_to_solve(model, "highs")
    prob, variables = to_pulp(model, constant_column=True)
    solver = pulp.HiGHS(msg=options.verbose, timeLimit=options.time_limit_s,
                        gapRel=options.mip_gap, threads=1)
    t0 = time.perf_counter()
    with solver_output(options.verbose):
        prob.solve(solver)
    seconds = time.perf_counter() - t0
    status, obj, bound, gap = read_status(prob.solverModel, bool(model.col_integer.any()))
    values = None
    if status.has_plan:  # objective and bound hold the constant (its fixed column)
        values = solved_values(model, variables)
    return Solution(status, obj, bound, gap, seconds, "highs", values)


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


def cbc_installed() -> bool:
    """Whether PuLP's own CBC binary is here: its wheels bundle one for the common
    platforms, not for every one."""
    return bool(pulp.PULP_CBC_CMD(msg=False).available())


def _run_cbc(prob: pulp.LpProblem, options: SolverOptions) -> tuple[str, float]:
    """Run PuLP's bundled CBC on `prob`; its log (echoed to stderr when verbose), seconds."""
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
    return text, seconds


def solve_cbc(model: EstateModel, options: SolverOptions) -> Solution:
    """CBC through PuLP: the status from its log's result line, the bound from its log."""
    if model.matrix.shape[1] == 0:
        return _nothing_to_solve(model, "cbc")
    prob, variables = to_pulp(model, constant_column=True)
    text, seconds = _run_cbc(prob, options)
    parsed = parse_cbc_log(text)
    result = str(parsed["result"]).lower()
    values = solved_values(model, variables)
    have_values = values is not None
    # CBC may prove infeasibility in presolve, with no "Result -" line at all.
    if "infeasible" in result or prob.status == pulp.LpStatusInfeasible or (
            not result and re.search(r"problem is infeasible", text, re.I)):
        return Solution(Status.INFEASIBLE, math.nan, math.nan, math.nan, seconds, "cbc", None,
                        result)
    if "optimal" in result and have_values:
        status = Status.OPTIMAL
    elif have_values and prob.sol_status in (pulp.LpSolutionOptimal,
                                             pulp.LpSolutionIntegerFeasible):
        status = Status.TIME_LIMIT
    else:
        return Solution(Status.NO_SOLUTION, math.nan, math.nan, math.inf, seconds, "cbc", None,
                        result)
    assert values is not None
    obj = float(model.col_cost @ values + model.obj_constant)
    bound = parsed["bound"]  # CBC's bound holds the constant (its fixed column)
    if not (isinstance(bound, float) and math.isfinite(bound)):
        bound = obj if status == Status.OPTIMAL else math.nan
    if not math.isfinite(bound):
        gap = 0.0 if status == Status.OPTIMAL else math.inf
    else:
        gap = (obj - bound) / max(abs(obj), 1e-9)
        gap = max(0.0, gap) if status == Status.OPTIMAL else gap
    return Solution(status, obj, bound, gap, seconds, "cbc", values, result)

"""Compare scenarios side by side: the runs, their figures and who gains.

`plan_runs(paths)` plans every scenario (with its policy costs, unless asked not to),
reusing the stored `results/<name>/` when it was solved from the same scenario and the
same register files; `estate.runs.compare_tables` writes `comparison.csv` and
`comparison.xlsx`. The page and the map of a comparison are drawn later, by
`estate.render.compare_page` and `estate.maps.compare_map`; `estate.api.compare` writes
all four files.

Who gains, and the compensation what-if. An agency's gain is its annual cost before
minus after (the basis of `worse_off`), or, on the NPV basis, its NPV saving as its
results folder holds it (`stored_agency_npv`: A times that minus its one-off costs, and
with a start date its leases' cost too). When the gains add up to at least 0, every
loser is paid its loss back and the gainers pay for it in proportion to their gains:

    transfer_g = loss_g                             for a loser (gain_g < 0), received
    transfer_g = -gain_g * sum(losses) / sum(gains) for a gainer, paid

so the transfers sum to 0, no agency ends worse off, and each gainer keeps the same
share, 1 - sum(losses)/sum(gains), of its gain. When the losses exceed the gains (the
scenario costs more than it saves in total) no transfer can leave everyone whole, and
the page says so.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from estate.errors import EstateError, InfeasibleError, InputError, OutputError, Problem, count
from estate.load.consistency import check_against_register
from estate.load.file_names import file_stem
from estate.load.scenario import Scenario, load_scenario
from estate.load.validate import Register, load_register
from estate.pipeline import (
    Progress,
    at_register,
    ids_unknown,
    named_by,
    named_register,
    quiet,
)
from estate.results import Summary, money
from estate.runs.alternatives import DrawPages
from estate.runs.clashes import folder_problems
from estate.runs.executor import run_all
from estate.runs.optimum import stored_optimum
from estate.runs.planning import plan_scenario
from estate.runs.policy import policy_costs
from estate.signals import Interrupted
from estate.status import Status, status_of
from estate.store import (
    StoredResults,
    check_results,
    inputs_sha256,
    is_fresh,
    read_summary,
    read_unchanged,
    scenario_as_solved,
    write_summary,
)
from estate.store.keep import is_kept_file
from estate.store.register_used import RegisterUsed, fingerprint

LOSS_TOL = 0.005
"""Pounds: a gain or loss this small is none (the threshold of `worse_off`)."""



@dataclass
class Run:
    """One scenario of a comparison: its stored results folder and summary, or why none."""

    path: Path
    scenario: Scenario
    results_dir: Path
    status: Status | None = None
    summary: Summary | None = None
    reused: bool = False
    message: str = ""
    state: str = ""  # what its stored folder allows: REUSE, ADD_POLICY_COSTS or SOLVE
    # each agency's NPV saving as its results folder holds it (`stored_agency_npv`), and,
    # for a dated scenario, its programme's (None when the scenario is not dated)
    agency_npv: dict[str, float] = field(default_factory=dict)
    dated_agency_npv: dict[str, float] | None = None
    # its results folder as read and checked once (`check_results`), for the comparison's
    # page and map to draw from without reading the folder again
    stored: StoredResults | None = field(default=None, repr=False, compare=False)
    # the register it is planned on (comparison.csv's `register*` columns)
    register: RegisterUsed | None = None
    # its register's checksum lines (`inputs_sha256`), read once for every scenario on
    # that register: its fingerprint (`register`), what a stored folder must hold to be
    # reused, and what a new one records; None until read
    inputs: str | None = field(default=None, repr=False)
    # the files the user saved into its results folder while it was planned, kept in
    # the new folder: each one's warning (`estate.store.keep.KeptFile.warning`)
    kept_files: list[Problem] = field(default_factory=list)
    # near-optimal alternatives its stored folder held that the plan made again here did
    # not keep (a comparison plans without them), and the maps of them removed
    dropped_alternatives: int = 0
    removed_maps: list[Path] = field(default_factory=list)
    # the map `estate plan` drew of it (maps/<name>.html), drawn again for the plan made
    # here so that it shows no older plan than its results folder holds
    redrawn_map: Path | None = None


@dataclass(frozen=True)
class Compensation:
    """The what-if that pays every loser back from the gainers (module docstring)."""

    basis: str
    gains: dict[str, float]
    possible: bool
    transfers: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def after(self) -> dict[str, float]:
        return {g: v + self.transfers.get(g, 0.0) for g, v in self.gains.items()}


def compensate(gains: dict[str, float], basis: str = "annual") -> Compensation:
    """Transfers (+ received, - paid) that leave no agency worse off, when the total allows."""
    losses = {g: -v for g, v in gains.items() if v < -LOSS_TOL}
    winners = {g: v for g, v in gains.items() if v > LOSS_TOL}
    lost, won = sum(losses.values()), sum(winners.values())
    if not losses:
        return Compensation(basis, gains, True, {}, "no agency is worse off")
    if lost > won:
        return Compensation(
            basis, gains, False, {},
            f"not possible: the losers lose {money(lost)} and the gainers gain only "
            f"{money(won)}, so the scenario costs {money(lost - won)} more than it saves")
    ratio = lost / won
    transfers = {**{g: v for g, v in losses.items()}, **{g: -v * ratio for g, v in winners.items()}}
    return Compensation(basis, gains, True, transfers,
                        f"each loser gets its loss back ({money(lost)} in all); each gainer "
                        # rounded up at one decimal: the share said, paid, covers the
                        # losses, and overstates each payment by under 0.1 of a point
                        f"pays {math.ceil(ratio * 1000 - 1e-9) / 10:.1f}% of its gain")


def annuity(summary: Summary) -> float:
    """A = sum_{t=1..H} (1+r)^-t of the plan's horizon and rate."""
    r, h = summary.discount_rate, summary.horizon_years
    return float(h) if r == 0 else float((1 - (1 + r) ** -h) / r)


def agency_gains(summary: Summary, basis: str = "annual") -> dict[str, float]:
    """Per agency: annual cost before - after, or (npv) A times that minus one-off costs."""
    a = annuity(summary)
    out = {}
    for agency_id, info in summary.agencies.items():
        annual = info.annual_cost_before - info.annual_cost_after
        out[agency_id] = annual if basis == "annual" else a * annual - info.one_off_cost
    return out


def stored_agency_npv(summary: Summary, agencies: pd.DataFrame | None) -> dict[str, float]:
    """Each agency's NPV saving: agencies.csv's where it has one (with a start date it
    counts the agency's leases too), otherwise A times the annual saving minus the
    one-off, as `agency_gains` gives it."""
    stored: dict[str, float] = {}
    if agencies is not None and "npv_saving" in agencies.columns:
        stored = dict(zip(agencies["agency_id"].astype(str),
                          pd.to_numeric(agencies["npv_saving"], errors="coerce"), strict=True))
    computed = agency_gains(summary, "npv")
    return {a: float(stored[a]) if a in stored and math.isfinite(stored[a]) else v
            for a, v in computed.items()}


REUSE, ADD_POLICY_COSTS, SOLVE = "reuse", "add_policy_costs", "solve"


def stored_state(scenario: Scenario, folder: Path,
                 inputs: str) -> tuple[str, StoredResults | None]:
    """`reuse` when the folder holds a plan of this very scenario and register (its
    checksum lines `inputs`, as `inputs_sha256` gives them) with its policy costs;
    `add_policy_costs` when only those are missing (a folder written by `estate plan`
    without `--policy-costs`); otherwise `solve`; with the folder as read, when it was.
    A folder that would be reused is read and checked whole first: a damaged or
    hand-edited one is a located `InputError` (`check_results`), never a misread plan."""
    if not is_fresh(folder, scenario_as_solved(scenario), inputs):
        return SOLVE, None
    if not (Path(folder) / "summary.json").exists():
        return SOLVE, None
    stored = check_results(folder)
    if not stored.summary.status.has_plan:
        return SOLVE, None
    return (REUSE if stored.summary.policy_costs is not None else ADD_POLICY_COSTS), stored


def add_policy_costs(scenario: Scenario, register: Register, folder: Path,
                     progress: Progress | None = None) -> None:
    """Price the policies of a stored plan and add them to its `summary.json` alone, so
    the plan, its maps and any alternatives stay as they are: a plan proven to 1e-6 is
    the scenario's optimum they are priced from (`compare` plans one that is not
    again, so that its plan is that optimum)."""
    summary = read_summary(folder)
    write_summary(summary.replace(policy_costs=policy_costs(
        scenario, register, progress=progress, known=stored_optimum(summary))), folder)


def _load_all(paths: list[Path], results_root: Path) -> tuple[list[Run], dict[Path, Register]]:
    """Every scenario and register read and checked before anything is solved. When
    more than one register was read, each register's problems name it (`at_register`):
    two copies of one register with the same slip would otherwise read alike."""
    runs, registers = [], {}
    problems: list[tuple[Path | None, Problem]] = []  # with the register each is of
    failed: list[Path] = []  # scenario files with errors of their own
    read: set[Path] = set()  # every register read, with errors or not: said once
    # each register's checksum lines, read once, and their fingerprint
    inputs: dict[Path, str] = {}
    fingerprints: dict[Path, str] = {}
    for path in paths:
        try:
            sc = load_scenario(path)
        except InputError as exc:
            problems.extend((None, p) for p in exc.problems)
            failed.append(path)
            continue
        runs.append(Run(Path(path), sc, results_root / file_stem(sc.name)))
    for run, clashes in zip(runs, folder_problems(runs), strict=True):
        problems.extend((None, p) for p in clashes)
        data = Path(run.scenario.data).resolve()
        if data not in registers:
            if data in read:
                continue
            read.add(data)
            try:  # with the checksums of the very files read, which its folders record
                registers[data], inputs[data] = read_unchanged(
                    data, functools.partial(load_register, data))
            except InputError as exc:
                problems.extend((data, p) for p in named_by(
                    exc.problems, run.path, run.scenario.raw.get("data")))
                continue
        files = set(registers[data].files.values())  # its errors at a register's file
        problems.extend((data if p.file in files else None, p) for p in
                        check_against_register(run.scenario, registers[data])
                        if p.severity == "error")
        if data not in fingerprints:
            fingerprints[data] = fingerprint(inputs[data])
        run.inputs = inputs[data]
        run.register = RegisterUsed(str(run.scenario.raw.get("data", data)), str(data),
                                    fingerprints[data], str(run.path))
    # the registers of scenarios with errors, each read once unless read above, and
    # their lists' ids (as `load_scenario_with_register_errors` reads one scenario's)
    for path in failed:
        if (named := named_register(path)) is None:
            continue
        data = named.resolve()
        if data not in read:
            read.add(data)
            try:
                registers[data] = load_register(data)
            except InputError as exc:
                problems.extend((data, p) for p in exc.problems)
        if data in registers:
            problems.extend((None, p) for p in ids_unknown(path, registers[data]))
    if problems:
        raise InputError([at_register(p, data) if data and len(read) > 1 else p
                          for data, p in problems])
    damaged: list[Problem] = []  # of the stored folders
    for run in runs:  # every stored folder to reuse checked before anything is solved
        try:
            data = Path(run.scenario.data).resolve()
            run.state, run.stored = stored_state(run.scenario, run.results_dir, inputs[data])
        except InputError as exc:
            damaged.extend(exc.problems)
    if damaged:
        raise InputError(damaged)
    return runs, registers


def _plan_run(task: tuple[Run, Register, Progress | None, bool, DrawPages | None]) -> bool:
    """Plan one compared scenario with its policy costs, or reuse its results folder
    (adding the policy costs when they are missing); True when reused. Without
    `priced`, a stored plan is reused with or without its policy costs, and a new plan
    is made without them. With no `progress` nothing is told, and the solve is not asked
    where it stands. `draw` writes the pages a new plan's folder holds (its programme's)."""
    run, register, progress, priced, draw = task
    say = progress or quiet
    sc = run.scenario
    if run.inputs is None:
        run.inputs = inputs_sha256(Path(sc.data))
    if not run.state:
        run.state, run.stored = stored_state(sc, run.results_dir, run.inputs)
    state = run.state
    if state == ADD_POLICY_COSTS and priced and not stored_optimum(read_summary(
            run.results_dir)).proven:
        # its policies would be priced from an optimum the 1e-6 search may find cheaper
        # than the plan stored: planned again, the plan is that optimum (`searched_plan`)
        say(f"{sc.name}: its stored plan is not proven to a gap of 1e-6, so it is planned "
            "again with its policy costs")
        state = SOLVE
    if state == ADD_POLICY_COSTS and not priced:
        say(f"{sc.name}: reusing {run.results_dir} (its policy costs not asked for)")
    elif state == REUSE:
        say(f"{sc.name}: reusing {run.results_dir} (same scenario and register)")
    elif state == ADD_POLICY_COSTS:
        say(f"{sc.name}: reusing {run.results_dir}, adding its policy costs")
        add_policy_costs(sc, register, run.results_dir, say)
    else:
        say(f"{sc.name}: planning" + (", with policy costs" if priced else ""))
        held = run.results_dir / "alternatives"
        run.dropped_alternatives = sum(1 for p in held.iterdir() if p.is_dir()) \
            if held.is_dir() else 0
        planned = plan_scenario(sc, out=run.results_dir, out_words=SCENARIO_OUT,
                                policy_costs=priced,
                                register=register, inputs=run.inputs, progress=progress,
                                draw=draw)
        run.kept_files = [w for w in planned.plan.warnings if is_kept_file(w)]
    if state == SOLVE or (state == ADD_POLICY_COSTS and priced):
        run.stored = None  # the folder was written or changed here: read it afresh
    return state != SOLVE


SCENARIO_OUT = ("its scenario's results folder",
                "once that is mended, run the comparison again: it plans only the "
                "scenarios whose results are not in place.")
"""How a compared scenario's results folder is named when it cannot be written."""


def plan_runs(paths: list[str | Path], results_root: Path = Path("results"),
              progress: Progress | None = None, policy_costs: bool = True,
              draw: DrawPages | None = None) -> list[Run]:
    """Plan each scenario with its policy costs, or reuse its stored results folder;
    without `policy_costs`, a quick comparison: no policy is priced, and a stored plan is
    reused whether or not it has them. `draw(plan, folder, name)` writes into each new
    plan's folder what `estate plan` draws there (`estate.api`: programme.html), so that
    a folder planned here holds what one `estate plan` wrote does.

    One by one, in order, on the serial executor: the scenarios share the registers
    read once here (each with its checksums: see `Run.inputs`), and progress reads
    scenario by scenario. A scenario that cannot be planned (infeasible, no plan in the
    time limit) is a row with its status; bad input, or a results folder that cannot be
    written, stops the comparison."""
    say = progress or quiet
    runs, registers = _load_all([Path(p) for p in paths], Path(results_root))
    tasks = [(run, registers[Path(run.scenario.data).resolve()], progress, policy_costs, draw)
             for run in runs]
    planned: list[Path] = []  # results folders written afresh, in order
    try:
        for i, outcome in run_all(_plan_run, tasks, "serial"):
            run = runs[i]
            if isinstance(outcome, BaseException):
                if isinstance(outcome, OutputError):
                    # a results folder that cannot be written (a full disk): the
                    # comparison's own files would fail alike, so it stops here
                    raise OutputError(stopped_words(planned, str(outcome)),
                                      outcome.reason) from outcome
                if isinstance(outcome, InputError) or not isinstance(outcome, EstateError):
                    raise outcome
                run.status = status_of(outcome)
                run.message = str(outcome) + (
                    f"\n  - {outcome.to_relax}" if isinstance(outcome, InfeasibleError)
                    and outcome.to_relax else "")
                run.stored = None  # what was read before it failed no longer stands
                say(f"{run.scenario.name}: {run.status}")
                continue
            run.reused = outcome
            if not outcome:
                planned.append(run.results_dir)
            stored = run.stored = run.stored or check_results(run.results_dir)
            run.summary, run.status = stored.summary, stored.summary.status
            run.agency_npv = stored_agency_npv(stored.summary, stored.tables.get("agencies"))
            run.dated_agency_npv = (stored.programme.agency_npv()
                                    if stored.programme is not None else None)
    except KeyboardInterrupt as stopped:
        raise Interrupted(interrupted_words(planned, getattr(stopped, "message", ""))) from None
    return runs


def stopped_words(planned: list[Path], inner: str) -> str:
    """What a comparison stopped by a results folder it could not write leaves: that
    scenario's words (`inner`, what its plan says of itself and how to go on), then the
    scenarios planned before it, their new folders in place, and no file of the
    comparison written."""
    earlier = (f" The results of {count(len(planned), 'scenario')} planned before it are in "
               f"place ({', '.join(str(p) for p in planned)})." if planned else "")
    return f"{inner.rstrip()}{earlier} No file of the comparison was written or changed."


def interrupted_words(planned: list[Path], inner: str) -> str:
    """What Ctrl-C in the middle of a comparison leaves: each scenario planned so far
    has its new results folder in place (the previous ones replaced), no file of the
    comparison is written or changed, and a run again reuses the plans; `inner`: what
    the plan it stopped says of itself, when it got as far as writing."""
    said = [inner.rstrip(".") if inner else "Interrupted"]
    if planned:
        said.append(f"the results of {count(len(planned), 'scenario')} planned so far are "
                    f"in place, replacing the previous ({', '.join(str(p) for p in planned)})")
    elif not inner:
        said.append("no scenario's previous results were replaced")
    return "; ".join([*said, "no file of the comparison was written or changed; run it "
                      "again to reuse the plans."])

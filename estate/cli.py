"""The `estate` command: a thin shell over `estate.api`.

Known errors become a clean message and an exit code: bad input 1, infeasible 2, no plan
in the time limit 3, anything unexpected 4 with the trace in a log file, never on screen.
Progress goes to stderr on a terminal, nowhere otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from estate.errors import InfeasibleError, InputError, NoSolutionError, Problem, ProblemKind, count
from estate.failures import handled, show_warnings
from estate.render.terminal import (
    err,
    no_plan_lines,
    progress_lines,
    say,
    shell_word,
    sweep_progress,
    wants_progress,
)
from estate.results import Summary
from estate.results.policy_cost import PolicyStatus
from estate.runs.executor import scheduler_needs_dask
from estate.shown_text import for_terminal

if TYPE_CHECKING:
    from estate.load.validate import Register

class Percent(click.ParamType):
    """A percentage of at least 0 that is a number: click's FloatRange lets nan and inf
    through, and an allowance of nan or inf percent finds nothing and says why wrongly."""

    name = "percent"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            self.fail(f"expected a finite number >= 0 (a percentage, such as 5), found "
                      f"{value!r}", param, ctx)
        return float(number)


class _GivenPath(click.Path):
    """A path given to estate, to read or to write. An empty value (`--out "$DIR"` with
    DIR unset) is refused: click would take it for the folder estate runs in, and write
    there, or say that folder is no results folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("expected a path, found an empty value (is a shell variable in it "
                      "unset?)", param, ctx)
        return super().convert(value, param, ctx)


GIVEN_PATH = _GivenPath(path_type=Path, readable=False)


PROGRESS = click.option(
    "--progress/--no-progress", "progress", default=None,
    help="Progress lines on stderr (default: only when stderr is a terminal; --progress "
         "also writes them to a log or a scheduled job's output).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="estate")
def cli() -> None:
    """Plan the shared estate of several public-sector agencies.

    Reads the agencies' registers of buildings and back-office functions, finds the
    cheapest plan that keeps every community's services within reach, and writes the
    savings, the moves and a map.

    \b
    Examples:
      estate validate data/suffolk
      estate plan models/shared_back_office.toml
      estate map "results/Shared back office" --out plan-map.html
    """


def print_summary(summary: Summary, out: Path | None, map_path: Path | None) -> None:
    """A short human summary on stdout."""
    from estate.render.text import summary_lines

    for line in summary_lines(summary):
        say(line)
    if out:
        say(f"Results: {out}")
    if map_path:
        say(f"Map:     {map_path}")


@cli.command("plan")
@click.argument("scenario", type=GIVEN_PATH)
@click.option("--out", type=GIVEN_PATH,
              help="Results folder (default results/<name>/).")
@click.option("--map", "map_path", type=GIVEN_PATH,
              help="Map file (default maps/<name>.html).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as one JSON object on stdout, nothing else (a "
                   "failed plan: its status and problems or reasons, README).")
@click.option("--write-lp", type=GIVEN_PATH,
              help="Also write the model as an LP file with readable names.")
@click.option("--verbose", is_flag=True, help="Show the solver's own log on stderr.")
@click.option("--policy-costs", is_flag=True, help="Also price each policy: the NPV it "
              "costs, the scenario's exact optimum against its exact optimum without the "
              "policy, one extra solve per policy and one for the scenario unless its plan "
              "is already proven (slower; docs/compare.md).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="Where the areas of a national register, and the "
              "optima of --policy-costs, are solved side by side: a local process pool or "
              "a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (e.g. "
              "tcp://10.0.0.5:8786); needs --executor dask, which without it starts a "
              "local cluster.")
@click.option("--workers", type=click.IntRange(min=1), help="Areas (and policy optima) "
              "solved at once: a pool of this many processes, or a local Dask cluster of "
              "this many (default: the number of cores for a pool, 2 for Dask; a --scheduler's "
              "cluster has its own).")
@click.option("--alternatives", type=click.IntRange(min=0), default=0, metavar="N",
              help="Also find up to N near-optimal plans, each with a different set of open "
                   "sites; stored in <out>/alternatives/<i>/.")
@click.option("--within", "within_pct", type=Percent(), default=5.0,
              show_default=True, metavar="PCT", help="Alternatives cost at most PCT percent "
              "of the optimum's NPV saving more than the optimum.")
@click.option("--programme", is_flag=True, help="Also schedule the plan year by year "
              "(leases, lags, build times, yearly limits of [programme]); needs `start`.")
@PROGRESS
@handled
def plan_command(scenario: Path, out: Path | None, map_path: Path | None, as_json: bool,
                 write_lp: Path | None, verbose: bool, policy_costs: bool, executor: str,
                 scheduler: str | None, workers: int | None, alternatives: int,
                 within_pct: float, programme: bool, progress: bool | None) -> None:
    """Validate, solve and write results for one SCENARIO file.

    Example: estate plan models/shared_back_office.toml
    """
    from estate.api import plan
    from estate.load.file_names import default_map, default_results
    from estate.pipeline import load_scenario_with_register_errors
    from estate.render.text import time_limit_warning
    from estate.store import summary_json

    if not alternatives and (click.get_current_context().get_parameter_source("within_pct")
                             == click.core.ParameterSource.COMMANDLINE):
        # the command, not the allowance, is what the problem is found in
        raise InputError([Problem("plan", None, "--within", "--alternatives N "
                                  "beside it (it says how much dearer the alternatives may "
                                  "be)", "--within alone", label="option")])
    scheduler_needs_dask(executor, scheduler)
    sc = load_scenario_with_register_errors(scenario)
    map_path = map_path or default_map(sc.name)
    folder = out or default_results(sc.name)
    # `out` as given: the folder named after the scenario is told apart from one given
    try:
        result = plan(sc, out=out, map_path=map_path, lp_path=write_lp, verbose=verbose,
                      progress=progress_lines(wants_progress(progress)),
                      policy_costs=policy_costs, executor=executor, scheduler=scheduler,
                      workers=workers, alternatives=alternatives, within_pct=within_pct,
                      programme=programme, policy_executor=executor)
    except (InfeasibleError, NoSolutionError) as exc:
        if (folder / "summary.json").is_file():  # "No plan was written" is not all
            exc.after = (f"Note: {for_terminal(str(folder))} still holds the plan of an "
                         "earlier run (its scenario.toml says how it was planned), not one "
                         "of this run: it was left as it was, and estate map and estate "
                         "report on it show that earlier plan.")
        raise
    # some warnings come with the plan (a kept site's lease ending within the horizon),
    # which `estate validate` cannot give: the results folder keeps them all
    drawn_over = [w for w in result.warnings if w.kind is ProblemKind.DRAWN_OVER]
    show_warnings([w for w in result.warnings if w not in drawn_over],
                  also=f"warnings.csv in {for_terminal(str(folder))} lists them all")
    for over in drawn_over:  # not the plan's (warnings.csv), but the maps' beside it
        err(f"Warning: {over}")
    if verbose and result.summary.areas:  # many processes' logs at once: none is shown
        err(f"WARNING: --verbose showed no solver log: the register was planned area by "
            f"area ({count(len(result.summary.areas), 'area')}); plan an area as its own "
            "register to see its log.")
    if as_json:
        click.echo(summary_json(result.summary, compact=True))
    else:
        print_summary(result.summary, folder, map_path)
        for cost in (result.summary.policy_costs or {}).values():
            if cost.status is not PolicyStatus.NOT_SET:
                say(f"Policy cost:     {cost.sentence}")
        if alternatives:
            from estate.render.text import alternative_lines

            for line in alternative_lines(result.summary):
                say(line)
    if warning := time_limit_warning(result.summary):
        err(warning)


@cli.command("validate")
@click.argument("data", type=GIVEN_PATH)
@handled
def validate_command(data: Path) -> None:
    """Check a register (folder of CSVs, .xlsx or .gpkg) and list every problem; or
    check a scenario file (.toml, or any other file) with its register as `estate plan`
    does before it solves: every problem and warning, the distances measured, and the
    pre-check that no rule rules out every plan (exit 2 with the reasons when one does),
    in a second or two and without planning (nothing is solved or written).

    \b
    Examples:
      estate validate data/suffolk
      estate validate models/shared_back_office.toml
    """
    from estate.api import validate, validate_scenario
    from estate.load.read import names_a_register, shown_path

    if names_a_register(data):
        register = validate(data)
        show_warnings(register.warnings, most=len(register.warnings))
        say(register_line(str(data), register))  # as the user typed it
        return
    checked = validate_scenario(data)
    show_warnings(checked.warnings, most=len(checked.warnings))
    say(register_line(shown_path(checked.scenario.data), checked.register))
    measured = (f"{count(len(checked.areas), 'area')} to plan, each measured, nothing found "
                "that rules out its plan" if checked.areas else
                "distances measured, nothing found that rules out every plan")
    found = len(checked.warnings) - len(checked.register.warnings)
    say(f"{data}: consistent with its register; {measured}{_warned(found)}; not planned "
        f"(estate plan {shell_word(data)} solves it)")


def register_line(where: str, register: Register) -> str:
    """`estate validate`'s report of a valid register at `where`: what it holds, how many
    warnings."""
    held = ", ".join(count(len(getattr(register, table)), *noun) for table, noun in (
        ("agencies", ("agency", "agencies")), ("sites", ("site",)),
        ("functions", ("function",)), ("zones", ("zone",)), ("pair_costs", ("pair cost",))))
    return f"{where}: valid register; {held}" + _warned(len(register.warnings))


def _warned(count: int) -> str:
    return f"; {count} warning{'s' if count != 1 else ''}" if count else ""


@cli.command("map")
@click.argument("results_dir", type=GIVEN_PATH)
@click.option("--out", type=GIVEN_PATH,
              help="Map file (default maps/<scenario>.html).")
@click.option("--cdn", is_flag=True, help="Load Leaflet from CDNs: a lighter file that "
              "needs the internet to open.")
@handled
def map_command(results_dir: Path, out: Path | None, cdn: bool) -> None:
    """Draw the map of a stored RESULTS_DIR (no solving).

    Example: estate map "results/Shared back office" --out plan-map.html
    """
    from estate.pages import draw_map, map_path

    another = _drawn_over(lambda: map_path(results_dir, out), results_dir)
    target = draw_map(results_dir, out, cdn=cdn)
    say(f"Map: {target}")
    if another:
        err(f"Warning: {target} was the map of another results folder, and now shows "
            f"{results_dir}" + (". Give --out FILE to keep each folder's map." if out is None
                                else "."))


def _drawn_over(paths: Callable[[], Path | tuple[Path, ...]], results_dir: Path
                ) -> list[Path]:
    """The files estate is about to draw from `results_dir` at `paths()` that were drawn
    from another results folder: the scenario's own place (maps/<name>.html,
    reports/<name>.pdf) is shared by every folder of it, an archived copy's too. A
    folder that cannot be read has none: drawing it says why."""
    from estate.store.drawn_from import replaces_another

    try:
        found = paths()
    except InputError:
        return []
    return [p for p in (found if isinstance(found, tuple) else (found,))
            if replaces_another(p, results_dir)]


def _iso_day(value: str | None) -> dt.date | None:
    """`--date` as a day, read as `estate.report(prepared=)` reads it (`given_day`), or
    a usage error that says what to type: the ISO date of "9/3/2027", why "2027-02-30"
    is no day."""
    if value is None:
        return None
    from estate.load.dates import given_day

    try:
        return given_day(value, "--date", "report")
    except InputError as exc:
        raise click.BadParameter(f"expected a day written YYYY-MM-DD, such as 2027-03-09; "
                                 f"found {exc.problems[0].found}") from None


@cli.command("report")
@click.argument("results_dir", type=GIVEN_PATH)
@click.option("--out", type=GIVEN_PATH,
              help="The board pack (PDF; default reports/<scenario>.pdf).")
@click.option("--html", "html", type=GIVEN_PATH,
              help="The same pack as one HTML page (default: --out with .html).")
@click.option("--compare", "compare", metavar="DIR",
              type=GIVEN_PATH,
              help="An `estate compare` folder: adds its scenarios side by side.")
@click.option("--date", "prepared", callback=lambda _c, _p, value: _iso_day(value),
              metavar="YYYY-MM-DD", help="The date the pack says it was prepared "
              "(default: today).")
@handled
def report_command(results_dir: Path, out: Path | None, html: Path | None,
                   compare: Path | None, prepared: dt.date | None) -> None:
    """Write the board pack of a stored RESULTS_DIR: the decision, the map before and
    after, who gains, what each policy costs, the programme, the assumptions.

    Example: estate report "results/Shared back office" (writes "reports/Shared back
    office.pdf" and .html)
    """
    from estate.pages import pack_paths, report
    from estate.store.file_set import written

    another = _drawn_over(lambda: pack_paths(results_dir, out, html), results_dir)
    pdf, page = report(results_dir, out, html=html, compare=compare, prepared=prepared)
    with written([pdf, page]):
        say(f"Board pack: {pdf}")
        say(f"As a page:  {page}")
    if another:
        was = "was" if len(another) == 1 else "were"
        err(f"Warning: {' and '.join(map(str, another))} {was} the board pack of another "
            f"results folder, and now show{'s' if len(another) == 1 else ''} {results_dir}"
            + (". Give --out FILE to keep each folder's pack." if out is None else "."))


@cli.command("sweep")
@click.argument("scenario", type=GIVEN_PATH)
@click.option("--vary", "varies", multiple=True, required=True, metavar="KEY=VALUES",
              help="A dotted scenario key and its values: KEY=V1,V2,... or KEY=LO:HI:N "
                   "(N evenly spaced values). Repeat for more keys; every combination is run.")
@click.option("--out", type=GIVEN_PATH, required=True,
              help="Sweep folder: sweep.csv, site_robustness.csv, sweep.html, runs/<run-id>/.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="A process pool here, or a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler (e.g. "
              "tcp://10.0.0.5:8786); needs --executor dask, which without it starts a "
              "local cluster.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Parallel runs (default: the number of cores).")
@click.option("--max-runs", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Refuse a grid of more runs than this, before any run starts.")
@PROGRESS
@handled
def sweep_command(scenario: Path, varies: tuple[str, ...], out: Path, executor: str,
                  scheduler: str | None, workers: int | None, max_runs: int,
                  progress: bool | None) -> None:
    """Plan SCENARIO for every combination of the varied keys; rerun to resume.

    Example: estate sweep models/shared_back_office.toml
    --vary sharing.efficiency=0.1:0.25:4 --vary relocation.cost_per_fte=2500,5000
    --out sweeps/efficiency
    """
    from estate.api import sweep
    from estate.render.sweep_page import registers_note
    from estate.runs.sweep import SWEEP_FILES, parse_vary
    from estate.store.file_set import written

    scheduler_needs_dask(executor, scheduler)
    varied = [parse_vary(v) for v in varies]
    result = sweep(scenario, varied, out, executor=executor,
                   scheduler=scheduler, workers=workers, max_runs=max_runs,
                   on_outcome=sweep_progress(wants_progress(progress)))
    files = [out / name for name in SWEEP_FILES if name != "runs"]
    with written(files):
        counts = result.rows["status"].value_counts()
        runs = len(result.rows)
        say(f"{runs} run{'s' if runs != 1 else ''} ({len(result.solved)} planned now, "
            f"{len(result.reused)} reused) in {result.seconds:,.1f} s: "
            + ", ".join(f"{n} {s}" for s, n in counts.items()))
        for path in files:
            say(f"  {path}")
        if note := registers_note(result.rows, varied):
            err(f"WARNING: {note}")


@cli.command("compare")
@click.argument("scenarios", nargs=-1, required=True,
                type=GIVEN_PATH)
@click.option("--out", type=GIVEN_PATH,
              default=Path("comparison"), show_default=True, help="Folder for the comparison.")
@click.option("--cdn", is_flag=True, help="Comparison map loads Leaflet from CDNs.")
@click.option("--policy-costs/--no-policy-costs", "policy_costs", default=True,
              show_default=True, help="Price each policy of each scenario (one exact solve "
              "per policy: on a district-size register, an hour or more); --no-policy-costs "
              "compares the plans alone, reusing stored plans whether or not they have them.")
@PROGRESS
@handled
def compare_command(scenarios: tuple[Path, ...], out: Path, cdn: bool, policy_costs: bool,
                    progress: bool | None) -> None:
    """Plan SCENARIOS side by side, with what each policy costs and who gains.

    Reuses results/<name>/ when its scenario and register are unchanged. Writes
    comparison.csv, .xlsx, .html and comparison_map.html into --out.

    Example: estate compare models/no_sharing.toml models/shared_back_office.toml
    """
    from rich.console import Console
    from rich.text import Text

    from estate.api import COMPARISON_FILES, compare
    from estate.render.compare_figures import comparison_notes
    from estate.render.compare_page import terminal_table
    from estate.store.file_set import written

    runs = compare(list(scenarios), out=out, progress=progress_lines(wants_progress(progress)),
                   cdn=cdn, policy_costs=policy_costs)
    console = Console(highlight=False, emoji=False)
    with written([out / name for name in COMPARISON_FILES]):  # a Ctrl-C now: all are new
        notes = comparison_notes(runs)
        for note in notes:  # before the figures it explains
            if note.first:
                console.print(Text(for_terminal(note.text)))
        console.print(terminal_table(runs))
        for run in runs:
            if run.summary is None:  # with its reasons, as estate plan says them
                no_plan_lines(run.scenario.name, str(run.status), run.message)
            for kept in run.kept_files:  # a file saved into its folder as it was planned
                err(f"WARNING: {run.scenario.name}: {kept.sentence}")
            if run.dropped_alternatives:
                maps = (f"; their maps removed ({', '.join(map(str, run.removed_maps))})"
                        if run.removed_maps else "")
                err(f"WARNING: {run.scenario.name}: planned again here, without the "
                    f"{count(run.dropped_alternatives, 'near-optimal alternative')} its "
                    f"results folder held{maps}; estate plan --alternatives N makes them again")
        redrawn = [str(run.redrawn_map) for run in runs if run.redrawn_map is not None]
        if redrawn:  # maps `estate plan` drew, showing an earlier plan until now
            say(f"Drawn again for the new plans: {', '.join(redrawn)}")
        for note in notes:
            if not note.first:  # said above; a remark as the page shows it, muted
                err(f"{'Note' if note.remark else 'WARNING'}: {note.text}")
        say("Comparison: " + ", ".join(str(out / name) for name in COMPARISON_FILES))

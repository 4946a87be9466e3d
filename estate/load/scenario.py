"""Scenario files: one TOML file per question a planner asks of the register.

A scenario is read into a plain nested dict first (so that sweeps can change any dotted
key and re-validate), then checked key by key and turned into the frozen `Scenario`.
Every problem of the file is reported at once, naming the key and what would be
accepted, before any solving."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.errors import InputError, Problem, did_you_mean, near_miss, typed
from estate.load.checker import KeyChecker
from estate.load.dates import iso_to_type, no_such_day
from estate.load.free_text import INVISIBLE, REFUSED, has_hidden, one_line
from estate.load.scenario_keys import COVERAGE_DEFAULTS, DEFAULTS
from estate.load.schema import CIRCUMFERENCE_KM, MAX_MONEY, MAX_YEARS
from estate.load.toml_text import read_scenario_dict

COVERAGE_MODES = ("maintain", "all", "population_share")
# The solvers a scenario may name; estate.solve.REGISTRY says how each runs and whether
# it is installed here (and checks on import that it lists these names).
SOLVERS = ("highs", "cbc", "scip")
EARLIEST_START = dt.date(1900, 1, 1)
"""The earliest `start`: the first day spreadsheets date (nothing older is a plan)."""

#: The defaults of every scenario key but `data` (docs/formats.md).
def _homes() -> dict[str, dict[str, str]]:
    """For each table of a scenario ("" the top of the file, "coverage" a rule), the keys
    of the other tables, each with the words that say where it is written: a key typed in
    the wrong place (`mip_gap` above `[solver]`, `start` below a header) is told where."""
    where: dict[str, str] = {}
    for key, value in {**DEFAULTS, "data": None}.items():
        if isinstance(value, dict):
            for sub in value:
                where.setdefault(sub, f"is a key of [{key}]: write it below that header")
        else:
            where.setdefault(key, "is a top-level key: write it above the first [header], "
                             "since every key below a header is that table's")
    for key in COVERAGE_DEFAULTS:
        where.setdefault(key, "is a key of a coverage rule: write it below a [[coverage]] "
                         "header")
    own = {"": {k for k, v in DEFAULTS.items() if not isinstance(v, dict)} | {"data"},
           "coverage": set(COVERAGE_DEFAULTS)}
    own.update({k: set(v) for k, v in DEFAULTS.items() if isinstance(v, dict)})
    return {table: {k: w for k, w in where.items() if k not in keys}
            for table, keys in own.items()}


HOMES = _homes()


@dataclass(frozen=True)
class CoverageRule:
    """Rule `coverage.<index>`: zones keep a site offering `service` within `radius_km`."""

    index: int
    service: str
    radius_km: float
    mode: str
    population_share: float = 0.95

    @property
    def name(self) -> str:
        return f"coverage.{self.index}"


@dataclass(frozen=True)
class ProgrammeLimits:
    """`[programme]`: what one year of the programme may spend, move and close;
    `max_one_off_per_year` holds one limit per year of the horizon (inf: no limit)."""

    max_one_off_per_year: tuple[float, ...]
    max_fte_moved_per_year: float = math.inf
    max_closures_per_year: float = math.inf
    # asked for by `--programme` on a scenario with no [programme] table, so that a
    # problem with it names the option, not a key the file does not hold
    by_option: bool = False


FIGURES: dict[str, tuple[str, Callable[[KeyChecker, Any, str], Any]]] = {
    "horizon_years": ("horizon_years", lambda c, v, k: c.integer(v, k, 1, int(MAX_YEARS))),
    "discount_rate": ("discount_rate", lambda c, v, k: c.number(v, k, lo=0.0, hi=1.0)),
    "cost_per_fte": ("relocation.cost_per_fte",
                     lambda c, v, k: c.number(v, k, lo=0.0, hi=MAX_MONEY)),
    "max_km": ("relocation.max_km", lambda c, v, k: c.number(v, k, lo=0.0, allow_inf=True)),
    "min_agencies": ("sharing.min_agencies", lambda c, v, k: c.integer(v, k, 1)),
    "time_limit_s": ("solver.time_limit_s",
                     lambda c, v, k: c.number(v, k, lo=0.0, lo_open=True)),
    "mip_gap": ("solver.mip_gap", lambda c, v, k: c.number(v, k, lo=0.0, hi=1.0)),
}
"""The figures a run reads (the `Scenario` field), each with its scenario key and its
check: one rule for a file's value and for a Scenario changed in code."""


def figure(c: KeyChecker, name: str, value: Any) -> Any:
    """The `FIGURES` field `name`'s value as its check reads it (a problem kept in `c`)."""
    key, check = FIGURES[name]
    return check(c, value, key)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. `raw` keeps the file's dict so runs can be reproduced."""

    name: str
    data: Path
    agencies: tuple[str, ...]
    horizon_years: int
    discount_rate: float
    crs: str
    sharing_types: tuple[str, ...]
    efficiency: dict[str, float]
    setup_cost: dict[str, float]
    min_agencies: int
    cost_per_fte: float
    max_km: float
    split: bool
    coverage: tuple[CoverageRule, ...]
    keep: tuple[str, ...]
    close: tuple[str, ...]
    max_one_off: float
    closable_kinds: tuple[str, ...]
    solver: str
    time_limit_s: float
    mip_gap: float
    start: dt.date | None = None  # the day year 1 begins; None: leases and lags ignored
    programme: ProgrammeLimits | None = None  # set: schedule the plan year by year
    site_configurations: bool = False  # the HiGHS search starts with site configurations
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        """The figures a run reads and its name, checked again as the file's are: a
        Scenario changed in code (`dataclasses.replace(s, time_limit_s=-5)`) is refused as
        its file would be, not planned as the status quo or failing deep in a solve."""
        c = KeyChecker(f"{self.path or self.name} (as changed in code)")
        checked = {name: figure(c, name, getattr(self, name)) for name in FIGURES}
        name = c.text(self.name, "name")  # text, with no control character, as a file's
        if not c.problems and not INVISIBLE.sub("", name).strip():  # a file's "": its own
            c.fail("name", "a name to show (the results folder, map and pack are named by "
                   "it)", repr(self.name), said=True)
        if c.problems:
            raise InputError(c.problems)
        for name, value in checked.items():  # as read: "inf" a float, 10.0 years 10
            object.__setattr__(self, name, value)

    @property
    def annuity(self) -> float:
        """A = sum_{t=1..H} (1+r)^-t: today's value of £1 a year for the horizon."""
        r, h = self.discount_rate, self.horizon_years
        if r == 0:
            return float(h)
        return float((1 - (1 + r) ** -h) / r)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; paths inside it are relative to the file."""
    path = Path(typed("estate.load_scenario", "path", path))
    raw = read_scenario_dict(path)
    return scenario_from_dict(raw, base_dir=path.parent, label=str(path), default_name=path.stem)


def set_dotted(raw: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of `raw` with the dotted `key` (e.g. `coverage.0.radius_km`) set to `value`."""
    out = copy.deepcopy(raw)
    parts = key.split(".")
    node: Any = out
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = node[int(part)]
            continue
        if part not in node:
            node[part] = [] if part == "coverage" else {}
        node = node[part]
        if part == "coverage" and isinstance(node, list) and i + 1 < len(parts) - 1:
            idx = int(parts[i + 1])
            while len(node) <= idx:
                node.append({})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


def _per_type(c: KeyChecker, value: Any, key: str, types: tuple[str, ...], **bounds: Any
              ) -> dict[str, float]:
    """A number for every sharing type, or a table naming exactly those types."""
    if isinstance(value, dict):
        if set(value) != set(types):
            c.fail(key, "a number, or a table naming exactly the sharing types "
                   f"{', '.join(types)}", f"a table naming {', '.join(sorted(value))}",
                   said=True)
        return {t: c.number(value.get(t, 0.0), f"{key}.{t}", **bounds) for t in types}
    x = c.number(value, key, **bounds)
    return {t: x for t in types}


def scenario_from_dict(raw: dict[str, Any], base_dir: str | Path, label: str,
                       default_name: str = "scenario") -> Scenario:
    """Check every key of a parsed scenario and build the `Scenario` (`data` read from
    `base_dir`)."""
    typed("estate.scenario_from_dict", "raw", raw, (dict,), "a dict of the scenario's keys")
    base_dir = Path(typed("estate.scenario_from_dict", "base_dir", base_dir))
    c = KeyChecker(label)
    allowed_top = {**DEFAULTS, "data": None}
    c.unknown(raw, allowed_top, "", HOMES[""])

    def sub(name: str) -> dict[str, Any]:
        given = c.table(raw.get(name, {}), name)
        # a top-level key given at the top and again below this header: drop the copy
        homes = {**HOMES[name], **{key: "is given at the top of the file as well: delete "
                                   "this copy below the header" for key in given
                                   if key in HOMES[name] and key in raw
                                   and not isinstance(raw[key], dict)}}
        c.unknown(given, DEFAULTS[name], name + ".", homes)
        return {**DEFAULTS[name], **given}

    if not raw:
        c.fail("data", "the register's path (a folder, .xlsx or .gpkg) and the other keys "
               "of a scenario (start from one in models/, or docs/formats.md)",
               "(an empty file: no key at all)")
        data = Path()
    elif "data" not in raw:
        c.fail("data", "the register's path (a folder, .xlsx or .gpkg)", "(no data key)")
        data = Path()
    else:
        data_text = c.text(raw["data"], "data", as_line=False)
        # from the scenario file's folder, left for the OS to resolve: `..` after a
        # symlinked folder leads from its target (lines name it by `shown_path`)
        if not data_text.strip():  # not the scenario's own folder, which "" would be
            c.fail("data", "the register's path (a folder, .xlsx or .gpkg)", "an empty text",
                   said=True)
        data = (base_dir / data_text) if data_text.strip() else Path()
    given = c.text(raw.get("name", ""), "name").strip()
    if given and not INVISIBLE.sub("", given).strip():
        c.fail("name", "a name to show (the results folder, map and pack are named by it)",
               f"{given!r}, only characters that show as nothing", said=True)
    name = given or one_line(default_name).strip()
    if not given and has_hidden(name):  # a file's name is free text too
        c.fail("name", f"{REFUSED}: with no name key the scenario is named after its file; "
               "give it a name, or rename the file", default_name)
    agencies = c.texts(raw.get("agencies", []), "agencies")
    horizon = figure(c, "horizon_years", raw.get("horizon_years", DEFAULTS["horizon_years"]))
    rate = figure(c, "discount_rate", raw.get("discount_rate", DEFAULTS["discount_rate"]))
    crs = c.text(raw.get("crs", ""), "crs")
    if crs:
        try:
            import pyproj

            chosen = pyproj.CRS.from_user_input(crs)
            unit = chosen.axis_info[0].unit_name if chosen.axis_info else ""
            if not chosen.is_projected:
                c.fail("crs", "a projected (metric) CRS such as EPSG:27700", crs)
            elif unit not in ("metre", "meter"):  # distances would be in feet, not km
                c.fail("crs", "a projected CRS in metres such as EPSG:27700",
                       f"{crs} (in {unit or 'unknown units'})")
        except pyproj.exceptions.CRSError:
            c.fail("crs", "a CRS pyproj knows, such as EPSG:27700", crs)

    sharing = _sharing(c, sub("sharing"))
    relocation = sub("relocation")
    cost_per_fte = figure(c, "cost_per_fte", relocation["cost_per_fte"])
    max_km = figure(c, "max_km", relocation["max_km"])
    split = c.boolean(sub("assignment")["split"], "assignment.split")
    rules = _coverage(c, raw.get("coverage", []))
    policy = _policy(c, sub("policy"))
    solver = _solver(c, sub("solver"))
    start = _start(c, raw.get("start", ""))
    if start is not None and start.year + horizon > dt.MAXYEAR:
        c.fail("start", f"a date whose {horizon}-year horizon ends by the year {dt.MAXYEAR}",
               start.isoformat())
    if start is not None and start < EARLIEST_START:
        # the map's year labels and the programme's dates count back a day from it
        c.fail("start", f"a date from {EARLIEST_START.isoformat()}", start.isoformat())
    programme = _programme(c, sub("programme"), horizon) if "programme" in raw else None
    # a start given but not a date, or given below [programme], is named above, once
    if programme is not None and start is None and not raw.get("start") \
            and "start" not in (raw["programme"] if isinstance(raw["programme"], dict) else {}):
        c.fail("programme", "a start date too (start = \"2027-04-01\"): the programme is "
               "dated from it", "[programme] without start")
    if c.problems:
        raise InputError(c.problems)
    return Scenario(
        name=name, data=data, agencies=agencies, horizon_years=horizon, discount_rate=rate,
        crs=crs, **sharing, cost_per_fte=cost_per_fte, max_km=max_km, split=split,
        coverage=rules, **policy, **solver, start=start, programme=programme,
        path=Path(label) if label else None, raw=copy.deepcopy(raw),
    )


def _sharing(c: KeyChecker, sharing: dict[str, Any]) -> dict[str, Any]:
    """`[sharing]`: the types that pool, what pooling saves and costs, the agencies it needs."""
    types = c.texts(sharing["types"], "sharing.types")
    return {
        "sharing_types": types,
        "efficiency": _per_type(c, sharing["efficiency"], "sharing.efficiency", types,
                                lo=0.0, hi=1.0, hi_open=True),
        "setup_cost": _per_type(c, sharing["setup_cost"], "sharing.setup_cost", types, lo=0.0,
                                hi=MAX_MONEY),
        "min_agencies": figure(c, "min_agencies", sharing["min_agencies"]),
    }


def _coverage(c: KeyChecker, cov: Any) -> tuple[CoverageRule, ...]:
    """`[[coverage]]`: each rule checked under its own key, `coverage.<i>`."""
    if isinstance(cov, dict):  # one rule headed [coverage], as every other table is
        c.fail("coverage", "rules each headed [[coverage]], in two pairs of square brackets "
               "(a file may hold several)", "a rule headed [coverage], in one pair: write "
               "its header [[coverage]]", said=True)
        return ()
    if not isinstance(cov, list):
        c.fail("coverage", "a list of [[coverage]] tables", cov)
        return ()
    rules: list[CoverageRule] = []
    for i, given in enumerate(cov):
        key = f"coverage.{i}"
        written = c.table(given, key, "a [[coverage]] block of service, radius_km and mode")
        c.unknown(written, COVERAGE_DEFAULTS, key + ".", HOMES["coverage"])
        rule = {**COVERAGE_DEFAULTS, **written}
        mode = c.text(rule["mode"], key + ".mode")
        if mode and mode not in COVERAGE_MODES:
            # `Maintain`, `population share`, `maintian`: the mode in the docs' spelling
            near = [m for m in COVERAGE_MODES if near_miss(mode, m)][:1]
            c.fail(key + ".mode", f"one of {', '.join(COVERAGE_MODES)}",
                   f"{mode!r} ({did_you_mean(near)})" if near else mode, said=bool(near))
        rules.append(CoverageRule(
            index=i,
            service=c.text(rule["service"], key + ".service"),
            radius_km=c.number(rule["radius_km"], key + ".radius_km", lo=0.0, lo_open=True,
                               hi=CIRCUMFERENCE_KM),
            mode=mode,
            population_share=c.number(rule["population_share"], key + ".population_share",
                                      lo=0.0, hi=1.0),
        ))
    return tuple(rules)


def _policy(c: KeyChecker, policy: dict[str, Any]) -> dict[str, Any]:
    """`[policy]`: sites kept or closed, the one-off cap, the kinds that may close."""
    keep = c.texts(policy["keep"], "policy.keep")
    close = c.texts(policy["close"], "policy.close")
    for site in sorted(set(keep) & set(close)):
        c.fail("policy.close", "sites not also listed in policy.keep",
               f"{site} in both keep and close", said=True)
    return {"keep": keep, "close": close,
            "max_one_off": c.number(policy["max_one_off"], "policy.max_one_off",
                                    allow_inf=True),
            "closable_kinds": c.texts(policy["closable_kinds"], "policy.closable_kinds")}


def _solver(c: KeyChecker, solver: dict[str, Any]) -> dict[str, Any]:
    """`[solver]`: which solver, for how long, to which gap."""
    name = c.text(solver["name"], "solver.name").lower()
    if name and name not in SOLVERS:
        c.fail("solver.name", f"one of {', '.join(SOLVERS)}", name)
    return {"solver": name,
            "time_limit_s": figure(c, "time_limit_s", solver["time_limit_s"]),
            "mip_gap": figure(c, "mip_gap", solver["mip_gap"]),
            "site_configurations": c.boolean(solver["site_configurations"],
                                             "solver.site_configurations")}


def _start(c: KeyChecker, value: Any) -> dt.date | None:
    """`start`: an ISO date, as a TOML date or a text; empty means no dating."""
    if isinstance(value, dt.datetime):  # the day a year begins has no time of day
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date()
        c.fail("start", f"a day, without a time of day (start = {value.date().isoformat()})",
               value.isoformat())
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        c.fail("start", 'a day such as "2027-04-01", not a time of day', value.isoformat())
        return None
    text = c.text(value, "start").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        # a date as a spreadsheet shows it (31/03/2027, or Excel's day number 46477),
        # said as ISO, as a register's dates are
        iso = iso_to_type(text)
        written = ("" if iso is None else f' (for {text} write "{iso}")' if " " not in iso
                   else f" (for {text} write {iso})")
        if why := no_such_day(text):
            written = f" ({why})"
        c.fail("start", f'an ISO date such as "2027-04-01"{written}', text)
        return None


def _programme(c: KeyChecker, programme: dict[str, Any], horizon: int) -> ProgrammeLimits:
    """`[programme]`: the yearly limits; the one-off limit may be one number per year."""
    key = "programme.max_one_off_per_year"
    value = programme["max_one_off_per_year"]
    if isinstance(value, list):
        if len(value) != horizon:
            c.fail(key, f"one number, or a list of horizon_years ({horizon}) numbers",
                   f"(a list of {len(value)})")
        # each entry named as its year, as a planner reads the list, not from 0
        per_year = tuple(c.number(v, f"{key}.{i} (year {i + 1})", lo=0.0, allow_inf=True)
                         for i, v in enumerate(value))
        per_year = (per_year + (math.inf,) * horizon)[:horizon]
    else:
        per_year = (c.number(value, key, lo=0.0, allow_inf=True),) * horizon
    closures = c.number(programme["max_closures_per_year"], "programme.max_closures_per_year",
                        lo=0.0, allow_inf=True)
    if math.isfinite(closures) and not closures.is_integer():
        c.fail("programme.max_closures_per_year", "a whole number of sites, or inf for no limit",
               programme["max_closures_per_year"])
    return ProgrammeLimits(
        max_one_off_per_year=per_year,
        max_fte_moved_per_year=c.number(programme["max_fte_moved_per_year"],
                                        "programme.max_fte_moved_per_year", lo=0.0,
                                        allow_inf=True),
        max_closures_per_year=closures)


def with_programme(scenario: Scenario) -> Scenario:
    """The scenario scheduled year by year (`--programme`): its own `[programme]` limits,
    or none at all when it has no such table. It needs a start date."""
    if scenario.programme is not None:
        return scenario
    if scenario.start is None:
        raise InputError([Problem(str(scenario.path or scenario.name), None, "start",
                                  'a start date (start = "2027-04-01") to date the '
                                  "programme from (--programme)", "no start", label="key")])
    return dataclasses.replace(
        scenario, programme=ProgrammeLimits((math.inf,) * scenario.horizon_years,
                                            by_option=True))

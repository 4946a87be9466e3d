"""Scenario files: one TOML file per question a planner asks of the register.

A scenario is read into a plain nested dict first (so that sweeps can change any
dotted key and re-validate), then checked key by key and turned into the frozen
`Scenario`. Every problem of the file is reported at once, naming the key and what
would be accepted, before any solving.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.errors import InputError, Problem

COVERAGE_MODES = ("maintain", "all", "population_share")
SOLVERS = ("highs", "cbc")

#: The defaults of DESIGN section 2; every key but `data` has one.
DEFAULTS: dict[str, Any] = {
    "name": "",
    "agencies": [],
    "horizon_years": 10,
    "discount_rate": 0.035,
    "crs": "",
    "sharing": {
        "types": ["IT", "HR", "Finance"],
        "efficiency": 0.15,
        "setup_cost": 250000.0,
        "min_agencies": 2,
    },
    "relocation": {"cost_per_fte": 5000.0, "max_km": 40.0},
    "assignment": {"split": False},
    "coverage": [],
    "policy": {
        "keep": [],
        "close": [],
        "max_one_off": math.inf,
        "closable_kinds": ["office", "depot", "data_centre", "hub"],
    },
    "solver": {"name": "highs", "time_limit_s": 300.0, "mip_gap": 0.0001},
}
COVERAGE_DEFAULTS: dict[str, Any] = {
    "service": "public_access",
    "radius_km": 15.0,
    "mode": "maintain",
    "population_share": 0.95,
}


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
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def annuity(self) -> float:
        """A = sum_{t=1..H} (1+r)^-t: today's value of £1 a year for the horizon."""
        r, h = self.discount_rate, self.horizon_years
        if r == 0:
            return float(h)
        return float((1 - (1 + r) ** -h) / r)


def file_stem(name: str) -> str:
    """A scenario name made safe as one file or folder name (no `/`, no leading dots).

    Default outputs are `results/<name>/` and `maps/<name>.html`; a name is free text,
    so it must never reach outside those folders.
    """
    stem = re.sub(r'[\x00-\x1f/\\:*?"<>|]+', "_", name).strip().lstrip(".").strip()
    return stem or "scenario"


def default_results(name: str) -> Path:
    return Path("results") / file_stem(name)


def default_map(name: str) -> Path:
    return Path("maps") / f"{file_stem(name)}.html"


def read_scenario_dict(path: str | Path) -> dict[str, Any]:
    """Parse a scenario file without checking it (sweeps edit this dict)."""
    path = Path(path)
    label = str(path)
    if not path.is_file():
        raise InputError([Problem(label, None, None, "a scenario TOML file", "no such file")])
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem(label, None, None, "valid TOML",
                                  f"a syntax error: {exc}")]) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; paths inside it are relative to the file."""
    path = Path(path)
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


class _Checker:
    """Collects problems while reading typed values out of the raw dict."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def fail(self, key: str, expected: str, found: Any) -> None:
        shown = found if isinstance(found, str) and found.startswith("(") else repr(found)
        self.problems.append(Problem(self.label, None, key, expected, shown, label="key"))

    def unknown(self, table: dict[str, Any], allowed: dict[str, Any], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.fail(prefix + key, f"one of the known keys ({hint})", "(an unknown key)")

    def number(self, value: Any, key: str, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            if allow_inf and isinstance(value, str) and value.strip().lower() in ("inf", "infinity"):
                return math.inf
            self.fail(key, "a number", value)
            return math.nan
        x = float(value)
        if math.isnan(x) or (math.isinf(x) and not allow_inf):
            self.fail(key, "a finite number", value)
            return math.nan
        rng = f"{'(' if lo_open else '['}{lo if lo is not None else '-inf'}, " \
              f"{hi if hi is not None else 'inf'}{')' if hi_open else ']'}"
        if lo is not None and (x < lo or (lo_open and x == lo)):
            self.fail(key, f"a number in {rng}", value)
        if hi is not None and (x > hi or (hi_open and x == hi)):
            self.fail(key, f"a number in {rng}", value)
        return x

    def integer(self, value: Any, key: str, lo: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(key, f"a whole number >= {lo}", value)
                return lo
        if value < lo:
            self.fail(key, f"a whole number >= {lo}", value)
        return int(value)

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            self.fail(key, "a text in quotes", value)
            return ""
        return value

    def texts(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, 'a list of texts, e.g. ["a", "b"]', value)
            return ()
        return tuple(value)

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, "true or false", value)
            return False
        return value

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "a table ([" + key + "])", value)
            return {}
        return value


def _per_type(c: _Checker, value: Any, key: str, types: tuple[str, ...], **bounds: Any
              ) -> dict[str, float]:
    """A number for every sharing type, or a table naming exactly those types."""
    if isinstance(value, dict):
        if set(value) != set(types):
            c.fail(key, f"a number, or a table naming exactly the sharing types {list(types)}",
                   f"(a table naming {sorted(value)})")
        return {t: c.number(value.get(t, 0.0), f"{key}.{t}", **bounds) for t in types}
    x = c.number(value, key, **bounds)
    return {t: x for t in types}


def scenario_from_dict(raw: dict[str, Any], base_dir: Path, label: str,
                       default_name: str = "scenario") -> Scenario:
    """Check every key of a parsed scenario and build the `Scenario`."""
    c = _Checker(label)
    allowed_top = {**DEFAULTS, "data": None}
    c.unknown(raw, allowed_top, "")

    def sub(name: str) -> dict[str, Any]:
        given = c.table(raw.get(name, {}), name)
        c.unknown(given, DEFAULTS[name], name + ".")
        return {**DEFAULTS[name], **given}

    if "data" not in raw:
        c.fail("data", "the register's path (a folder, .xlsx or .gpkg)", "(no data key)")
        data = Path()
    else:
        data_text = c.text(raw["data"], "data")
        data = (base_dir / data_text) if data_text else Path()
    name = c.text(raw.get("name", ""), "name") or default_name
    agencies = c.texts(raw.get("agencies", []), "agencies")
    horizon = c.integer(raw.get("horizon_years", DEFAULTS["horizon_years"]), "horizon_years", 1)
    rate = c.number(raw.get("discount_rate", DEFAULTS["discount_rate"]), "discount_rate",
                    lo=0.0, hi=1.0)
    crs = c.text(raw.get("crs", ""), "crs")
    if crs:
        try:
            import pyproj

            if not pyproj.CRS.from_user_input(crs).is_projected:
                c.fail("crs", "a projected (metric) CRS such as EPSG:27700", crs)
        except pyproj.exceptions.CRSError:
            c.fail("crs", "a CRS pyproj knows, such as EPSG:27700", crs)

    sharing = sub("sharing")
    types = c.texts(sharing["types"], "sharing.types")
    efficiency = _per_type(c, sharing["efficiency"], "sharing.efficiency", types,
                           lo=0.0, hi=1.0, hi_open=True)
    setup = _per_type(c, sharing["setup_cost"], "sharing.setup_cost", types, lo=0.0)
    min_agencies = c.integer(sharing["min_agencies"], "sharing.min_agencies", 1)

    relocation = sub("relocation")
    cost_per_fte = c.number(relocation["cost_per_fte"], "relocation.cost_per_fte", lo=0.0)
    max_km = c.number(relocation["max_km"], "relocation.max_km", lo=0.0, allow_inf=True)

    split = c.boolean(sub("assignment")["split"], "assignment.split")

    rules: list[CoverageRule] = []
    cov = raw.get("coverage", [])
    if not isinstance(cov, list):
        c.fail("coverage", "a list of [[coverage]] tables", cov)
        cov = []
    for i, rule in enumerate(cov):
        key = f"coverage.{i}"
        rule = c.table(rule, key)
        c.unknown(rule, COVERAGE_DEFAULTS, key + ".")
        rule = {**COVERAGE_DEFAULTS, **rule}
        mode = c.text(rule["mode"], key + ".mode")
        if mode and mode not in COVERAGE_MODES:
            c.fail(key + ".mode", f"one of {', '.join(COVERAGE_MODES)}", mode)
        rules.append(CoverageRule(
            index=i,
            service=c.text(rule["service"], key + ".service"),
            radius_km=c.number(rule["radius_km"], key + ".radius_km", lo=0.0),
            mode=mode,
            population_share=c.number(rule["population_share"], key + ".population_share",
                                      lo=0.0, hi=1.0),
        ))

    policy = sub("policy")
    keep = c.texts(policy["keep"], "policy.keep")
    close = c.texts(policy["close"], "policy.close")
    for site in sorted(set(keep) & set(close)):
        c.fail("policy.close", "sites not also listed in policy.keep",
               f"{site!r} in both keep and close")
    max_one_off = c.number(policy["max_one_off"], "policy.max_one_off", allow_inf=True)
    closable = c.texts(policy["closable_kinds"], "policy.closable_kinds")

    solver = sub("solver")
    solver_name = c.text(solver["name"], "solver.name").lower()
    if solver_name and solver_name not in SOLVERS:
        c.fail("solver.name", f"one of {', '.join(SOLVERS)}", solver_name)
    time_limit = c.number(solver["time_limit_s"], "solver.time_limit_s", lo=0.0, lo_open=True)
    mip_gap = c.number(solver["mip_gap"], "solver.mip_gap", lo=0.0, hi=1.0)

    if c.problems:
        raise InputError(c.problems)
    return Scenario(
        name=name, data=data, agencies=agencies, horizon_years=horizon, discount_rate=rate,
        crs=crs, sharing_types=types, efficiency=efficiency, setup_cost=setup,
        min_agencies=min_agencies, cost_per_fte=cost_per_fte, max_km=max_km, split=split,
        coverage=tuple(rules), keep=keep, close=close, max_one_off=max_one_off,
        closable_kinds=closable, solver=solver_name, time_limit_s=time_limit, mip_gap=mip_gap,
        path=Path(label) if label else None, raw=copy.deepcopy(raw),
    )


def check_against_register(scenario: Scenario, register) -> list[Problem]:  # noqa: ANN001
    """Problems that need both files: unknown ids, clashes with the register's flags, and
    functions housed across the line between participating and other agencies."""
    label = str(scenario.path) if scenario.path else scenario.name
    sites, functions = register.sites, register.functions
    site_ids = set(sites["site_id"])
    problems: list[Problem] = []
    for key, ids, universe, what in (
        ("agencies", scenario.agencies, set(register.agencies["agency_id"]),
         "agency ids of the register"),
        ("policy.keep", scenario.keep, site_ids, "site ids of the register"),
        ("policy.close", scenario.close, site_ids, "site ids of the register"),
    ):
        unknown = [i for i in ids if i not in universe]
        if unknown:
            problems.append(Problem(label, None, key, what, f"unknown ids {unknown}", label="key"))
    must_keep = set(sites.loc[sites["must_keep"], "site_id"])
    clash = sorted(set(scenario.close) & must_keep)
    if clash:
        problems.append(Problem(
            label, None, "policy.close",
            "no site the register marks must_keep (drop it from close, or unset must_keep)",
            f"must_keep sites {clash}", label="key"))
    fixed = sites[~sites["candidate"] & ~sites["kind"].isin(scenario.closable_kinds)
                  & sites["site_id"].isin(scenario.close)]
    if len(fixed):
        kinds = sorted(set(fixed["kind"]))
        problems.append(Problem(
            label, None, "policy.close",
            f"closable sites (add {kinds} to policy.closable_kinds to allow it)",
            f"sites of kinds that stay open: {sorted(fixed['site_id'])}", label="key"))
    if scenario.agencies:
        chosen = set(scenario.agencies)
        owner = dict(zip(sites["site_id"], sites["agency_id"], strict=True))
        file = register.files.get("functions", "functions")
        for row in functions[functions["site_id"] != ""].itertuples(index=False):
            inside, host_inside = row.agency_id in chosen, owner.get(row.site_id) in chosen
            if inside != host_inside:
                who = "a participating" if inside else "a non-participating"
                problems.append(Problem(
                    file, int(row.row), "site_id",
                    f"{who} agency's function housed at a site of {who} agency "
                    f"(scenario {label} lists agencies {sorted(chosen)})",
                    f"{row.site_id!r} owned by {owner.get(row.site_id)!r}"))
    return problems

"""The scenario against the register: what neither file shows wrong on its own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyproj

from estate.errors import Problem, count
from estate.load.free_text import one_line
from estate.load.scenario import Scenario
from estate.load.spelling import id_hint, misspelt_words, names_to_ids
from estate.load.unlikely import unlikely_values
from estate.load.validate import Register


def check_against_register(scenario: Scenario, register: Register) -> list[Problem]:
    """Problems that need both files: unknown ids, clashes with the register's flags, and
    functions housed across the line between participating and other agencies."""
    label = str(scenario.path) if scenario.path else scenario.name
    sites, functions = register.sites, register.functions
    problems = unknown_ids(label, {"agencies": scenario.agencies, "policy.keep": scenario.keep,
                                   "policy.close": scenario.close}, register)
    must_keep = set(sites.loc[sites["must_keep"], "site_id"])
    clash = sorted(set(scenario.close) & must_keep)
    if clash:
        problems.append(Problem(
            label, None, "policy.close",
            "no site the register marks must_keep (drop it from close, or unset must_keep)",
            f"must_keep sites {', '.join(clash)}", label="key"))
    fixed = sites[~sites["candidate"] & ~sites["kind"].isin(scenario.closable_kinds)
                  & sites["site_id"].isin(scenario.close)]
    if len(fixed):
        kinds = sorted(set(fixed["kind"]))
        problems.append(Problem(
            label, None, "policy.close",
            f"closable sites (add {', '.join(kinds)} to policy.closable_kinds to allow it)",
            f"sites of kinds that stay open: {', '.join(sorted(fixed['site_id']))}", label="key"))
    if scenario.agencies:
        chosen = set(scenario.agencies)
        owner = dict(zip(sites["site_id"], sites["agency_id"], strict=True))
        problems += _agencies_without_sites(scenario, register, label)
        problems += _policy_out_of_scope(scenario, owner, label)
        file = register.files.get("functions", "functions")
        for row in functions[functions["site_id"] != ""].itertuples(index=False):
            inside, host_inside = row.agency_id in chosen, owner.get(row.site_id) in chosen
            if inside != host_inside:
                who = "a participating" if inside else "a non-participating"
                problems.append(Problem(
                    file, int(row.row), "site_id",
                    f"{who} agency's function housed at a site of {who} agency "
                    f"(scenario {label} lists agencies {', '.join(sorted(chosen))})",
                    f"{row.site_id!r} owned by {owner.get(row.site_id)!r}"))
    return (problems + misspelt_words(scenario, register, label) + _repeats(scenario, label)
            + _pools_too_few(scenario, register, label)
            + _crs_far(scenario, register, label) + timing_ignored(scenario, register)
            + _programme_of_areas(scenario, register, label)
            + unlikely_values(scenario, label))


ID_LISTS = {"agencies": ("agency", "agency_id"), "policy.keep": ("site", "site_id"),
            "policy.close": ("site", "site_id")}
"""The scenario's lists of the register's ids: each key, and the table and column of the
ids it names."""


def unknown_ids(label: str, lists: dict[str, Sequence[str]], register: Register
                ) -> list[Problem]:
    """Each of the scenario's `ID_LISTS` (given as `lists`) naming ids the register lacks,
    with the likeliest id meant (`id_hint`). Needs none of the scenario's other keys, so
    a scenario with errors of its own is checked so too (`estate.pipeline`)."""
    problems = []
    for key, ids in lists.items():
        table, column = ID_LISTS[key]
        rows = register.agencies if table == "agency" else register.sites
        universe = set(rows[column])
        unknown = [i for i in ids if i not in universe]
        if unknown:
            problems.append(Problem(label, None, key, f"{table} ids of the register",
                                    f"unknown ids {', '.join(map(one_line, unknown))}"
                                    + id_hint(unknown, universe, names_to_ids(rows, column)),
                                    label="key"))
    return problems


def _agencies_without_sites(scenario: Scenario, register: Register, label: str
                            ) -> list[Problem]:
    """Agencies in scope that hold neither a site nor a team of the register. When that
    is all of them there is nothing to plan (an error, before a solver is handed a model
    with no columns); beside others, such an agency takes no part in the plan (a warning:
    a list may serve several groups of agencies). Agencies with teams and no site are
    left to the plan, which finds no home for the teams and says so (infeasible)."""
    known = set(register.agencies["agency_id"])
    chosen = [a for a in dict.fromkeys(scenario.agencies) if a in known]
    idle = [a for a in chosen if a not in set(register.sites["agency_id"])
            | set(register.functions["agency_id"])]
    if not idle:
        return []
    if idle == chosen:
        return [Problem(label, None, "agencies", "agencies that hold a site or a team of the "
                        "register", f"{', '.join(idle)}, which {_holds(idle)} neither: nothing "
                        "to plan; add the agencies whose estate is to be planned", label="key")]
    return [Problem(label, None, "agencies", "agencies that hold a site or a team of the "
                    "register", f"{', '.join(idle)}, which {_holds(idle)} neither: "
                    f"{'it takes' if len(idle) == 1 else 'they take'} no part in the plan",
                    label="key", severity="warning")]


def _holds(agencies: list[str]) -> str:
    return "holds" if len(agencies) == 1 else "hold"


def _programme_of_areas(scenario: Scenario, register: Register, label: str
                        ) -> list[Problem]:
    """A dated programme schedules one locality's changes under its budgets, so a
    national register (sites with an `area`) is refused before any area is solved, not
    after all of them."""
    if scenario.programme is None or not (register.sites["area"] != "").any():
        return []
    areas = sorted(a for a in register.sites["area"].unique() if a)
    found = (f"a national register of {len(areas)} areas; schedule each area as its own "
             "register")
    if scenario.programme.by_option:
        return [Problem("--programme", None, None, "a register of one locality (no `area` "
                        "column) for a dated programme", f"{label}: {found}")]
    return [Problem(label, None, "programme", "a register of one locality (no `area` "
                    "column) for a dated programme", found, label="key")]


def _policy_out_of_scope(scenario: Scenario, owner: dict[str, str], label: str
                         ) -> list[Problem]:
    """Sites in `policy.keep` or `policy.close` that belong to no participating agency:
    they are outside the plan and stay as they are. For `keep` that is what was asked
    (a warning, so a standard list can serve several groups of agencies); for `close`
    it is not, so it is an error."""
    chosen = set(scenario.agencies)
    problems = []
    for key, ids, severity, outcome in (
            ("policy.keep", scenario.keep, "warning", "they stay as they are"),
            ("policy.close", scenario.close, "error", "the plan cannot close them")):
        outside = {i: owner[i] for i in dict.fromkeys(ids) if i in owner
                   and owner[i] not in chosen}
        if outside:
            found = ", ".join(f"{i} of {a}" for i, a in outside.items())
            problems.append(Problem(
                label, None, key, "sites of the participating agencies "
                f"{', '.join(sorted(chosen))} (add the owner to agencies, or drop the site)",
                f"{found}, outside the plan: {outcome}", label="key", severity=severity))
    return problems


def _pools_too_few(scenario: Scenario, register: Register, label: str) -> list[Problem]:
    """A warning for each sharing type fewer agencies could pool than a centre needs.

    A centre of type k opens only with `sharing.min_agencies` agencies pooling a team of
    type k there, so a type that fewer agencies in scope hold as shareable teams can
    never pool: the plan then shows no centre of it with nothing said, which reads as
    "sharing does not pay" when it was never possible. Types no team has at all are
    `_words`' warning, not repeated here."""
    functions = register.functions
    if scenario.agencies:
        functions = functions[functions["agency_id"].isin(set(scenario.agencies))]
    shareable = functions[functions["shareable"]]
    need = scenario.min_agencies
    short, types = {}, set(register.functions["type"])
    for kind in dict.fromkeys(scenario.sharing_types):
        if kind in types:
            holders = shareable.loc[shareable["type"] == kind, "agency_id"].nunique()
            if holders < need:
                short[kind] = holders
    in_areas = _pools_too_few_in_areas(scenario, shareable, types - set(short), label)
    if not short:
        return in_areas
    each = ", ".join(f"{kind} by {count(n, 'agency', 'agencies')}"
                     for kind, n in short.items())
    return [Problem(
        label, None, "sharing.min_agencies",
        "at most the number of agencies in scope holding shareable teams of a type (a "
        "centre needs that many agencies pooling there; lower it, or add agencies)",
        f"{need}, where shareable teams are held: {each}; no centre of "
        f"{'that type' if len(short) == 1 else 'those types'} can open",
        label="key", severity="warning"), *in_areas]


def _pools_too_few_in_areas(scenario: Scenario, shareable: pd.DataFrame, types: set[str],
                            label: str) -> list[Problem]:
    """`_pools_too_few` for a national register, whose areas pool apart: a type held
    by enough agencies over the country may be held by too few in each area that holds
    it, and then no centre of it opens anywhere. `types`: those not already said short
    over the whole country."""
    if not (shareable["area"] != "").any():
        return []
    need, short = scenario.min_agencies, {}
    for kind in dict.fromkeys(scenario.sharing_types):
        if kind in types:
            held = shareable[shareable["type"] == kind].groupby("area")["agency_id"].nunique()
            if areas := sorted(str(a) for a in held[held < need].index):
                short[kind] = areas
    if not short:
        return []
    each = "; ".join(f"{kind} in {'area' if len(a) == 1 else 'areas'} {', '.join(a)}"
                     for kind, a in short.items())
    return [Problem(
        label, None, "sharing.min_agencies",
        "at most the number of agencies in scope holding shareable teams of a type in an "
        "area (each area pools on its own; lower it, or add agencies)",
        f"{need}, where fewer agencies hold shareable teams of a type: {each}; no centre "
        "of that type can open in those areas", label="key", severity="warning")]


def _repeats(scenario: Scenario, label: str) -> list[Problem]:
    """A warning for a list naming an entry twice: harmless, but rarely meant."""
    problems = []
    for key, entries in (("agencies", scenario.agencies), ("sharing.types",
                         scenario.sharing_types), ("policy.keep", scenario.keep),
                         ("policy.close", scenario.close),
                         ("policy.closable_kinds", scenario.closable_kinds)):
        twice = sorted(e for e, n in Counter(entries).items() if n > 1)
        if twice:
            problems.append(Problem(label, None, key, "each entry once",
                                    f"{', '.join(twice)} listed more than once", label="key",
                                    severity="warning"))
    return problems


# How far a CRS may misstate lengths at the sites before radii and move limits stop
# meaning what they say: a national grid or a UTM zone is within 0.1% across its area;
# Web Mercator stretches them 1.6 times at Suffolk's latitude.
SCALE_TOLERANCE = 0.02


def _crs_far(scenario: Scenario, register: Register, label: str) -> list[Problem]:
    """An error when the scenario's CRS misstates lengths at the sites by more than
    `SCALE_TOLERANCE` (every radius and move limit would then mean another distance than
    the one typed); a warning when it is made for somewhere else than the sites but
    still measures them nearly true."""
    sites = register.sites
    if scenario.agencies:  # only the sites of the plan are measured in it
        sites = sites[sites["agency_id"].isin(set(scenario.agencies))]
    if not scenario.crs or sites.empty:
        return []
    lat = sites["lat"].to_numpy(float)
    lon = sites["lon"].to_numpy(float)
    if stretched := _crs_stretch(scenario.crs, lon, lat, label):
        return stretched
    area = pyproj.CRS.from_user_input(scenario.crs).area_of_use
    if area is None or area.west >= area.east:
        return []
    margin = 2.0  # degrees: the edge of a CRS's area still measures well
    outside = ((lon < area.west - margin) | (lon > area.east + margin)
               | (lat < area.south - margin) | (lat > area.north + margin))
    if not np.any(outside):
        return []
    return [Problem(label, None, "crs", f"a CRS made for where the sites are ({scenario.crs} "
                    f"is for {area.name})", f"{int(outside.sum())} of "
                    f"{count(len(lat), 'site')} outside its area: "
                    "distances there are distorted", label="key",
                    severity="warning")]


def _crs_stretch(crs: str, lon: np.ndarray, lat: np.ndarray, label: str) -> list[Problem]:
    """The error of `_crs_far` when the CRS's scale at the sites (pyproj's factors, the
    worse of along and across the meridian) is off by more than the tolerance."""
    try:
        factors = pyproj.Proj(crs).get_factors(lon, lat, errcheck=False)
    except (pyproj.exceptions.ProjError, RuntimeError, ValueError):
        return []  # a CRS pyproj cannot give factors for: nothing to say of its scale
    scale = np.stack([np.asarray(factors.meridional_scale, float),
                      np.asarray(factors.parallel_scale, float)])
    scale = np.where(np.isfinite(scale), scale, np.inf)
    off = np.abs(scale - 1.0).max(axis=0)
    bad = off > SCALE_TOLERANCE
    if not bad.any():
        return []
    worst = scale[:, bad].flat[np.argmax(np.abs(scale[:, bad] - 1.0))]
    how = ("far from true" if not np.isfinite(worst) else
           f"{worst:.2f} times their true length" if worst > 1 else
           f"{worst:.2f} of their true length")
    return [Problem(label, None, "crs", f"a CRS that measures distances within "
                    f"{SCALE_TOLERANCE:.0%} of true where the sites are (the area's national "
                    "grid, or leave crs out for the sites' own UTM zone)",
                    f"{crs}, which measures them at {how} at {int(bad.sum())} of "
                    f"{count(len(lon), 'site')}, so every radius and "
                    "move limit would mean another distance",
                    label="key")]


def timing_ignored(scenario: Scenario, register: Register) -> list[Problem]:
    """A warning when the register dates things but the scenario has no start: its
    leases, sale lags, build times and earliest moves are then ignored."""
    if scenario.start is not None:
        return []
    sites, functions = register.sites, register.functions
    candidate = sites["candidate"].to_numpy(bool)
    counts = {
        ("lease", "leases"): int((sites["tenure"] == "leasehold").sum()),
        ("sale lag", "sale lags"): int(((sites["disposal_lag_years"] != 1) & ~candidate).sum()),
        ("build time", "build times"): int(((sites["build_years"] != 1) & candidate).sum()),
        ("earliest move", "earliest moves"): int((functions["earliest_move"] != "").sum())}
    said = [count(n, one, many) for (one, many), n in counts.items() if n]
    if not said:
        return []
    label = str(scenario.path) if scenario.path else scenario.name
    return [Problem(label, None, "start", "a start date (start = \"2027-04-01\") to price "
                    "leases, sale lags, build times and earliest moves into the plan",
                    f"none: the register's {', '.join(said)} "
                    f"{'is' if sum(counts.values()) == 1 else 'are'} ignored",
                    severity="warning", label="key",
                    sentence=f"no start date, so the plan counts none of the register's "
                    f"{', '.join(said)}; to count them, give the date year 1 begins, e.g. "
                    "start = \"2027-04-01\" (docs/programme.md)")]

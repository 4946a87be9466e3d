"""The scenario against the register: what neither file shows wrong on its own."""

from __future__ import annotations

import difflib
import re
from collections import Counter

import numpy as np
import pandas as pd
import pyproj

from estate.errors import Problem, as_typed, count, did_you_mean, near_miss
from estate.load.scenario import DEFAULTS, Scenario
from estate.load.unlikely import unlikely_values
from estate.load.validate import Register


def check_against_register(scenario: Scenario, register: Register) -> list[Problem]:
    """Problems that need both files: unknown ids, clashes with the register's flags, and
    functions housed across the line between participating and other agencies."""
    label = str(scenario.path) if scenario.path else scenario.name
    sites, functions = register.sites, register.functions
    site_ids = set(sites["site_id"])
    problems: list[Problem] = []
    agency_names = _names(register.agencies, "agency_id")
    site_names = _names(sites, "site_id")
    for key, ids, universe, what, names in (
        ("agencies", scenario.agencies, set(register.agencies["agency_id"]),
         "agency ids of the register", agency_names),
        ("policy.keep", scenario.keep, site_ids, "site ids of the register", site_names),
        ("policy.close", scenario.close, site_ids, "site ids of the register", site_names),
    ):
        unknown = [i for i in ids if i not in universe]
        if unknown:
            problems.append(Problem(label, None, key, what, f"unknown ids {', '.join(unknown)}"
                                    + _id_hint(unknown, universe, names), label="key"))
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
    return (problems + _words(scenario, register, label) + _repeats(scenario, label)
            + _pools_too_few(scenario, register, label)
            + _crs_far(scenario, register, label) + timing_ignored(scenario, register)
            + _programme_of_areas(scenario, register, label)
            + unlikely_values(scenario, label))


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
    return [Problem(label, None, "programme", "a register of one locality (no `area` "
                    "column) for a dated programme",
                    f"a national register of {len(areas)} areas; schedule each area as "
                    "its own register", label="key")]


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


def _types_written(scenario: Scenario) -> bool:
    """Whether the scenario names its sharing types itself (its file, a sweep's --vary,
    or code that set them), not the default list a file without `sharing.types` gets."""
    sharing = scenario.raw.get("sharing")
    return ((isinstance(sharing, dict) and "types" in sharing)
            or tuple(scenario.sharing_types) != tuple(DEFAULTS["sharing"]["types"]))


def _names(table: pd.DataFrame, id_column: str) -> dict[str, str]:
    """Each name of the table's rows (as `_folded`) to its id, for a list that gives
    a site or agency by its name ("Suffolk County Council") rather than its id."""
    if "name" not in table.columns:
        return {}
    return {_folded(str(n)): str(i) for n, i in zip(table["name"], table[id_column],
                                                   strict=True) if str(n).strip()}


def _folded(word: str) -> str:
    """A word with spaces around it and its case set aside."""
    return " ".join(word.split()).casefold()


def _id_hint(unknown: list[str], universe: set[str], names: dict[str, str]) -> str:
    """The id each unknown entry of a list of ids may mean: one that differs only in
    case or in spaces around it ('a1 ' for `A1`), the id of the site or agency the entry
    names ("Annexe" for `S2`), or else an id spelt nearly so."""
    folded = {_folded(u): u for u in universe}
    hints, plain = [], []
    for word in unknown:
        if (same := folded.get(_folded(word))) is not None:
            spaced = word != word.strip()
            hints.append(f"{as_typed(same)} for {word!r}"
                         + (" (without the spaces)" if spaced else ""))
            plain.append(not spaced)
        elif (named := names.get(_folded(word))) is not None:
            hints.append(f"{as_typed(named)} for {word!r} (its name, not its id)")
            plain.append(False)
        elif near := difflib.get_close_matches(word, sorted(universe), n=1):
            hints.append(f"{as_typed(near[0])} for {word!r}")
            plain.append(True)
    if len(unknown) == 1 and plain == [True]:  # one id, in another case or nearly so
        return f" (did you mean {hints[0].split(' for ')[0]}?)"
    return f" (did you mean {', '.join(hints)}?)" if hints else ""


def _did_you_mean(unknown: list[str], universe: set[str]) -> str:
    """The register's spelling of each unknown word, when one is near (case first): "
    (did you mean `IT`?)" for one word, each named when there are more (" (did you mean
    `A1` for 'a1', `S2` for 's2'?)")."""
    lower = {u.lower(): u for u in universe}
    near = {word: lower.get(word.lower()) or next(iter(difflib.get_close_matches(
        word, sorted(universe), n=1)), None) for word in unknown}
    hints = {word: spelt for word, spelt in near.items() if spelt is not None}
    if not hints:
        return ""
    if len(unknown) == 1:
        return f" ({did_you_mean(hints.values())})"
    return " (did you mean " + ", ".join(f"{as_typed(spelt)} for {word!r}"
                                         for word, spelt in hints.items()) + "?)"


def _words(scenario: Scenario, register: Register, label: str) -> list[Problem]:
    """Services, types and kinds the scenario names that the register never spells so.

    A coverage rule for a service no site offers protects nobody (or, in mode `all`, no
    plan exists): an error when the register spells a service nearly so (a typo, or
    only the case differs), a warning otherwise (a standard scenario run on a register
    without that service; the plan then says which zones no site can reach). A rule
    when the register has no zones protects nobody either: a warning (one that reaches
    no zone today is `estate.prepare`'s, which measures distances). A sharing type no
    team has is likewise an error when the register spells a type nearly so
    (`Finanace`, `it`: the plan would quietly pool nothing of the type meant), a warning
    otherwise (a standard scenario may name types a register lacks); only a list the
    scenario writes is checked (`_types_written`): the default list is not the file's to
    fix. A closable kind in a form register kinds never take
    (`Office`, `data centre`) can match no site: an error.
    """
    sites, functions = register.sites, register.functions
    services = {s for offered in sites["services"] for s in offered}
    problems = []
    for rule in scenario.coverage:
        if rule.service not in services:
            offered = ", ".join(sorted(services)[:8]) or "none"
            hint = _did_you_mean([rule.service], services)
            problems.append(Problem(
                label, None, f"{rule.name}.service",
                f"a service some site offers (the register's: {offered})",
                repr(rule.service) + hint, label="key",
                severity="error" if hint else "warning"))
        else:
            problems += _services_near(rule.name, rule.service, register)
        if register.zones.empty:
            problems.append(Problem(
                label, None, rule.name, "zones for the rule to protect",
                f"{register.files.get('zones', 'zones.csv')} has no rows, so the rule "
                "protects nothing (add the zones people live in)", label="key",
                severity="warning"))
    types = set(functions["type"])
    for kind in scenario.sharing_types if _types_written(scenario) else ():
        if kind not in types:
            hint = _did_you_mean([kind], types)
            problems.append(Problem(
                label, None, "sharing.types", "function types of the register (types are "
                "case-sensitive)", f"{kind!r}, which no function has{hint}", label="key",
                severity="error" if hint else "warning"))
    kinds = set(sites["kind"])
    for kind in scenario.closable_kinds:
        slug = re.sub(r"[\s\-]+", "_", kind.strip().lower())
        if kind != slug:
            problems.append(Problem(
                label, None, "policy.closable_kinds", "kinds as the register stores them "
                "(lower case, _ for spaces)", f"{kind!r} (write {as_typed(slug)})", label="key"))
        elif kind not in kinds and (near := _did_you_mean([kind], kinds)):
            problems.append(Problem(
                label, None, "policy.closable_kinds", "kinds of sites in the register",
                f"{kind!r}, which no site has{near}", label="key", severity="warning"))
        elif kind in kinds:
            problems += _kinds_near(kind, scenario.closable_kinds, register)
    return problems


def _services_near(rule: str, service: str, register: Register) -> list[Problem]:
    """An error at each site offering a near miss of a coverage rule's service that
    other sites spell as the rule does (`Public_Access`, `public access`, `public_acess`
    for `public_access`): the rule counts only its own spelling, so the plan would take
    that site for one without the service, and could close a town's only access point
    as if it had none today."""
    sites = register.sites
    file = register.files.get("sites", "sites")
    return [Problem(file, int(row.row), "services",
                    f"the spelling of coverage rule {rule} ({as_typed(service)}), which "
                    "other sites use", f"{offered!r}, which the rule does not count",
                    severity="error")
            for row in sites.itertuples(index=False) if service not in row.services
            for offered in row.services if near_miss(offered, service)]


def _kinds_near(kind: str, closable: tuple[str, ...], register: Register) -> list[Problem]:
    """A warning at each site of a kind outside `policy.closable_kinds` that is a near
    miss of a closable kind other sites have (`ofice`, `offices` for `office`): the plan
    keeps such a site open as if it were of another kind. A warning, not an error as for
    a coverage service: kinds are the register's own words, a site of another kind may
    rightly stay open, and no setting could then silence an error."""
    sites = register.sites
    file = register.files.get("sites", "sites")
    return [Problem(file, int(row.row), "kind",
                    f"a kind of policy.closable_kinds, as other sites spell it "
                    f"({as_typed(kind)}), for a site the plan may close (or add the kind "
                    "to closable_kinds)",
                    f"{row.kind!r}, not closable, so the site stays open",
                    severity="warning")
            for row in sites.itertuples(index=False)
            if row.kind not in closable and near_miss(row.kind, kind)]


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

"""The scenario against the register: what neither file shows wrong on its own."""

from __future__ import annotations

from estate.errors import Problem
from estate.load.scenario import Scenario
from estate.load.validate import Register


def check_against_register(scenario: Scenario, register: Register) -> list[Problem]:
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
    return problems + timing_ignored(scenario, register)


def timing_ignored(scenario: Scenario, register: Register) -> list[Problem]:
    """A warning when the register dates things but the scenario has no start: its
    leases, sale lags, build times and earliest moves are then ignored."""
    if scenario.start is not None:
        return []
    sites, functions = register.sites, register.functions
    dated = ((sites["tenure"] == "leasehold") & ((sites["lease_end"] != "")
                                                 | sites["lease_breaks"].map(bool))).sum()
    dated += (functions["earliest_move"] != "").sum()
    if not dated:
        return []
    label = str(scenario.path) if scenario.path else scenario.name
    return [Problem(label, None, "start", "a start date (start = \"2027-04-01\") to price "
                    "leases, sale lags and build times into the plan",
                    f"none: the register's {dated} lease and move dates are ignored",
                    severity="warning", label="key")]

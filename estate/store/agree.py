"""The tables of a results folder against its summary.json, as `estate plan` wrote them.

summary.json states figures that the tables give too: the sites kept, closed and opened
(sites.csv's decisions), the shared centres (its shared_types), the FTE relocated
(assignments.csv's fte_moved), every agency's costs (agencies.csv, whose one-off costs
and NPV savings add up to the plan's), and the status quo's coverage breaches
(coverage.csv's covered_before); a dated programme's figures are checked against
programme.csv and cashflow.csv by `estate.store.agree_programme`. The map and the
board pack quote some from the summary and draw others from the tables, so a folder
edited after estate wrote it would contradict itself on one page ("24 closed" beside a
legend of 23). `disagreements` compares them, cheaply (counts and sums, no solve), and
lists each difference as a `Problem` naming the file, the figure and, where one row is
at fault, its row. Each site, agency and (function, site) pair is listed once, and each
team's shares add up to one whole team, as the model houses every team whole.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from estate.errors import Problem
from estate.results import OUT_OF_REACH, SHARE_REACHED, Summary
from estate.results.amounts import count

EDITED = "the folder was edited after estate wrote it"
ZONE_OUT_OF_REACH = OUT_OF_REACH.partition("{service}")[0].removeprefix("{zone}")
"""What follows the zone in a breach of a rule of mode "all" (": no site offering "), by
which such a breach is told from a share's."""
SHARE_TOLERANCE = 1e-3
"""How far a team's shares may add up from 1 (each is written to 6 decimals, and a
solver meets `housed(f)` to its feasibility tolerance)."""


def record_rows(table: pd.DataFrame) -> list[int]:
    """Each record's row in its file (`read_table`), or the index + 2 for a table built
    in memory."""
    return list(table.attrs.get("rows") or range(2, len(table) + 2))


def figure(value: float) -> str:
    """A count as a whole number, anything else to at most 3 decimals (a penny shows)."""
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.3f}".rstrip("0")


def misstated(file: Path, column: str, said: str, found: str, key: str, stated: str,
              row: int | None = None) -> Problem:
    """A figure of a table that summary.json states otherwise, said as a sentence (the
    problem both this module and `estate.store.agree_programme` report)."""
    sentence = f"{said}, but summary.json's {key} says {stated}: {EDITED}"
    return Problem(str(file), row, column, f"summary.json's {key} ({stated})", found,
                   sentence=sentence)


def money_close(a: float, b: float, terms: int) -> bool:
    """Equal but for rounding to pennies, `terms` figures rounded on either side."""
    return abs(a - b) <= 0.005 * (terms + 1) + 1e-9 * max(abs(a), abs(b))


def _say(n: int, decision: str) -> str:
    """How many rows give a decision: "1 row says close", "3 rows say keep"."""
    return f"{count(n, 'row')} say{'s' if n == 1 else ''} {decision}"


def _site_figures(folder: Path, summary: Summary, sites: pd.DataFrame) -> list[Problem]:
    """sites_before, sites_after, sites_closed, sites_opened and shared_centres against
    sites.csv's decisions and shared_types; a shared centre at a site the plan does not
    keep or open is named at its row."""
    path = folder / "sites.csv"
    decisions = [str(d).strip().lower() for d in sites["decision"]]
    n = Counter(decisions)
    problems = []
    for key, rows, said in (
            ("sites_before", n["keep"] + n["close"],
             f"{_say(n['keep'], 'keep')} and {n['close']} close "
             f"({count(n['keep'] + n['close'], 'site')} today)"),
            ("sites_after", n["keep"] + n["open"],
             f"{_say(n['keep'], 'keep')} and {n['open']} open "
             f"({count(n['keep'] + n['open'], 'site')} after)"),
            ("sites_closed", n["close"], _say(n["close"], "close")),
            ("sites_opened", n["open"], _say(n["open"], "open"))):
        stated = getattr(summary, key)
        if rows != stated:
            problems.append(misstated(path, "decision", said, str(rows), key, str(stated)))
    types = [[t for t in (p.strip() for p in str(v).split(";")) if t]
             for v in sites["shared_types"]]
    centres = sum(len(t) for t in types)
    if centres != summary.shared_centres:
        problems.append(misstated(path, "shared_types", f"the rows name {centres} shared "
                                  "centres", str(centres), "shared_centres",
                                  str(summary.shared_centres)))
    for row, decision, named in zip(record_rows(sites), decisions, types, strict=True):
        if named and decision not in ("keep", "open"):
            problems.append(Problem(str(path), row, "shared_types", "no shared centre at a "
                                    f"site the plan does not keep or open ({decision})",
                                    ";".join(named)[:80]))
    return problems


def _team_figures(folder: Path, summary: Summary, moves: pd.DataFrame) -> list[Problem]:
    """fte_relocated against assignments.csv's fte_moved; each (function, site) once,
    and each team's shares adding up to 1."""
    path = folder / "assignments.csv"
    problems = []
    moved = float(moves["fte_moved"].fillna(0.0).sum())
    if abs(moved - summary.fte_relocated) > 0.0005 * (len(moves) + 1) + 1e-6:
        problems.append(misstated(path, "fte_moved", "the rows' fte_moved add up to "
                                  + figure(moved), figure(moved), "fte_relocated",
                                  figure(summary.fte_relocated)))
    rows = record_rows(moves)
    seen: set[tuple[str, str]] = set()
    first: dict[str, int] = {}
    shares: dict[str, float] = {}
    for row, team, site, share in zip(rows, moves["function_id"], moves["to_site"],
                                      moves["share"].fillna(0.0), strict=True):
        if (team, site) in seen:
            problems.append(Problem(str(path), row, "function_id", "each team once at each "
                                    "site", f"{team!r:.80} at {site!r:.80} again"))
        seen.add((team, site))
        first.setdefault(team, row)
        shares[team] = shares.get(team, 0.0) + float(share)
    problems += [Problem(str(path), first[team], "share", "shares of the team adding up "
                         "to 1 (every team is placed whole)",
                         f"{total:.6g} for {team!r:.80}")
                 for team, total in shares.items() if abs(total - 1.0) > SHARE_TOLERANCE]
    return problems


def _agency_figures(folder: Path, summary: Summary, agencies: pd.DataFrame,
                    areas: int) -> list[Problem]:
    """The summary's agencies against agencies.csv's rows, each agency once on either
    side and with the same costs; the summary's annual costs against their sums."""
    path = folder / "agencies.csv"
    rows = dict(zip(agencies["agency_id"], zip(record_rows(agencies),
                                                agencies.to_dict("records"), strict=True),
                    strict=True))
    problems = [Problem(str(path), row, "agency_id", "an agency of summary.json's "
                        "agencies", f"{agency!r:.80}, which it has not")
                for agency, (row, _) in rows.items() if agency not in summary.agencies]
    for agency, figures in summary.agencies.items():
        if agency not in rows:
            problems.append(Problem(str(path), None, "agency_id", "every agency of "
                                    "summary.json", f"no row for {agency!r:.80}"))
            continue
        row, record = rows[agency]
        for key in ("annual_cost_before", "annual_cost_after", "one_off_cost"):
            stated, given = float(getattr(figures, key)), float(record[key])
            if not money_close(given, stated, 1):
                problems.append(misstated(path, key, f"{agency}'s is {figure(given)}",
                                          figure(given), f"agencies.{agency}.{key}",
                                          figure(stated), row))
        if bool(record["worse_off"]) != bool(figures.worse_off):
            given_text = str(bool(record["worse_off"]))
            problems.append(misstated(path, "worse_off", f"{agency}'s is {given_text}",
                                      given_text, f"agencies.{agency}.worse_off",
                                      str(bool(figures.worse_off)).lower(), row))
    # one_off_cost and npv_saving are each agency's share of the plan's, rounded apart
    # (npv_saving is blank in a folder written before agencies.csv had it)
    totals = ["annual_cost_before", "annual_cost_after", "one_off_cost"]
    if "npv_saving" in agencies and agencies["npv_saving"].notna().all():
        totals.append("npv_saving")
    # what timing adds, a dated plan's, and what an unscheduled one books before any
    # programme could, are each agency's share of it too
    totals += [key for key in ("lease_cost_npv", "booked_early_npv")
               if getattr(summary, key) is not None and key in agencies
               and agencies[key].notna().all()]
    for key in totals:
        # a dated plan's agencies share its saving as if every change were made in
        # year 1; their dated shares are cashflow.csv's (agree_programme)
        said_as = ("year_one_npv_saving" if key == "npv_saving"
                   and summary.year_one_npv_saving is not None else key)
        stated = float(getattr(summary, said_as))
        total = float(agencies[key].sum())
        if not money_close(total, stated, len(agencies) + areas):
            problems.append(misstated(path, key, f"the rows add up to {figure(total)}",
                                      figure(total), said_as, figure(stated)))
    return problems


def _coverage_figures(folder: Path, summary: Summary, coverage: pd.DataFrame
                      ) -> list[Problem]:
    """The status quo's coverage breaches (summary.json's status_quo_breaches of rules
    coverage.<index>) against coverage.csv's covered_before, which both come from the
    sites open today: a zone named out of reach is out of reach in its row, a rule that
    names zones (mode "all") names every zone its rows find out of reach, and a share of
    people reached is the rows' (in a national plan, of the breach's area)."""
    path = folder / "coverage.csv"
    area = coverage["area"] if "area" in coverage else pd.Series([""] * len(coverage))
    text = {(str(rule), str(a), OUT_OF_REACH.format(
        zone=f"zone {zone} {name}", service=service, radius=radius)): row
        for row, rule, a, zone, name, service, radius in zip(
            record_rows(coverage), coverage["rule"], area, coverage["zone_id"], coverage["name"],
            coverage["service"], coverage["radius_km"], strict=True)}
    reached = dict(zip(text.values(), coverage["covered_before"], strict=True))
    named: set[int] = set()
    all_rules: set[str] = set()
    problems = []
    for breach in summary.status_quo_breaches:
        rule, key = breach.rule.removeprefix("coverage."), "status_quo_breaches"
        if rule == breach.rule:
            continue  # a breach of another kind (housed, desks, policy)
        if breach.place.startswith("zone ") and ZONE_OUT_OF_REACH in breach.place:
            all_rules.add(rule)
            row = text.get((rule, breach.area, breach.place))
            if row is None or reached[row]:
                found = ("no such row" if row is None else "covered_before True")
                problems.append(misstated(path, "covered_before", f"coverage.csv has {found} "
                                          f"for {breach.place!r:.120}", found, key,
                                          f"{breach.rule}: {breach.place!r:.120}", row))
            if row is not None:
                named.add(row)
            continue
        ours = ((coverage["rule"].astype(str) == rule).to_numpy()
                & (area.to_numpy(object) == breach.area))
        people = coverage["population"].to_numpy(float)[ours]
        if not ours.any() or people.sum() <= 0:
            continue
        share = float(people[coverage["covered_before"].to_numpy(bool)[ours]].sum()
                      / people.sum())
        first = coverage[ours].iloc[0]
        said = SHARE_REACHED.format(share=share, service=first["service"],
                                    radius=first["radius_km"])
        if breach.place.endswith("required") and not breach.place.startswith(said):
            problems.append(misstated(path, "covered_before", f"the rows of rule {rule} reach "
                                      f"{share:.1%} of people today", f"{share:.1%}", key,
                                      f"{breach.rule}: {breach.place!r:.120}"))
    problems += [misstated(path, "covered_before", f"{place!r:.120} is out of reach today",
                           "covered_before False", "status_quo_breaches",
                           f"no such breach of coverage.{rule}", row)
                 for (rule, _, place), row in text.items()
                 if rule in all_rules and not reached[row] and row not in named]
    return problems


def disagreements(folder: Path, summary: Summary,
                  tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every figure of summary.json that the tables (typed by `check_tables`) give
    otherwise (module docstring); none for a folder as `estate plan` wrote it."""
    folder = Path(folder)
    return [*_site_figures(folder, summary, tables["sites"]),
            *_team_figures(folder, summary, tables["assignments"]),
            *_agency_figures(folder, summary, tables["agencies"], summary.area_count or 1),
            *_coverage_figures(folder, summary, tables["coverage"])]


"""The tables of a results folder against its summary.json, as `estate plan` wrote them.

summary.json states figures that the tables give too: the sites kept, closed and opened
(sites.csv's decisions), the shared centres (its shared_types), the FTE relocated
(assignments.csv's fte_moved) and every agency's costs (agencies.csv). The map and the
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
from estate.results import Summary

EDITED = "the folder was edited after estate wrote it"
SHARE_TOLERANCE = 1e-3
"""How far a team's shares may add up from 1 (each is written to 6 decimals, and a
solver meets `housed(f)` to its feasibility tolerance)."""


def _rows(table: pd.DataFrame) -> list[int]:
    """Each record's row in its file (`read_table`), or the index + 2 for a table built
    in memory."""
    return list(table.attrs.get("rows") or range(2, len(table) + 2))


def _figure(value: float) -> str:
    """A count as a whole number, anything else to at most 3 decimals (a penny shows)."""
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.3f}".rstrip("0")


def _counted(file: Path, column: str, said: str, found: str, key: str, stated: str,
             row: int | None = None) -> Problem:
    """A figure of a table that summary.json states otherwise, said as a sentence."""
    sentence = f"{said}, but summary.json's {key} says {stated}: {EDITED}"
    return Problem(str(file), row, column, f"summary.json's {key} ({stated})", found,
                   sentence=sentence)


def _money_close(a: float, b: float, terms: int) -> bool:
    """Equal but for rounding to pennies, `terms` figures rounded on either side."""
    return abs(a - b) <= 0.005 * (terms + 1) + 1e-9 * max(abs(a), abs(b))


def _site_figures(folder: Path, summary: Summary, sites: pd.DataFrame) -> list[Problem]:
    """sites_before, sites_after, sites_closed, sites_opened and shared_centres against
    sites.csv's decisions and shared_types; a shared centre at a site the plan does not
    keep or open is named at its row."""
    path = folder / "sites.csv"
    decisions = [str(d).strip().lower() for d in sites["decision"]]
    n = Counter(decisions)
    problems = []
    for key, count, said in (
            ("sites_before", n["keep"] + n["close"],
             f"{n['keep']} rows say keep and {n['close']} close ({n['keep'] + n['close']} "
             "sites today)"),
            ("sites_after", n["keep"] + n["open"],
             f"{n['keep']} rows say keep and {n['open']} open ({n['keep'] + n['open']} "
             "sites after)"),
            ("sites_closed", n["close"], f"{n['close']} rows say close"),
            ("sites_opened", n["open"], f"{n['open']} rows say open")):
        stated = getattr(summary, key)
        if count != stated:
            problems.append(_counted(path, "decision", said, str(count), key, str(stated)))
    types = [[t for t in (p.strip() for p in str(v).split(";")) if t]
             for v in sites["shared_types"]]
    centres = sum(len(t) for t in types)
    if centres != summary.shared_centres:
        problems.append(_counted(path, "shared_types", f"the rows name {centres} shared "
                                 "centres", str(centres), "shared_centres",
                                 str(summary.shared_centres)))
    for row, decision, named in zip(_rows(sites), decisions, types, strict=True):
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
        problems.append(_counted(path, "fte_moved", "the rows' fte_moved add up to "
                                 + _figure(moved), _figure(moved), "fte_relocated",
                                 _figure(summary.fte_relocated)))
    rows = _rows(moves)
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
    rows = dict(zip(agencies["agency_id"], zip(_rows(agencies),
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
            if not _money_close(given, stated, 1):
                problems.append(_counted(path, key, f"{agency}'s is {_figure(given)}",
                                         _figure(given), f"agencies.{agency}.{key}",
                                         _figure(stated), row))
        if bool(record["worse_off"]) != bool(figures.worse_off):
            given_text = str(bool(record["worse_off"]))
            problems.append(_counted(path, "worse_off", f"{agency}'s is {given_text}",
                                     given_text, f"agencies.{agency}.worse_off",
                                     str(bool(figures.worse_off)).lower(), row))
    for key in ("annual_cost_before", "annual_cost_after"):
        total, stated = float(agencies[key].sum()), float(getattr(summary, key))
        if not _money_close(total, stated, len(agencies) + areas):
            problems.append(_counted(path, key, f"the rows add up to {_figure(total)}",
                                     _figure(total), key, _figure(stated)))
    return problems


def disagreements(folder: Path, summary: Summary,
                  tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every figure of summary.json that the tables (typed by `check_tables`) give
    otherwise (module docstring); none for a folder as `estate plan` wrote it."""
    folder = Path(folder)
    return [*_site_figures(folder, summary, tables["sites"]),
            *_team_figures(folder, summary, tables["assignments"]),
            *_agency_figures(folder, summary, tables["agencies"], summary.area_count or 1)]


"""The tables a sweep writes from its runs' outcomes: sweep.csv's rows (one a run) and
site_robustness.csv (how often each site stays open). The outcomes are what
`estate.runs.sweep` gathers from the runs, planned now or reused."""

from __future__ import annotations

import collections
import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from estate.results import Summary
from estate.runs.vary import Value, shown
from estate.status import Status


class SiteOutcome(NamedTuple):
    """One site in one run's plan: its id and name, its area (a national register's;
    blank in one locality's) and whether the plan keeps or opens it."""

    site_id: str
    name: str
    area: str
    open: bool


@dataclass
class RunOutcome:
    """What one run ended as; `summary` and `sites` only when it has a plan."""

    run_id: str
    parameters: dict[str, Value]
    status: Status
    message: str = ""
    summary: Summary | None = None
    sites: list[SiteOutcome] = field(default_factory=list)
    reused: bool = False
    ran: bool = False  # planned (or tried) by a worker in this call, not refused first
    seconds: float = 0.0
    warnings: int | None = None  # its plan's (warnings.csv); None: no plan, or not kept
    unstored: bool = False  # planned, but its folder could not be written (a full disk)


def sweep_rows(outcomes: list[RunOutcome], keys: list[str]) -> pd.DataFrame:
    """One row per run: varied keys, status, every summary key, then warnings (how many
    its plan was made with), message and run_id."""
    records = []
    for o in outcomes:
        flat = o.summary.flat() if o.summary else {}
        for key in ("status", *o.parameters):
            flat.pop(key, None)
        # a whole float as an int, still a number for the chart: sweep.csv shows 0, not
        # 0.0; a list or a boolean as typed ([A, B], true), not as Python writes it
        cells = {k: shown(v) if isinstance(v, tuple | bool) else
                 int(v) if isinstance(v, float) and v.is_integer() else v
                 for k, v in o.parameters.items()}
        records.append({**cells, "status": o.status, **flat, "warnings": o.warnings,
                         "message": o.message, "run_id": o.run_id})
    # with no plan among the runs no summary names the columns: the ones every summary has
    every = [] if any(o.summary for o in outcomes) else _summary_columns()
    columns = list(dict.fromkeys(itertools.chain(keys, ["status"], every,
                                                 *(r for r in records))))
    tail = ["warnings", "message", "run_id"]
    columns = [c for c in columns if c not in tail] + tail
    table = pd.DataFrame(records, columns=columns)
    # a varied key's values as read (sweep.csv, the page's axis, as the run's name has
    # them): pandas would make 0, 300000 and inf one float column, written 0.0, 300000.0
    for key in keys:
        read = [r.get(key) for r in records]
        if len({type(v) for v in read}) > 1:
            table[key] = pd.Series(read, index=table.index, dtype=object)
    # a count some runs lack (a reduction that fired in only some) stays a whole number:
    # pandas would make the column float for its blanks, and write 2 as 2.0
    for column in columns:
        given = [r[column] for r in records if r.get(column) is not None]
        if given and all(isinstance(v, int) and not isinstance(v, bool) for v in given) \
                and len(given) < len(records):
            table[column] = table[column].astype("Int64")
    return table


def _summary_columns() -> list[str]:
    """The columns of `Summary.flat` that every plan has, in its order: sweep.csv keeps
    them, empty, when no run has a plan, so that a script reading it finds its columns.
    The agencies' columns need a plan to name them."""
    # (`crs`, `model_size`: a locality's plan's, which a sweep with no plan cannot tell)
    columns = []
    for f in dataclasses.fields(Summary):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING \
                and f.name not in ("status", "agencies"):
            columns += [f.name, "npv_saving_basis"] if f.name == "npv_saving" else [f.name]
    return columns


def site_robustness(outcomes: list[RunOutcome]) -> pd.DataFrame:
    """Share of the runs with a plan (that include the site) in which each site is open.
    A national register's sites carry their area, after the name, so that a planner can
    find a site among the areas (its id alone is unique, but says nothing of where)."""
    first: dict[str, SiteOutcome] = {}
    opened, seen = collections.Counter[str](), collections.Counter[str]()
    for o in outcomes:
        for site in o.sites:
            first.setdefault(site.site_id, site)
            seen[site.site_id] += 1
            opened[site.site_id] += int(site.open)
    areas = any(site.area for site in first.values())
    table = pd.DataFrame({"site_id": list(first),
                          "name": [site.name for site in first.values()],
                          **({"area": [site.area for site in first.values()]} if areas else {}),
                          "runs_open": [opened[s] for s in first],
                          "runs": [seen[s] for s in first]},
                         columns=["site_id", "name", *(["area"] if areas else []),
                                  "runs_open", "runs"])
    table.insert(3 if areas else 2, "open_share", (table["runs_open"] / table["runs"]).round(4)
                 if len(table) else pd.Series(dtype=float))
    return table

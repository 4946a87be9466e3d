"""The register's columns as data: one table drives reading, checking and defaults.

The register format (docs/formats.md) is transcribed here once, so that `validate` checks every column the
same way (required, type, range, default) and a new column is one line, not new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "ref", "text", "number", "bool", "list", "date", "dates", "choice"]

AGENCY_KINDS = ("council", "nhs", "police", "fire", "central", "other")
TENURES = ("freehold", "leasehold")
#: Upper bounds far beyond any public estate: a larger value is a slip (pence typed as
#: pounds, a pasted id, an extra three zeros) that would make the plan nonsense, so it is
#: an error (docs/formats.md lists them). The largest office buildings hold tens of
#: thousands of desks; a whole county's estate costs hundreds of millions a year.
MAX_MONEY = 1e10  # £10 billion: a year's cost of one site or team, or one one-off sum
MAX_COUNT = 1e6  # a million desks, racks or FTE in one site or team
MAX_POPULATION = 1e8  # a hundred million residents in one zone
MAX_YEARS = 100.0  # years to sell or to build
LARGEST = 1e15
"""No number a scenario gives, nor any figure of a plan, is larger either way (a
thousand trillion pounds, people, desks or km): a larger one is a slip, refused before
the plan's own results would be refused for it (`estate.store.check`)."""
CIRCUMFERENCE_KM = 40_075.0
"""The Earth's circumference: a bound on a coverage radius (half of it already reaches
everywhere)."""
BOOL_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class Column:
    """One column of a register table.

    `kind` decides parsing: `id` (unique text), `ref` (text naming a row of another
    table), `text`, `number` (finite float), `bool`, `list` (`;`-separated, a tuple),
    `date` (ISO `YYYY-MM-DD`), `dates` (a `;`-separated list of ISO dates, a sorted tuple),
    `choice` (one of `choices`, any case, stored lower case). `whole` numbers must be
    whole (years).
    `default` fills blank cells of an optional column; the string ``"=fte"`` copies the
    row's `fte`. `low`/`high` bound numbers inclusively. `example` shows a list's form. `slug` stores text lower case with
    spaces and hyphens as `_` (`Data Centre` -> `data_centre`), to match scenario keys.
    """

    name: str
    kind: Kind
    required: bool = False
    default: object = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    slug: bool = False
    refers_to: str | None = None
    whole: bool = False
    example: str = ""


@dataclass(frozen=True)
class Table:
    """A register table: its name, whether a register must have it, its columns.

    `unique` names columns whose values together may appear once (besides the id).
    """

    name: str
    columns: tuple[Column, ...]
    required: bool = True
    unique: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def key(self) -> str | None:
        """The id column, if the table has one."""
        return next((c.name for c in self.columns if c.kind == "id"), None)


def _money(name: str, required: bool = False, low: float | None = 0.0) -> Column:
    return Column(name, "number", required=required, default=0.0, low=low, high=MAX_MONEY)


def _count(name: str, required: bool = False, default: object = 0.0) -> Column:
    return Column(name, "number", required=required, default=default, low=0.0, high=MAX_COUNT)


AGENCIES = Table(
    "agencies",
    (
        Column("agency_id", "id", required=True),
        Column("name", "text", required=True),
        Column("kind", "choice", default="other", choices=AGENCY_KINDS),
    ),
)

SITES = Table(
    "sites",
    (
        Column("site_id", "id", required=True),
        Column("agency_id", "ref", required=True, refers_to="agencies"),
        Column("name", "text", required=True),
        Column("lat", "number", required=True, low=-90.0, high=90.0),
        Column("lon", "number", required=True, low=-180.0, high=180.0),
        _count("desks", required=True, default=None),
        _money("running_cost", required=True),
        _count("racks"),
        Column("kind", "text", default="office", slug=True),
        Column("tenure", "choice", default="freehold", choices=TENURES),
        Column("lease_end", "date", default=""),
        # blank: running_cost on a leasehold, else 0
        Column("rent", "number", low=0.0, high=MAX_MONEY),
        Column("lease_breaks", "dates", default=(), example="2029-03-31;2031-03-31"),
        # blank: no surrender offered
        Column("surrender_cost", "number", low=0.0, high=MAX_MONEY),
        Column("disposal_lag_years", "number", default=1.0, low=0.0, high=MAX_YEARS,
               whole=True),
        Column("build_years", "number", default=1.0, low=1.0, high=MAX_YEARS, whole=True),
        _money("closure_cost"),
        _money("disposal_value"),
        _money("build_cost"),
        Column("candidate", "bool", default=False),
        Column("services", "list", default=(), example="public_access;library"),
        Column("hosts", "list", default=(), example="IT;HR"),
        Column("secure", "bool", default=False),
        Column("must_keep", "bool", default=False),
        Column("area", "text", default=""),
    ),
)

FUNCTIONS = Table(
    "functions",
    (
        Column("function_id", "id", required=True),
        Column("agency_id", "ref", required=True, refers_to="agencies"),
        Column("type", "text", required=True),
        Column("site_id", "ref", default="", refers_to="sites"),
        _count("fte", required=True, default=None),
        _money("annual_cost", required=True),
        _count("desks", default="=fte"),
        _count("racks"),
        Column("shareable", "bool", default=True),
        Column("needs_secure", "bool", default=False),
        Column("area", "text", default=""),
        Column("earliest_move", "date", default=""),
    ),
)

ZONES = Table(
    "zones",
    (
        Column("zone_id", "id", required=True),
        Column("name", "text", default=""),
        Column("lat", "number", required=True, low=-90.0, high=90.0),
        Column("lon", "number", required=True, low=-180.0, high=180.0),
        Column("population", "number", required=True, low=0.0, high=MAX_POPULATION),
    ),
)

PAIR_COSTS = Table(
    "pair_costs",
    (
        Column("function_id", "ref", required=True, refers_to="functions"),
        Column("site_id", "ref", required=True, refers_to="sites"),
        Column("annual_cost", "number", required=True, low=-MAX_MONEY, high=MAX_MONEY),
    ),
    required=False,
    unique=("function_id", "site_id"),
)

TABLES: dict[str, Table] = {t.name: t for t in (AGENCIES, SITES, FUNCTIONS, ZONES, PAIR_COSTS)}
"""Every register table, in the order they are checked (references point backwards)."""

POINT_TABLES = ("sites", "zones")
"""Tables whose GeoPackage layers carry Point geometry instead of lat/lon columns."""

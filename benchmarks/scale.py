"""Seeded synthetic registers for the scale benchmarks (issue 5, item 2).

    .venv/bin/python -m benchmarks.scale make county --out benchmarks/out/county-s1 --seed 1
    .venv/bin/python -m benchmarks.scale make region --out benchmarks/out/region-s1 --seed 1
    .venv/bin/python -m benchmarks.scale make nation --out benchmarks/out/nation-s1 --seed 1

writes `agencies.csv`, `sites.csv`, `functions.csv`, `zones.csv` (DESIGN section 1) and a
`scenario.toml` (`data = "."`) into the folder. Everything is drawn from
`numpy.random.default_rng(seed)` in a fixed order (the nation's areas from children of
`numpy.random.SeedSequence(seed)`), so a family and a seed always give the same files.
All names and figures are synthetic.

The recipe
----------

**county** (one locality): 10 agencies; 500 existing sites and 20 candidate sites over a
box of 80 km (east-west) x 60 km centred on 52.2N 0.9E, clustered around 25 towns;
2,000 zones around the towns holding 750,000 people; 150 functions.

- Towns: uniform in the box (5% margin), rank-size weights 1/rank, spread (normal
  sigma) 1 km + 4 km x sqrt(weight / largest weight).
- Zones: town drawn by weight; 85% at the town's spread, 15% (rural) at three times
  it; clipped to the box. Populations lognormal (sigma 0.5; rural ones 0.4 times the
  urban mean), scaled to the family total exactly (largest remainder).
- Agencies: kinds in the order council, council, nhs, police, fire, council, nhs,
  central, council, other (repeating); weight for owning sites 1.5, 1.3, 1.0, 0.6,
  0.8, 0.5 for council, nhs, police, fire, central, other.
- Existing sites: kinds in exact proportions 60% office, 10% depot, 5% data_centre,
  25% front-line (`clinic` for NHS owners, `station` otherwise; not in the scenario's
  closable kinds, so they stay open); owner drawn by agency weight; town drawn by
  weight^0.8; position at the town's spread (10% at three times it), clipped.
- Candidates: kind `hub`, at towns drawn by weight^1.5, owner drawn by agency weight,
  80 to 300 desks.
- Functions (a function is one team of one agency at one home site): each agency has
  IT, HR and Finance; every other agency (half of them) also Payroll and Procurement.
  Each (agency, type) is spread over 1 to 5 distinct sites of its own: team counts are
  drawn uniformly from 1..5 and then nudged one at a time (a random type below 5 up,
  or above 1 down) until the family's total (150) is met exactly. Homes are the
  agency's sites, weighted office 3, front-line 1, data_centre 2 for IT (0.5
  otherwise), depot 0. FTE log-uniform in [5, 80], whole numbers; `desks` = FTE;
  `annual_cost` = FTE x U(35k, 45k) pounds (about 40k per FTE), to the thousand.
  10% of functions (exactly, rounded) need security.
- Desks: home sites get their teams' desks x U(1.0, 1.25), rounded up, so every
  function fits its own home and the status quo is feasible; the remainder up to
  1.6 x the total need (existing sites only) is spread over all existing sites by
  weight (office 1, front-line 0.4, data_centre 0.2, depot 0.15, each times a
  lognormal(0, 0.6)), whole desks, exact total.
- Secure: the homes of functions needing security, then others at random, until 20%
  of all sites (existing and candidate) are secure.
- Hosts: 70% of sites (at random) host every type (`hosts` empty); the rest list the
  types of the functions housed there plus each other type with probability 0.3 (at
  least one type).
- Services: 30% of all sites offer `public_access`, drawn without replacement with
  weights front-line 3, hub 3, office 1.4, depot and data_centre 0.
- Racks: data centres hold 20 to 100 racks; no function needs racks.
- Costs (pounds, illustrative; the rates follow data/make_suffolk.py: NAO 2007 office
  costs uplifted, State of the Estate 10.7-12 m2 per desk):
  running = desks x U(3.5k, 4.5k) (about 4k per desk a year) plus a building part by
  kind: office U(5k, 15k), depot U(80k, 200k), data_centre racks x U(4k, 6k) + 50k,
  station/clinic U(40k, 150k), hub U(20k, 40k);
  40% of offices leasehold (closure 25k + m2 x U(60, 120), no disposal value), the
  rest freehold (closure 25k + m2 x U(15, 30), disposal m2 x U(900, 1,500));
  depot closure U(50k, 100k), disposal U(400k, 800k); data_centre closure
  U(300k, 500k), disposal U(150k, 350k); front-line none; hub build 250k + m2 x
  U(1,200, 1,600) with 8.5 m2 a desk. All rounded to the thousand.
- Scenario (`scenario.toml`): horizon 10 years, discount 3.5%; one `maintain`
  public_access coverage rule at 15 km; sharing of IT, HR, Finance at 15% with
  250k set-up and min_agencies 2; relocation at most 40 km at 5,000 per FTE; no split;
  closable kinds office, depot, data_centre, hub; HiGHS, time limit 600 s, gap 1e-4.

**region** (one locality): the same recipe at ten times the sites (5,000 + 200
candidates), functions (1,500) and zones (20,000; 7.5 million people), with 40
agencies and 250 towns over 250 km x 200 km centred on 52.6N 1.4W. One change is
forced: 40 agencies with 3 to 5 types can hold at most 800 teams at five sites a type,
so at region size team counts per (agency, type) are drawn from 1..15 (then nudged to
1,500 as above). Everything else is unchanged.

**nation**: 300 areas (DESIGN section 8: every site has an `area`; functions take
their home's), laid out as a 20 x 15 grid of 22 km x 33 km areas (440 km x 495 km
centred on 52.8N 1.5W). In total 30,000 existing sites (plus 4%, 1,200, candidates),
10,000 functions and 35,000 zones with 56 million people. Each area is a small county
made with the county recipe: 3 agencies of its own (kinds council, nhs, police), 3
towns, and its share of the totals by a lognormal(0, 0.35) weight per area (largest
remainder; functions kept between the area's number of (agency, type) pairs and five
times it). Zones carry an extra `area` column (kept and ignored by the register
checks).
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

KM_PER_DEG_LAT = 111.2
TYPES = ("IT", "HR", "Finance", "Payroll", "Procurement")
SHARED_TYPES = ("IT", "HR", "Finance")
AGENCY_KINDS = ("council", "council", "nhs", "police", "fire", "council", "nhs", "central",
                "council", "other")
AGENCY_WEIGHT = {"council": 1.5, "nhs": 1.3, "police": 1.0, "fire": 0.6, "central": 0.8,
                 "other": 0.5}
KIND_SHARES = (("office", 0.60), ("depot", 0.10), ("data_centre", 0.05))  # rest front-line
FRONT_LINE = ("station", "clinic")


@dataclass(frozen=True)
class Spec:
    """One locality's counts and box (a whole county or region, or one nation area)."""

    agencies: int
    sites: int
    candidates: int
    functions: int
    zones: int
    population: int
    towns: int
    width_km: float
    height_km: float
    lat: float
    lon: float
    max_teams: int = 5
    agency_kinds: tuple[str, ...] = AGENCY_KINDS


COUNTY = Spec(agencies=10, sites=500, candidates=20, functions=150, zones=2_000,
              population=750_000, towns=25, width_km=80, height_km=60, lat=52.2, lon=0.9)
REGION = Spec(agencies=40, sites=5_000, candidates=200, functions=1_500, zones=20_000,
              population=7_500_000, towns=250, width_km=250, height_km=200, lat=52.6,
              lon=-1.4, max_teams=15)
NATION = dict(areas=300, cols=20, rows=15, sites=30_000, candidates=1_200, functions=10_000,
              zones=35_000, population=56_000_000, towns=3, agencies=3, width_km=22,
              height_km=33, lat=52.8, lon=-1.5)
FAMILIES = ("county", "region", "nation")


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole numbers proportional to `weights` that add up to `total` exactly."""
    w = np.asarray(weights, float)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(np.int64)
    short = int(total - out.sum())
    if short > 0:
        out[np.argsort(-(raw - out), kind="stable")[:short]] += 1
    return out


def bounded_allocation(total: int, weights: np.ndarray, lo: np.ndarray, hi: np.ndarray
                       ) -> np.ndarray:
    """Like `largest_remainder`, but each share kept in [lo, hi] (water-filling)."""
    lo, hi = np.asarray(lo, np.int64), np.asarray(hi, np.int64)
    total = int(min(max(total, lo.sum()), hi.sum()))
    out = np.clip(largest_remainder(total, weights), lo, hi)
    order = np.argsort(-np.asarray(weights, float), kind="stable")
    while out.sum() != total:
        step = 1 if out.sum() < total else -1
        room = (out < hi) if step > 0 else (out > lo)
        for i in order if step > 0 else order[::-1]:
            if room[i] and out.sum() != total:
                out[i] += step
    return out


def nudge_to_total(counts: np.ndarray, total: int, lo: int, hi: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Move random entries up (or down) by one, within [lo, hi], until they sum to total."""
    counts = counts.copy()
    total = min(max(total, lo * len(counts)), hi * len(counts))
    while counts.sum() != total:
        if counts.sum() < total:
            room = np.flatnonzero(counts < hi)
            counts[rng.choice(room)] += 1
        else:
            room = np.flatnonzero(counts > lo)
            counts[rng.choice(room)] -= 1
    return counts


def _to_latlon(x_km: np.ndarray, y_km: np.ndarray, spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    """Box kilometres (origin at the box centre) to WGS84, a local equirectangular map."""
    lat = spec.lat + y_km / KM_PER_DEG_LAT
    lon = spec.lon + x_km / (KM_PER_DEG_LAT * math.cos(math.radians(spec.lat)))
    return np.round(lat, 6), np.round(lon, 6)


def _clip(x: np.ndarray, y: np.ndarray, spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    return (np.clip(x, -spec.width_km / 2, spec.width_km / 2),
            np.clip(y, -spec.height_km / 2, spec.height_km / 2))


def _thousand(x: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(x, float), -3)


def make_locality(spec: Spec, rng: np.random.Generator, *, prefix: str = "", area: str = "",
                  counters: dict[str, int] | None = None) -> dict[str, pd.DataFrame]:
    """The four tables of one locality, drawn in a fixed order from `rng`."""
    counters = counters if counters is not None else {"site": 0, "function": 0, "zone": 0}
    label = f"{area} " if area else ""

    # Towns
    nt = spec.towns
    mx, my = 0.45 * spec.width_km, 0.45 * spec.height_km
    tx, ty = rng.uniform(-mx, mx, nt), rng.uniform(-my, my, nt)
    tw = 1.0 / rng.permutation(np.arange(1, nt + 1))
    tsig = 1.0 + 4.0 * np.sqrt(tw / tw.max())
    town_names = np.array([f"{label}Town {i + 1:02d}" for i in range(nt)], dtype=object)

    def around(n: int, power: float, rural_share: float) -> tuple[np.ndarray, ...]:
        town = rng.choice(nt, size=n, p=tw**power / (tw**power).sum())
        rural = rng.random(n) < rural_share
        sig = tsig[town] * np.where(rural, 3.0, 1.0)
        x, y = _clip(tx[town] + rng.normal(0, 1, n) * sig, ty[town] + rng.normal(0, 1, n) * sig,
                     spec)
        return town, rural, x, y

    # Zones
    ztown, zrural, zx, zy = around(spec.zones, 1.0, 0.15)
    zraw = rng.lognormal(0.0, 0.5, spec.zones) * np.where(zrural, 0.4, 1.0)
    zpop = largest_remainder(spec.population, zraw)
    zlat, zlon = _to_latlon(zx, zy, spec)
    z0 = counters["zone"]
    counters["zone"] += spec.zones
    zones = pd.DataFrame({
        "zone_id": [f"Z{z0 + i + 1:06d}" for i in range(spec.zones)],
        "name": [f"{town_names[t]} {'rural' if r else 'zone'} {i + 1}"
                 for i, (t, r) in enumerate(zip(ztown, zrural, strict=True))],
        "lat": zlat, "lon": zlon, "population": zpop,
    })
    if area:
        zones["area"] = area

    # Agencies
    na = spec.agencies
    akind = np.array([spec.agency_kinds[i % len(spec.agency_kinds)] for i in range(na)],
                     dtype=object)
    aid = np.array([f"{prefix}G{i + 1:02d}" for i in range(na)], dtype=object)
    agencies = pd.DataFrame({"agency_id": aid,
                             "name": [f"{label}Agency {i + 1:02d} ({k})"
                                      for i, k in enumerate(akind)],
                             "kind": akind})
    aw = np.array([AGENCY_WEIGHT[k] for k in akind])

    # Existing sites, then candidates
    ne, nc = spec.sites, spec.candidates
    counts = [int(round(share * ne)) for _, share in KIND_SHARES]
    kinds = np.array(sum(([k] * c for (k, _), c in zip(KIND_SHARES, counts, strict=True)), [])
                     + ["front"] * (ne - sum(counts)), dtype=object)
    kinds = rng.permutation(kinds)
    owner = rng.choice(na, size=ne, p=aw / aw.sum())
    kinds = np.where(kinds == "front", np.where(akind[owner] == "nhs", "clinic", "station"),
                     kinds)
    stown, _, sx, sy = around(ne, 0.8, 0.10)
    ctown = rng.choice(nt, size=nc, p=tw**1.5 / (tw**1.5).sum())
    cx, cy = _clip(tx[ctown] + rng.normal(0, 1, nc) * tsig[ctown],
                   ty[ctown] + rng.normal(0, 1, nc) * tsig[ctown], spec)
    cowner = rng.choice(na, size=nc, p=aw / aw.sum())
    n = ne + nc
    kinds = np.concatenate([kinds, np.array(["hub"] * nc, dtype=object)])
    owner = np.concatenate([owner, cowner])
    town = np.concatenate([stown, ctown])
    x, y = np.concatenate([sx, cx]), np.concatenate([sy, cy])
    candidate = np.arange(n) >= ne
    front = np.isin(kinds, FRONT_LINE)

    # Functions: (agency, type) list, team counts, homes
    types_of = [TYPES if i % 2 == 1 else SHARED_TYPES for i in range(na)]
    at = [(g, k) for g in range(na) for k in types_of[g]]
    teams = nudge_to_total(rng.integers(1, spec.max_teams + 1, len(at)), spec.functions, 1,
                           spec.max_teams, rng)
    f_agency, f_type, f_home = [], [], []
    for (g, k), c in zip(at, teams, strict=True):
        mine = np.flatnonzero((owner == g) & ~candidate)
        w = np.select([kinds[mine] == "office", np.isin(kinds[mine], FRONT_LINE),
                       kinds[mine] == "data_centre"], [3.0, 1.0, 2.0 if k == "IT" else 0.5], 0.0)
        c = min(int(c), int((w > 0).sum()))
        homes = rng.choice(mine, size=c, replace=False, p=w / w.sum())
        f_agency += [g] * c
        f_type += [k] * c
        f_home += list(homes)
    nf = len(f_home)
    f_agency, f_home = np.array(f_agency), np.array(f_home, dtype=np.int64)
    f_type = np.array(f_type, dtype=object)
    fte = np.round(np.exp(rng.uniform(math.log(5), math.log(80), nf)))
    annual = _thousand(fte * rng.uniform(35_000, 45_000, nf))
    needs_secure = np.zeros(nf, bool)
    needs_secure[rng.choice(nf, size=int(round(0.10 * nf)), replace=False)] = True

    # Desks: homes fit their teams; the rest up to 1.6 x need over all existing sites
    load = np.bincount(f_home, fte, n)
    desks = np.ceil(load * rng.uniform(1.0, 1.25, n))
    spare = int(round(1.6 * fte.sum())) - int(desks[~candidate].sum())
    kind_w = pd.Series(kinds).map({"office": 1.0, "station": 0.4, "clinic": 0.4,
                                   "data_centre": 0.2, "depot": 0.15}).fillna(0.0).to_numpy()
    spread_w = kind_w[:ne] * rng.lognormal(0.0, 0.6, ne)
    desks[:ne] += largest_remainder(max(spare, 0), spread_w)
    desks[ne:] = rng.integers(80, 301, nc)
    racks = np.where(kinds == "data_centre", rng.integers(20, 101, n), 0)

    # Secure, hosts, services
    secure = np.zeros(n, bool)
    secure[f_home[needs_secure]] = True
    want = int(round(0.20 * n))
    others = rng.permutation(np.flatnonzero(~secure))
    secure[others[:max(0, want - int(secure.sum()))]] = True
    all_types = rng.permutation(n)[: int(round(0.70 * n))]
    hosts_all = np.zeros(n, bool)
    hosts_all[all_types] = True
    housed_types: list[set[str]] = [set() for _ in range(n)]
    for s, k in zip(f_home, f_type, strict=True):
        housed_types[s].add(k)
    extra = rng.random((n, len(TYPES))) < 0.3
    hosts = []
    for s in range(n):
        if hosts_all[s]:
            hosts.append("")
            continue
        chosen = housed_types[s] | {t for t, e in zip(TYPES, extra[s], strict=True) if e}
        if not chosen:
            chosen = {TYPES[int(rng.integers(len(TYPES)))]}
        hosts.append(";".join(t for t in TYPES if t in chosen))
    svc_w = pd.Series(kinds).map({"station": 3.0, "clinic": 3.0, "hub": 3.0, "office": 1.4}
                                 ).fillna(0.0).to_numpy()
    public = np.zeros(n, bool)
    public[rng.choice(n, size=int(round(0.30 * n)), replace=False, p=svc_w / svc_w.sum())] = True

    # Costs
    m2 = desks * rng.uniform(10.7, 12.0, n)
    m2 = np.where(kinds == "hub", desks * 8.5, m2)
    building = np.select(
        [kinds == "office", kinds == "depot", kinds == "data_centre", front, kinds == "hub"],
        [rng.uniform(5_000, 15_000, n), rng.uniform(80_000, 200_000, n),
         racks * rng.uniform(4_000, 6_000, n) + 50_000, rng.uniform(40_000, 150_000, n),
         rng.uniform(20_000, 40_000, n)])
    running = _thousand(desks * rng.uniform(3_500, 4_500, n) + building)
    leasehold = (kinds == "office") & (rng.random(n) < 0.4)
    closure = np.select(
        [leasehold, kinds == "office", kinds == "depot", kinds == "data_centre"],
        [25_000 + m2 * rng.uniform(60, 120, n), 25_000 + m2 * rng.uniform(15, 30, n),
         rng.uniform(50_000, 100_000, n), rng.uniform(300_000, 500_000, n)], 0.0)
    disposal = np.select(
        [leasehold, kinds == "office", kinds == "depot", kinds == "data_centre"],
        [np.zeros(n), m2 * rng.uniform(900, 1_500, n), rng.uniform(400_000, 800_000, n),
         rng.uniform(150_000, 350_000, n)], 0.0)
    build_cost = np.where(candidate, 250_000 + m2 * rng.uniform(1_200, 1_600, n), 0.0)

    lat, lon = _to_latlon(x, y, spec)
    s0 = counters["site"]
    counters["site"] += n
    site_id = np.array([f"S{s0 + i + 1:06d}" for i in range(n)], dtype=object)
    nice = {"office": "office", "depot": "depot", "data_centre": "data centre",
            "station": "station", "clinic": "clinic", "hub": "hub (proposed)"}
    sites = pd.DataFrame({
        "site_id": site_id, "agency_id": aid[owner],
        "name": [f"{aid[o]} {nice[k]}, {town_names[t]} ({site_id[i]})"
                 for i, (o, k, t) in enumerate(zip(owner, kinds, town, strict=True))],
        "lat": lat, "lon": lon, "desks": desks.astype(np.int64),
        "running_cost": running, "racks": racks, "kind": kinds,
        "tenure": np.where(leasehold, "leasehold", "freehold"),
        "closure_cost": _thousand(np.where(candidate, 0.0, closure)),
        "disposal_value": _thousand(np.where(candidate, 0.0, disposal)),
        "build_cost": _thousand(build_cost), "candidate": candidate,
        "services": np.where(public, "public_access", ""), "hosts": hosts, "secure": secure,
    })
    if area:
        sites["area"] = area

    f0 = counters["function"]
    counters["function"] += nf
    functions = pd.DataFrame({
        "function_id": [f"F{f0 + i + 1:06d}" for i in range(nf)],
        "agency_id": aid[f_agency], "type": f_type, "site_id": site_id[f_home],
        "fte": fte.astype(np.int64), "annual_cost": annual, "desks": fte.astype(np.int64),
        "needs_secure": needs_secure,
    })
    return {"agencies": agencies, "sites": sites, "functions": functions, "zones": zones}


def make_nation(rng_seed: int) -> dict[str, pd.DataFrame]:
    """300 areas, each a small county, with their share of the national totals."""
    nat = NATION
    seq = np.random.SeedSequence(rng_seed)
    top = np.random.default_rng(seq)
    n_areas = nat["areas"]
    weight = top.lognormal(0.0, 0.35, n_areas)
    sites = largest_remainder(nat["sites"], weight)
    cands = largest_remainder(nat["candidates"], weight)
    zones = largest_remainder(nat["zones"], weight)
    people = largest_remainder(nat["population"], weight)
    # (agency, type) pairs per area: 3 agencies, every other one with 5 types: 3+5+3
    pairs = sum(len(TYPES if i % 2 == 1 else SHARED_TYPES) for i in range(nat["agencies"]))
    funcs = bounded_allocation(nat["functions"], weight, np.full(n_areas, pairs),
                               np.full(n_areas, 5 * pairs))
    cols, rows = nat["cols"], nat["rows"]
    w_km, h_km = nat["width_km"], nat["height_km"]
    lat_c, lon_c = nat["lat"], nat["lon"]
    counters = {"site": 0, "function": 0, "zone": 0}
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in
                                            ("agencies", "sites", "functions", "zones")}
    for a, child in enumerate(seq.spawn(n_areas)):
        r, c = divmod(a, cols)
        x_km = (c - (cols - 1) / 2) * w_km
        y_km = ((rows - 1) / 2 - r) * h_km
        lat = lat_c + y_km / KM_PER_DEG_LAT
        lon = lon_c + x_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat_c)))
        spec = Spec(agencies=nat["agencies"], sites=int(sites[a]), candidates=int(cands[a]),
                    functions=int(funcs[a]), zones=int(zones[a]), population=int(people[a]),
                    towns=nat["towns"], width_km=w_km, height_km=h_km, lat=lat, lon=lon,
                    agency_kinds=("council", "nhs", "police"))
        area = f"A{a + 1:03d}"
        tables = make_locality(spec, np.random.default_rng(child), prefix=f"{area}-",
                               area=area, counters=counters)
        for k, v in tables.items():
            parts[k].append(v)
    return {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}


def add_timing(tables: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """Leases, breaks, sale lags, build times and earliest moves for the dated programme,
    from a generator of their own (seeded by `seed` and 11), so that every other figure
    of the family stays as it was.

    Leasehold offices: lease_end uniform over the 8 years from 2027-04-01 (to the
    month), rent 70% of the running cost, a break at the half-way point for 30% of them,
    a surrender price of one to two years' rent for 20%. Freeholds take one year to
    sell, two when they have 300 desks or more; a quarter of the candidate hubs take two
    years to build; 5% of the teams wait 1 to 3 years for a system cut-over.
    """
    rng = np.random.default_rng([seed, 11])
    sites, functions = tables["sites"].copy(), tables["functions"].copy()
    n = len(sites)
    leased = (sites["tenure"] == "leasehold").to_numpy()
    months = rng.integers(0, 96, n)
    end = [f"{2027 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}-01" for m in months]
    half = [f"{2027 + (3 + m // 2) // 12}-{(3 + m // 2) % 12 + 1:02d}-01" for m in months]
    sites["lease_end"] = np.where(leased, end, "")
    sites["rent"] = np.where(leased, _thousand(sites["running_cost"].to_numpy() * 0.7), np.nan)
    sites["lease_breaks"] = np.where(leased & (rng.random(n) < 0.3) & (months >= 24), half, "")
    years_rent = rng.uniform(1.0, 2.0, n)
    sites["surrender_cost"] = np.where(leased & (rng.random(n) < 0.2),
                                       _thousand(sites["rent"].to_numpy() * years_rent), np.nan)
    big = (~leased) & (~sites["candidate"].to_numpy()) & (sites["desks"].to_numpy() >= 300)
    sites["disposal_lag_years"] = np.where(big, 2, 1)
    sites["build_years"] = np.where(sites["candidate"].to_numpy() & (rng.random(n) < 0.25), 2, 1)
    waits = rng.random(len(functions)) < 0.05
    functions["earliest_move"] = np.where(
        waits, [f"{2027 + int(y)}-04-01" for y in rng.integers(1, 4, len(functions))], "")
    return {**tables, "sites": sites, "functions": functions}


def make_tables(family: str, seed: int) -> dict[str, pd.DataFrame]:
    if family == "county":
        return add_timing(make_locality(COUNTY, np.random.default_rng(seed)), seed)
    if family == "region":
        return add_timing(make_locality(REGION, np.random.default_rng(seed)), seed)
    if family == "nation":
        return make_nation(seed)
    raise ValueError(f"unknown family {family!r}; one of {FAMILIES}")


SCENARIO = """\
# Synthetic {family} register, seed {seed}: benchmarks/scale.py (issue 5 item 2).
name = "{family}-s{seed}"
data = "."
agencies = []
horizon_years = 10
discount_rate = 0.035

[sharing]
types = ["IT", "HR", "Finance"]
efficiency = 0.15
setup_cost = 250000
min_agencies = 2

[relocation]
cost_per_fte = 5000
max_km = 40

[assignment]
split = false

[[coverage]]
service = "public_access"
radius_km = 15
mode = "maintain"

[policy]
keep = []
close = []
closable_kinds = ["office", "depot", "data_centre", "hub"]

[solver]
name = "highs"
time_limit_s = {time_limit:g}
mip_gap = 0.0001
"""


# The same scenario dated from 2027-04-01 and scheduled under yearly limits that bind.
PROGRAMME = """\
start = "2027-04-01"
{scenario}
[programme]
max_one_off_per_year = 5000000
max_fte_moved_per_year = 600
max_closures_per_year = 20
"""


def write_register(family: str, out: Path, seed: int = 1, time_limit: float = 600.0) -> Path:
    """Write the family's register (CSV) and `scenario.toml` into `out`; return the TOML."""
    return write_tables(make_tables(family, seed), out, family, seed, time_limit)


def write_tables(tables: dict[str, pd.DataFrame], out: Path, family: str, seed: int,
                 time_limit: float = 600.0) -> Path:
    """Write register tables as CSV and the family's scenario beside them."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("agencies", "sites", "functions", "zones"):
        frame = tables[name].copy()
        for col in frame.columns:
            if frame[col].dtype == bool:
                frame[col] = np.where(frame[col], "true", "false")
        frame.to_csv(out / f"{name}.csv", index=False)
    path = out / "scenario.toml"
    text = SCENARIO.format(family=family, seed=seed, time_limit=time_limit)
    path.write_text(text, encoding="utf-8")
    dated = text.replace(f'name = "{family}-s{seed}"', f'name = "{family}-s{seed} programme"')
    (out / "programme.toml").write_text(PROGRAMME.format(scenario=dated), encoding="utf-8")
    return path


def describe(tables: dict[str, pd.DataFrame]) -> str:
    """A few lines checking the recipe: counts, shares, desks against need."""
    s, f, z = tables["sites"], tables["functions"], tables["zones"]
    existing = s[~s["candidate"]]
    need = f["desks"].sum()
    load = f.groupby("site_id")["desks"].sum()
    homes_fit = bool((s.set_index("site_id")["desks"].reindex(load.index) >= load).all())
    secure_homes = set(f.loc[f["needs_secure"], "site_id"])
    lines = [
        f"agencies {len(tables['agencies']):,}; sites {len(existing):,} existing + "
        f"{int(s['candidate'].sum()):,} candidates; functions {len(f):,}; zones {len(z):,} "
        f"holding {int(z['population'].sum()):,} people",
        "kinds (existing): " + ", ".join(f"{k} {v:.0%}" for k, v in
                                         existing["kind"].value_counts(normalize=True).items()),
        f"FTE {int(f['fte'].sum()):,} (teams {int(f['fte'].min())}-{int(f['fte'].max())}); "
        f"desks existing {int(existing['desks'].sum()):,} = "
        f"{existing['desks'].sum() / need:.2f} x need; every home fits its teams: {homes_fit}",
        f"secure sites {s['secure'].mean():.0%}; functions needing security "
        f"{f['needs_secure'].mean():.0%}, all at secure homes: "
        f"{secure_homes <= set(s.loc[s['secure'], 'site_id'])}; "
        f"sites hosting every type {(s['hosts'] == '').mean():.0%}; "
        f"public_access {(s['services'] != '').mean():.0%}",
        f"types: { {k: int(v) for k, v in f['type'].value_counts().items()} }",
        f"annual cost per FTE £{f['annual_cost'].sum() / f['fte'].sum():,.0f}; running cost per "
        f"desk (offices) £{(existing.loc[existing['kind'] == 'office', 'running_cost'].sum() / existing.loc[existing['kind'] == 'office', 'desks'].sum()):,.0f}",
    ]
    if "area" in s.columns:
        lines.append(f"areas {s['area'].nunique()}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seeded synthetic registers (issue 5).")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make", help="write a register and scenario.toml")
    make.add_argument("family", choices=FAMILIES)
    make.add_argument("--out", type=Path, help="folder (default benchmarks/out/FAMILY-sSEED)")
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--time-limit", type=float, default=600.0,
                      help="solver.time_limit_s in the scenario (default 600)")
    show = sub.add_parser("describe", help="print the recipe check of a family")
    show.add_argument("family", choices=FAMILIES)
    show.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "describe":
        print(describe(make_tables(args.family, args.seed)))
        return 0
    out = args.out or Path(__file__).resolve().parent / "out" / f"{args.family}-s{args.seed}"
    path = write_register(args.family, out, args.seed, args.time_limit)
    print(f"wrote {out} ({args.family}, seed {args.seed}); scenario {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

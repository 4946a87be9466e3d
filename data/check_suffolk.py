"""Sanity checks of the generated Suffolk register (data/suffolk/), without the planner.

Run:  .venv/bin/python data/check_suffolk.py [REGISTER_DIR]
Prints counts and capacity figures; exits 1 if a check fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

CLOSABLE = {"office", "depot", "data_centre", "hub"}
NUMERIC = ["lat", "lon", "desks", "running_cost", "racks", "closure_cost", "disposal_value",
           "build_cost", "fte", "annual_cost", "population"]


def split(cell: str) -> set[str]:
    return {x for x in str(cell).split(";") if x} if isinstance(cell, str) else set()


def metric_xy(sites: pd.DataFrame, zones: pd.DataFrame):
    """Site and zone positions in metres, in the UTM zone geopandas picks for all points."""
    pts = gpd.GeoSeries(gpd.points_from_xy(pd.concat([sites.lon, zones.lon]),
                                           pd.concat([sites.lat, zones.lat])), crs=4326)
    xy = pts.to_crs(pts.estimate_utm_crs()).get_coordinates().to_numpy()
    return xy[: len(sites)], xy[len(sites):], pts.estimate_utm_crs()


def main(folder: Path) -> int:
    read = {}
    for t in ("agencies", "sites", "functions", "zones", "pair_costs"):
        df = pd.read_csv(folder / f"{t}.csv", dtype=str, keep_default_na=False)
        for c in df.columns.intersection(NUMERIC):
            df[c] = pd.to_numeric(df[c])
        read[t] = df
    ag, s, f, z, pc = (read[t] for t in ("agencies", "sites", "functions", "zones", "pair_costs"))
    bad: list[str] = []

    def check(ok, msg):
        if not ok:
            bad.append(msg)

    for df, col in ((ag, "agency_id"), (s, "site_id"), (f, "function_id"), (z, "zone_id")):
        check(df[col].is_unique, f"{col} not unique")
    check(s.agency_id.isin(ag.agency_id).all(), "site of unknown agency")
    check(f.agency_id.isin(ag.agency_id).all(), "function of unknown agency")
    check(ag.kind.isin(["council", "nhs", "police", "fire", "central", "other"]).all(), "bad kind")
    for c in ("candidate", "secure", "must_keep"):
        check(s[c].isin(["true", "false"]).all(), f"sites.{c} not true/false")
    site = s.set_index("site_id")
    home = site.loc[f.site_id]
    check(f.site_id.isin(s.site_id).all(), "function home unknown")
    check((home.candidate.to_numpy() == "false").all(), "function housed at a candidate")
    check((home.agency_id.to_numpy() == f.agency_id.to_numpy()).all(), "housed at another agency")
    hosts_ok = [not split(h) or t in split(h) for h, t in zip(home.hosts, f.type, strict=True)]
    check(all(hosts_ok), "function at a site that does not host its type")
    sec_ok = ~((f.needs_secure == "true").to_numpy() & (home.secure == "false").to_numpy())
    check(sec_ok.all(), "secure function at an insecure site")
    check((s[s.tenure != "leasehold"].lease_end == "").all(), "lease_end on a freehold")
    check((s[s.candidate == "false"].build_cost == 0).all(), "build_cost on an existing site")
    check(((s.lat.between(51.9, 52.6)) & (s.lon.between(0.3, 1.8))).all(), "site off the map")

    used = f.groupby("site_id")[["desks", "racks"]].sum()
    cap = site[["desks", "racks"]].loc[used.index]
    over = used[(used.desks > cap.desks) | (used.racks > cap.racks)]
    check(over.empty, f"status quo over capacity at {list(over.index)}")

    existing = s[s.candidate == "false"]
    print(f"agencies {len(ag)}, sites {len(s)} ({len(existing)} existing, "
          f"{len(s) - len(existing)} candidates), functions {len(f)}, zones {len(z)}")
    print("sites by kind:", s.groupby("kind").size().to_dict())
    print("must_keep:", list(s[s.must_keep == "true"].site_id),
          "| leasehold:", int((s.tenure == "leasehold").sum()),
          "| secure:", int((s.secure == "true").sum()))
    print(f"population {z.population.sum():,} ({int((z.generated == 'true').sum())} "
          f"generated zones)")
    by = pd.DataFrame({"needed": f.groupby("agency_id").desks.sum(),
                       "own_desks": existing.groupby("agency_id").desks.sum(),
                       "office_desks": existing[existing.kind.isin(CLOSABLE)]
                       .groupby("agency_id").desks.sum()}).fillna(0).astype(int)
    by["ratio"] = (by.own_desks / by.needed).round(2)
    print(by.to_string())
    need, have = f.desks.sum(), existing.desks.sum()
    print(f"desks needed {need:,}, available {have:,} (ratio {have / need:.2f}); "
          f"racks needed {f.racks.sum()}, available {existing.racks.sum()}")
    print(f"annual: running {existing.running_cost.sum():,} + functions "
          f"{f.annual_cost.sum():,}")

    sxy, zxy, crs = metric_xy(s, z)
    d = np.hypot(zxy[:, None, 0] - sxy[None, :, 0], zxy[:, None, 1] - sxy[None, :, 1]) / 1000
    pa = s.services.map(lambda v: "public_access" in split(v)).to_numpy()
    ex = (s.candidate == "false").to_numpy()
    fixed = ex & ~s.kind.isin(CLOSABLE).to_numpy() | (s.must_keep == "true").to_numpy()
    print(f"distances in {crs}")
    for r in (10, 15):
        cov_ex = (d[:, pa & ex] <= r).any(axis=1)
        cov_fixed = (d[:, pa & fixed] <= r).any(axis=1)
        share = z.population[cov_ex].sum() / z.population.sum()
        print(f"public_access within {r} km: {cov_ex.sum()}/{len(z)} zones, "
              f"{share:.1%} of people; {int((cov_ex & ~cov_fixed).sum())} zones "
              f"({z.population[cov_ex & ~cov_fixed].sum():,} people) rely on closable sites")
    check((d[:, pa & ex] <= 15).any(axis=1).all(), "zone with no public_access within 15 km")

    pc_site = site.loc[pc.site_id]
    fun = f.set_index("function_id").loc[pc.function_id]
    dist_home = [np.hypot(*(sxy[s.index[s.site_id == a][0]] - sxy[s.index[s.site_id == b][0]]))
                 / 1000 for a, b in zip(fun.site_id, pc.site_id, strict=True)]
    check(pc.set_index(["function_id", "site_id"]).index.is_unique, "duplicate pair cost")
    check(all(x <= 40 for x in dist_home), "pair cost beyond 40 km of home")
    check(all(not split(h) or t in split(h)
              for h, t in zip(pc_site.hosts, fun.type, strict=True)), "pair cost not hosted")
    for msg in bad:
        print("FAIL:", msg)
    print("OK" if not bad else f"{len(bad)} checks failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1
                  else Path(__file__).resolve().parent / "suffolk"))

"""Scenario values that are allowed but rarely meant: warnings a careful analyst would
give before a plan is made on them.

A lead who thinks in metres writes a 15 km radius as 15000, which is a valid radius
(at most the Earth round) that then protects nothing; a 1% optimality gap written as 1
is a valid gap of 100%, with which the solver may stop at the first plan it finds; a
discount rate of 0.35 is valid but ten times the Green Book's; a rule's
`population_share` beside another mode is not read. Each is said at its key,
with what was probably meant, and the run goes on.
"""

from __future__ import annotations

import math

from estate.errors import Problem
from estate.load.scenario import Scenario

#: km: a distance beyond this, longer than Great Britain (about 1,000 km from end to
#: end), is taken for metres typed as km.
METRES_FROM_KM = 1000.0
#: km: a distance below this, 100 m, is taken for a slip (metres converted twice, a
#: point in the wrong place).
SHORTEST_KM = 0.1
#: The largest optimality gap a plan is reported as "proven" on without a word.
WIDE_GAP = 0.1
#: The largest discount rate taken without a word (the Green Book's is 0.035).
HIGH_RATE = 0.2


def unlikely_values(scenario: Scenario, label: str) -> list[Problem]:
    """A warning at each key whose value is allowed but rarely what was meant."""
    out: list[Problem] = []

    def warn(key: str, expected: str, found: str) -> None:
        out.append(Problem(label, None, key, expected, found, severity="warning",
                           label="key"))

    distances = [(rule.name + ".radius_km", rule.radius_km) for rule in scenario.coverage]
    distances.append(("relocation.max_km", scenario.max_km))
    for key, km in distances:
        if 0 < km < SHORTEST_KM:
            warn(key, f"kilometres (at least {SHORTEST_KM:g} km: a shorter one keeps "
                 "hardly anything in reach)", f"{km:g} km, which is {km * 1000:g} m")
        if math.isfinite(km) and km >= METRES_FROM_KM:
            warn(key, f"kilometres (under {METRES_FROM_KM:,.0f} km: Great Britain is about "
                 "that long)", f"{km:,.0f} km: if metres were meant, {km / 1000:g} km is "
                 f"written {km / 1000:g}" + ("; for no limit, write inf"
                                              if key == "relocation.max_km" else ""))
    written = scenario.raw.get("coverage")
    for rule in scenario.coverage:
        own = written[rule.index] if isinstance(written, list) \
            and isinstance(written[rule.index], dict) else {}
        # only the user's own key: the defaults fill one into every rule. DESIGN's own
        # example writes one beside "maintain", as a note of the key: allowed, but said
        if rule.mode in ("maintain", "all") and "population_share" in own:
            said = "" if "mode" in own else ", the default,"
            warn(rule.name + ".population_share", 'a population_share only with mode = '
                 f'"population_share" (mode "{rule.mode}"{said} does not read it: drop it, '
                 "or set that mode)", f"{own['population_share']!r}, not read")
    if scenario.mip_gap >= WIDE_GAP:
        warn("solver.mip_gap", f"a fraction of the cost, below {WIDE_GAP:g} (0.0001 is "
             "0.01%, the default)", f"{scenario.mip_gap:g}, a gap of "
             f"{scenario.mip_gap:.0%}: the solver may stop at a plan that far from the "
             f"cheapest; for {scenario.mip_gap:g}% write {scenario.mip_gap / 100:g}")
    if scenario.discount_rate > HIGH_RATE:
        warn("discount_rate", f"a yearly rate as a fraction, at most {HIGH_RATE:g} (the "
             "Green Book's 3.5% is 0.035)", f"{scenario.discount_rate:g}, "
             f"{scenario.discount_rate:.0%} a year")
    return out

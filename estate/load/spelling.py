"""The scenario's words against the register's: ids, services, sharing types and kinds
it names that the register spells otherwise, each with the spelling it may mean.

A scenario is typed by hand from a register kept by other people, so the two disagree
in small ways (a case, a space, a name given for an id, `Finanace`); a word the register
never spells matches nothing, and the plan would quietly leave out what it was meant to
protect or pool. Said here, at the scenario's key or the register's row, with the word
to write.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from estate.errors import Problem, as_typed, did_you_mean, near_miss
from estate.load.scenario import DEFAULTS, Scenario
from estate.load.validate import Register


def _types_written(scenario: Scenario) -> bool:
    """Whether the scenario names its sharing types itself (its file, a sweep's --vary,
    or code that set them), not the default list a file without `sharing.types` gets."""
    sharing = scenario.raw.get("sharing")
    return ((isinstance(sharing, dict) and "types" in sharing)
            or tuple(scenario.sharing_types) != tuple(DEFAULTS["sharing"]["types"]))


def names_to_ids(table: pd.DataFrame, id_column: str) -> dict[str, list[str]]:
    """Each name of the table's rows (as `_folded`) to the ids of the rows that bear
    it, for a list that gives a site or agency by its name ("Suffolk County Council")
    rather than its id; registers repeat names ("Depot", "Library"), so a name may
    stand for several."""
    if "name" not in table.columns:
        return {}
    ids: dict[str, list[str]] = {}
    for name, i in zip(table["name"], table[id_column], strict=True):
        if str(name).strip():
            ids.setdefault(_folded(str(name)), []).append(str(i))
    return ids


def _folded(word: str) -> str:
    """A word with spaces around it and its case set aside."""
    return " ".join(word.split()).casefold()


def id_hint(unknown: list[str], universe: set[str], names: dict[str, list[str]]) -> str:
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
            hints.append(f"{as_typed(named[0])} for {word!r} (its name, not its id)"
                         if len(named) == 1 else " or ".join(map(as_typed, named))
                         + f" for {word!r} (a name {len(named)} share: give the id of "
                         "the one meant)")
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


def misspelt_words(scenario: Scenario, register: Register, label: str) -> list[Problem]:
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

"""The register's tables checked against each other, once each is valid on its own.

References name existing rows, functions sit where they may (or a warning says why
not), leases sit on leaseholds, a national register's areas hold together, and words
that look misspelt get a "did you mean". Every problem is located by file, row and
column, as in `estate.load.validate`.
"""

from __future__ import annotations

import numbers
import re
from collections import Counter
from collections.abc import Callable

import pandas as pd

from estate.errors import Problem, did_you_mean, row_place, spelling_key
from estate.load.free_text import INVISIBLE
from estate.load.geography import check_positions, sites_listed_twice
from estate.load.magnitudes import figures_out_of_scale
from estate.load.schema import TABLES


def article(word: str) -> str:
    """`a` or `an`, as the word that follows wants."""
    return "an" if word[:1] in "aeiou" else "a"


def check_references(
    frames: dict[str, pd.DataFrame], files: dict[str, str], readable: set[str],
    unread: frozenset[tuple[str, int, str]] = frozenset(),
    unplaced: set[str] | frozenset[str] = frozenset(),
) -> list[Problem]:
    """Checks across tables: ids that must exist, homes, areas, spellings.

    `readable` names the tables that were read with their id column. A reference into
    any other table is not checked: its absence is already reported, and flagging
    every row that points into it would bury that. `unread` holds the cells (file, row,
    column) already refused: a check of a home leaves them out rather than take their
    default (a `secure` of `Y` is not "not secure"). `unplaced` names the tables whose
    points are refused whole (a layer's CRS that misreads them), whose positions are not
    checked. Fills in functions' `area`.
    """
    problems: list[Problem] = []
    sites, functions = frames["sites"], frames["functions"]
    for name, spec in TABLES.items():
        if name not in readable:
            continue
        for column in spec.columns:
            target = column.refers_to
            if target is None or target not in readable:
                continue
            key = TABLES[target].key
            assert key is not None, f"{target} is referred to by id, so it has an id column"
            values = frames[name][column.name]
            # ids compared without the characters that show as nothing: one holding
            # such a character is refused on its own row, so a reference it would
            # leave unmatched (or that holds it) is that one mistake, not a second
            unknown = (values != "") & ~_visible(values).isin(_visible(frames[target][key]))
            folded = {str(v).casefold(): str(v) for v in frames[target][key]}
            unpadded = {_unpadded(str(v)): str(v) for v in frames[target][key]}
            # rows of the target whose id is blank (an error of their own): an unknown
            # id may well be one of theirs, so the message points at them
            blank = frames[target].loc[frames[target][key] == "", "row"].astype(int).tolist()
            lost = (f" (not listed: {files[target]} {row_place(files[target], *blank[:3])} "
                    f"{'have' if len(blank) > 1 else 'has'} "
                    f"no {key}; is it {'one of theirs' if len(blank) > 1 else 'that one'}?)"
                    if blank else "")

            ids = set(map(str, frames[target][key]))

            def shown(value: str, folded: dict[str, str] = folded,
                      unpadded: dict[str, str] = unpadded, lost: str = lost,
                      ids: set[str] = ids) -> str:
                near = folded.get(value.casefold())
                if near is not None:
                    return (f"{value!r} ({did_you_mean([near])} ids match only with the "
                            "same case)")
                near = unpadded.get(_unpadded(value)) if value.isdigit() else None
                if near is not None:  # one side lost its zeros, this one or the other
                    return (f"{value!r} ({did_you_mean([near])} Excel drops the leading "
                            "zeros of a number: format both id columns as Text and retype "
                            "the ids that lost them)")
                if re.fullmatch(r"\d+\.0+", value) and (whole := value.split(".")[0]) in ids:
                    return (f"{value!r} ({did_you_mean([whole])} a whole number written "
                            "with its decimal point, as pandas writes a number column with "
                            f"a blank in it: write {whole})")
                return repr(value) + lost

            problems += _flag(
                frames[name],
                files[name],
                column.name,
                unknown,
                f"{article(key)} {key} listed in {files[target]}",
                shown,
            )
    problems += check_positions({n: frames[n] for n in ("sites", "zones")
                                 if n in readable and n not in unplaced}, files)
    problems += figures_out_of_scale(frames, files, readable, unread)
    if {"functions", "sites"} <= readable:
        problems += _check_homes(sites, functions, files, unread)
    if "sites" in readable:
        problems += _check_leases(sites, files["sites"])
        problems += _check_build_costs(sites, files["sites"])
        problems += sites_listed_twice(sites, files["sites"])
        problems += _check_area_spelling(sites, files["sites"])
        if "functions" in readable:
            problems += _check_areas(sites, functions, files)
            problems += _check_spelling(sites, functions, files)
        if "zones" in readable:
            problems += _check_zone_areas(sites, frames["zones"], files)
    return problems


def _visible(ids: pd.Series) -> pd.Series:
    """The ids with every character that shows as nothing (`INVISIBLE`) taken out."""
    return ids.astype(str).str.replace(INVISIBLE, "", regex=True)


def _flag(
    frame: pd.DataFrame,
    label: str,
    column: str,
    mask: pd.Series,
    expected: str,
    found,
    severity: str = "error",
) -> list[Problem]:
    return [
        Problem(
            label,
            int(frame.at[i, "row"]),
            column,
            expected,
            found(frame.at[i, column]),
            severity=severity,
        )
        for i in mask.index[mask.to_numpy(dtype=bool)]
    ]


def _check_homes(
    sites: pd.DataFrame, functions: pd.DataFrame, files: dict[str, str],
    unread: frozenset[tuple[str, int, str]] = frozenset(),
) -> list[Problem]:
    """A home must exist today; a home that does not suit the function is a warning,
    judged on the cells that were read: a `secure` refused (`unread`: `Y`) is not "not
    secure"."""
    problems: list[Problem] = []
    # the site's columns are renamed before the merge, not left to suffixes: a register
    # may keep its own `candidate`, `hosts` or `secure` column on functions (DESIGN 1
    # keeps unknown columns), and with suffixes that text would shadow the site's value
    site = sites[["site_id", "candidate", "hosts", "secure", "row"]].drop_duplicates("site_id")
    site = site.rename(columns={c: f"{c}_site" for c in site.columns if c != "site_id"})
    homes = functions[["site_id", "type", "needs_secure", "row"]].merge(
        site, on="site_id", how="inner")
    label = files["functions"]
    for _, f in homes[homes["candidate_site"]].iterrows():
        problems.append(
            Problem(
                label,
                int(f["row"]),
                "site_id",
                "an existing site (or empty for a function not housed yet)",
                f"{f['site_id']!r}, a candidate site ({files['sites']} "
                f"{row_place(files['sites'], int(f['row_site']))})",
            )
        )
    # a blank type is an error of its own (an empty cell, or no type column at all),
    # not also a home that hosts the wrong one
    unhosted = homes["hosts_site"].map(len).gt(0) & homes["type"].astype(str).str.strip().ne(
        "") & ~pd.Series(
        [t in h for t, h in zip(homes["type"], homes["hosts_site"], strict=True)],
        index=homes.index,
        dtype=bool,
    )
    # a `hosts` refused (`IT,HR`, typed with commas) is not what the site hosts
    unread_hosts = homes["row_site"].astype(int).map(
        lambda row: (files["sites"], row, "hosts") in unread).astype(bool)
    for _, f in homes[unhosted & ~homes["candidate_site"] & ~unread_hosts].iterrows():
        problems.append(
            Problem(
                label,
                int(f["row"]),
                "site_id",
                f"a home site that hosts {f['type']}",
                f"{f['site_id']!r} hosts only {';'.join(f['hosts_site'])}",
                severity="warning",
            )
        )
    # a `secure` refused took its default, False, which is no finding
    refused = homes["row_site"].astype(int).map(
        lambda row: (files["sites"], row, "secure") in unread).astype(bool)
    insecure = homes["needs_secure"] & ~homes["secure_site"] & ~homes["candidate_site"] & ~refused
    for _, f in homes[insecure].iterrows():
        problems.append(
            Problem(
                label,
                int(f["row"]),
                "needs_secure",
                "a secure home site for a function that needs one",
                f"{f['site_id']!r} is not secure",
                severity="warning",
            )
        )
    return problems


def _unpadded(value: str) -> str:
    """A digits-only id without its leading zeros ('007' -> '7', '000' -> '0')."""
    if not value.isdigit():
        return value
    return value.lstrip("0") or "0"


def _check_leases(sites: pd.DataFrame, label: str) -> list[Problem]:
    """Leases that cannot be: rent above the running cost it is part of, a break after
    the lease has ended. Lease terms on a freehold are probably a tenure typed wrong:
    say so, go on."""
    valid_cost = sites["running_cost"] >= 0  # a bad running cost is reported on its own
    problems = _flag(sites, label, "rent",
                     valid_cost & (sites["rent"] > sites["running_cost"] + 1e-9),
                     "a rent no larger than the site's running_cost (rent is part of it)",
                     lambda v: f"{v:,.0f}")
    problems += [Problem(label, int(row), "lease_breaks", "breaks on or before the lease_end",
                         f"{';'.join(late)} (after the lease ends on {end})")
                 for row, end, late in _late_breaks(sites)]
    freehold = sites["tenure"] == "freehold"
    for column, given in (("rent", sites["rent"] > 0),  # a blank rent is 0 on a freehold
                          ("lease_end", sites["lease_end"] != ""),
                          ("lease_breaks", sites["lease_breaks"].map(bool)),
                          ("surrender_cost", sites["surrender_cost"].notna())):
        problems += _flag(sites, label, column, given & freehold,
                          f"a {column} only on a leasehold site (set tenure = leasehold, "
                          "or clear it)",
                          lambda v: f"{_as_typed(v)} on a freehold site, used as given",
                          severity="warning")
    return problems


def _late_breaks(sites: pd.DataFrame) -> list[tuple[int, str, list[str]]]:
    """(row, lease_end, the breaks after it) for each site with a break after its lease
    ends: only those breaks, each once, so that the message names the dates to fix, not
    every break the cell holds (they are ISO dates, as typed, kept in date order)."""
    return [(row, end, late) for row, end, breaks in zip(
                sites["row"], sites["lease_end"], sites["lease_breaks"], strict=True)
            if end != "" and (late := list(dict.fromkeys(b for b in breaks if b > end)))]


def _check_build_costs(sites: pd.DataFrame, label: str) -> list[Problem]:
    """A build cost is paid to open a candidate; on an existing site the plan never uses
    it, so it is probably a candidate typed as existing, or a cost meant for another
    column: say so, go on (as lease terms on a freehold are warned)."""
    built = (sites["build_cost"] > 0) & ~sites["candidate"].astype(bool)
    return _flag(sites, label, "build_cost", built,
                 "a build_cost only on a candidate site (set candidate = yes, or clear it)",
                 lambda v: f"{_as_typed(v)} on an existing site, ignored", severity="warning")


def _as_typed(value: object) -> str:
    """A lease cell as the register shows it: `100,000`, `2030-03-31`, `2028-09-30;
    2029-09-30`, not Python's spelling of the value read (`np.float64(100000.0)`)."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy's too
        return f"{value:,.2f}".removesuffix(".00")
    return str(value)


def _check_areas(
    sites: pd.DataFrame, functions: pd.DataFrame, files: dict[str, str]
) -> list[Problem]:
    """National registers (docs/formats.md): every site and function in one area.

    A housed function's area is its home's (filled in here); an unhoused one needs
    its own, naming an area that has sites. Without any site area, nothing to check.
    """
    if not (sites["area"] != "").any():
        return []
    problems = _flag(
        sites,
        files["sites"],
        "area",
        sites["area"] == "",
        "an area (other sites have one)",
        lambda v: "an empty cell",
    )
    home_area = functions["site_id"].map(
        sites.drop_duplicates("site_id").set_index("site_id")["area"]
    )
    housed = home_area.notna()
    clash = housed & (functions["area"] != "") & (functions["area"] != home_area)
    problems += [
        Problem(
            files["functions"],
            int(functions.at[i, "row"]),
            "area",
            f"the area of its home site, {home_area[i]!r}",
            repr(functions.at[i, "area"]),
        )
        for i in clash[clash].index
    ]
    # no team gives an area: the column is not in the file, or left empty throughout
    none_given = bool((functions["area"] == "").all())
    functions["area"] = functions["area"].where(~housed, home_area)
    known = set(sites.loc[sites["area"] != "", "area"])
    unknown, meant = ~housed & ~functions["area"].isin(known), _area_meant(known)
    problems += _flag(
        functions,
        files["functions"],
        "area",
        unknown & (functions["site_id"] == ""),
        f"an area that has sites in {files['sites']} (a function not housed yet needs one)",
        lambda v: meant(v) if v else (
            "no area (give each team not housed yet its area, in an area column of the "
            "functions table)" if none_given else "an empty cell"),
    )
    return problems


def _check_zone_areas(sites: pd.DataFrame, zones: pd.DataFrame, files: dict[str, str]
                      ) -> list[Problem]:
    """A zone's own `area`, which places it (a zone whose cell is empty goes to its
    nearest site's), must be an area that has sites: a zone of any other area is
    planned in none, and its people would drop out of every coverage rule without a
    word."""
    if "area" not in zones.columns or len(zones) == 0:
        return []
    given = zones["area"].fillna("") != ""
    if "area" not in sites.columns or not (sites["area"] != "").any():
        # a lead who left the sites' areas out would plan the country as one locality
        return _flag(zones, files["zones"], "area", given,
                     f"an area that has sites in {files['sites']}, whose sites have no "
                     "area (give each site its area, or leave the zones' cells empty)",
                     repr)
    known = set(sites.loc[sites["area"] != "", "area"])
    return _flag(zones, files["zones"], "area", given & ~zones["area"].isin(known),
                 f"an area that has sites in {files['sites']} (or an empty cell: the "
                 "area of its nearest site)", _area_meant(known))


def _area_meant(known: set[str]) -> Callable[[object], str]:
    """How an area no site has is said: with the area meant when it differs from one
    only in case or spaces at its ends (`'north' (did you mean 'North'?)`), as areas
    are case-sensitive."""
    folded = {str(a).casefold(): a for a in sorted(known)}

    def said(area: object) -> str:
        meant = folded.get(str(area).strip().casefold())
        return f"{area!r} (did you mean {meant!r}?)" if meant is not None else repr(area)

    return said


def _check_area_spelling(sites: pd.DataFrame, label: str) -> list[Problem]:
    """Site areas that differ only in case (`North`, `north`) are two areas, planned
    apart: a site of one can neither share with nor move to the other's however near.
    A warning at each row spelling an area otherwise than its first row does; not an
    error, as a register may mean two areas so named."""
    if "area" not in sites.columns:
        return []
    named = sites[sites["area"] != ""]
    keys = named["area"].str.casefold()
    first = named.assign(key=keys).drop_duplicates("key")
    spelling = dict(zip(first["key"], first["area"], strict=True))
    first_row = dict(zip(first["key"], first["row"], strict=True))
    return _flag(named, label, "area", named["area"] != keys.map(spelling),
                 "one spelling per area (areas are case-sensitive: each spelling is "
                 "planned as an area of its own)",
                 lambda v: (f"{v!r}, but {row_place(label, int(first_row[v.casefold()]))} "
                            f"spells it {spelling[v.casefold()]!r}"), severity="warning")


def _check_spelling(
    sites: pd.DataFrame, functions: pd.DataFrame, files: dict[str, str]
) -> list[Problem]:
    """Types match exactly (`IT` is not `it`): flag spellings that differ only in case;
    services likewise, and those that differ in spaces, underscores or hyphens.

    Such a slip silently keeps a function out of a shared centre or a site's hosts,
    so it is worth a warning; it is not an error, as the register may mean it.
    """
    keys = functions["type"].str.lower()
    first = functions.assign(key=keys).drop_duplicates("key")
    spelling = dict(zip(first["key"], first["type"], strict=True))
    first_row = dict(zip(first["key"], first["row"], strict=True))
    problems = _flag(
        functions,
        files["functions"],
        "type",
        functions["type"] != keys.map(spelling),
        "one spelling per type (types are case-sensitive)",
        lambda v: (f"{v!r}, but {row_place(files['functions'], int(first_row[v.lower()]))} "
                   f"spells it {spelling[v.lower()]!r}"),
        severity="warning",
    )
    hosted = sites[["hosts", "row"]].explode("hosts").dropna()
    near = ~hosted["hosts"].isin(functions["type"]) & hosted["hosts"].str.lower().isin(spelling)
    for entry, row in hosted[near].itertuples(index=False):
        problems.append(
            Problem(
                files["sites"],
                int(row),
                "hosts",
                f"function types spelled as in {files['functions']}",
                f"{entry!r}, but functions have {spelling[entry.lower()]!r}",
                severity="warning",
            )
        )
    return problems + _check_services(sites, files["sites"])


def _check_services(sites: pd.DataFrame, label: str) -> list[Problem]:
    """A warning at each site that spells a service as another site does but for case,
    spaces, underscores or hyphens (`Public_Access`, `public access` beside
    `public_access`; the spelling most sites use is the one kept): a coverage rule
    counts only its own spelling, so such a site would drop out of it without a word
    (a rule's own check, `estate.load.consistency`, makes that an error)."""
    offered = sites[["services", "row"]].explode("services").dropna()
    # the spelling most sites use (the first of equals) is the one to keep
    counts = Counter(offered["services"])
    usual: dict[str, str] = {}
    for entry, _ in counts.most_common():
        usual.setdefault(spelling_key(entry), entry)
    first_row = dict(zip(offered["services"][::-1], offered["row"][::-1], strict=True))
    problems = []
    for entry, row in offered.itertuples(index=False):
        spelt = usual[spelling_key(entry)]
        if entry != spelt:
            problems.append(Problem(
                label, int(row), "services",
                "one spelling per service (services match exactly, as coverage rules "
                "name them)",
                f"{entry!r}, but {row_place(label, int(first_row[spelt]))} spells it "
                f"{spelt!r}",
                severity="warning"))
    return problems

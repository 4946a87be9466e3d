"""The maps of a plan's alternatives (estate.maps.alternative_maps): a new plan of the
scenario removes the maps of alternatives it does not have, and only those."""

from __future__ import annotations

import os
from pathlib import Path

import estate
from estate.maps.alternative_maps import remove_stale_alternative_maps
from tests.fixtures.programme_registers import two_offices


def _page(folder: Path, name: str, title: str) -> Path:
    """A page at `folder/name` titled `title` (written as HTML, escaped by hand)."""
    path = folder / name
    path.write_text(f"<!DOCTYPE html>\n<html>\n<head>\n<title>{title}</title>\n</head>\n"
                    "<body></body>\n</html>\n", encoding="utf-8")
    return path


def test_a_fewer_alternatives_plan_removes_the_maps_of_the_rest(tmp_path: Path) -> None:
    """Planned with 2 alternatives, then with 1: alternative 2's map goes (it would
    stand beside the new plan, of a plan that is no longer there), alternative 1's is
    redrawn, and a file of the user's named like one is left."""
    path = two_offices(tmp_path)
    out, map_path = tmp_path / "results", tmp_path / "maps" / "two.html"
    estate.plan(path, out=out, map_path=map_path, alternatives=2, within_pct=60.0)
    first, second = (tmp_path / "maps" / f"two.alternative-{i}.html" for i in (1, 2))
    assert first.is_file() and second.is_file()
    # its title isolates the scenario's own name, not the words after it
    scenario = estate.load_scenario(path).name
    assert f"<title>Estate plan: \u2068{scenario}\u2069 (alternative 1)</title>" in \
        first.read_text(encoding="utf-8")
    before = first.stat().st_ino
    notes = _page(tmp_path / "maps", "two.alternative-3.html", "My notes on alternative 3")
    plan = estate.plan(path, out=out, map_path=map_path, alternatives=1, within_pct=60.0)
    assert plan.summary.alternatives is not None
    assert [entry.index for entry in plan.summary.alternatives.plans] == [1]
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == [
        "two.alternative-1.html", "two.alternative-3.html", "two.html"]
    assert first.stat().st_ino != before  # redrawn
    assert "My notes" in notes.read_text(encoding="utf-8")


def test_only_an_alternative_map_of_that_scenario_is_removed(tmp_path: Path) -> None:
    """Of the files named as alternative maps of `A & B's`, only those titled as its
    alternatives go: not the map of a scenario named `A & B's.alternative-2` (its own
    name looks like one), another scenario's map drawn at that path, a link, a file not
    quite so named, or the alternatives the new plan has."""
    maps = tmp_path / "maps"
    maps.mkdir()
    name = "A & B's"
    stale = [_page(maps, f"{name}.alternative-{i}.html",
                   f"Estate plan: A &amp; B&#39;s (alternative {i})") for i in (2, 10)]
    # as the map page writes the title now, the name isolated (U+2068 ... U+2069)
    stale.append(_page(maps, f"{name}.alternative-8.html",
                       "Estate plan: \u2068A &amp; B&#39;s\u2069 (alternative 8)"))
    kept = [
        _page(maps, f"{name}.alternative-1.html", "Estate plan: A &amp; B&#39;s (alternative 1)"),
        _page(maps, f"{name}.alternative-3.html", "Estate plan: A &amp; B&#39;s.alternative-3"),
        _page(maps, f"{name}.alternative-4.html", "Estate plan: Other (alternative 4)"),
        _page(maps, f"{name}.alternative-05.html",
              "Estate plan: A &amp; B&#39;s (alternative 05)"),
        _page(maps, f"{name}.alternative-6.htm", "Estate plan: A &amp; B&#39;s (alternative 6)"),
        _page(maps, f"{name}.html", "Estate plan: A &amp; B&#39;s"),
    ]
    elsewhere = _page(tmp_path, "a7.html", "Estate plan: A &amp; B&#39;s (alternative 7)")
    link = maps / f"{name}.alternative-7.html"
    os.symlink(elsewhere, link)
    removed = remove_stale_alternative_maps(maps / f"{name}.html", name, {1})
    assert sorted(removed) == sorted(stale)
    assert all(not p.exists() for p in stale) and all(p.is_file() for p in kept)
    assert link.is_symlink() and elsewhere.is_file()
    # no folder of maps yet: nothing to remove
    assert remove_stale_alternative_maps(tmp_path / "none" / "x.html", "x", set()) == []


def test_an_alternatives_map_drawn_again_goes_where_its_plan_drew_it(tmp_path: Path) -> None:
    """`estate map results/<plan>/alternatives/1` draws it at `maps/<plan>.alternative-1.html`,
    where `estate plan --alternatives` draws it (it wrote `maps/<plan> (alternative
    1).html`, a second copy of the same map under another name)."""
    from tests.fixtures import invoke

    path = two_offices(tmp_path)
    name = estate.load_scenario(path).name
    estate.plan(path, out=tmp_path / "results" / name, map_path=False, alternatives=1,
                within_pct=60.0)
    run = invoke(tmp_path, "map", Path("results") / name / "alternatives" / "1")
    assert run.code == 0, run.output
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == [
        f"{name}.alternative-1.html"]
    assert f"Map: maps/{name}.alternative-1.html" in run.stdout

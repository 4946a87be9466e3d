"""The map and board pack of a stored folder from Python (`estate.pages`, re-exported by
`estate.api`): the folder checked and every output refused as the command line refuses
it, before anything is drawn. `estate.maps.page.render_map`, which the docs named for
Python, overwrote a scenario file, a board pack and a file inside the results folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from estate.api import draw_map, report
from estate.errors import InputError
from estate.pages import map_path
from estate.store.board_pack import HTML_MARK
from estate.store.drawn_from import drawn_from, folder_digest


def _refused(call: object) -> str:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    return str(caught.value)


def test_a_map_is_drawn_at_its_place_marked_with_its_folder(results_folder: Path,
                                                            tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.chdir(tmp_path)
    drawn = draw_map(results_folder)
    assert drawn == map_path(results_folder, None) and drawn.parent == Path("maps")
    assert drawn.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert drawn_from(drawn) == folder_digest(results_folder, drawn)
    assert draw_map(results_folder, "plan.html", cdn=True) == Path("plan.html")
    assert draw_map(results_folder, "plan.html", cdn=np.bool_(True)) == Path("plan.html")


def test_a_map_is_not_drawn_over_what_estate_must_keep(results_folder: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "victim.toml"
    scenario.write_text('name = "x"\n', encoding="utf-8")
    pack = tmp_path / "pack.html"
    pack.write_text(f"<!DOCTYPE html>\n<html><head>{HTML_MARK}</head></html>\n",
                    encoding="utf-8")
    page = tmp_path / "notes.html"
    page.write_text("<p>our notes</p>", encoding="utf-8")
    inside = shutil.copytree(results_folder, tmp_path / "results" / "copy")
    said = {
        "scenario": _refused(lambda: draw_map(results_folder, scenario)),
        "pack": _refused(lambda: draw_map(results_folder, pack)),
        "user's page": _refused(lambda: draw_map(results_folder, page)),
        "inside": _refused(lambda: draw_map(inside, inside / "m.html")),
        "empty": _refused(lambda: draw_map(results_folder, "")),
        "tiles": _refused(lambda: draw_map(results_folder, "t.html",
                                           tiles="https://tiles.example/{z}/{x}/{y}.png")),
        # a name folium does not know needs one too (it was folium's own ValueError)
        "unknown tiles": _refused(lambda: draw_map(results_folder, "t.html",
                                                   tiles="NoSuchTiles")),
        "nowhere": _refused(lambda: draw_map(tmp_path / "nowhere", "m.html"))}
    assert "found a file estate did not draw as a map" in said["scenario"]
    assert "a board pack estate wrote" in said["pack"]
    assert "found a file estate did not draw as a map" in said["user's page"]
    assert "expected a path outside the results folder" in said["inside"]
    assert "argument out: expected a path, found an empty text" in said["empty"]
    assert "argument tiles: expected tiles the map can draw" in said["tiles"]
    assert "Custom tiles must have an attribution" in said["tiles"]
    assert "found 'NoSuchTiles': Custom tiles must have an attribution" in said["unknown tiles"]
    assert "expected a results folder written by `estate plan`" in said["nowhere"]
    assert scenario.read_text(encoding="utf-8") == 'name = "x"\n'
    assert HTML_MARK in pack.read_text(encoding="utf-8")
    assert page.read_text(encoding="utf-8") == "<p>our notes</p>"
    assert sorted(p.name for p in inside.iterdir()) == sorted(
        p.name for p in results_folder.iterdir())
    assert not (tmp_path / "t.html").exists() and not (tmp_path / "maps").exists()


def test_a_pack_of_no_results_folder_says_so_before_its_out_path(tmp_path: Path) -> None:
    """`report("nowhere", out="nowhere/x.pdf")` said only that the out path lay inside the
    results folder "nowhere", which does not exist: the folder is said first (a review),
    then the out path, as each output is checked before anything is read."""
    said = _refused(lambda: report(tmp_path / "nowhere", out=tmp_path / "nowhere" / "x.pdf"))
    assert "expected a results folder written by `estate plan`" in said
    # nor then that the out path lies inside a results folder, which it is not (a review)
    assert "outside the results folder" not in said, said


def test_a_damaged_summary_is_said_alike_with_and_without_out(results_folder: Path,
                                                              tmp_path: Path) -> None:
    """`report(folder)` reads the summary for its default path: a damaged one was said
    alone there, and with the folder's whole check when `out` was given (review W9)."""
    damaged = shutil.copytree(results_folder, tmp_path / "damaged")
    (damaged / "summary.json").write_text('{"scenario": "x",', encoding="utf-8")
    said = {name: _refused(call) for name, call in (
        ("pack", lambda: report(damaged)), ("pack at out", lambda: report(
            damaged, out=tmp_path / "p.pdf")), ("map", lambda: draw_map(damaged)),
        ("map at out", lambda: draw_map(damaged, tmp_path / "m.html")))}
    assert said["pack"].startswith("2 problems in the input"), said["pack"]
    assert len(set(said.values())) == 1, said
    assert "damaged/summary.json: expected the JSON `estate plan` writes" in said["pack"]
    assert not list(tmp_path.glob("*.html")) and not list(tmp_path.glob("*.pdf"))

"""The pages drawn from a stored results folder, for Python as for `estate map` and
`estate report`: the plan's map and its board pack. Each checks its arguments and the
folder, then refuses an output that would replace a file estate must not (a board pack
for a map, a map for a pack, a register's file, a path inside a results folder) before
anything is drawn, as the command line does: `estate.maps.page.render_map` draws
whatever it is given, for estate's own use."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import folium
import numpy as np

from estate.arguments import check_paths
from estate.errors import InputError, Problem, typed
from estate.load.dates import given_day
from estate.load.file_names import default_map, default_report
from estate.maps.page import render_map
from estate.results import Summary
from estate.runs.alternatives import alternative_map
from estate.store import check_results, read_summary
from estate.store.paths import WEB_PAGE, Output, check_outputs


def map_path(results_dir: str | Path, out: str | Path | None) -> Path:
    """Where `draw_map` draws the map of `results_dir`: `out`, or the scenario's own place
    (`maps/<name>.html`, shared by every results folder of the scenario); an
    alternative's folder beside its plan's map, where `estate plan --alternatives` draws
    it (`maps/<name>.alternative-<i>.html`)."""
    return Path(out) if out is not None else _own_map(read_summary(Path(results_dir)))


def _own_map(summary: Summary) -> Path:
    """The map's own place, by the plan's summary (`map_path`)."""
    if summary.alternative is not None:
        return alternative_map(default_map(summary.alternative.of), summary.alternative.index)
    return default_map(summary.scenario)


def draw_map(results_dir: str | Path, out: str | Path | None = None, *, cdn: bool = False,
             tiles: str | None = None, attr: str | None = None) -> Path:
    """Draw the map of a stored results folder at `out` (default: `map_path`) and return
    its path. `cdn` loads Leaflet from the internet (a lighter file); `tiles` adds a
    basemap (a name such as "OpenStreetMap", or a URL template with its attribution
    `attr`). The folder is read and checked whole first: a damaged one is an
    `InputError` naming the file, row and column, and nothing is drawn."""
    where = "estate.api.draw_map"
    check_paths(where, {"results_dir": results_dir, "out": out}, optional=("out",))
    typed(where, "cdn", cdn, (bool, np.bool_), "True or False")
    for name, value in (("tiles", tiles), ("attr", attr)):
        typed(where, name, value, (str, type(None)), "a text or None")
    if tiles is not None and (refused := _tiles_refused(tiles, attr)):
        raise InputError([Problem(where, None, "tiles", "tiles the map can draw: a name "
                                  "folium knows, such as OpenStreetMap, or a URL template "
                                  "with its attribution, attr (the map must credit its "
                                  "tiles)", f"{tiles!r:.80}: {refused}", label="argument")])
    stored = check_results(Path(results_dir))  # its summary read once, with the rest
    target = Path(out) if out is not None else _own_map(stored.summary)
    check_outputs([Output("--out", target, replaces="a map", endings=WEB_PAGE)],
                  [Path(results_dir)])
    return render_map(Path(results_dir), target, cdn=cdn, tiles=tiles, attr=attr,
                      stored=stored)


def pack_paths(results_dir: str | Path, out: str | Path | None,
               html: str | Path | None) -> tuple[Path, Path]:
    """Where `report` writes the pack of `results_dir`: `out`, or the scenario's own place
    (`reports/<name>.pdf`, shared by every results folder of the scenario), and its page,
    `html` or the PDF's path with .html (a path with no name, "/", is given as both)."""
    if out is None:
        out = default_report(read_summary(Path(results_dir)).scenario)
    if Path(out).suffix.lower() in (".html", ".htm"):  # the page has an option of its own
        raise InputError([Problem(str(out), None, "--out", "a .pdf path (the board pack as a "
                                  "PDF; --html names its page)", "an HTML file name",
                                  label="option")])
    named = Path(out).name not in ("", "..")
    return Path(out), Path(html if html is not None else Path(out).with_suffix(".html")
                           if named else out)


def report(results_dir: str | Path, out: str | Path | None = None, *,
           html: str | Path | None = None, compare: str | Path | None = None,
           prepared: dt.date | str | None = None) -> tuple[Path, Path]:
    """Write the board pack of a stored results folder: `out` (PDF; default
    `reports/<scenario name>.pdf`, named as the map is) and `html` (default: `out` with
    .html), from the folder alone; `compare` adds the scenarios of an `estate compare`
    folder side by side; `prepared` (a date, or text YYYY-MM-DD) dates it, today unless
    given. Returns the two paths; a folder not a results folder is an `InputError`."""
    from estate.render.report import write_report  # matplotlib, reportlab: a second

    check_paths("estate.report", {"results_dir": results_dir, "out": out, "html": html,
                                  "compare": compare}, optional=("out", "html", "compare"))
    # no results folder is said first, then what is wrong with the outputs, so that a
    # path inside a folder that is not there is not told only that it lies inside it
    unread = _not_a_results_folder(Path(results_dir))
    if unread and out is None:
        raise InputError(unread)
    try:
        out, page = pack_paths(results_dir, out, html)
    except InputError:  # a damaged summary: said with the rest, as it is with `out` given
        check_results(Path(results_dir))
        raise
    # each may replace only a pack estate wrote: a map drawn at X.html is not lost to the
    # page of `--out X.pdf`; a path with no name is refused by --out's own check; a path
    # inside a folder that is no results folder is not said to be inside one
    try:
        check_outputs([Output("--out", out, replaces="a board pack", endings=(".pdf",)),
                       *([Output("--html", page, replaces="a board pack", endings=WEB_PAGE)]
                         if html is not None or page != out else [])],
                      [] if unread else [Path(results_dir)])
    except InputError as exc:
        raise InputError(unread + exc.problems) from None
    if unread:
        raise InputError(unread)
    return write_report(results_dir, out, html=page, compare=compare,
                        prepared=dt.date.today() if prepared is None else
                        given_day(prepared, "prepared", "estate.report"))


def _not_a_results_folder(folder: Path) -> list[Problem]:
    """What is wrong when `folder` holds no summary.json (not there, or no results
    folder): a damaged summary is said by the folder's whole check, with the others."""
    if (folder / "summary.json").is_file():
        return []
    try:
        read_summary(folder)
    except InputError as exc:
        return exc.problems
    return []


def _tiles_refused(tiles: str, attr: str | None) -> str:
    """Why folium will not draw the tiles `tiles` with the attribution `attr` (a URL
    template or a name it does not know without one, a provider that needs a key), in
    its words; "" when it will. Its warnings (a provider that now needs a key) are left
    to the map's own drawing, which gives them once."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            folium.TileLayer(tiles, attr=attr or None)
    except ValueError as exc:
        return str(exc).rstrip(".")
    return ""

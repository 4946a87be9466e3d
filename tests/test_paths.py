"""Paths are safe: every output is checked before solving, named by its option.

Each refusal is checked to come BEFORE any solving: no results folder appears (a plan
that solved first would write one), and the thing refused is left as it was. The
unwritable cases use what stops root too (a regular file as a parent folder, /proc,
/sys, a file-size limit standing in for a full disk), as the tests run as root in CI.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from estate.errors import InputError, OutputError, Problem
from estate.load.file_names import default_map, default_results, file_stem
from estate.store.drawn_from import MAP_TITLE
from estate.store.folder import write_file, write_folder
from estate.store.paths import Output, check_outputs, results_in_place
from tests.fixtures import invoke, no_traceback, run_cli, town, town_rows

PROOF = "Nothing was solved or written"


def _refused(cwd: Path, run: object, option: str, path: str, *found: str) -> None:
    """Exit 1 naming the option and the path, with what was found; nothing solved."""
    code, output = run.code, run.output  # type: ignore[attr-defined]
    assert code == 1, output
    assert f"{path}, option {option}: expected" in output, output
    for text in found:
        assert text in output, output
    assert PROOF in output
    assert not (cwd / "results").exists(), "solved before checking the paths"
    no_traceback(run)  # type: ignore[arg-type]


@pytest.fixture()
def cwd(tmp_path: Path) -> Path:
    town(tmp_path)
    return tmp_path


def test_a_fifo_is_refused_for_every_file_option(cwd: Path) -> None:
    os.mkfifo(cwd / "pipe")
    for option in ("--map", "--write-lp"):
        run = invoke(cwd, "plan", "tiny.toml", option, "pipe")
        _refused(cwd, run, option, "pipe", "a FIFO")
    assert stat.S_ISFIFO((cwd / "pipe").stat().st_mode)


def test_a_fifo_is_refused_as_a_folder(cwd: Path) -> None:
    os.mkfifo(cwd / "pipe")
    _refused(cwd, invoke(cwd, "plan", "tiny.toml", "--out", "pipe"), "--out", "pipe",
             "a FIFO", "not a folder")
    for command in (["compare", "tiny.toml"], ["sweep", "tiny.toml", "--vary",
                                               "sharing.efficiency=0.1,0.2"]):
        run = invoke(cwd, *command, "--out", "pipe")
        assert run.code == 1 and "pipe, option --out: expected a folder" in run.output, \
            run.output
        assert not (cwd / "results").exists()
    assert stat.S_ISFIFO((cwd / "pipe").stat().st_mode)


@pytest.mark.parametrize("option", ["--out", "--map", "--write-lp"])
def test_a_path_with_a_line_break_is_refused_before_solving(cwd: Path, option: str) -> None:
    """A path pasted with its newline: the system stores it, but the plan's GeoPackage
    did not open there, an unexpected error once solved (a review)."""
    path = "new\nline.html" if option == "--map" else "new\nline"
    run = invoke(cwd, "plan", "tiny.toml", option, path)
    _refused(cwd, run, option, path.replace("\n", "\\n"), "found one holding \\n: give "
             f"{option} the path again, typed on one line")
    assert not (cwd / path).exists()


@pytest.mark.parametrize("mark", ["\u2067", "\u202b", "\u200f", "\u061c"])
def test_a_path_with_a_direction_mark_is_refused_before_solving(cwd: Path, mark: str) -> None:
    """An isolate, embedding or mark left open in a path ran the words printed after it
    right to left (`Results: else\u2067 y`, a review)."""
    run = invoke(cwd, "plan", "tiny.toml", "--out", f"else{mark} y")
    _refused(cwd, run, "--out", f"else{repr(mark)[1:-1]} y", "or direction marks, found "
             f"one holding {repr(mark)[1:-1]}: give --out the path again, without them")


def test_a_results_folder_with_a_line_break_is_said_so(results_folder: Path,
                                                       tmp_path: Path) -> None:
    """GDAL drops a line break from the path, so plan.gpkg was said to be damaged and the
    folder to be planned again (a review)."""
    folder = shutil.copytree(results_folder, tmp_path / "nl\nx")
    for command in ("map", "report"):
        run = invoke(tmp_path, command, folder)
        assert run.code == 1 and "nl\\nx: expected a folder whose path has no line breaks " \
            "or tabs, found one holding them" in run.output, run.output
        assert "damaged" not in run.output


def test_devices_and_sockets_are_refused_and_left_alone(cwd: Path) -> None:
    _refused(cwd, invoke(cwd, "plan", "tiny.toml", "--map", "/dev/null"), "--map",
             "/dev/null", "a character device")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(cwd / "sock"))
        _refused(cwd, invoke(cwd, "plan", "tiny.toml", "--write-lp", "sock"), "--write-lp",
                 "sock", "a socket")
        assert stat.S_ISSOCK((cwd / "sock").stat().st_mode)


def test_writing_a_file_never_replaces_a_fifo(tmp_path: Path) -> None:
    """The one writer refuses too, for any caller that did not check first."""
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(Exception, match="a FIFO"):
        write_file(tmp_path / "pipe", lambda temp: temp.write_text("x"))
    assert stat.S_ISFIFO((tmp_path / "pipe").stat().st_mode)


def test_symlinked_outputs_are_written_through(cwd: Path) -> None:
    """The links stay links; the map, the LP file and the results land where they point."""
    real = cwd / "elsewhere"
    (real / "results").mkdir(parents=True)
    (real / "old.html").write_text(f"<title>{MAP_TITLE}old</title>", encoding="utf-8")
    (cwd / "map.html").symlink_to(real / "old.html")
    (cwd / "model.lp").symlink_to(real / "model.lp")  # dangling: made through the link
    (cwd / "out").symlink_to(real / "results", target_is_directory=True)
    run = invoke(cwd, "plan", "tiny.toml", "--out", "out", "--map", "map.html",
                 "--write-lp", "model.lp")
    assert run.code == 0, run.output
    for name in ("map.html", "model.lp", "out"):
        assert (cwd / name).is_symlink(), name
    assert "<html" in (real / "old.html").read_text(encoding="utf-8").lower()
    assert (real / "model.lp").read_text(encoding="utf-8").startswith("\\*")
    assert (real / "results" / "summary.json").is_file()
    again = invoke(cwd, "plan", "tiny.toml", "--out", "out", "--map", "map.html")
    assert again.code == 0, again.output
    assert (cwd / "out").is_symlink() and (real / "results" / "summary.json").is_file()
    assert sorted(p.name for p in real.iterdir()) == ["model.lp", "old.html", "results"]
    assert sorted(p.name for p in cwd.iterdir() if p.name.startswith(".")) == []


def test_outputs_inside_the_results_folder_are_refused(cwd: Path) -> None:
    run = invoke(cwd, "plan", "tiny.toml", "--out", "results/x", "--map", "results/x/m.html",
                 "--write-lp", "results/x/sub/m.lp")
    _refused(cwd, run, "--map", "results/x/m.html", "replaced whole by each run")
    assert "results/x/sub/m.lp, option --write-lp" in run.output
    # the default map is refused as well when --out holds it
    run = invoke(cwd, "plan", "tiny.toml", "--out", "maps")
    assert run.code == 1 and "maps/tiny.html, option --map" in run.output, run.output
    assert invoke(cwd, "plan", "tiny.toml", "--out", "results/x").code == 0
    for command in (["map", "results/x", "--out", "results/x/again.html"],
                    ["report", "results/x", "--out", "results/x/board.pdf"]):
        run = invoke(cwd, *command)
        assert run.code == 1 and "option --out: expected a path outside" in run.output, \
            run.output
    assert sorted(p.name for p in (cwd / "results" / "x").iterdir()
                  if p.suffix in (".html", ".pdf")) == []


def test_two_outputs_on_one_path_are_refused(cwd: Path) -> None:
    """One would overwrite the other: the map would replace the LP file, the HTML page
    the PDF of the board pack."""
    (cwd / "keep").mkdir()
    run = invoke(cwd, "plan", "tiny.toml", "--map", "keep/same.out", "--write-lp",
                 "keep/../keep/same.out")
    _refused(cwd, run, "--write-lp", "keep/../keep/same.out", "the path --map writes too")
    assert not (cwd / "keep" / "same.out").exists()
    assert invoke(cwd, "plan", "tiny.toml", "--out", "results/x").code == 0
    run = invoke(cwd, "report", "results/x", "--out", "b.pdf", "--html", "b.pdf")
    assert run.code == 1 and "option --html: expected a path of its own" in run.output, \
        run.output
    run = invoke(cwd, "report", "results/x", "--out", "board.html")  # the page's own name
    assert run.code == 1 and "board.html, option --out: expected a .pdf path" in run.output, \
        run.output
    no_traceback(run)
    assert not list(cwd.glob("b*.*")), "nothing written"


def test_a_folder_of_other_files_is_never_replaced(cwd: Path) -> None:
    (cwd / "mine").mkdir()
    (cwd / "mine" / "thesis.docx").write_text("years of work", encoding="utf-8")
    _refused(cwd, invoke(cwd, "plan", "tiny.toml", "--out", "mine"), "--out", "mine",
             "not a results folder")
    assert (cwd / "mine" / "thesis.docx").read_text(encoding="utf-8") == "years of work"


@pytest.mark.parametrize("target", ["afile/deeper/out", "/proc/estate-nowhere/out",
                                    "/sys/estate-nowhere/out"])
def test_unwritable_places_are_found_before_solving(cwd: Path, target: str) -> None:
    """A parent that is a regular file, and /proc and /sys, refuse new files even to root."""
    (cwd / "afile").write_text("a file, not a folder", encoding="utf-8")
    for option, path in (("--out", target), ("--map", f"{target}.html"),
                         ("--write-lp", f"{target}.lp")):
        run = invoke(cwd, "plan", "tiny.toml", option, path)
        _refused(cwd, run, option, path, f"give {option} ")
    assert (cwd / "afile").read_text(encoding="utf-8") == "a file, not a folder"
    (cwd / "stored").mkdir()
    for command in (["report", "stored"], ["compare", "tiny.toml"],
                    ["sweep", "tiny.toml", "--vary", "sharing.efficiency=0.1"]):
        run = invoke(cwd, *command, "--out", target)
        assert run.code == 1 and f"{target}, option --out" in run.output, run.output
        assert not (cwd / "results").exists()


def _limited(cwd: Path, limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m estate ARGS` unable to write a file longer than `limit` bytes: a disk
    that fills at that size (EFBIG as ENOSPC would be; root cannot lift it either)."""
    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "estate", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=180, preexec_fn=limit_files,
                          stdin=subprocess.DEVNULL)


def test_a_full_disk_is_found_before_solving(cwd: Path) -> None:
    done = _limited(cwd, 1000, "plan", "tiny.toml")
    assert done.returncode == 1, done.stderr
    assert "results/tiny, option --out" in done.stderr and "File too large" in done.stderr
    assert "maps/tiny.html, option --map" in done.stderr
    assert not (cwd / "results").exists() and "Traceback" not in done.stderr


def test_a_comparison_that_fills_the_disk_leaves_no_folder_and_says_so(cwd: Path) -> None:
    """The plans are stored; the comparison's own files fill the disk: exit 1, saying no
    file of it was written (there was no previous one to keep), and no empty folder."""
    assert invoke(cwd, "plan", "tiny.toml", "--map", "maps/tiny.html").code == 0
    done = _limited(cwd, 20_000, "compare", "tiny.toml", "--out", "cmp/new")
    assert done.returncode == 1, done.stderr
    assert ("No file of the comparison was written, and each scenario's results are in "
            "place in results/") in done.stderr, done.stderr
    assert not (cwd / "cmp").exists() and "Traceback" not in done.stderr


def test_a_comparison_whose_plan_fills_the_disk_stops_there(cwd: Path) -> None:
    """The disk fills as the scenario's results folder is written: the comparison stops
    with the plan's own words, writes none of its files, says no scenario's results are
    in place, and leaves no empty folder."""
    done = _limited(cwd, 6144, "compare", "tiny.toml", "--out", "cmp/new")
    assert done.returncode == 1, done.stderr
    said = done.stderr
    assert "results/tiny (its scenario's results folder) could not be written" in said, said
    assert said.rstrip().endswith("No file of the comparison was written or changed."), said
    assert "results are in place in results/" not in said, said
    assert not (cwd / "cmp").exists() and not (cwd / "results").exists()
    assert "Traceback" not in said


def test_a_disk_that_fills_while_drawing_is_exit_1_naming_the_file(cwd: Path) -> None:
    """The probe before drawing passes (the disk is not yet full); the map or the board
    pack then fills it: a clear exit 1, not an unexpected error."""
    assert invoke(cwd, "plan", "tiny.toml", "--out", "results/x").code == 0
    for command, out in ((["map", "results/x"], "m.html"), (["report", "results/x"], "b.pdf")):
        done = _limited(cwd, 20_000, *command, "--out", out)
        assert done.returncode == 1, done.stderr
        assert "could not be written (File too large)" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and "Unexpected" not in done.stderr
        assert not (cwd / out).exists()
    assert not list(cwd.glob(".*.tmp")) and not (cwd / "estate-error.log").exists()


def test_a_failure_after_the_results_says_they_are_in_place(cwd: Path) -> None:
    """The map is the largest file a plan writes: a limit above every results file and
    below the map lets the results through and stops the map."""
    assert invoke(cwd, "plan", "tiny.toml", "--out", "sizes", "--map", "sizes.html").code == 0
    biggest = max(p.stat().st_size for p in (cwd / "sizes").iterdir())
    map_size = (cwd / "sizes.html").stat().st_size
    assert biggest + 8192 < map_size, "the map is no longer the largest output"
    done = _limited(cwd, biggest + 4096, "plan", "tiny.toml")
    assert done.returncode == 1, done.stderr
    assert "maps/tiny.html (--map) could not be written: File too large" in done.stderr
    assert "The results are in place in results/tiny" in done.stderr
    assert 'estate map "results/tiny" --out FILE' in done.stderr
    assert PROOF not in done.stderr and "Traceback" not in done.stderr
    assert (cwd / "results" / "tiny" / "summary.json").is_file()
    assert not (cwd / "maps" / "tiny.html").exists()
    assert [p.name for p in (cwd / "maps").iterdir()] == []  # no half map, no temporary


def test_a_read_only_file_is_refused(cwd: Path) -> None:
    """chmod does not stop root: this case checks the message where it applies, and that
    root is not refused what it may write."""
    (cwd / "board.html").write_text(f"<title>{MAP_TITLE}kept</title>", encoding="utf-8")
    (cwd / "board.html").chmod(0o444)
    run = invoke(cwd, "plan", "tiny.toml", "--map", "board.html")
    if os.geteuid() == 0:
        assert run.code == 0, run.output
    else:
        _refused(cwd, run, "--map", "board.html", "a read-only file", "chmod u+w")
        assert (cwd / "board.html").read_text(encoding="utf-8").endswith("kept</title>")


NAMES = ["é" * 300, "a" * 300, "a" * 299 + "b", "x/" * 150, "Shared back office"]


def test_long_scenario_names_give_valid_unique_file_names(tmp_path: Path) -> None:
    stems = [file_stem(name) for name in NAMES]
    assert len(set(stems)) == len(NAMES)
    for name in NAMES:
        for path in (default_results(name), default_map(name)):
            assert len(path.name.encode()) <= 200, path  # room for hidden siblings' tags
        out = write_folder(tmp_path / default_results(name), lambda tmp: None)
        write_file(tmp_path / default_map(name), lambda temp: temp.write_text("map"))
        assert out.is_dir()
    assert file_stem("Shared back office") == "Shared back office"


def test_long_folder_names_leave_valid_hidden_siblings(tmp_path: Path) -> None:
    """The temporary, set-aside and lock names beside a 250-byte folder stay file names."""
    out = tmp_path / ("r" * 250)
    for text in ("first", "second"):
        write_folder(out, lambda tmp, text=text: (tmp / "summary.json").write_text(text))
        write_file(tmp_path / ("m" * 250), lambda temp, text=text: temp.write_text(text))
    assert (out / "summary.json").read_text() == "second"
    assert (tmp_path / ("m" * 250)).read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m" * 250, "r" * 250]


def test_the_pack_s_page_never_replaces_a_map_or_a_file_of_the_user_s(
        results_folder: Path, tmp_path: Path) -> None:
    """`estate report --out X.pdf` writes its page at X.html: a map drawn there, or a PDF
    of the user's at X.pdf, is kept and nothing is written."""
    drawn = invoke(tmp_path, "map", results_folder, "--out", "plan.html")
    assert drawn.code == 0, drawn.output
    map_page = (tmp_path / "plan.html").read_bytes()
    _refused(tmp_path, invoke(tmp_path, "report", results_folder, "--out", "plan.pdf"),
             "--html", "plan.html", "did not write as a board pack", "another path")
    assert (tmp_path / "plan.html").read_bytes() == map_page
    assert not (tmp_path / "plan.pdf").exists()
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.4 the user's own paper")
    _refused(tmp_path, invoke(tmp_path, "report", results_folder, "--out", "paper.pdf",
                              "--html", "pack.html"),
             "--out", "paper.pdf", "did not write as a board pack")
    assert (tmp_path / "paper.pdf").read_bytes() == b"%PDF-1.4 the user's own paper"
    assert not (tmp_path / "pack.html").exists()


def test_a_board_pack_is_replaced_by_the_next_but_never_by_a_map(
        results_folder: Path, tmp_path: Path) -> None:
    for _ in range(2):  # the second run replaces the pack the first wrote
        run = invoke(tmp_path, "report", results_folder, "--out", "board.pdf")
        assert run.code == 0, run.output
    pack = {name: (tmp_path / name).read_bytes() for name in ("board.pdf", "board.html")}
    for name in pack:
        _refused(tmp_path, invoke(tmp_path, "map", results_folder, "--out", name),
                 "--out", name, "a board pack estate wrote")
        assert (tmp_path / name).read_bytes() == pack[name]


def test_a_map_replaces_only_a_map_or_an_empty_file(cwd: Path) -> None:
    """A comparison's pages or a page of the user's at a map's path are kept and nothing
    is drawn; a map estate drew (the next map at its place) and an empty file are
    replaced."""
    compared = invoke(cwd, "compare", "tiny.toml", "--out", "cmp", "--no-policy-costs")
    assert compared.code == 0, compared.output
    (cwd / "index.html").write_bytes(b"<html><title>Our programme</title></html>")
    kept = {name: (cwd / name).read_bytes() for name in
            ("cmp/comparison.html", "cmp/comparison_map.html", "index.html")}
    for name, page in kept.items():
        run = invoke(cwd, "map", "results/tiny", "--out", name)
        assert run.code == 1 and f"{name}, option --out: expected a new file, or a map " \
            "estate drew (it replaces only its own), found a file estate did not draw as a " \
            "map" in run.output, run.output
        assert (cwd / name).read_bytes() == page
    (cwd / "empty.html").touch()
    for name in ("empty.html", "empty.html", "new.html", "new.html"):  # drawn, then again
        run = invoke(cwd, "map", "results/tiny", "--out", name)
        assert run.code == 0, run.output
        assert f"<title>{MAP_TITLE}".encode() in (cwd / name).read_bytes()
    (cwd / "blank.pdf").touch()  # nor is anything lost to a pack, or an LP file
    (cwd / "empty.lp").touch()
    assert invoke(cwd, "report", "results/tiny", "--out", "blank.pdf").code == 0
    assert (cwd / "blank.pdf").read_bytes().startswith(b"%PDF-")
    assert invoke(cwd, "plan", "tiny.toml", "--write-lp", "empty.lp").code == 0
    assert (cwd / "empty.lp").read_bytes().startswith(b"\\*")


def test_an_alternative_s_map_replaces_only_a_map(cwd: Path) -> None:
    """The maps of alternatives beside the plan's were drawn over whatever was there, a
    page of the user's or a board pack (a review): refused before solving, as --map is."""
    (cwd / "maps").mkdir()
    (cwd / "maps" / "tiny.alternative-2.html").write_text("<p>mine</p>", encoding="utf-8")
    run = invoke(cwd, "plan", "tiny.toml", "--alternatives", "2")
    _refused(cwd, run, "--map", "maps/tiny.alternative-2.html",
             "did not draw as a map")
    assert (cwd / "maps" / "tiny.alternative-2.html").read_text(encoding="utf-8") == \
        "<p>mine</p>"
    assert invoke(cwd, "plan", "tiny.toml", "--alternatives", "1").code == 0


@pytest.mark.parametrize(("command", "option", "name", "ending"), [
    ("map", "--out", "m.pdf", ".html or .htm"),  # an HTML map written into a .pdf
    ("map", "--out", "m", ".html or .htm"),
    ("report", "--out", "board", ".pdf"),  # a PDF named board, its page board.html
    ("report", "--html", "page.txt", ".html or .htm"),
])
def test_an_output_named_for_another_kind_of_file_is_refused(
        results_folder: Path, tmp_path: Path, command: str, option: str, name: str,
        ending: str) -> None:
    extra = ["--out", "board.pdf"] if option == "--html" else []
    run = invoke(tmp_path, command, results_folder, *extra, option, name)
    assert run.code == 1 and (f"{name}, option {option}: expected a file name ending "
                              f"{ending}, found a name not ending {ending}: add") \
        in run.output, run.output
    assert not list(tmp_path.iterdir())


def test_a_page_may_end_htm_and_any_ending_in_capitals(
        results_folder: Path, tmp_path: Path) -> None:
    for args in (("map", "--out", "m.htm"), ("map", "--out", "M.HTML"),
                 ("report", "--out", "b.PDF", "--html", "b.htm")):
        run = invoke(tmp_path, args[0], results_folder, *args[1:])
        assert run.code == 0, run.output


def _files(folder: Path) -> dict[str, bytes]:
    """Every regular file under `folder`, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def test_no_output_replaces_the_scenario_file_or_a_register_file(cwd: Path) -> None:
    """The reviewer's three cases, and the same paths spelt through `..` and a link: each
    refused before solving, naming the option, the path and what the file is, and every
    input left byte for byte as it was."""
    (cwd / "link.toml").symlink_to(cwd / "tiny.toml")
    before = _files(cwd)
    for args, option, path, what in (
            (["--map", "tiny.toml"], "--map", "tiny.toml", "the scenario file"),
            (["--map", "m.html", "--write-lp", "reg/zones.csv"], "--write-lp",
             "reg/zones.csv", "the register's zones.csv"),
            (["--map", "reg/../reg/sites.csv"], "--map", "reg/../reg/sites.csv",
             "the register's sites.csv"),
            (["--write-lp", "link.toml"], "--write-lp", "link.toml", "the scenario file")):
        _refused(cwd, invoke(cwd, "plan", "tiny.toml", *args), option, path, what,
                 f"give {option} another path")
        assert _files(cwd) == before, args
    assert invoke(cwd, "plan", "tiny.toml", "--out", "results/x", "--map", "m.html").code == 0
    for command, path, what in (("map", "reg/functions.csv", "the register's functions.csv"),
                                ("report", "tiny.toml", "the scenario file it was planned"),
                                ("report", "reg/agencies.csv", "the register's agencies.csv")):
        run = invoke(cwd, command, "results/x", "--out", path)
        assert run.code == 1 and f"{path}, option --out: expected a path apart from" in \
            run.output and what in run.output and PROOF in run.output, run.output
        no_traceback(run)
    assert {k: v for k, v in _files(cwd).items() if k in before} == before


def test_no_output_replaces_a_workbook_register(cwd: Path) -> None:
    """A register in one file: that file is what the run reads."""
    with pd.ExcelWriter(cwd / "register.xlsx") as writer:
        for name, rows in town_rows().items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, index=False)
    scenario = (cwd / "tiny.toml").read_text(encoding="utf-8").replace(
        'data = "reg"', 'data = "register.xlsx"')
    assert scenario != (cwd / "tiny.toml").read_text(encoding="utf-8")
    (cwd / "book.toml").write_text(scenario, encoding="utf-8")
    workbook = (cwd / "register.xlsx").read_bytes()
    for option in ("--map", "--write-lp"):
        _refused(cwd, invoke(cwd, "plan", "book.toml", option, "register.xlsx"), option,
                 "register.xlsx", "the register, which would be lost")
    assert (cwd / "register.xlsx").read_bytes() == workbook
    assert invoke(cwd, "plan", "book.toml", "--out", "results/b", "--map", "b.html").code == 0


def test_an_lp_file_replaces_only_an_lp_file(cwd: Path) -> None:
    """The user's own file at the LP path is kept, whatever its name; an LP file the last
    run wrote is replaced by the next."""
    for name in ("notes.txt", "model.lp"):
        (cwd / name).write_text("the user's own notes", encoding="utf-8")
        _refused(cwd, invoke(cwd, "plan", "tiny.toml", "--write-lp", name), "--write-lp",
                 name, "not an LP file estate wrote")
        assert (cwd / name).read_text(encoding="utf-8") == "the user's own notes"
    (cwd / "model.lp").unlink()
    for name in ("model.lp", "model.txt"):  # the same command twice, whatever the name
        for out in ("results/a", "results/b"):
            run = invoke(cwd, "plan", "tiny.toml", "--out", out, "--write-lp", name)
            assert run.code == 0, run.output
            assert (cwd / name).read_text(encoding="utf-8").startswith("\\* ")


def test_a_folder_is_refused_where_it_would_write_over_an_input(tmp_path: Path) -> None:
    """A folder written into (a sweep's, a comparison's) is refused when an input sits
    where it writes one of its files; one replaced whole, when it holds an input."""
    (tmp_path / "out").mkdir()
    scenario = tmp_path / "out" / "sweep.csv"
    scenario.write_text("kept", encoding="utf-8")
    inputs = {os.path.realpath(scenario): "the scenario file"}
    check_outputs([Output("--out", tmp_path / "out", folder=True, writes=("runs",))],
                  inputs=inputs)  # a file it does not write: fine
    for output in (Output("--out", tmp_path / "out", folder=True, writes=("sweep.csv",)),
                   Output("--out", tmp_path / "out", folder=True, replaced=True)):
        with pytest.raises(InputError) as caught:
            check_outputs([output], inputs=inputs)
        assert f"a folder holding the scenario file ({scenario})" in str(caught.value)
    assert scenario.read_text(encoding="utf-8") == "kept"


def test_the_register_s_own_folder_is_refused_as_a_folder_written_into(cwd: Path) -> None:
    """A register folder is every CSV in it: a sweep or a comparison written there would
    add its tables to the register (the next run read site_robustness.csv as one, and
    refused the sweep's own folder), so each is refused before anything is written."""
    before = sorted(p.name for p in (cwd / "reg").iterdir())
    for command in (["compare", "tiny.toml", "--no-policy-costs"],
                    ["sweep", "tiny.toml", "--vary", "sharing.efficiency=0.1,0.2"]):
        run = invoke(cwd, *command, "--out", "reg")
        assert run.code == 1, run.output
        no_traceback(run)
        assert "reg, option --out: expected a path apart from the scenario file and the " \
            "register's files, found the register's own folder" in run.output, run.output
        assert sorted(p.name for p in (cwd / "reg").iterdir()) == before
    # a folder beside it, and the scenario file's own folder, are fine
    assert invoke(cwd, "sweep", "tiny.toml", "--vary", "sharing.efficiency=0.1",
                  "--out", ".").code == 0


def test_a_plan_of_the_copy_a_results_folder_keeps_may_replace_that_folder(
        cwd: Path) -> None:
    """Planned again from results/tiny/scenario.toml, the clash check offers `--out
    results/tiny` to replace that folder deliberately: taking the advice works, as the plan
    writes a fresh scenario.toml there (the register stays protected)."""
    assert invoke(cwd, "plan", "tiny.toml").code == 0
    copy = cwd / "results" / "tiny" / "scenario.toml"
    clash = invoke(cwd, "plan", str(copy))
    assert clash.code == 1 and 'replace them deliberately with --out' in clash.output, \
        clash.output
    run = invoke(cwd, "plan", str(copy), "--out", "results/tiny")
    assert run.code == 0, run.output
    assert copy.is_file()


@pytest.mark.parametrize(("parts", "said"), [
    (["b" * 300], "expected names of at most 255 bytes, found a name of 300 bytes"),
    (["é" * 140], "found a name of 280 bytes"),  # bytes, not letters
    (["c" * 200] * 25, "expected a path the system can use, found one too long for it"),
])
def test_a_name_or_path_too_long_for_the_system_is_refused_by_its_option(
        tmp_path: Path, parts: list[str], said: str) -> None:
    """A name over 255 bytes, or a path over the system's limit (4,096 bytes on Linux;
    25 names of 200 bytes), names the option and what to do, where looking at the path
    raised `OSError: File name too long` (exit 4)."""
    path = tmp_path.joinpath(*parts)
    with pytest.raises(InputError) as caught:
        check_outputs([Output("--out", path, folder=True, replaced=True),
                       Output("--map", tmp_path / "map.html")])
    assert len(caught.value.problems) == 1
    problem = str(caught.value.problems[0])
    assert "option --out" in problem and said in problem and "shorter one" in problem


def test_a_plan_given_a_name_too_long_says_so_and_writes_nothing(tmp_path: Path) -> None:
    scenario = town(tmp_path)
    result = invoke(tmp_path, "plan", scenario, "--out", tmp_path / ("r" * 256),
                    "--map", tmp_path / "m.html")
    no_traceback(result)
    assert result.code == 1 and "names of at most 255 bytes" in result.output
    assert not (tmp_path / "m.html").exists()


LONG = "é" * 140  # 280 bytes: a name no file system here holds
DEEP = "/".join(["c" * 200] * 25)  # names that fit, a path that does not (4,096 bytes)


@pytest.mark.parametrize("args", [
    ["validate", LONG], ["validate", f"{LONG}.toml"], ["validate", f"{LONG}/tiny.toml"],
    ["validate", DEEP], ["plan", f"{LONG}.toml"], ["plan", f"{LONG}.toml", "--json"],
    ["compare", "tiny.toml", f"{LONG}.toml"], ["report", LONG], ["map", LONG],
    ["validate", "long.toml"], ["plan", "long.toml"],  # its data key
])
def test_an_input_path_too_long_for_the_system_is_an_error_at_that_path(
        tmp_path: Path, args: list[str]) -> None:
    """Python's own checks of a path (is_dir, exists) raise for a name or path too long
    for the system, which ended 'Unexpected error: OSError: [Errno 36] File name too
    long', exit 4; an output's is refused by its option (above)."""
    scenario = town(tmp_path)
    text = scenario.read_text(encoding="utf-8")
    (tmp_path / "long.toml").write_text(text.replace('data = "reg"', f'data = "{LONG}"'),
                                        encoding="utf-8")
    assert f'data = "{LONG}"' in (tmp_path / "long.toml").read_text(encoding="utf-8")
    result = invoke(tmp_path, *args)
    no_traceback(result)
    assert result.code == 1, result.output
    assert "too long for the system: give a shorter one" in result.output
    # the name as given: 280 bytes, 285 with .toml
    assert ("a path of" if args[1] == DEEP else "a name of 28") in result.output
    if "long.toml" in args:
        assert 'the data key of long.toml' in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.toml", "reg", "tiny.toml"]


def test_the_register_and_scenario_readers_say_a_path_too_long_as_a_problem(
        tmp_path: Path) -> None:
    from estate.load.scenario import load_scenario
    from estate.load.validate import load_register

    for read in (load_register, load_scenario):
        with pytest.raises(InputError) as caught:
            read(tmp_path / LONG)
        assert "a name of 280 bytes" in str(caught.value)


def test_a_page_refused_after_the_results_says_which_file_and_key(tmp_path: Path) -> None:
    """A page drawn after the results are in place and refused for what it read says
    the file, key, expected and found, as the refusal itself does, not its "found"
    alone ("could not be written: nothing")."""
    refused = InputError([Problem("r/summary.json", None, "alternatives.allowance_npv",
                                  "an amount, not below 0", "nothing", label="key")])
    with pytest.raises(OutputError) as caught, results_in_place(
            "The results are in place;", "--map", tmp_path / "m.html", "run estate map."):
        raise refused
    assert ("m.html (--map) could not be written: r/summary.json, key "
            "alternatives.allowance_npv: expected an amount, not below 0, found nothing. "
            "The results are in place; run estate map.") in str(caught.value)


@pytest.mark.parametrize("args", [
    ("plan", "tiny.toml", "--out", "locked/p"),
    ("plan", "tiny.toml", "--map", "locked/m.html"),
    ("compare", "tiny.toml", "--out", "locked/c"),
    ("sweep", "tiny.toml", "--vary", "sharing.efficiency=0.1", "--out", "locked/s"),
], ids=["plan --out", "plan --map", "compare --out", "sweep --out"])
def test_an_output_in_a_folder_this_user_may_not_open_is_refused_before_solving(
        cwd: Path, args: tuple[str, ...]) -> None:
    """Not an unexpected error (exit 4) from a probe of the path: the option, the path
    and the permission to give, exit 1, nothing planned."""
    (cwd / "locked").mkdir()
    (cwd / "locked").chmod(0)
    try:
        run = run_cli(cwd, *args, as_a_user=True)
    finally:
        (cwd / "locked").chmod(0o755)
    assert run.code == 1, run.output
    assert (f"{args[-1]}, option {args[-2]}: expected a path this user may write to, found "
            "one in a folder this user may not open (permission denied)") in run.output
    assert not (cwd / "results").exists() and not (cwd / "estate-error.log").exists()
    no_traceback(run)

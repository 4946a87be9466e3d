"""A scenario file as a lead new to TOML writes it (estate.load.toml_text): each slip of
syntax or encoding is said at its line, with the line as written and how to write it,
exit 1, no traceback and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures import invoke, no_traceback, town

LINES = ['name = "Hand"', 'data = "reg"', "", "[relocation]", "cost_per_fte = 5000",
         "max_km = 40", "", "[assignment]", "split = false", "", "[policy]", "keep = []",
         "", "[solver]", "time_limit_s = 30"]


def _file(folder: Path, line: int, written: str) -> Path:
    """The hand-written scenario with its `line` (counted from 1) written as `written`."""
    lines = list(LINES)
    lines[line - 1] = written
    path = folder / "hand.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("line", "written", "says"), [
    (1, "name = \u201cHand\u201d", "curly quotes"),
    (2, 'data = "..\\data\\suffolk"', "write the path with / (Windows reads it too)"),
    (2, 'data = "C:\\Users\\jo\\reg"', "write the path with / (Windows reads it too)"),
    (2, "data = ../data/suffolk", 'expected a text in quotes: "../data/suffolk"'),
    (9, "split = True", "write True as true"),
    (9, "split = yes", "write yes as true"),
    (5, "cost_per_fte = 5k", "write cost_per_fte = 5000 (the key is in pounds)"),
    (5, "cost_per_fte = £5,000", "write cost_per_fte = 5000"),
    (3, "start = 30/09/2028", 'write 30/09/2028 as "2028-09-30"'),
    (12, 'keep = "S1", "S2"', "put the list in [ ]"),
    (12, "keep = [S1, S2]", 'put each id in "quotes"'),
    (12, 'keep = ["S1", "S2"', "close the list with ]"),
    (1, 'name = "Hand', 'close the text with a "'),
    (6, "cost_per_fte = 6000", "`cost_per_fte` is given a second time: keep one"),
    (13, "[relocation]", "[relocation] is made a second time, by a header above or by a "
     "key written relocation.something above: put all its keys below one [relocation]"),
    (3, "start = 31/03/2027", 'write 31/03/2027 as "2027-03-31"'),  # the date typed
    (12, 'keep = ["S1" "S2"]', "put a comma between each two entries"),  # not "close it"
    (6, "max km = 40", "write the key max_km"),
    (6, "max_km 40", "write max_km = 40"),  # the = left out: not "write the key max_km_40"
    (1, 'name "Hand"', 'write name = "Hand"'),
    # a key of words (as its name reads) and its value, or a value that is wrong too
    (6, "max km 40", "write max_km = 40"),
    (5, "Cost per FTE 5,000", "write cost_per_fte = 5000"),
    (3, "start 1/4/2027", 'put = between start and its value, and write 1/4/2027 as '
     '"2027-04-01"'),
    (12, 'keep "S1", "S2"', "put = between keep and its value, and put the list in [ ]"),
    # a header without its brackets, a note without its #
    (4, "Relocation:", "write [relocation]"),
    (4, "relocation]", "write [relocation]"),
    (3, "* assumptions from finance", "TOML's comments start with #: write # in place of *"),
    # a value, then more on its line: a note marked another way, an apostrophe
    (6, "max_km = 40 // agreed with unions", "write # in place of //"),
    (1, "name = 'St John's'", 'write name = "St John\'s"'),
    (1, 'name = "Hand" plan', 'the value "Hand" is followed by plan: if that is a note'),
    (12, 'keep = ["S1"] ; kept by the board', "write # in place of ;"),  # not a list's ;
    (12, "keep = ['St John's']", 'write it "St John\'s", in double quotes'),
    (3, "Note: keep the libraries open", "if it is a note, start the line with #"),
    (3, "TODO check rents", "if it is a note, start the line with #"),
    # a note that starts with a key's or a table's name is offered both ways; a colon
    # inside a value is the value's
    (3, "Keep libraries open", "if it is a note, start the line with #; if it sets keep"),
    (3, "Coverage of libraries", "if it is a note, start the line with #; if it opens the "
     "table, write [[coverage]] alone"),
    (3, "Discount rate: 0.035", "write discount_rate = 0.035"),
    (3, "crs EPSG:27700", 'if it sets crs, put = between crs and its value, and put the '
     'text in "quotes"'),
    (2, "data ../reg", 'if it sets data, put = between data and its value, and put the '
     'text in "quotes"'),
    (4, "Relocation   # costs", "write [relocation]"),
    (3, "-- from finance", "TOML's comments start with #: write # in place of --"),
    (12, "keep S1 S2", 'write it ["S1", "S2"], or ["S1 S2"] if it is one name'),
    (6, "max_km: 40", "write max_km = 40"),
    (6, "max_km == 40", "write max_km = 40"),
    (3, "// a comment", "TOML's comments start with #"),
    (15, "time_limit_s = .5", "write 0.5"),
    (6, "max_km = none", "write inf for no limit"),
    (6, "max_km = 5,5", "write 5.5 (a point, not a comma"),
    # a number typed with a unit the key takes: the number to write, in the key's unit
    # (the lead was told only to write it without a unit)
    (6, "max_km = 40 km", "write max_km = 40"),
    (15, "time_limit_s = 10 minutes", "write time_limit_s = 600 (the key is in seconds)"),
    (6, "max_km = 40 kg", "write the number without £, commas, k, m, % or a unit"),
    # a percentage alone is not a note marked as LaTeX marks one (`write # in place of %`)
    (3, "discount_rate = 3.5%", "write discount_rate = 0.035"),
    (3, "discount_rate = 35 %", "write discount_rate = 0.35"),
    # a share that reads as one either way: both readings (a review: `1 % Green Book`,
    # told to write # for %, read as a rate of 100%)
    (3, "discount_rate = 0.035 % the Green Book", "if 0.035 % is 0.035 per cent, write "
     "discount_rate = 0.00035 # the Green Book; if the % starts a note, write "
     "discount_rate = 0.035 # the Green Book"),
    (3, "discount_rate = 1 % Green Book", "if 1 % is 1 per cent, write discount_rate = "
     "0.01 # Green Book; if the % starts a note, write discount_rate = 1 # Green Book"),
    (3, "discount_rate = 3.5% Green Book", "write discount_rate = 0.035 # Green Book"),
    # a decimal comma before the % (it was told to put a list in [ ]); a list stays one
    (3, "discount_rate = 3,5% Green Book", "write discount_rate = 0.035 # Green Book"),
    # with a space before the %: no share is above 1, so 3.5 % is a percentage, 0.035 % a
    # note's mark; a key that takes no share keeps the note's reading
    (3, "discount_rate = 3,5 % (Green Book)", "write discount_rate = 0.035 # (Green Book)"),
    (3, "discount_rate = 3.5 % Green Book", "write discount_rate = 0.035 # Green Book"),
    (6, "max_km = 15 % of the county", "write # in place of %"),
    (12, "keep = S1, S2", "put the list in [ ]"),
    (3, "discount_rate = -3.5%", "write discount_rate = -0.035"),
    # a key that takes no share is not told to divide by 100
    (6, "max_km = 15% of the county", "write the number without % (the key's name gives "
     "its unit: radius_km in km, time_limit_s in seconds), and start the words after it "
     "with #: # of the county"),
    (12, "keep = S1", 'write it ["S1"]'),  # a list key: not "a text in quotes"
    (6, "max_km =", "give `max_km` a value, or delete the line"),
    # a backslash before the closing quote of a text that is no path: no path's hint
    (1, 'name = "Hand\\"', "delete the backslash, or write \\\\ for one"),
    (12, 'keep = ["S1",, "S2"]', "delete the comma with no entry before it"),
    (12, 'keep = ["S1", S2]', 'put each id in "quotes"'),  # not "delete the comma"
    (12, 'keep = ["S1"; "S2"]', "write a comma in place of each ;"),
    # a ; beside a comma goes: told to write a comma for it, the lead met the double
    # comma's hint next
    (12, 'keep = ["S1",; "S2"]', "delete each ; (a comma parts the entries there already)"),
    (12, 'keep = ["S1",; "S2"; "S3"]',
     "delete each ; beside a comma and write a comma in place of the others"),
])
def test_a_slip_of_syntax_is_said_at_its_line(tmp_path: Path, line: int, written: str,
                                              says: str) -> None:
    """TOML's own words ("Invalid value") were all a lead saw, with no hint of the fix."""
    town(tmp_path)
    path = _file(tmp_path, line, written)
    run = invoke(tmp_path, "plan", path.name, "--out", "out")
    assert run.code == 1, run.output
    said = [s for s in run.stderr.splitlines() if s.startswith("  - ")]
    assert len(said) == 1, run.stderr
    assert said[0].startswith(f"  - hand.toml, line {line}: expected "), said
    assert f"found {written.strip()} (" in said[0] and says in said[0], said
    assert not (tmp_path / "out").exists()
    no_traceback(run)


@pytest.mark.parametrize(("encode", "says"), [
    (lambda text: text.encode("utf-16"), "found UTF-16 text (Notepad's 'Unicode'): save it "
     "as UTF-8"),
    (lambda text: text.replace("Hand", "Hand \u2013 draft").encode("cp1252"),
     "line 1: expected a scenario TOML file (UTF-8 text), found the byte 0x96 (\u2013 in "
     "Windows-1252), which is not UTF-8: save it as UTF-8"),
    (lambda text: text.replace("keep = []", 'keep = ["S1"] # \u00a3 held').encode("cp1252"),
     "line 12: expected a scenario TOML file (UTF-8 text), found the byte 0xA3 (\u00a3 in "
     "Windows-1252)"),
    (lambda text: b"", "found (an empty file: no key at all)"),
])
def test_a_file_saved_in_another_encoding_says_which(
        tmp_path: Path, encode: Callable[[str], bytes], says: str) -> None:
    """Notepad's 'Unicode' (UTF-16) was taken for a workbook; a Windows-1252 byte was
    placed by its position in bytes, not its line."""
    town(tmp_path)
    path = tmp_path / "hand.toml"
    path.write_bytes(encode("\n".join(LINES) + "\n"))
    run = invoke(tmp_path, "validate", path.name)
    assert run.code == 1, run.output
    assert says in run.stderr, run.stderr
    no_traceback(run)


def test_a_byte_order_mark_and_tabs_are_accepted(tmp_path: Path) -> None:
    """What Notepad and VS Code write of a good file still reads."""
    town(tmp_path)
    path = tmp_path / "hand.toml"
    text = "\n".join(LINES).replace("max_km = 40", "max_km\t=\t40")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    run = invoke(tmp_path, "validate", path.name)
    assert run.code == 0, run.output


@pytest.mark.parametrize(("text", "line", "shown"), [
    # a line separator pasted from a web page is no line end to TOML
    ("# Ipswich \u2028 Bury\nname = \"Hand\"\nhorizon_years = 10 years\n", 3,
     "found horizon_years = 10 years"),
    # a quote escaped in a text does not end it: the text left open is the later one
    ('name = "12\\" screens hub"\ndata = "reg"\n\nname2 = "highs\n', 4,
     'found name2 = "highs'),
])
def test_the_line_said_is_the_one_toml_counts(tmp_path: Path, text: str, line: int,
                                               shown: str) -> None:
    town(tmp_path)
    (tmp_path / "hand.toml").write_text(text, encoding="utf-8")
    run = invoke(tmp_path, "validate", "hand.toml")
    assert run.code == 1, run.output
    said = [s for s in run.stderr.splitlines() if s.startswith("  - ")]
    assert said[0].startswith(f"  - hand.toml, line {line}: ") and shown in said[0], said


def test_a_byte_not_utf8_after_a_byte_order_mark_is_named_as_it_is(tmp_path: Path) -> None:
    town(tmp_path)
    (tmp_path / "hand.toml").write_bytes(
        b"\xef\xbb\xbfname = \"Hand\"\n# Ipswich \x96 Bury\ndata = \"reg\"\n")
    run = invoke(tmp_path, "validate", "hand.toml")
    assert run.code == 1, run.output
    assert "hand.toml, line 2: " in run.stderr and "the byte 0x96 (\u2013 in " \
        "Windows-1252)" in run.stderr, run.stderr



def _keep_as(lines: list[str]) -> str:
    """The hand-written scenario with `keep = []` (line 12) written as `lines`."""
    return "\n".join(LINES[:11] + lines + LINES[12:]) + "\n"


@pytest.mark.parametrize(("text", "line", "says"), [
    # a list over several lines, an entry without its comma: TOML stops at the next
    # entry; the comma belongs at the end of the line before, after a comment too
    (_keep_as(["keep = [", '  "S1"', '  "S2",', "]"]), 13,
     'found "S1" (line 14, column 3: Unclosed array); put a comma right after the entry on '
     "line 13"),
    # the comma goes before the comment, where TOML reads it
    (_keep_as(["keep = [", '  "S1",', '  "S2"  # the depot', "", '  "S3",', "]"]), 14,
     "put a comma right after the entry on line 14, before its # comment"),
    # an entry of such a list with two commas, or without its quotes: no key to give a
    # value to (it was told to give `"S1",,` a value, or delete the line)
    (_keep_as(["keep = [", '  "S1",,', '  "S2",', "]"]), 13,
     'found "S1",, (column 8: Invalid value); delete the comma with no entry before it'),
    (_keep_as(["keep = [", '  "S1",', "  S2,", "]"]), 14, 'put each id in "quotes"'),
    # a quoted entry, then one without quotes: no comma is without its entry
    (_keep_as(["keep = [", '  "S1", S2,', "]"]), 13, 'put each id in "quotes"'),
    # entries parted by semicolons, as a register's cell parts them
    (_keep_as(["keep = [", '  "S1";', '  "S2"', "]"]), 13,
     "write a comma in place of each ; on line 13"),
    (_keep_as(["keep = [", '  "S1";,', '  "S2"', "]"]), 13,
     "delete each ; on line 13 (a comma parts the entries there already)"),
    # a list never closed, the next header read as its entry: not "put it in quotes"
    (_keep_as(["keep = [", '  "S1",', '  "S2",']), 16,
     "found [solver] (column 2: Invalid value); the list above is not closed: close it "
     "with ] on a line of its own above this one"),
    (_keep_as(["keep = [", '  "S1",', "],"]), 14, "delete the comma after ]"),
    (_keep_as(["keep = [", '  "S1",', '  "S2" "S3",', "]"]), 14,
     'found "S2" "S3", (column 8: Unclosed array); put a comma between the entries at '
     "column 8"),
    # never closed: the ] is what is missing, said at the line that opened the list
    (_keep_as(["keep = [", '  "S1",', '  "S2"']), 12, "close the list with ]"),
    # a second coverage rule headed as one table: told to head it as the first is
    ("\n".join(LINES) + '\n[[coverage]]\nservice = "a"\nradius_km = 5\n\n[coverage]\n'
     'service = "b"\n', 20, "every entry of coverage is headed [[coverage]], in two pairs "
     "of brackets, as the one above is: write this header [[coverage]] too"),
])
def test_a_slip_over_several_lines_is_said_where_it_is_mended(
        tmp_path: Path, text: str, line: int, says: str) -> None:
    """A list written one entry a line, without a comma after one, was told to close
    the list at the line that opened it, though it is closed; a [coverage] after a
    [[coverage]] was told to put all its keys below one [coverage]."""
    town(tmp_path)
    (tmp_path / "hand.toml").write_text(text, encoding="utf-8")
    run = invoke(tmp_path, "validate", "hand.toml")
    assert run.code == 1, run.output
    said = [s for s in run.stderr.splitlines() if s.startswith("  - ")]
    assert len(said) == 1, run.stderr
    assert said[0].startswith(f"  - hand.toml, line {line}: expected ") and says in said[0], \
        said
    no_traceback(run)


@pytest.mark.parametrize("command", ["plan", "compare"])
def test_a_register_file_given_as_a_scenario_says_to_write_one(tmp_path: Path,
                                                               command: str) -> None:
    """`estate plan reg/sites.csv` was told to put = between a key and its value, as
    if the CSV were a scenario to mend, and a workbook only that it is binary. Each is
    said to be a register, with the scenario's `data` that plans it."""
    town(tmp_path)
    (tmp_path / "reg.xlsx").write_bytes(b"PK\x03\x04\x00\x00")
    for given, register in (("reg/sites.csv", "reg"), ("reg.xlsx", "reg.xlsx")):
        run = invoke(tmp_path, command, given)
        assert run.code == 1, run.output
        assert (f"{given}: expected a scenario TOML file, found a register file "
                f"({Path(given).name}), not a scenario: write a scenario file (.toml) whose "
                f'data = "{register}" names the register') in run.stderr, run.stderr
        assert f"estate validate {register}" in run.stderr
        no_traceback(run)
    # a folder with a space is quoted in the command to type; a workbook estate does not
    # read is to be saved as one it does
    (tmp_path / "my reg").mkdir()
    (tmp_path / "my reg" / "sites.csv").write_text("site_id\n", encoding="utf-8")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    spaced = invoke(tmp_path, command, "my reg/sites.csv")
    assert 'check the register with estate validate "my reg"' in spaced.stderr, spaced.stderr
    old = invoke(tmp_path, command, "old.xls")
    assert "found a register file (old.xls) in a format estate does not read, not a " \
        "scenario: save it as an Excel workbook (.xlsx)" in old.stderr, old.stderr

"""Free text (estate.load.free_text, estate.shown_text): a register cell or scenario text
is read as one line, one holding a control character or a direction override is refused
where it stands, and nothing estate prints can carry an escape sequence to the
terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estate.errors import InputError, Problem
from estate.load.free_text import balanced, has_hidden, hidden_texts, one_line
from estate.load.scenario import load_scenario
from estate.load.validate import load_register
from estate.shown_text import for_terminal, json_safe, shown
from estate.status import Failure, failure_json
from tests.fixtures import invoke, no_traceback, town, write_scenario, write_tables, write_xlsx
from tests.fixtures.reference import bad_cell, frames, located
from tests.fixtures.scenario import TOWN_SCENARIO, merge

ESC_LINK = "\x1b]8;;mailto:x@example.invalid\x07click\x1b]8;;\x07"


@pytest.mark.parametrize(("text", "line"), [
    ("County Hall\nIpswich", "County Hall Ipswich"),
    ("County Hall\r\n\tIpswich", "County Hall Ipswich"),
    ("a\u2028b\u2029c\x85d\x0be\x0cf", "a b c d e f"),
    ("O'Neill & Co", "O'Neill & Co"),
])
def test_line_breaks_and_tabs_read_as_one_space(text: str, line: str) -> None:
    assert one_line(text) == line
    assert not has_hidden(text)


@pytest.mark.parametrize("text", [
    "\x1b[31mred", "bell\x07", "back\x08", "nul\x00", "del\x7f", "c1\x9b31m",
    "\u202egnp.exe", "\u202dforced",
])
def test_controls_and_direction_overrides_are_hidden_characters(text: str) -> None:
    assert has_hidden(text)
    shown = for_terminal(text)
    assert not has_hidden(shown) and "\ufffd" in shown


@pytest.mark.parametrize("text", [
    "\u2067مسجد\u2069 Centre",  # an isolate round an Arabic name, as Word writes it
    "\u202bשלום\u202c", "Ysgol Gymraeg Llanelli – Ŵ ŷ", "Caf\u00e9\u00a0Hall", "\u200fRLM",
])
def test_right_to_left_names_and_other_scripts_are_not_hidden(text: str) -> None:
    assert not has_hidden(text) and for_terminal(text) == text


def test_for_terminal_keeps_newlines_but_no_other_line_break() -> None:
    text = "Scenario:  Ipswich & Felixstowe\nشرطة سفolk (S5) £1.2m"
    assert for_terminal(text) == text
    assert for_terminal("done\rAll fine\u2028x\x0by") == "done\ufffdAll fine\ufffdx\ufffdy"


def test_a_register_cell_with_a_control_character_is_a_located_problem(tmp_path: Path) -> None:
    problems = bad_cell(tmp_path / "a", "sites", "name", 1, "\x1b[41mPolice HQ\x1b[0m")
    assert located(problems) == {("sites.csv", 3, "name")}
    assert "control characters" in problems[0].expected
    assert "\\x1b[41m" in problems[0].found  # shown escaped, never raw
    problems = bad_cell(tmp_path / "b", "agencies", "name", 0, "\u202eylnuoC")
    assert located(problems) == {("agencies.csv", 2, "name")}


def test_a_nul_byte_in_a_csv_cell_is_a_located_problem_not_a_shortened_cell(
        tmp_path: Path) -> None:
    # pandas' own parser would read '463\0000' as 463 and 'S1\0X' as 'S1', valid both
    problems = bad_cell(tmp_path / "a", "sites", "running_cost", 1, "463\x00000")
    assert located(problems) == {("sites.csv", 3, "running_cost")}
    assert "'463\\x00000'" in problems[0].found
    problems = bad_cell(tmp_path / "b", "agencies", "name", 0, "County\x00Council")
    assert located(problems) == {("agencies.csv", 2, "name")}


def test_a_name_over_two_lines_reads_as_one_in_every_format(tmp_path: Path) -> None:
    tables = frames()
    names = tables["sites"]["name"].astype(object).tolist()
    names[0] = "County Hall\nRussell Road"
    tables["sites"]["name"] = names
    for path in (write_tables(tmp_path / "reg", tables), write_xlsx(tmp_path / "reg.xlsx", tables)):
        sites = load_register(path).sites
        assert sites["name"].iloc[0] == "County Hall Russell Road", path


@pytest.mark.parametrize(("text", "closed"), [
    ("\u2067\u0645\u0643\u062a\u0628", "\u2067\u0645\u0643\u062a\u0628\u2069"),
    ("SFR \u202bRLE-unclosed", "SFR \u202bRLE-unclosed\u202c"),
    ("\u2067a\u202bb\u2069 c", "\u2067a\u202bb\u2069 c"),  # U+2069 closes what is inside
    ("\u202ba\u2067b\u202c", "\u202ba\u2067b\u202c\u2069\u202c"),  # not from inside
    ("\u2066x\u2069\u2069\u202c", "\u2066x\u2069\u2069\u202c"),  # strays close nothing
    ("plain", "plain"),
])
def test_embeddings_and_isolates_left_open_are_closed(text: str, closed: str) -> None:
    assert balanced(text) == closed and one_line(text) == closed


def test_a_register_name_left_open_is_closed_in_every_format(tmp_path: Path) -> None:
    """An agency typed with a right-to-left isolate and nothing closing it turned round
    the words after it on a terminal that follows the marks (a review)."""
    tables = frames()
    names = tables["sites"]["name"].astype(object).tolist()
    names[0] = "\u2067\u0645\u0643\u062a\u0628 \u202bRLE"
    tables["sites"]["name"] = names
    for path in (write_tables(tmp_path / "reg", tables), write_xlsx(tmp_path / "reg.xlsx", tables)):
        name = load_register(path).sites["name"].iloc[0]
        assert name == "\u2067\u0645\u0643\u062a\u0628 \u202bRLE\u202c\u2069", path


def test_a_scenario_text_with_a_hidden_character_is_refused_at_its_key(tmp_path: Path) -> None:
    path = town(tmp_path)
    raw = merge(TOWN_SCENARIO, {"name": "Plan\x1b[2J", "policy": {"keep": ["S1", "\u202eS2"]}})
    write_scenario(path, raw)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert {p.column for p in caught.value.problems} == {"name", "policy.keep[1]"}


def test_a_scenario_name_over_two_lines_is_one_line(tmp_path: Path) -> None:
    path = town(tmp_path, changes={"name": "Shared\nback office"})
    assert load_scenario(path).name == "Shared back office"


def test_nothing_printed_carries_an_escape_sequence(tmp_path: Path) -> None:
    """A folder may be named anything; `estate validate` prints its name."""
    path = town(tmp_path)
    folder = path.parent / f"reg{ESC_LINK}"
    (path.parent / "reg").rename(folder)
    run = invoke(tmp_path, "validate", folder)
    no_traceback(run)
    assert run.code == 0, run.output
    assert "\x1b" not in run.output and "\x07" not in run.output
    assert "valid register" in run.stdout and "\ufffd" in run.stdout


def test_shown_replaces_exactly_the_hidden_characters() -> None:
    """What a page shows of text nobody checked: each hidden character replaced, every
    other character (line breaks, isolates round a right-to-left name) as it was."""
    for code in range(0x3000):
        char = chr(code)
        assert shown(char) == ("\ufffd" if has_hidden(char) else char), hex(code)
    assert shown("abc\u202etxt.exe") == "abc\ufffdtxt.exe"


def test_hidden_texts_are_found_at_their_dotted_keys() -> None:
    data = {"scenario": "ok", "agencies": {"A1": {"name": "Coun\x1bcil"}},
            "list": ["fine", {"deep": "x\u202e"}], "k\u202dey": 1, "n": 5, "none": None}
    assert list(hidden_texts(data)) == [("agencies.A1.name", "Coun\x1bcil"),
                                        ("list[1].deep", "x\u202e"), ("k\u202dey", "k\u202dey")]
    assert list(hidden_texts({"a": ["b", 1.5], "c": {"d": "\u2067RTL\u2069"}})) == []


def test_a_scenario_named_after_a_file_with_a_hidden_character_is_refused(
        tmp_path: Path) -> None:
    """With no `name` key the scenario is named after its file, whose name is free text
    too: a direction override there would reach summary.json and every page."""
    path = town(tmp_path)
    raw = {k: v for k, v in TOWN_SCENARIO.items() if k != "name"}
    named = path.with_name("abc\u202etxt.toml")
    write_scenario(named, raw)
    with pytest.raises(InputError) as caught:
        load_scenario(named)
    problem = caught.value.problems[0]
    assert problem.column == "name" and "rename the file" in problem.expected
    assert problem.found == "'abc\\u202etxt'"
    plain = path.with_name("Option\nB.toml")  # a line break in a file's name reads as a space
    write_scenario(plain, raw)
    assert load_scenario(plain).name == "Option B"


def test_json_printed_on_a_terminal_keeps_its_value_and_acts_on_nothing() -> None:
    """Review O: `estate plan --json` wrote a quoted path's direction override raw in a
    problem's `file` (JSON escapes only the C0 controls), which turned the rest of the
    line round on the terminal; now every hidden character and line break is escaped,
    and the value a script reads is the same."""
    path = "reg\x1b[31m\u202eX\u2028\x85\x7f £/ok.toml"
    failure = Failure.of(InputError([Problem(path, None, "data", "a folder", "none")]))
    text = failure_json(failure)
    assert not any(ch in text for ch in "\x1b\u202e\u2028\x85\x7f"), text
    assert json.loads(text)["problems"][0]["file"] == path and "£" in text
    assert json.loads(json_safe(json.dumps({"k": path}, ensure_ascii=False))) == {"k": path}

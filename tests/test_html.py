"""Escaping and the front end's files (estate.render.html): register text is inert in
every HTML and JavaScript context, JSON cannot close its script block, and the shipped
scripts and styles are package data that parse."""

from __future__ import annotations

import fnmatch
import html
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

import estate
from estate.render.html import (
    breakable,
    inert,
    isolated,
    script_block,
    script_json,
    static_text,
    style_block,
)
from estate.shown_text import HIDDEN, shown
from tests.fixtures import PAYLOADS

EXTRA_PAYLOADS = [
    "", "plain", "a & b", "'single' \"double\"", "`", "$", "{", "}", "${", "\\", "\\\\`",
    "</SCRIPT >", "</scr" + "ipt>", "<!--", "]]>", "\u2028", "\u2029", "\x7f", "tab\there",
    "${`${alert(1)}`}", "{{ config }}", "&#96;already escaped&#36;",
]
ALL_PAYLOADS = PAYLOADS + EXTRA_PAYLOADS
DANGEROUS = set("<>\"'`${}\\\n\r\u2028\u2029")


@pytest.mark.parametrize("payload", ALL_PAYLOADS)
def test_inert_leaves_no_character_that_means_anything(payload: str) -> None:
    out = inert(payload)
    assert not DANGEROUS & set(out), out
    assert html.unescape(out) == shown(payload)  # DEL is a hidden character


@pytest.mark.parametrize("payload", [*ALL_PAYLOADS, "relocation.cost_per_fte", "a._b", "_.x."])
def test_breakable_is_inert_with_a_break_after_each_dot_and_underscore(payload: str) -> None:
    """A `<wbr>` is the only markup: without it the text is `inert`'s, and one follows
    each `.` and `_` but the last character, and nothing else."""
    out = breakable(payload)
    assert out.replace("<wbr>", "") == inert(payload)
    assert not DANGEROUS & set(out.replace("<wbr>", ""))
    plain = html.unescape(out.replace("<wbr>", "\0"))
    # a break (here NUL) exactly after each `.` or `_` that is not the last character
    expected = "".join(c + ("\0" if c in "._" and i < len(shown(payload)) - 1 else "")
                       for i, c in enumerate(shown(payload)))
    assert plain == expected


def test_inert_handles_nul_and_none() -> None:
    assert inert(None) == ""
    assert inert("a\x00b") == "a\ufffdb"
    assert inert(12.5) == "12.5"


HIDING = ["abc\u202etxt.exe", "\u202dforced", "x\x1b[31mRED\x1b]8;;http://e\x07link",
          "nul\x00", "back\x08space", "c1\x9b31m", "del\x7f"]
"""Text a results folder edited by hand may hold: direction overrides and controls."""


@pytest.mark.parametrize("payload", HIDING)
def test_inert_replaces_every_hidden_character(payload: str) -> None:
    """`abc\u202etxt.exe` shows as `abcexe.txt` where the override reaches the page."""
    out = html.unescape(inert(payload))
    assert not HIDDEN.search(out) and "\ufffd" in out
    assert out.replace("\ufffd", "") == HIDDEN.sub("", payload)


@pytest.mark.parametrize("payload", HIDING)
def test_script_json_replaces_every_hidden_character_in_keys_and_values(payload: str) -> None:
    """A map's data goes into the page with textContent, where an override still acts."""
    value = {payload: [payload, {"name": payload}], "plain": "Caf\u00e9 \u2067x\u2069"}
    read = json.loads(script_json(value))
    assert read == {shown(payload): [shown(payload), {"name": shown(payload)}],
                    "plain": "Caf\u00e9 \u2067x\u2069"}
    assert shown(payload) != payload
    for path in ("C:\\build\\file", "\\u001b as typed", "line\fend"):  # like one, but not
        assert json.loads(script_json({"p": path})) == {"p": path}


@pytest.mark.parametrize("payload", ALL_PAYLOADS)
def test_script_json_cannot_close_the_script_block(payload: str) -> None:
    text = script_json({"name": payload, "list": [payload, 1.5, None]})
    assert "</" not in text and "<!--" not in text and "<" not in text
    assert json.loads(text) == {"name": shown(payload), "list": [shown(payload), 1.5, None]}


def test_script_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


PACKAGE = Path(estate.__file__).parent
STATIC = sorted(path for group in ("maps", "render") for path in (PACKAGE / group / "static").iterdir())


def _shipped(suffix: str) -> list[Path]:
    return [path for path in STATIC if path.suffix == suffix]


def test_the_front_end_is_files_shipped_as_package_data() -> None:
    assert {p.name for p in _shipped(".js")} >= {"map.js", "compare.js"}
    assert {p.name for p in _shipped(".css")} >= {"map.css", "compare.css", "sweep.css"}
    assert {p.suffix for p in STATIC} == {".js", ".css"}
    globs = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]
    for path in STATIC:
        package = "estate." + path.parent.parent.name
        relative = path.relative_to(path.parent.parent).as_posix()
        assert any(fnmatch.fnmatch(relative, g) for g in globs.get(package, [])), path
        assert static_text(package, path.name) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", _shipped(".js"), ids=lambda p: p.name)
def test_every_script_parses(path: Path, node: str) -> None:
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True,
                             timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("path", _shipped(".css"), ids=lambda p: p.name)
def test_every_stylesheet_balances_its_braces(path: Path) -> None:
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", "", text)
    depth = 0
    for line, row in enumerate(text.splitlines(), 1):
        for char in row:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{path.name}:{line}: a }} with no {{"
    assert depth == 0, f"{path.name}: {depth} unclosed {{"


def test_inlined_code_cannot_end_its_block() -> None:
    script = script_block('var s = "</script><script>alert(1)</SCRIPT >";')
    assert script.lower().count("</script") == 1 and script.endswith("</script>")
    style = style_block('a::after { content: "</style><script>alert(1)</script>"; }')
    assert style.lower().count("</style") == 1 and style.endswith("</style>")


@pytest.mark.parametrize("payload", PAYLOADS + EXTRA_PAYLOADS)
def test_isolated_is_inert_text_in_a_bdi(payload: str) -> None:
    """A name to write inline: exactly its inert text inside one <bdi> (a name in Arabic
    keeps its own direction: test_bidi_browser.py shows the browser drawing it so)."""
    assert isolated(payload) == f"<bdi>{inert(payload)}</bdi>"
    assert isolated("\u0645\u0643\u062a\u0628 <b>") == "<bdi>\u0645\u0643\u062a\u0628 &lt;b&gt;</bdi>"
